/**
 * Certification of convergence blocks (seed 001, "Certification & Finality": harvesters "internally vote on
 * its validity. Upon reaching a 60% threshold of affirmative votes ... a certificate is created";
 * ARCHITECTURE.md "WAN consensus" step 7).
 *
 * A harvester re-checks a convergence block before it signs anything: the miner's signature and lottery
 * rank, the round, epoch, previous block and beacon, every referenced proposal present and well formed, and
 * the merge recomputed over exactly those proposals giving the same proposal order, transfer count, tx root
 * and state root. It signs a threshold share only when every check passes: the check's result decides
 * (Versatus computed its precheck and certified anyway: core-anchors.md §1.9 item 6).
 *
 * Wire format (canonical CBOR), tags 0x68..0x69:
 *   CertificationSigning   = [0x68, 1, epoch, round, block, stateRoot]  signed under the threshold tag
 *                            "lattice/convergence/v1" by the harvester quorum's key
 *   ConvergenceCertificate = [0x69, 1, epoch, round, block, stateRoot, signature]
 * The next round's beacon is taggedHash("lattice/wan/beacon", signature): unique (t shares of a threshold
 * key give exactly one signature) and unbiasable by any coalition below t.
 *
 * Safety against equivocation (issue #6 decision): a 60% threshold vote alone is NOT safe. Two t-subsets
 * of n share only 2t - n members (n = 5, t = 3: one member), so two equivocating harvesters plus an honest
 * 2/1 split certify two blocks for one round (equivocation.test.ts does it on these very functions). So an
 * honest harvester signs a share only for the block its quorum's agreement (round-agreement.ts, Simplex)
 * decided for the round. A second certificate for the round then needs t shares from members signing
 * against the agreement, and t = ceil(0.6 n) > n/3; Simplex keeps one decision while byzantine members are
 * fewer than n/3. Lattice's per-quorum tolerance of EQUIVOCATING faults in the harvester quorum is
 * therefore f < n/3, not the seed's 40%; crash and omission faults cannot forge a second certificate at
 * any count (the seed's 40% holds for them as far as safety goes), but the agreement needs n - f live
 * members to decide, so a harvester quorum with n/3 or more down stalls and hands over to the backup.
 */
import { hexOf } from "../encoding/hex.ts";
import { equalBytes } from "../../crypto/bytes.ts";
import type { Ed25519Backend } from "../../crypto/ed25519.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { defineMessage } from "../../codec/message.ts";
import { bytes, bytesMax, uint53 } from "../../codec/schema.ts";
import type { KeyShare, ThresholdScheme } from "../../threshold/scheme.ts";
import type { Transfer } from "../../tx/transfer.ts";
import {
  type ConvergenceBlock,
  convergenceHash,
  convergenceSignatureOk,
} from "../convergence/convergence-block.ts";
import { type MergeInput, type MergeResult, mergeProposals } from "../convergence/merge.ts";
import type { MergeMemo } from "../convergence/merge-memo.ts";
import { minerRank } from "../convergence/round-order.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { type ProposalBlock, proposalIsWellFormed } from "../proposal/proposal-block.ts";
import { type Rejection, reject } from "../rejection/rejection.ts";

export const CONVERGENCE_CERT_TAG = "lattice/convergence/v1";

export const CertificationSigningCodec = defineMessage({
  name: "CertificationSigning",
  tag: 0x68,
  version: 1,
  fields: { epoch: uint53, round: uint53, block: bytes(32), stateRoot: bytes(32) },
});

export const ConvergenceCertificateCodec = defineMessage({
  name: "ConvergenceCertificate",
  tag: 0x69,
  version: 1,
  fields: { epoch: uint53, round: uint53, block: bytes(32), stateRoot: bytes(32), signature: bytesMax(128) },
});

export interface ConvergenceCertificate {
  readonly epoch: number;
  readonly round: number;
  readonly block: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly signature: Uint8Array;
}

type Scheme = ThresholdScheme<unknown, unknown>;

/** What a harvester checks a convergence block against: its own view of the round. */
export interface RoundContext {
  readonly signer: Ed25519Backend;
  readonly epoch: number;
  readonly round: number;
  /** Hash of the last certified convergence block. */
  readonly prev: Uint8Array;
  readonly beacon: Uint8Array;
  /** Eligible miners' keys and how many lottery places are accepted (winner + backups). */
  readonly miners: readonly Uint8Array[];
  readonly minerPlaces: number;
  /** The proposals this node holds, by hash (hex). */
  readonly proposal: (hashHex: string) => ProposalBlock | undefined;
  readonly state: Ledger;
  readonly certified: (idHex: string) => Transfer | undefined;
  /** Where merges are memoised (optional: a plain merge otherwise). */
  readonly memo?: MergeMemo;
}

