import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { addressBytesOf } from "../../crypto/address.ts";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { envelopeOf, type Transfer } from "../../tx/transfer.ts";
import { Ledger } from "../ledger/ledger.ts";
import { type ProposalBlock, signProposal } from "../proposal/proposal-block.ts";
import { ids, type TestAccount, testAccount, transfer } from "../testing/fixtures.ts";
import {
  ConvergenceBlockCodec,
  convergenceBodyOf,
  convergenceHash,
  convergenceSignatureOk,
  signConvergence,
} from "./convergence-block.ts";
import { mergeProposals, txRootOf } from "./merge.ts";
import { minerOrder, minerRank, minerTicket, resolutionOrder } from "./round-order.ts";

const suite = modelSuite();
const signer = suite.signer;
const users = Array.from({ length: 4 }, (_, i) => testAccount(signer, `user${i}`));
const harvesters = Array.from({ length: 4 }, (_, i) => testAccount(signer, `harvester${i}`));
const beacon = ids(1, "beacon")[0]!;
const ref = ids(1, "ref")[0]!;
const ROUND = 3;

function genesis(balance = 100n): Ledger {
  return Ledger.fromGenesis(users.map((u) => [u.address, { balance, nonce: 0n }] as const));
}

function poolOf(txs: readonly Transfer[]): (idHex: string) => Transfer | undefined {
  const m = new Map(txs.map((tx) => [toHex(envelopeOf(tx).id), tx]));
  return (k) => m.get(k);
}

const idOf = (tx: Transfer) => envelopeOf(tx).id;

function propose(
  h: TestAccount,
  txs: readonly Transfer[],
  extra: { round?: number; ref?: Uint8Array; ids?: Uint8Array[] } = {},
): ProposalBlock {
  return signProposal(
    signer,
    {
      epoch: 1,
      round: extra.round ?? ROUND,
      ref: extra.ref ?? ref,
      proposer: h.publicKey,
      txs: extra.ids ?? txs.map(idOf),
    },
    h.secretKey,
  );
}

/** Position of each harvester in this round's order. */
const order = resolutionOrder(
  beacon,
  ROUND,
  harvesters.map((h) => h.publicKey),
).map(toHex);
const inOrder = [...harvesters].sort(
  (a, b) => order.indexOf(toHex(a.publicKey)) - order.indexOf(toHex(b.publicKey)),
);

