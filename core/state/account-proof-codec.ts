/**
 * Wire form of an `AccountProof`, so the HTTP API and the SDK can ship proofs (core/codec canonical CBOR,
 * one encoding per proof).
 *
 *   AccountProof = [0x22, 1, address, account, round, root, siblings, leaf]
 *     address   bytes(20)                  the account proved
 *     account   null | [balance u64, nonce u64]   the claimed record; null claims absence
 *     round     u64                        the round whose state root this is
 *     root      bytes(32)                  that root (informational: a verifier takes the root from a
 *                                          certified block, never from the proof)
 *     siblings  [bytes(32)] (at most 256)  sibling hashes from depth 1 downwards
 *     leaf      null | [key bytes(32), value bytes(16)]   the lone leaf the walk ended at
 *
 * Guarantees: `decodeAccountProof` accepts only canonical bytes, checks every field's shape and bound and
 * throws `DecodeError` naming the field; a decoded proof is a plain `AccountProof` that
 * `verifyAccountProof` checks exactly as the original (a tampered one fails there, not here: decoding
 * checks form, verifying checks truth).
 */
import { ADDRESS_BYTES } from "../crypto/address.ts";
import type { DecodeLimits } from "../codec/canonical.ts";
import { defineMessage } from "../codec/message.ts";
import { bytes, list, optional, u64 } from "../codec/schema.ts";
import { struct } from "../codec/struct.ts";
import { ACCOUNT_VALUE_BYTES, type AccountProof } from "./account-proof.ts";
import { KEY_BYTES } from "./sparse-merkle.ts";

export const ACCOUNT_PROOF_TAG = 0x22;
export const ACCOUNT_PROOF_VERSION = 1;
/** Deepest possible walk in a tree of 256-bit keys. */
export const MAX_PROOF_SIBLINGS = 256;
/** Largest canonical encoding (256 siblings, both optional parts present), with room to spare. */
export const MAX_ACCOUNT_PROOF_BYTES = 9_000;

export const AccountProofCodec = defineMessage({
  name: "AccountProof",
  tag: ACCOUNT_PROOF_TAG,
  version: ACCOUNT_PROOF_VERSION,
  fields: {
    address: bytes(ADDRESS_BYTES),
    account: optional(struct({ balance: u64, nonce: u64 })),
    round: u64,
    root: bytes(32),
    siblings: list(bytes(32), MAX_PROOF_SIBLINGS),
    leaf: optional(struct({ key: bytes(KEY_BYTES), value: bytes(ACCOUNT_VALUE_BYTES) })),
  },
});

/** Canonical bytes of a proof; throws `EncodeError` naming the field for a malformed one. */
export function encodeAccountProof(proof: AccountProof): Uint8Array {
  return AccountProofCodec.encode({
    address: proof.address,
    account: proof.account,
    round: proof.round,
    root: proof.root,
    siblings: proof.proof.siblings,
    leaf: proof.proof.leaf,
  });
}

/** Decode a proof from untrusted bytes; throws `DecodeError` naming the field. Verify it afterwards. */
export function decodeAccountProof(bytes: Uint8Array, limits: DecodeLimits = {}): AccountProof {
  const m = AccountProofCodec.decode(bytes, { maxBytes: MAX_ACCOUNT_PROOF_BYTES, ...limits });
  return {
    address: m.address,
    account: m.account,
    round: m.round,
    root: m.root,
    proof: { siblings: m.siblings, leaf: m.leaf },
  };
}
