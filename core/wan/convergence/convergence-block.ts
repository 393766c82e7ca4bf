/**
 * Convergence blocks (seed 001, "Miners ... consolidating proposal blocks into a unified reference point
 * termed the Convergence Block, marking the round's conclusion"; ARCHITECTURE.md "WAN consensus" step 6).
 *
 * Wire format (canonical CBOR), tags 0x66..0x67:
 *   ConvergenceSigning = [0x66, 1, epoch, round, prev, beacon, miner, proposals, txCount, txRoot, stateRoot]
 *     epoch, round  uint53
 *     prev          bytes(32)  hash of the previous certified convergence block (the round's ref)
 *     beacon        bytes(32)  the round's randomness: hash of the previous certificate's signature
 *     miner         bytes(32)  the miner's Ed25519 key; its lottery rank must be < k
 *     proposals     list(bytes(32))  merged proposal hashes, in resolution order
 *     txCount       uint53     number of transfers kept
 *     txRoot        bytes(32)  taggedHash("lattice/wan/tx-root", kept ids in order)
 *     stateRoot     bytes(32)  sparse Merkle root of the state after the round (core/state layout)
 *   ConvergenceBlock = [0x67, 1, ...the same..., signature]  Ed25519 by `miner` over
 *     signingBytes("wan-convergence/v1", encode(ConvergenceSigning))
 *   hash = taggedHash("lattice/wan/convergence", encode(ConvergenceSigning)): every field.
 */
import { type Ed25519Backend, signingBytes } from "../../crypto/ed25519.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { defineMessage } from "../../codec/message.ts";
import { bytes, list, uint53 } from "../../codec/schema.ts";
import type { MergeResult } from "./merge.ts";

export const MAX_PROPOSALS = 256;
export const CONVERGENCE_SIGNATURE_TAG = "wan-convergence/v1";

const fields = {
  epoch: uint53,
  round: uint53,
  prev: bytes(32),
  beacon: bytes(32),
  miner: bytes(32),
  proposals: list(bytes(32), MAX_PROPOSALS),
  txCount: uint53,
  txRoot: bytes(32),
  stateRoot: bytes(32),
} as const;

export const ConvergenceSigningCodec = defineMessage({
  name: "ConvergenceSigning",
  tag: 0x66,
  version: 1,
  fields,
});
export const ConvergenceBlockCodec = defineMessage({
  name: "ConvergenceBlock",
  tag: 0x67,
  version: 1,
  fields: { ...fields, signature: bytes(64) },
});

export interface ConvergenceBody {
  readonly epoch: number;
  readonly round: number;
  readonly prev: Uint8Array;
  readonly beacon: Uint8Array;
  readonly miner: Uint8Array;
  readonly proposals: readonly Uint8Array[];
  readonly txCount: number;
  readonly txRoot: Uint8Array;
  readonly stateRoot: Uint8Array;
}

export interface ConvergenceBlock extends ConvergenceBody {
  readonly signature: Uint8Array;
}

function body(b: ConvergenceBody): ConvergenceBody {
  return {
    epoch: b.epoch,
    round: b.round,
    prev: b.prev,
    beacon: b.beacon,
    miner: b.miner,
    proposals: b.proposals,
    txCount: b.txCount,
    txRoot: b.txRoot,
    stateRoot: b.stateRoot,
  };
}

/** Hashes of block objects already hashed: blocks are immutable once built or decoded. */
const hashOf = new WeakMap<ConvergenceBody, Uint8Array>();

export function convergenceHash(b: ConvergenceBody): Uint8Array {
  let h = hashOf.get(b);
  if (h === undefined) {
    h = taggedHash("lattice/wan/convergence", ConvergenceSigningCodec.encode(body(b)));
    hashOf.set(b, h);
  }
  return h;
}

/** The body a miner proposes for a merge result. */
export function convergenceBodyOf(
  merge: MergeResult,
  head: { epoch: number; round: number; prev: Uint8Array; beacon: Uint8Array; miner: Uint8Array },
): ConvergenceBody {
  return {
    ...head,
    proposals: merge.proposals,
    txCount: merge.kept.length,
    txRoot: merge.txRoot,
    stateRoot: merge.stateRoot,
  };
}

export function signConvergence(
  signer: Ed25519Backend,
  b: ConvergenceBody,
  secretKey: Uint8Array,
): ConvergenceBlock {
  const x = body(b);
  return {
    ...x,
    signature: signer.sign(
      secretKey,
      signingBytes(CONVERGENCE_SIGNATURE_TAG, ConvergenceSigningCodec.encode(x)),
    ),
  };
}

/** The miner's signature checks. Never throws. */
export function convergenceSignatureOk(signer: Ed25519Backend, b: ConvergenceBlock): boolean {
  let payload: Uint8Array;
  try {
    payload = ConvergenceSigningCodec.encode(body(b));
  } catch {
    return false;
  }
  return signer.verify(b.miner, signingBytes(CONVERGENCE_SIGNATURE_TAG, payload), b.signature);
}
