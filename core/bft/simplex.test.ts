import { describe, expect, test } from "bun:test";
import { toHex } from "../crypto/bytes.ts";
import { type FinalizedBlock, SimplexEngine } from "./simplex.ts";
import { SimplexHarness } from "./simplex-harness.ts";
import type { JournalRecord } from "./simplex-journal.ts";
import { MemoryJournal } from "./simplex-journal.ts";
import {
  Block,
  blockHash,
  Certificate,
  genesisHash,
  Proposal,
  Vote,
  voteSigningBytes,
} from "./simplex-messages.ts";

function heights(f: readonly FinalizedBlock[]): number[] {
  return f.map((b) => b.height);
}

/** Every node's finalized sequence is 1..k in order, and any two nodes agree height by height. */
function expectConsistent(h: SimplexHarness): void {
  const byHeight = new Map<number, string>();
  for (const node of h.nodes) {
    node.finalized.forEach((b, i) => {
      expect(b.height).toBe(i + 1);
      const seen = byHeight.get(b.height);
      if (seen === undefined) byHeight.set(b.height, b.hash);
      else expect(b.hash).toBe(seen);
    });
  }
}

/** No view with two different votes of one kind, and never nullify and finalize in one view. */
function expectNoDoubleVote(records: readonly JournalRecord[]): void {
  const seen = new Map<string, string>();
  const kinds = new Map<number, Set<string>>();
  for (const r of records) {
    if (r.kind !== "vote") continue;
    const key = `${r.view}/${r.vote}`;
    const prev = seen.get(key);
    if (prev !== undefined) expect(toHex(r.block)).toBe(prev);
    seen.set(key, toHex(r.block));
    const ks = kinds.get(r.view) ?? new Set();
    ks.add(r.vote);
    kinds.set(r.view, ks);
    expect(ks.has("nullify") && ks.has("finalize")).toBe(false);
  }
}

