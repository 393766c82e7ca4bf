import { describe, expect, test } from "bun:test";
import { addressBytesOf } from "../../crypto/address.ts";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { encodeTransfer, envelopeOf, type Transfer } from "../../tx/transfer.ts";
import { convergenceHash } from "../convergence/convergence-block.ts";
import { CHAIN_ID, transfer } from "../testing/fixtures.ts";
import { WanHarness } from "./wan-harness.ts";
import { CertifiedBatchCodec } from "./wan-messages.ts";

function runScenario(seed: number, load = 300) {
  const suite = modelSuite();
  const h = new WanHarness({
    suite,
    seed,
    farmerQuorums: 2,
    quorumSize: 5,
    harvesters: 5,
    miners: 3,
    accounts: 12,
    balance: 10_000n,
    chainId: CHAIN_ID,
  });
  const nonces = new Map<string, bigint>();
  const valid: Transfer[] = [];
  const bad: Transfer[] = [];
  const pairs: [Transfer, Transfer][] = [];
  h.start();
  for (let i = 0; i < load; i++) {
    const from = h.accounts[h.rng.int(0, h.accounts.length - 1)]!;
    const to = h.accounts[h.rng.int(0, h.accounts.length - 1)]!;
    const k = toHex(from.address);
    const nonce = nonces.get(k) ?? 0n;
    nonces.set(k, nonce + 1n);
    const tx = transfer(
      suite.signer,
      from,
      to.address,
      nonce,
      BigInt(h.rng.int(1, 50)),
      BigInt(h.rng.int(1, 20)),
    );
    valid.push(tx);
    const at = i * 6;
    h.submit(encodeTransfer(tx), at);
    if (i % 50 === 7) {
      // A double spend: the same (sender, nonce) to someone else, sent to another node a little later.
      const twin = transfer(suite.signer, from, h.accounts[0]!.address, nonce, 2n, 1n);
      pairs.push([valid.pop()!, twin]);
      h.submit(encodeTransfer(twin), at + 1);
    }
  }
  // A transfer its sender cannot afford, with a fresh account's nonce chain.
  const poor = h.accounts[h.accounts.length - 1]!;
  const pk = toHex(poor.address);
  const overspend = transfer(
    suite.signer,
    poor,
    h.accounts[0]!.address,
    nonces.get(pk) ?? 0n,
    10_000_000n,
    1n,
  );
  bad.push(overspend);
  h.submit(encodeTransfer(overspend), 900);
  h.run(1800); // load
  h.run(2500); // drain
  return { h, valid, bad, pairs };
}