export type CheckOutcome =
  | { readonly ok: true; readonly merge: MergeResult }
  | { readonly ok: false; readonly rejection: Rejection };

/** Re-check a convergence block; on success the recomputed merge (the state transition) comes with it. */
export function checkConvergence(block: ConvergenceBlock, ctx: RoundContext): CheckOutcome {
  const no = (
    code: string,
    peer: "ignore" | "reject" | "penalise",
    detail?: Record<string, string | number>,
  ) => ({
    ok: false as const,
    rejection: reject(code, peer, detail),
  });
  if (block.round !== ctx.round || block.epoch !== ctx.epoch) {
    return no("WAN_CONVERGENCE_WRONG_ROUND", "ignore", { round: block.round });
  }
  if (!equalBytes(block.prev, ctx.prev) || !equalBytes(block.beacon, ctx.beacon)) {
    return no("WAN_CONVERGENCE_WRONG_PARENT", "reject");
  }
  if (!convergenceSignatureOk(ctx.signer, block)) return no("WAN_CONVERGENCE_BAD_SIGNATURE", "penalise");
  const rank = minerRank(ctx.beacon, ctx.round, ctx.miners, block.miner);
  if (rank < 0 || rank >= ctx.minerPlaces) return no("WAN_CONVERGENCE_NOT_ELECTED", "penalise", { rank });
  const proposals: ProposalBlock[] = [];
  for (const h of block.proposals) {
    const p = ctx.proposal(hexOf(h));
    // Not yet here: cannot be judged; ask for it rather than blame the miner.
    if (p === undefined) return no("WAN_CONVERGENCE_MISSING_PROPOSAL", "ignore", { proposal: hexOf(h) });
    if (!proposalIsWellFormed(ctx.signer, p)) return no("WAN_CONVERGENCE_BAD_PROPOSAL", "penalise");
    proposals.push(p);
  }
  const merge = (ctx.memo === undefined ? mergeProposals : (i: MergeInput) => ctx.memo!.merge(i))({
    round: ctx.round,
    beacon: ctx.beacon,
    ref: ctx.prev,
    proposals,
    state: ctx.state,
    certified: ctx.certified,
  });
  const sameOrder =
    merge.proposals.length === block.proposals.length &&
    merge.proposals.every((h, i) => equalBytes(h, block.proposals[i]!));
  if (!sameOrder) return no("WAN_CONVERGENCE_BAD_ORDER", "penalise");
  if (merge.kept.length !== block.txCount || !equalBytes(merge.txRoot, block.txRoot)) {
    return no("WAN_CONVERGENCE_BAD_TXS", "penalise");
  }
  if (!equalBytes(merge.stateRoot, block.stateRoot)) return no("WAN_CONVERGENCE_BAD_STATE_ROOT", "penalise");
  return { ok: true, merge };
}

export function certificationBytes(
  epoch: number,
  round: number,
  block: Uint8Array,
  stateRoot: Uint8Array,
): Uint8Array {
  return CertificationSigningCodec.encode({ epoch, round, block, stateRoot });
}

/**
 * A harvester's vote: a threshold share over (epoch, round, block hash, state root) if and only if the
 * block checks; otherwise the rejection and no share.
 */
export function voteOnConvergence(
  scheme: Scheme,
  share: KeyShare,
  block: ConvergenceBlock,
  ctx: RoundContext,
):
  | { readonly share: Uint8Array; readonly merge: MergeResult }
  | { readonly share: null; readonly rejection: Rejection } {
  const check = checkConvergence(block, ctx);
  if (!check.ok) return { share: null, rejection: check.rejection };
  const msg = certificationBytes(block.epoch, block.round, convergenceHash(block), block.stateRoot);
  return {
    share: scheme.signatureShareToBytes(scheme.signShare(share, CONVERGENCE_CERT_TAG, msg)),
    merge: check.merge,
  };
}

/** A certificate for `block` under the harvester quorum's group key. Never throws. */
export function verifyConvergenceCertificate(
  scheme: Scheme,
  groupKey: unknown,
  cert: ConvergenceCertificate,
  block: ConvergenceBlock,
): boolean {
  if (cert.round !== block.round || cert.epoch !== block.epoch) return false;
  if (!equalBytes(cert.block, convergenceHash(block)) || !equalBytes(cert.stateRoot, block.stateRoot))
    return false;
  let sig: unknown;
  try {
    sig = scheme.signatureFromBytes(cert.signature);
  } catch {
    return false;
  }
  return scheme.verify(
    groupKey,
    CONVERGENCE_CERT_TAG,
    certificationBytes(cert.epoch, cert.round, cert.block, cert.stateRoot),
    sig,
  );
}

/** The next round's beacon: the hash of the certificate's threshold signature. */
export function nextBeacon(cert: ConvergenceCertificate): Uint8Array {
  return taggedHash("lattice/wan/beacon", cert.signature);
}