describe("convergence merge", () => {
  test("conflicts are (sender, nonce) pairs, not only duplicate digests; invalid and uncertified dropped", () => {
    const [u0, u1, u2] = users as [TestAccount, TestAccount, TestAccount];
    const a = transfer(signer, u0, u1.address, 0n, 10n, 1n);
    const aTwin = transfer(signer, u0, u2.address, 0n, 20n, 1n); // same (sender, nonce), different tx
    const big = transfer(signer, u1, u0.address, 0n, 95n, 5n); // exactly u1's 100
    const over = transfer(signer, u1, u0.address, 1n, 11n, 0n); // u1 has only the 10 from a left
    const ghost = transfer(signer, u2, u0.address, 0n, 1n, 1n); // never certified
    const certified = poolOf([a, aTwin, big, over]);
    const first = propose(inOrder[0]!, [a, big]);
    const second = propose(inOrder[1]!, [aTwin, a, over, ghost]);
    const r = mergeProposals({
      round: ROUND,
      beacon,
      ref,
      proposals: [second, first],
      state: genesis(),
      certified,
    });
    expect(r.kept.map(toHex)).toEqual([a, big].map(idOf).map(toHex));
    expect(r.dropped.map((d) => [toHex(d.id), d.reason])).toEqual([
      [toHex(idOf(aTwin)), "conflict"],
      [toHex(idOf(a)), "duplicate"],
      [toHex(idOf(over)), "balance"],
      [toHex(idOf(ghost)), "uncertified"],
    ]);
    // Fees go to the proposer whose block kept the transfer; supply is conserved.
    expect(r.state.get(addressBytesOf(inOrder[0]!.publicKey)).balance).toBe(6n);
    expect(r.state.supply()).toBe(genesis().supply());
    expect(r.txRoot).toEqual(txRootOf(r.kept));
  });

  test("terminates on empty and degenerate inputs (Versatus's resolver could loop forever)", () => {
    const certified = poolOf([]);
    const empty = mergeProposals({ round: ROUND, beacon, ref, proposals: [], state: genesis(), certified });
    expect(empty.kept).toEqual([]);
    expect(empty.stateRoot).toEqual(genesis().root());
    const tx = transfer(signer, users[0]!, users[1]!.address, 0n);
    const allDup = mergeProposals({
      round: ROUND,
      beacon,
      ref,
      proposals: harvesters.map((h) => propose(h, [tx])),
      state: genesis(),
      certified: poolOf([tx]),
    });
    expect(allDup.kept.length).toBe(1);
    expect(allDup.dropped.map((d) => d.reason)).toEqual(["duplicate", "duplicate", "duplicate"]);
    // An equivocating harvester (two blocks in one round) is left out; so are other rounds and other refs.
    const h = harvesters[0]!;
    const r = mergeProposals({
      round: ROUND,
      beacon,
      ref,
      proposals: [
        propose(h, [tx]),
        propose(h, []),
        propose(harvesters[1]!, [tx], { round: 9 }),
        propose(harvesters[2]!, [tx], { ref: beacon }),
      ],
      state: genesis(),
      certified: poolOf([tx]),
    });
    expect(r.proposals.length).toBe(0);
    expect(r.kept.length).toBe(0);
  });

  test("property: any honest node recomputes the same result whatever the input order", () => {
    const txArb = fc.record({
      from: fc.integer({ min: 0, max: 3 }),
      to: fc.integer({ min: 0, max: 3 }),
      nonce: fc.integer({ min: 0, max: 3 }),
      amount: fc.integer({ min: 0, max: 60 }),
    });
    const arb = fc.record({
      txs: fc.array(txArb, { minLength: 0, maxLength: 14 }),
      picks: fc.array(fc.array(fc.nat(13), { maxLength: 8 }), { minLength: 0, maxLength: 4 }),
      perm: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      uncertified: fc.nat(13),
    });
    fc.assert(
      fc.property(arb, ({ txs, picks, perm, uncertified }) => {
        const all = txs.map((t) =>
          transfer(signer, users[t.from]!, users[t.to]!.address, BigInt(t.nonce), BigInt(t.amount), 1n),
        );
        const certified = poolOf(all.filter((_, i) => i !== uncertified));
        const proposals = picks.map((p, i) =>
          propose(
            harvesters[i]!,
            p.filter((j) => j < all.length).map((j) => all[j]!),
          ),
        );
        const shuffled = proposals
          .map((p, i) => ({ p, k: perm[i] ?? 0 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.p);
        const state = genesis(50n);
        const a = mergeProposals({ round: ROUND, beacon, ref, proposals, state, certified });
        const b = mergeProposals({ round: ROUND, beacon, ref, proposals: shuffled, state, certified });
        expect(b.kept.map(toHex)).toEqual(a.kept.map(toHex));
        expect(toHex(b.stateRoot)).toBe(toHex(a.stateRoot));
        expect(b.dropped).toEqual(a.dropped);
        // Every kept transfer is valid in order on the prior state, supply is conserved, the input untouched.
        expect(state.supply()).toBe(200n);
        expect(a.state.supply()).toBe(200n);
        const byId = new Map(all.map((tx) => [toHex(idOf(tx)), tx]));
        const replay = genesis(50n);
        for (const id of a.kept)
          expect(replay.applyTransfer(byId.get(toHex(id))!, ref.slice(0, 20))).toBeNull();
        const keys = new Set(
          a.kept.map((id) => {
            const t = byId.get(toHex(id))!;
            return `${toHex(t.from)}/${t.nonce}`;
          }),
        );
        expect(keys.size).toBe(a.kept.length); // no double spend: one kept transfer per (sender, nonce)
      }),
      { seed: 6005, numRuns: 150 },
    );
  });
});

describe("round orders and convergence blocks", () => {
  test("miner lottery: lowest ticket wins, order independent of input order, winners vary by round", () => {
    const miners = ids(8, "miner");
    const o = minerOrder(beacon, 1, miners);
    expect(o.map(toHex)).toEqual(minerOrder(beacon, 1, [...miners].reverse()).map(toHex));
    for (let i = 1; i < o.length; i++)
      expect(Buffer.compare(minerTicket(beacon, 1, o[i - 1]!), minerTicket(beacon, 1, o[i]!))).toBe(-1);
    expect(minerRank(beacon, 1, miners, o[0]!)).toBe(0);
    expect(minerRank(beacon, 1, miners, ids(1, "outsider")[0]!)).toBe(-1);
    const winners = new Set(Array.from({ length: 40 }, (_, r) => toHex(minerOrder(beacon, r, miners)[0]!)));
    expect(winners.size).toBeGreaterThanOrEqual(5);
  });

  test("a convergence block commits to every field and carries the miner's signature", () => {
    const miner = testAccount(signer, "miner");
    const r = mergeProposals({
      round: ROUND,
      beacon,
      ref,
      proposals: [],
      state: genesis(),
      certified: poolOf([]),
    });
    const block = signConvergence(
      signer,
      convergenceBodyOf(r, { epoch: 1, round: ROUND, prev: ref, beacon, miner: miner.publicKey }),
      miner.secretKey,
    );
    expect(convergenceSignatureOk(signer, block)).toBe(true);
    expect(
      convergenceSignatureOk(signer, ConvergenceBlockCodec.decode(ConvergenceBlockCodec.encode(block))),
    ).toBe(true);
    expect(convergenceSignatureOk(signer, { ...block, stateRoot: ref })).toBe(false);
    const h = toHex(convergenceHash(block));
    for (const v of [
      { ...block, prev: beacon },
      { ...block, beacon: ref },
      { ...block, txCount: 1 },
      { ...block, round: 4 },
    ]) {
      expect(toHex(convergenceHash(v))).not.toBe(h);
    }
  });
});