describe("SimplexEngine", () => {
  test("happy path: a block every 2 hops, finality in 3, identical logs", () => {
    const h = new SimplexHarness({ n: 4, latency: [10, 10] });
    h.start();
    h.runUntil(1000);
    expectConsistent(h);
    // 10 ms hops: a view lasts 2 hops (propose, notarize), so ~50 blocks in 1 s; finality 1 hop later.
    for (const node of h.nodes) expect(node.finalized.length).toBeGreaterThanOrEqual(45);
    const st = h.nodes[0]!.engine.stats();
    expect(st.timeouts).toBe(0);
    expect(st.nullifications).toBe(0);
    expect(h.nodes.every((x) => x.emits.every((e) => e.name !== "simplex/rejected"))).toBe(true);
  });

  test("finality latency is 3 hops from the proposal", () => {
    const h = new SimplexHarness({ n: 4, latency: [10, 10] });
    h.start();
    // View 1 starts at t=0: proposal arrives at 10, notarize votes at 20, finalize votes at 30.
    h.runUntil(29);
    expect(h.nodes.some((x) => x.finalized.length > 0)).toBe(false);
    h.runUntil(30);
    expect(h.nodes.every((x) => x.finalized.length >= 1)).toBe(true);
  });

  test("leader crash: its views are nullified and the others keep finalizing", () => {
    const h = new SimplexHarness({ n: 4 });
    h.crash(1); // leads views 1, 5, 9, ...
    h.start();
    h.runUntil(5000);
    expectConsistent(h);
    const alive = [0, 2, 3].map((i) => h.nodes[i]!);
    for (const node of alive) {
      expect(node.finalized.length).toBeGreaterThan(20);
      expect(node.engine.stats().nullifications).toBeGreaterThan(0);
      // No finalized block was proposed by the crashed leader.
      expect(node.finalized.every((b) => b.proposer !== h.members[1])).toBe(true);
    }
  });

  test("nullification: no quorum means no finality, then progress after heal", () => {
    const h = new SimplexHarness({ n: 4 });
    let cut = true;
    h.filter = (from, to) => !cut || from < 2 === to < 2;
    h.start();
    h.runUntil(3000);
    for (const node of h.nodes) expect(node.finalized.length).toBe(0);
    expect(h.nodes[0]!.engine.stats().timeouts).toBeGreaterThan(0);
    cut = false;
    h.runUntil(6000);
    expectConsistent(h);
    for (const node of h.nodes) expect(node.finalized.length).toBeGreaterThan(10);
  });

  test("catch-up: an isolated replica rejoins many views later and finalizes the same chain", () => {
    const h = new SimplexHarness({ n: 4 });
    let isolated = true;
    h.filter = (from, to) => !isolated || (from !== 3 && to !== 3);
    h.start();
    h.runUntil(8000);
    const before = h.nodes[0]!.finalized.length;
    expect(before).toBeGreaterThan(60);
    expect(h.nodes[3]!.finalized.length).toBe(0);
    isolated = false;
    h.runUntil(12000);
    expectConsistent(h);
    expect(h.nodes[3]!.finalized.length).toBeGreaterThan(before);
    expect(h.nodes[3]!.engine.stats().catchUpRequests).toBeGreaterThan(0);
  });

  test("restart: the journal survives, no double vote, finalized heights never re-emitted", () => {
    const h = new SimplexHarness({ n: 4, seed: 7 });
    h.start();
    let t = 0;
    for (let round = 0; round < 30; round++) {
      const victim = h.rng.int(0, 3);
      t += h.rng.int(20, 200);
      h.runUntil(t);
      h.crash(victim);
      t += h.rng.int(0, 150);
      h.runUntil(t);
      h.restart(victim);
    }
    h.runUntil(t + 3000);
    expectConsistent(h);
    for (const node of h.nodes) {
      expectNoDoubleVote(node.journal.records());
      expect(node.finalized.length).toBeGreaterThan(20);
      expect(node.emits.some((e) => e.name === "simplex/evidence")).toBe(false);
    }
  });

  test("a restarted replica refuses to vote differently in a view it voted in", () => {
    const h = new SimplexHarness({ n: 4, latency: [10, 10] });
    h.start();
    h.runUntil(15); // node 0 has notarized view 1's block
    const node = h.nodes[0]!;
    const voted = node.journal
      .records()
      .find((r) => r.kind === "vote" && r.view === 1 && r.vote === "notarize");
    expect(voted).toBeDefined();
    h.crash(0);
    h.restart(0);
    // Forge a second proposal for view 1 from the real leader (node 1): node 0 must not vote for it.
    const leaderKey = h.nodes[1]!.secretKey;
    const block = {
      chain: h.chain,
      view: 1,
      height: 1,
      parentView: 0,
      parent: genesisHash(h.chain),
      proposer: 1,
      payload: Uint8Array.of(9, 9, 9),
    };
    const hash = blockHash(block);
    const sig = h.signer.sign(leaderKey, voteSigningBytes(h.chain, 1, "notarize", hash));
    const before = node.journal.size;
    h.inject(1, 0, Proposal.encode({ block, sig }));
    const added = node.journal.records().slice(before);
    expect(added.some((r) => r.kind === "vote" && r.view === 1 && r.vote === "notarize")).toBe(false);
    expectNoDoubleVote(node.journal.records());
  });

  test("bad input gets a typed rejection and changes nothing", () => {
    const h = new SimplexHarness({ n: 4, latency: [10, 10] });
    h.start();
    h.runUntil(5);
    const node = h.nodes[2]!;
    const before = JSON.stringify(node.engine.stats());
    const journalBefore = node.journal.size;
    const vote = { chain: h.chain, view: 1, kind: "nullify" as const, block: new Uint8Array(32), signer: 0 };
    const goodSig = h.signer.sign(h.nodes[0]!.secretKey, voteSigningBytes(h.chain, 1, "nullify", vote.block));
    const badSig = goodSig.slice();
    badSig[3]! ^= 1;
    h.inject(0, 2, Uint8Array.of(0x83, 1, 2)); // not a Simplex message
    h.inject(0, 2, Vote.encode({ ...vote, sig: badSig }));
    h.inject(0, 2, Vote.encode({ ...vote, chain: new Uint8Array(32), sig: goodSig }));
    h.inject(0, 2, Vote.encode({ ...vote, signer: 9, sig: goodSig }));
    h.inject(
      0,
      2,
      Certificate.encode({
        chain: h.chain,
        view: 1,
        kind: "nullify",
        block: vote.block,
        signers: [0, 0, 0],
        sigs: [goodSig, goodSig, goodSig],
        body: null,
      }),
    );
    const codes = node.emits
      .filter((e) => e.name === "simplex/rejected")
      .map((e) => (e.data as { code: string }).code);
    expect(codes).toEqual([
      "SIMPLEX_MALFORMED",
      "SIMPLEX_BAD_SIGNATURE",
      "SIMPLEX_WRONG_CHAIN",
      "SIMPLEX_BAD_SIGNER",
      "SIMPLEX_BAD_CERTIFICATE",
    ]);
    const after = node.engine.stats();
    expect(after.rejected).toBe(5);
    expect(JSON.stringify({ ...after, rejected: 0 })).toBe(before);
    expect(node.journal.size).toBe(journalBefore);
    h.runUntil(1000);
    expectConsistent(h);
  });

  test("conflicting signed votes are reported as evidence", () => {
    const h = new SimplexHarness({ n: 4, latency: [10, 10] });
    h.start();
    h.runUntil(1);
    const key = h.nodes[3]!.secretKey;
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    for (const block of [a, b]) {
      const sig = h.signer.sign(key, voteSigningBytes(h.chain, 2, "notarize", block));
      h.inject(3, 0, Vote.encode({ chain: h.chain, view: 2, kind: "notarize", block, signer: 3, sig }));
    }
    const ev = h.nodes[0]!.emits.filter((e) => e.name === "simplex/evidence");
    expect(ev.length).toBe(1);
    expect((ev[0]!.data as { signer: string }).signer).toBe(h.members[3]!);
  });

  test("beacon-seeded leaders and larger quorums (n = 7) agree", () => {
    const h = new SimplexHarness({ n: 7, extra: { leaderSeed: new Uint8Array(32).fill(5) } });
    h.crash(4);
    h.crash(6);
    h.start();
    h.runUntil(4000);
    expectConsistent(h);
    expect(h.nodes[0]!.finalized.length).toBeGreaterThan(30);
  });

  test("same seed, same run", () => {
    const run = () => {
      const h = new SimplexHarness({ n: 4, seed: 3 });
      h.start();
      h.runUntil(700);
      return h.nodes.map((x) => heights(x.finalized).join(",") + x.finalized.map((b) => b.hash).join(""));
    };
    expect(run()).toEqual(run());
  });

  test("construction validates its options", () => {
    const h = new SimplexHarness({ n: 4 });
    const base = {
      chain: h.chain,
      members: h.members,
      secretKey: h.nodes[0]!.secretKey,
      signer: h.signer,
      journal: new MemoryJournal(),
      app: { propose: () => new Uint8Array() },
    };
    expect(() => new SimplexEngine({ ...base, chain: new Uint8Array(31) })).toThrow(TypeError);
    expect(() => new SimplexEngine({ ...base, secretKey: new Uint8Array(32).fill(9) })).toThrow(TypeError);
    expect(() => new SimplexEngine({ ...base, members: [h.members[0]!, h.members[0]!] })).toThrow(TypeError);
    const e = new SimplexEngine(base);
    expect([e.n, e.f, e.q]).toEqual([4, 1, 3]);
    expect(
      Block.decode(
        Block.encode({
          chain: h.chain,
          view: 1,
          height: 1,
          parentView: 0,
          parent: h.chain,
          proposer: 0,
          payload: new Uint8Array(3),
        }),
      ).view,
    ).toBe(1);
  });
});
