import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { combineVerified } from "../../threshold/combine-verified.ts";
import type { ThresholdKeySet } from "../../threshold/scheme.ts";
import { envelopeOf, type Transfer } from "../../tx/transfer.ts";
import {
  type ConvergenceBlock,
  convergenceBodyOf,
  convergenceHash,
  signConvergence,
} from "../convergence/convergence-block.ts";
import { mergeProposals } from "../convergence/merge.ts";
import { minerOrder } from "../convergence/round-order.ts";
import { Ledger } from "../ledger/ledger.ts";
import { type ProposalBlock, proposalHash, signProposal } from "../proposal/proposal-block.ts";
import { CHAIN_ID, quorumKey, testAccount, transfer } from "../testing/fixtures.ts";
import {
  CONVERGENCE_CERT_TAG,
  type ConvergenceCertificate,
  certificationBytes,
  nextBeacon,
  type RoundContext,
  voteOnConvergence,
} from "./certification.ts";
import { genesisHead, WanChain } from "./wan-chain.ts";

const suite = modelSuite();
const { signer, threshold: scheme } = suite;
const alice = testAccount(signer, "alice");
const bob = testAccount(signer, "bob");
const harvesters = Array.from({ length: 5 }, (_, i) => testAccount(signer, `h${i}`));
const miners = Array.from({ length: 4 }, (_, i) => testAccount(signer, `m${i}`));
const active = quorumKey(scheme, 5, 3, 21);
const backup = quorumKey(scheme, 5, 3, 22);
const genesis = Ledger.fromGenesis([[alice.address, { balance: 1000n, nonce: 0n }]]);
const head0 = genesisHead(CHAIN_ID, genesis);

interface Round {
  readonly txs: Transfer[];
  readonly proposals: ProposalBlock[];
  readonly ctx: RoundContext;
}

function round1(): Round {
  const txs = [
    transfer(signer, alice, bob.address, 0n, 100n, 2n),
    transfer(signer, alice, bob.address, 1n, 50n, 3n),
  ];
  const pool = new Map(txs.map((tx) => [toHex(envelopeOf(tx).id), tx]));
  const proposals = harvesters.slice(0, 3).map((h, i) =>
    signProposal(
      signer,
      {
        epoch: 0,
        round: 1,
        ref: head0.hash,
        proposer: h.publicKey,
        txs: i === 0 ? [] : txs.map((t) => envelopeOf(t).id),
      },
      h.secretKey,
    ),
  );
  const byHash = new Map(proposals.map((p) => [toHex(proposalHash(p)), p]));
  const ctx: RoundContext = {
    signer,
    epoch: 0,
    round: 1,
    prev: head0.hash,
    beacon: head0.beacon,
    miners: miners.map((m) => m.publicKey),
    minerPlaces: 2,
    proposal: (h) => byHash.get(h),
    state: genesis,
    certified: (k) => pool.get(k),
  };
  return { txs, proposals, ctx };
}

function mine(
  r: Round,
  place = 0,
  tamper: (b: ReturnType<typeof convergenceBodyOf>) => ReturnType<typeof convergenceBodyOf> = (b) => b,
): ConvergenceBlock {
  const winner = minerOrder(
    r.ctx.beacon,
    1,
    miners.map((m) => m.publicKey),
  )[place]!;
  const m = miners.find((x) => toHex(x.publicKey) === toHex(winner))!;
  const merge = mergeProposals({
    round: 1,
    beacon: r.ctx.beacon,
    ref: r.ctx.prev,
    proposals: r.proposals,
    state: genesis,
    certified: r.ctx.certified,
  });
  const body = convergenceBodyOf(merge, {
    epoch: 0,
    round: 1,
    prev: r.ctx.prev,
    beacon: r.ctx.beacon,
    miner: m.publicKey,
  });
  return signConvergence(signer, tamper(body), m.secretKey);
}

function certify(
  key: ThresholdKeySet<unknown>,
  block: ConvergenceBlock,
  r: Round,
  members = [0, 1, 2],
): ConvergenceCertificate {
  const shares = members.map((i) => {
    const v = voteOnConvergence(scheme, key.shares[i]!, block, r.ctx);
    if (v.share === null) throw new Error(v.rejection.code);
    return scheme.signatureShareFromBytes(v.share);
  });
  const msg = certificationBytes(block.epoch, block.round, convergenceHash(block), block.stateRoot);
  const out = combineVerified(scheme, key, CONVERGENCE_CERT_TAG, msg, shares);
  if (!out.ok) throw new Error("combine");
  return {
    epoch: block.epoch,
    round: block.round,
    block: convergenceHash(block),
    stateRoot: block.stateRoot,
    signature: scheme.signatureToBytes(out.sig),
  };
}

const keys = () => ({ active: active.groupKey, backup: backup.groupKey });