describe("WAN rounds end to end (model crypto, dealer keys, 2 farmer quorums of 5, 5 harvesters, 3 miners)", () => {
  test("every node finalizes the same rounds and state; invariants hold", () => {
    const { h, valid, bad, pairs } = runScenario(1);
    const engines = h.engines();
    const ref = engines[0]!.chain;
    expect(ref.head.round).toBeGreaterThanOrEqual(10);
    // Identical chains and state roots on every node (S1, S6).
    for (const e of engines) {
      expect(e.chain.head.round).toBe(ref.head.round);
      expect(toHex(e.chain.head.stateRoot)).toBe(toHex(ref.head.stateRoot));
      expect(e.chain.history.map((r) => toHex(convergenceHash(r.block)))).toEqual(
        ref.history.map((r) => toHex(convergenceHash(r.block))),
      );
      expect(e.chain.ledger.supply()).toBe(h.genesis.supply()); // S5 conservation
    }
    // Replay every finalized transfer, in order, on the genesis state: each valid in order (S2).
    const byId = new Map([...valid, ...bad, ...pairs.flat()].map((tx) => [toHex(envelopeOf(tx).id), tx]));
    const replay = h.genesis.clone();
    const slots = new Set<string>();
    const finalized = new Set<string>();
    for (const r of ref.history) {
      r.kept.forEach((id, i) => {
        const tx = byId.get(toHex(id))!;
        expect(tx).toBeDefined();
        expect(replay.applyTransfer(tx, addressBytesOf(r.keptBy[i]!))).toBeNull();
        const slot = `${toHex(tx.from)}/${tx.nonce}`;
        expect(slots.has(slot)).toBe(false); // S3: no double spend
        slots.add(slot);
        finalized.add(toHex(id));
      });
    }
    expect(toHex(replay.root())).toBe(toHex(ref.head.stateRoot));
    // No certified transfer lost (S4): after the drain every certified-valid transfer is final.
    for (const e of engines) {
      for (const id of e.certifiedIds()) expect(finalized.has(id)).toBe(true);
      expect(e.pendingIds()).toEqual([]);
    }
    // Liveness under no faults: all the valid load is final; the double spends and the overspend are not.
    for (const tx of valid) expect(finalized.has(toHex(envelopeOf(tx).id))).toBe(true);
    for (const tx of bad) expect(finalized.has(toHex(envelopeOf(tx).id))).toBe(false);
    // Of two transfers with one (sender, nonce), exactly one is final, whichever reached the batcher first:
    // entry and batcher are keyed by the sender (Versatus keyed Maglev by tx digest: §1.9 item 4).
    for (const pair of pairs)
      expect(pair.filter((tx) => finalized.has(toHex(envelopeOf(tx).id))).length).toBe(1);
    // Rejections, if any, are only the expected kind (no invalid certificates or proposals among honest nodes).
    const codes = new Set(
      h.emits.filter((e) => e.name === "wan/rejected").map((e) => (e.data as { code: string }).code),
    );
    for (const c of codes) expect(["WAN_APPEND_OLD_ROUND"]).toContain(c);
  }, 30_000);

  test("the run is a pure function of its seed", () => {
    const a = runScenario(5, 80).h;
    const b = runScenario(5, 80).h;
    expect(toHex(a.engines()[0]!.chain.head.hash)).toBe(toHex(b.engines()[0]!.chain.head.hash));
    expect(a.delivered).toBe(b.delivered);
    expect(a.emits).toEqual(b.emits);
  }, 30_000);
});

describe("WAN engine input handling", () => {
  test("malformed and forged input gets a typed rejection and changes nothing", () => {
    const suite = modelSuite();
    const h = new WanHarness({
      suite,
      seed: 2,
      farmerQuorums: 1,
      quorumSize: 5,
      harvesters: 5,
      miners: 1,
      accounts: 2,
      balance: 100n,
      chainId: CHAIN_ID,
    });
    const [id] = [...h.nodes.keys()].sort();
    const to = { kind: "engine" as const, engine: id! };
    const send = (payload: Uint8Array) =>
      h.deliver(id!, { kind: "message", from: id!, fromNode: id!, to, protocol: "lattice/wan/v1", payload });
    send(Uint8Array.of(0xff, 0x00));
    const tx = transfer(suite.signer, h.accounts[0]!, h.accounts[1]!.address, 0n);
    const batch = {
      epoch: 0,
      quorum: new Uint8Array(32),
      batcher: new Uint8Array(32),
      seq: 0,
      prev: new Uint8Array(32),
      txs: [encodeTransfer(tx)],
    };
    const certificate = {
      epoch: 0,
      quorum: new Uint8Array(32),
      digest: new Uint8Array(32),
      bitmap: Uint8Array.of(1),
      signature: new Uint8Array(16),
    };
    send(CertifiedBatchCodec.encode({ batch, certificate }));
    const codes = h.emits
      .filter((e) => e.name === "wan/rejected")
      .map((e) => (e.data as { code: string }).code);
    expect(codes).toEqual(["WAN_MALFORMED", "WAN_CERT_MISMATCH"]);
    const node = h.nodes.get(id!)!.engine;
    expect(node.pendingIds()).toEqual([]);
    expect(node.certifiedIds().size).toBe(0);
    expect(node.chain.head.round).toBe(0);
  });
});
