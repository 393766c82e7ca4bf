/**
 * Account proofs (seed 001, "Integral DB ... with Merkle Proofing"): how an account maps into the sparse
 * Merkle tree, and the standalone check a light client runs given only a state root.
 *
 *   key   = SHA-256(address bytes (20))
 *   value = balance u64 big-endian ‖ nonce u64 big-endian (16 bytes)
 * An absent account has no leaf (a zero-balance account that exists is present, with its nonce).
 *
 * Guarantee: `verifyAccountProof` is a pure function of its arguments and never throws.
 */
import { ADDRESS_BYTES } from "../crypto/address.ts";
import { sha256 } from "../crypto/sha256.ts";
import type { Account } from "./account-table.ts";
import { type SparseProof, verifySparseProof } from "./sparse-merkle.ts";

export const ACCOUNT_VALUE_BYTES = 16;

/** A proof that an address holds `account` (or, with `account: null`, holds nothing) at `root`. */
export interface AccountProof {
  readonly address: Uint8Array;
  readonly account: Account | null;
  readonly round: bigint;
  readonly root: Uint8Array;
  readonly proof: SparseProof;
}

/** The tree key of an address. */
export function accountKey(address: Uint8Array): Uint8Array {
  return sha256(address);
}

/** The 16-byte tree value of an account. */
export function accountValue(account: Account): Uint8Array {
  const out = new Uint8Array(ACCOUNT_VALUE_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, account.balance, false);
  view.setBigUint64(8, account.nonce, false);
  return out;
}

/**
 * Check that `proof` shows `account` (null = absence) at `address` under `root`. Only `root` needs to be
 * trusted (e.g. taken from a certified block); the proof's own `root` and `round` fields are ignored.
 */
export function verifyAccountProof(
  root: Uint8Array,
  address: Uint8Array,
  account: Account | null,
  proof: SparseProof,
): boolean {
  try {
    if (address.length !== ADDRESS_BYTES) return false;
    return verifySparseProof(
      root,
      accountKey(address),
      account === null ? null : accountValue(account),
      proof,
    );
  } catch {
    return false;
  }
}
