/**
 * The threshold-signature contract (types only): what a quorum's members, its collectors and
 * its verifiers may ask of a scheme. Implementations: `bls.ts` (BLS12-381, the real one) and
 * `model.ts` (an insecure, fast stand-in for the simulator). ARCHITECTURE.md "Crypto is an
 * injected suite"; seed 001 "dealerless DKG and threshold signatures"; core-anchors.md §4.3.
 *
 * Conventions every implementation follows:
 * - A key is a polynomial F of degree t-1 over the scalar field; the group secret is F(0) and
 *   member i (1-based, i = position in the canonically sorted member list + 1) holds F(i).
 *   Index 0 is never a share. Any t shares determine F(0); t-1 reveal nothing about it.
 * - `P` is the public-key group element (group key, public key shares, DKG commitments: the
 *   same group as `group.commit`); `S` is a signature element.
 * - Every message is signed under a domain tag (tag.ts); the same bytes under another tag give
 *   an unrelated signature.
 * - Combining is deterministic: duplicate indices with equal signatures are collapsed, the t
 *   lowest distinct indices are used, so any t valid shares give the same signature exactly.
 * - Cost rule: verify the combined signature once; verify shares one by one (`findBadShares`)
 *   only when that fails.
 * - Decoders are strict (length, canonical encoding, valid subgroup element, no identity for
 *   keys and signatures) and throw ThresholdError THRESHOLD_MALFORMED.
 */
import type { Group } from "./group.ts";

/** A member's secret share: F(index). Secret; never logged, never sent in clear outside a DKG dispute. */
export interface KeyShare {
  readonly index: number;
  readonly secret: bigint;
}

/** A signature share made by member `index`. */
export interface SignatureShare<S> {
  readonly index: number;
  readonly sig: S;
}

/** The public side of a threshold key: enough to verify the group signature and every share. */
export interface ThresholdPublicKey<P> {
  readonly n: number;
  readonly t: number;
  /** F(0)·G: verifies combined signatures. */
  readonly groupKey: P;
  /** `publicShares[i - 1]` = F(i)·G, the key that verifies member i's shares. */
  readonly publicShares: readonly P[];
}

/** A complete key as a trusted dealer (tests) or the DKG (every member, its own share) produces it. */
export interface ThresholdKeySet<P> extends ThresholdPublicKey<P> {
  /** `shares[i - 1]` belongs to member i. */
  readonly shares: readonly KeyShare[];
}

/** Threshold signatures behind one interface; see the module header for the conventions. */
export interface ThresholdScheme<P, S> {
  /** Stable name, e.g. "bls12-381-min-pk" or "model-p127". */
  readonly name: string;
  /** False for the model: a signature there can be forged by anyone who does arithmetic. */
  readonly secure: boolean;
  /** The algebra keys and DKG commitments live in. */
  readonly group: Group<P>;
  readonly publicKeyBytes: number;
  readonly signatureBytes: number;
  readonly keyShareBytes: number;
  readonly signatureShareBytes: number;

  /** The public key share F(i)·G of a secret share. */
  publicShareOf(share: KeyShare): P;
  /** Member `share.index` signs `msg` under `tag`. */
  signShare(share: KeyShare, tag: string, msg: Uint8Array): SignatureShare<S>;
  /** One share against its member's public key share; false (never throws) on any mismatch. */
  verifyShare(publicShare: P, tag: string, msg: Uint8Array, sig: S): boolean;
  /**
   * Lagrange-combine at x = 0. Throws THRESHOLD_BAD_INDEX for an index outside 1..65535,
   * THRESHOLD_CONFLICTING_SHARES for one index with two different signatures, and
   * THRESHOLD_TOO_FEW_SHARES for fewer than `t` distinct indices. Does not verify anything.
   */
  combine(shares: readonly SignatureShare<S>[], t: number): S;
  /** A combined signature against the group key; false (never throws) on any mismatch. */
  verify(groupKey: P, tag: string, msg: Uint8Array, sig: S): boolean;
  /**
   * The sorted distinct indices whose shares do not verify (including indices with no public
   * share). Costs one verification per share: call it only after a combined signature failed.
   */
  findBadShares(
    key: ThresholdPublicKey<P>,
    tag: string,
    msg: Uint8Array,
    shares: readonly SignatureShare<S>[],
  ): number[];

  publicKeyToBytes(key: P): Uint8Array;
  publicKeyFromBytes(bytes: Uint8Array): P;
  signatureToBytes(sig: S): Uint8Array;
  signatureFromBytes(bytes: Uint8Array): S;
  /** u16 index ‖ scalar. Secret material: for key files and DKG tests, never for the wire. */
  keyShareToBytes(share: KeyShare): Uint8Array;
  keyShareFromBytes(bytes: Uint8Array): KeyShare;
  /** u16 index ‖ signature. */
  signatureShareToBytes(share: SignatureShare<S>): Uint8Array;
  signatureShareFromBytes(bytes: Uint8Array): SignatureShare<S>;
}
