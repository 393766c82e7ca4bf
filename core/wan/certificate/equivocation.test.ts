import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { combineVerified } from "../../threshold/combine-verified.ts";
import { envelopeOf } from "../../tx/transfer.ts";
import {
  type ConvergenceBlock,
  convergenceBodyOf,
  convergenceHash,
  signConvergence,
} from "../convergence/convergence-block.ts";
import { mergeProposals } from "../convergence/merge.ts";
import { minerOrder } from "../convergence/round-order.ts";
import { thresholdOf } from "../fault-tolerance/fault-tolerance.ts";
import { Ledger } from "../ledger/ledger.ts";
import { proposalHash, signProposal } from "../proposal/proposal-block.ts";
import { CHAIN_ID, quorumKey, testAccount, transfer } from "../testing/fixtures.ts";
import {
  CONVERGENCE_CERT_TAG,
  type ConvergenceCertificate,
  certificationBytes,
  type RoundContext,
  verifyConvergenceCertificate,
  voteOnConvergence,
} from "./certification.ts";
import { genesisHead, WanChain } from "./wan-chain.ts";

// Why the harvesters agree before they sign (round-agreement.ts): the raw 60% collector, without the
// agreement, lets 2 equivocating harvesters of 5 plus an honest 2/1 split certify two blocks for a round.
const suite = modelSuite();
const { signer, threshold: scheme } = suite;
const alice = testAccount(signer, "alice");
const bob = testAccount(signer, "bob");
const miners = Array.from({ length: 3 }, (_, i) => testAccount(signer, `m${i}`));
const harvester = testAccount(signer, "h0");
const n = 5;
const key = quorumKey(scheme, n, thresholdOf(n), 31);
const genesis = Ledger.fromGenesis([[alice.address, { balance: 1000n, nonce: 0n }]]);
const head = genesisHead(CHAIN_ID, genesis);
const tx = transfer(signer, alice, bob.address, 0n, 100n, 2n);
const pool = new Map([[toHex(envelopeOf(tx).id), tx]]);
const proposal = signProposal(
  signer,
  { epoch: 0, round: 1, ref: head.hash, proposer: harvester.publicKey, txs: [envelopeOf(tx).id] },
  harvester.secretKey,
);
const ctx: RoundContext = {
  signer,
  epoch: 0,
  round: 1,
  prev: head.hash,
  beacon: head.beacon,
  miners: miners.map((m) => m.publicKey),
  minerPlaces: 3,
  proposal: (h) => (h === toHex(proposalHash(proposal)) ? proposal : undefined),
  state: genesis,
  certified: (k) => pool.get(k),
};

/** The block the miner at lottery place `place` mines: valid, and different from the others' (miner). */
function mined(place: number): ConvergenceBlock {
  const winner = toHex(
    minerOrder(
      head.beacon,
      1,
      miners.map((m) => m.publicKey),
    )[place]!,
  );
  const m = miners.find((x) => toHex(x.publicKey) === winner)!;
  const merge = mergeProposals({
    round: 1,
    beacon: head.beacon,
    ref: head.hash,
    proposals: [proposal],
    state: genesis,
    certified: ctx.certified,
  });
  return signConvergence(
    signer,
    convergenceBodyOf(merge, {
      epoch: 0,
      round: 1,
      prev: head.hash,
      beacon: head.beacon,
      miner: m.publicKey,
    }),
    m.secretKey,
  );
}

/** What the raw collector does: combine whatever t shares arrived for a block. */
function rawCertificate(block: ConvergenceBlock, signers: number[]): ConvergenceCertificate | null {
  const shares = signers.map((i) => {
    const v = voteOnConvergence(scheme, key.shares[i]!, block, ctx);
    if (v.share === null) throw new Error(v.rejection.code);
    return scheme.signatureShareFromBytes(v.share);
  });
  const msg = certificationBytes(0, 1, convergenceHash(block), block.stateRoot);
  const r = combineVerified(scheme, key, CONVERGENCE_CERT_TAG, msg, shares);
  if (!r.ok) return null;
  return {
    epoch: 0,
    round: 1,
    block: convergenceHash(block),
    stateRoot: block.stateRoot,
    signature: scheme.signatureToBytes(r.sig),
  };
}

describe("threshold certification without agreement (the attack the agreement closes)", () => {
  test("t-subsets of n intersect in 2t - n members: about n/5 at 60%", () => {
    for (const [size, overlap] of [
      [5, 1],
      [7, 3],
      [10, 2],
      [25, 5],
    ] as const)
      expect(2 * thresholdOf(size) - size).toBe(overlap);
  });

  test("2 equivocating harvesters of 5 + an honest 2/1 split: two certificates for round 1, two chains", () => {
    const a = mined(0);
    const b = mined(1);
    expect(toHex(convergenceHash(a))).not.toBe(toHex(convergenceHash(b)));
    // Members 0 and 1 sign both blocks; honest 2 and 3 saw a first, honest 4 saw b first.
    const certA = rawCertificate(a, [0, 1, 2]);
    const certB = rawCertificate(b, [0, 1, 4]);
    expect(certA).not.toBeNull();
    expect(certB).not.toBeNull();
    expect(verifyConvergenceCertificate(scheme, key.groupKey, certA!, a)).toBe(true);
    expect(verifyConvergenceCertificate(scheme, key.groupKey, certB!, b)).toBe(true);
    // Two honest nodes append different round-1 blocks: a fork, and the beacons diverge from here on.
    const keys = () => ({ active: key.groupKey, backup: null });
    const left = new WanChain(scheme, CHAIN_ID, genesis, keys);
    const right = new WanChain(scheme, CHAIN_ID, genesis, keys);
    const merge = mergeProposals({
      round: 1,
      beacon: head.beacon,
      ref: head.hash,
      proposals: [proposal],
      state: genesis,
      certified: ctx.certified,
    });
    expect(left.append(a, certA!, merge)).toBeNull();
    expect(right.append(b, certB!, merge)).toBeNull();
    expect(toHex(left.head.hash)).not.toBe(toHex(right.head.hash));
    expect(toHex(left.head.beacon)).not.toBe(toHex(right.head.beacon));
  });

  test("with only the agreed block signed by the 3 honest members, the other block stays below t", () => {
    const b = mined(1);
    // Honest members sign only the agreed block a; b gets the 2 equivocators' shares and no more.
    expect(rawCertificate(b, [0, 1])).toBeNull();
  });
});
