/**
 * The algebra a threshold scheme and the DKG are written against (contract, types only).
 *
 * ARCHITECTURE.md "Crypto is an injected suite": the DKG (core/dkg) and the Lagrange and
 * polynomial helpers never name a curve. They take a `Group<E>`: a prime scalar field and a
 * cyclic commitment group of the same prime order, written additively, in which Feldman
 * commitments `a·G` and public key shares live. BLS12-381 G1 (core/threshold/bls.ts) and the
 * insecure simulator stand-in (core/threshold/model.ts) both provide one.
 *
 * Guarantees an implementation must give: scalars are bigints in [0, order); every decoder is
 * strict (canonical bytes only, right length, valid element) and throws a ThresholdError with
 * code THRESHOLD_MALFORMED naming the field; nothing here does I/O or reads ambient randomness.
 */

/** An injected source of random bytes: returns exactly `n` fresh bytes. Engines never call a global RNG. */
export type RandomBytes = (n: number) => Uint8Array;

/** The prime field of scalars (secret keys, shares, polynomial coefficients, Lagrange weights). */
export interface ScalarField {
  /** The prime order of the field (and of the commitment group). */
  readonly order: bigint;
  /** Length of `toBytes` output: fixed, big-endian. */
  readonly bytes: number;
  add(a: bigint, b: bigint): bigint;
  sub(a: bigint, b: bigint): bigint;
  mul(a: bigint, b: bigint): bigint;
  /** Multiplicative inverse; throws THRESHOLD_MALFORMED for 0. */
  inv(a: bigint): bigint;
  /** The canonical representative of any integer (reduces mod order, maps negatives in). */
  create(a: bigint): bigint;
  /** True when `a` is a canonical scalar (0 <= a < order). */
  isValid(a: bigint): boolean;
  /** A uniformly random non-zero scalar drawn from the injected source (wide reduction, negligible bias). */
  random(random: RandomBytes): bigint;
  toBytes(a: bigint): Uint8Array;
  /** Strict: exactly `bytes` bytes, value < order. `field` names the input in the error. */
  fromBytes(bytes: Uint8Array, field?: string): bigint;
}

/**
 * A cyclic group of prime order `field.order`, written additively, with a fixed generator.
 * `mul` is for secret scalars (constant-time where the backend offers it); `mulPublic` and
 * `msm` may be variable-time and must only see public scalars (indices, Lagrange weights,
 * batch-verification coefficients).
 */
export interface CommitmentGroup<E> {
  /** Length of `toBytes` output. */
  readonly bytes: number;
  readonly generator: E;
  readonly identity: E;
  add(a: E, b: E): E;
  sub(a: E, b: E): E;
  /** `s·e` for a secret scalar `s` (0 gives the identity). */
  mul(e: E, s: bigint): E;
  /** `s·G` for a secret scalar `s`: the Feldman commitment and public-key derivation. */
  mulGen(s: bigint): E;
  /** `s·e` for a public scalar; may be variable-time. */
  mulPublic(e: E, s: bigint): E;
  /** `Σ scalars[i]·points[i]` for public scalars; the identity for empty input. */
  msm(points: readonly E[], scalars: readonly bigint[]): E;
  equals(a: E, b: E): boolean;
  isIdentity(e: E): boolean;
  toBytes(e: E): Uint8Array;
  /** Strict decoding; the identity is accepted (it is a group element) — callers that forbid it check. */
  fromBytes(bytes: Uint8Array, field?: string): E;
}

/** A scalar field and its commitment group: everything the DKG needs. */
export interface Group<E> {
  /** Stable name, e.g. "bls12-381-g1" or "model-p127"; goes into transcripts and errors. */
  readonly name: string;
  /** False for the model stand-in: a simulation tool that anyone can break. */
  readonly secure: boolean;
  readonly field: ScalarField;
  readonly commit: CommitmentGroup<E>;
}