describe("certification and finality", () => {
  test("a checked block gets shares; t shares certify; append applies the transition and the beacon moves on", () => {
    const r = round1();
    const block = mine(r);
    const cert = certify(active, block, r);
    const chain = new WanChain(scheme, CHAIN_ID, genesis, keys);
    const merge = mergeProposals({
      round: 1,
      beacon: r.ctx.beacon,
      ref: r.ctx.prev,
      proposals: r.proposals,
      state: chain.ledger,
      certified: r.ctx.certified,
    });
    expect(chain.append(block, cert, merge)).toBeNull();
    expect(chain.head.round).toBe(1);
    expect(chain.head.hash).toEqual(convergenceHash(block));
    expect(chain.head.beacon).toEqual(nextBeacon(cert));
    expect(toHex(chain.head.beacon)).not.toBe(toHex(head0.beacon));
    expect(chain.ledger.get(bob.address).balance).toBe(150n);
    expect(chain.ledger.get(alice.address)).toEqual({ balance: 845n, nonce: 2n });
    expect(chain.ledger.supply()).toBe(1000n);
    // Any t members give the same certificate, hence the same beacon.
    expect(certify(active, block, r, [2, 3, 4]).signature).toEqual(cert.signature);
    // The same round cannot be appended twice.
    expect(chain.append(block, cert, merge)?.code).toBe("WAN_APPEND_OLD_ROUND");
  });

  test("a block that fails the re-check gets no share (Versatus ignored its precheck: §1.9 item 6)", () => {
    const r = round1();
    const wrongRoot = mine(r, 0, (b) => ({ ...b, stateRoot: genesis.root() }));
    const wrongCount = mine(r, 0, (b) => ({ ...b, txCount: b.txCount - 1 }));
    const reordered = mine(r, 0, (b) => ({ ...b, proposals: [...b.proposals].reverse() }));
    const cases: [ConvergenceBlock, string][] = [
      [wrongRoot, "WAN_CONVERGENCE_BAD_STATE_ROOT"],
      [wrongCount, "WAN_CONVERGENCE_BAD_TXS"],
      [reordered, "WAN_CONVERGENCE_BAD_ORDER"],
      [mine(r, 3), "WAN_CONVERGENCE_NOT_ELECTED"], // fourth in the lottery; 2 places accepted
      [{ ...mine(r), round: 2 }, "WAN_CONVERGENCE_WRONG_ROUND"],
      [{ ...mine(r), stateRoot: head0.hash }, "WAN_CONVERGENCE_BAD_SIGNATURE"],
    ];
    for (const [block, code] of cases) {
      const v = voteOnConvergence(scheme, active.shares[0]!, block, r.ctx);
      expect(v.share).toBeNull();
      if (v.share === null) expect(v.rejection.code).toBe(code);
    }
    // A backup miner (second place) is accepted; a missing proposal is "ask for it", not blame.
    expect(voteOnConvergence(scheme, active.shares[0]!, mine(r, 1), r.ctx).share).not.toBeNull();
    const v = voteOnConvergence(scheme, active.shares[0]!, mine(r), { ...r.ctx, proposal: () => undefined });
    expect(
      v.share === null &&
        v.rejection.code === "WAN_CONVERGENCE_MISSING_PROPOSAL" &&
        v.rejection.peer === "ignore",
    ).toBe(true);
  });

  test("every certificate is verified on append (Versatus only checked one was present: §1.9 item 7)", () => {
    const r = round1();
    const block = mine(r);
    const good = certify(active, block, r);
    const chain = new WanChain(scheme, CHAIN_ID, genesis, keys);
    const merge = mergeProposals({
      round: 1,
      beacon: r.ctx.beacon,
      ref: r.ctx.prev,
      proposals: r.proposals,
      state: chain.ledger,
      certified: r.ctx.certified,
    });
    const other = quorumKey(scheme, 5, 3, 99);
    const forged: ConvergenceCertificate[] = [
      { ...good, signature: new Uint8Array(good.signature.length).fill(7) },
      { ...good, signature: new Uint8Array(3) },
      certify(other, block, r),
      { ...good, stateRoot: genesis.root() },
      { ...good, block: head0.hash },
    ];
    for (const c of forged) expect(chain.append(block, c, merge)?.code).toBe("WAN_APPEND_BAD_CERTIFICATE");
    expect(chain.head.round).toBe(0);
    // A correctly certified block whose transition this node computes differently is not applied.
    const stale = mergeProposals({
      round: 1,
      beacon: r.ctx.beacon,
      ref: r.ctx.prev,
      proposals: [],
      state: genesis,
      certified: r.ctx.certified,
    });
    expect(chain.append(block, good, stale)?.code).toBe("WAN_APPEND_STATE_MISMATCH");
    expect(chain.ledger.root()).toEqual(genesis.root());
  });

  test("failover: a backup-quorum certificate is accepted and retires the old harvester quorum for the epoch", () => {
    const r = round1();
    const block = mine(r);
    const chain = new WanChain(scheme, CHAIN_ID, genesis, keys);
    const merge = mergeProposals({
      round: 1,
      beacon: r.ctx.beacon,
      ref: r.ctx.prev,
      proposals: r.proposals,
      state: chain.ledger,
      certified: r.ctx.certified,
    });
    expect(chain.append(block, certify(backup, block, r), merge)).toBeNull();
    expect(chain.backupActive(0)).toBe(true);
    // Round 2: the old quorum's certificate no longer counts; the backup's does.
    const ctx2: RoundContext = {
      ...r.ctx,
      round: 2,
      prev: chain.head.hash,
      beacon: chain.head.beacon,
      state: chain.ledger,
    };
    const merge2 = mergeProposals({
      round: 2,
      beacon: ctx2.beacon,
      ref: ctx2.prev,
      proposals: [],
      state: chain.ledger,
      certified: ctx2.certified,
    });
    const winner = minerOrder(
      ctx2.beacon,
      2,
      miners.map((m) => m.publicKey),
    )[0]!;
    const m = miners.find((x) => toHex(x.publicKey) === toHex(winner))!;
    const block2 = signConvergence(
      signer,
      convergenceBodyOf(merge2, {
        epoch: 0,
        round: 2,
        prev: ctx2.prev,
        beacon: ctx2.beacon,
        miner: m.publicKey,
      }),
      m.secretKey,
    );
    const r2: Round = { ...r, proposals: [], ctx: ctx2 };
    expect(chain.append(block2, certify(active, block2, r2), merge2)?.code).toBe(
      "WAN_APPEND_BAD_CERTIFICATE",
    );
    expect(chain.append(block2, certify(backup, block2, r2), merge2)).toBeNull();
    expect(chain.head.round).toBe(2);
  });
});
