/**
 * Threshold BLS on BLS12-381 with @noble/curves (seed 001 "threshold signatures"; ARCHITECTURE.md
 * "Identities, encoding, crypto"; core-anchors.md §4.3). The real scheme: every node uses it.
 *
 * Decision: min-pk (noble `longSignatures`): public keys, public key shares and DKG Feldman
 * commitments in G1 (48 bytes compressed), signatures in G2 (96 bytes). Why:
 * - the DKG and share verification work in the public-key group: each member evaluates n·t
 *   commitment terms and derives n public key shares; G1 arithmetic is ~3x cheaper than G2;
 * - verification is cheaper with min-pk (measured ~15 ms vs ~21 ms, core-anchors.md §4.3), and
 *   certificates are verified far more often than they are made;
 * - a combined certificate is one 96-byte signature per batch, so the larger signature is cheap.
 * The cost: share signing (hash to G2 and a G2 multiplication) is ~2x dearer than in min-sig.
 *
 * Domain tags: the tag is appended to the RFC 9380 DST
 * `LATTICE-TBLS-V01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_<tag>`, a fixed prefix, so distinct tags
 * give distinct DSTs and unrelated hash-to-curve outputs.
 *
 * Guarantees: keys and signatures decode only from canonical compressed encodings of prime-order
 * subgroup points other than the identity (noble checks the subgroup; we re-encode to reject
 * non-canonical flags); combination is Lagrange at 0 over the t lowest distinct indices with a
 * Strauss–Shamir multi-scalar multiplication; verify never throws on bad input.
 */
import { mulAddUnsafe, pippenger } from "@noble/curves/abstract/curve.js";
import type { Fp2 } from "@noble/curves/abstract/tower.js";
import type { WeierstrassPoint } from "@noble/curves/abstract/weierstrass.js";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { equalBytes, toHex } from "../crypto/bytes.ts";
import { ThresholdError } from "./errors.ts";
import type { CommitmentGroup, Group } from "./group.ts";
import { assertShareIndex, lagrangeAtZero, pickShares } from "./lagrange.ts";
import { bigintToBytes, primeField } from "./prime-field.ts";
import type { KeyShare, SignatureShare, ThresholdPublicKey, ThresholdScheme } from "./scheme.ts";
import { assertTag } from "./tag.ts";

/** A G1 point: group keys, public key shares, DKG commitments. */
export type BlsPublicKey = WeierstrassPoint<bigint>;
/** A G2 point: signatures and signature shares. */
export type BlsSignature = WeierstrassPoint<Fp2>;

const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const sigs = bls12_381.longSignatures;
const field = primeField(bls12_381.fields.Fr.ORDER, 32);

export const BLS_PUBLIC_KEY_BYTES = 48;
export const BLS_SIGNATURE_BYTES = 96;
/** Fixed DST prefix; the domain tag completes it. */
export const BLS_DST_PREFIX = "LATTICE-TBLS-V01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";

// Strauss–Shamir beats Pippenger at our sizes (measured on this machine: 15 points in G2, 16 ms vs
// 46 ms; 15 in G1 with 128-bit scalars, 6 ms vs 15 ms); noble advises Pippenger for big batches.
const PIPPENGER_FROM = 128;

function malformed(name: string, message: string, cause?: unknown): ThresholdError {
  return new ThresholdError("THRESHOLD_MALFORMED", `${name}: ${message}`, {
    details: { field: name },
    ...(cause === undefined ? {} : { cause }),
  });
}

function decodeG1(bytes: Uint8Array, name: string): BlsPublicKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLS_PUBLIC_KEY_BYTES) {
    throw malformed(name, `expected ${BLS_PUBLIC_KEY_BYTES} bytes (compressed G1)`);
  }
  let point: BlsPublicKey;
  try {
    point = G1.fromBytes(bytes);
  } catch (e) {
    throw malformed(name, "not a valid G1 subgroup point", e);
  }
  if (!equalBytes(point.toBytes(true), bytes)) throw malformed(name, "non-canonical encoding");
  return point;
}

function decodeG2(bytes: Uint8Array, name: string): BlsSignature {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLS_SIGNATURE_BYTES) {
    throw malformed(name, `expected ${BLS_SIGNATURE_BYTES} bytes (compressed G2)`);
  }
  let point: BlsSignature;
  try {
    point = G2.fromBytes(bytes);
  } catch (e) {
    throw malformed(name, "not a valid G2 subgroup point", e);
  }
  if (point.is0()) throw malformed(name, "the identity is not a signature");
  if (!equalBytes(point.toBytes(true), bytes)) throw malformed(name, "non-canonical encoding");
  return point;
}

function msmOf<P extends BlsPublicKey | BlsSignature>(
  cons: typeof G1 | typeof G2,
  points: readonly P[],
  scalars: readonly bigint[],
): P {
  if (points.length !== scalars.length) throw new RangeError("msm: points and scalars differ in length");
  if (points.length === 0) return cons.ZERO as P;
  // noble's MSMs take mutable arrays and reject scalar 0 nowhere, but want canonical scalars.
  const sc = scalars.map((s) => field.create(s));
  const fn = points.length < PIPPENGER_FROM ? mulAddUnsafe : pippenger;
  return (fn as (c: unknown, p: P[], s: bigint[]) => P)(cons, [...points], sc);
}

const commit: CommitmentGroup<BlsPublicKey> = {
  bytes: BLS_PUBLIC_KEY_BYTES,
  generator: G1.BASE,
  identity: G1.ZERO,
  add: (a, b) => a.add(b),
  sub: (a, b) => a.subtract(b),
  mul: (e, s) => {
    const k = field.create(s);
    return k === 0n ? G1.ZERO : e.multiply(k);
  },
  mulGen: (s) => {
    const k = field.create(s);
    return k === 0n ? G1.ZERO : G1.BASE.multiply(k);
  },
  mulPublic: (e, s) => {
    const k = field.create(s);
    return k === 0n ? G1.ZERO : e.multiplyUnsafe(k);
  },
  msm: (points, scalars) => msmOf(G1, points, scalars),
  equals: (a, b) => a.equals(b),
  isIdentity: (e) => e.is0(),
  toBytes: (e) => e.toBytes(true),
  fromBytes: (bytes, name = "element") => decodeG1(bytes, name),
};

/** BLS12-381 G1 with the scalar field Fr: the algebra of real DKG runs. */
export const blsGroup: Group<BlsPublicKey> = { name: "bls12-381-g1", secure: true, field, commit };

// Hash-to-curve costs ~6-10 ms and the same (tag, msg) is hashed once per share when a
// collector verifies shares; a tiny memo keeps that to once. Pure: same input, same output.
const HASH_MEMO_SIZE = 16;
const HASH_MEMO_MAX_MSG = 512;
const hashMemo = new Map<string, BlsSignature>();

/** H(tag, msg) in G2 under the DST `BLS_DST_PREFIX + tag`. */
export function blsHashToG2(tag: string, msg: Uint8Array): BlsSignature {
  assertTag(tag);
  if (!(msg instanceof Uint8Array)) throw new TypeError("msg: expected Uint8Array");
  if (msg.length > HASH_MEMO_MAX_MSG) return sigs.hash(msg, BLS_DST_PREFIX + tag);
  const key = `${tag}|${toHex(msg)}`;
  const hit = hashMemo.get(key);
  if (hit !== undefined) {
    // Refresh recency: Map iteration order is insertion order.
    hashMemo.delete(key);
    hashMemo.set(key, hit);
    return hit;
  }
  const h = sigs.hash(msg, BLS_DST_PREFIX + tag);
  hashMemo.set(key, h);
  if (hashMemo.size > HASH_MEMO_SIZE) hashMemo.delete(hashMemo.keys().next().value as string);
  return h;
}

function pairingCheck(pk: BlsPublicKey, h: BlsSignature, sig: BlsSignature): boolean {
  try {
    if (!(pk instanceof G1) || !(sig instanceof G2) || pk.is0() || sig.is0()) return false;
    return sigs.verify(sig, h, pk);
  } catch {
    return false;
  }
}

function assertSecret(share: KeyShare): bigint {
  assertShareIndex(share.index, "share.index");
  if (typeof share.secret !== "bigint" || share.secret <= 0n || share.secret >= field.order) {
    throw new ThresholdError("THRESHOLD_BAD_SHARE", "share.secret must be a non-zero canonical scalar", {
      details: { index: share.index },
    });
  }
  return share.secret;
}

function indexed(index: number, body: Uint8Array): Uint8Array {
  assertShareIndex(index);
  const out = new Uint8Array(2 + body.length);
  out[0] = index >> 8;
  out[1] = index & 0xff;
  out.set(body, 2);
  return out;
}

function splitIndexed(bytes: Uint8Array, bodyLen: number, name: string): { index: number; body: Uint8Array } {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 2 + bodyLen) {
    throw malformed(name, `expected ${2 + bodyLen} bytes`);
  }
  const index = (bytes[0]! << 8) | bytes[1]!;
  if (index === 0) {
    throw new ThresholdError("THRESHOLD_BAD_INDEX", `${name}.index: 0 is not a share index`, {
      details: { index },
    });
  }
  return { index, body: bytes.subarray(2) };
}

/** Threshold BLS12-381, min-pk (G1 keys, G2 signatures). See the module header. */
export const blsScheme: ThresholdScheme<BlsPublicKey, BlsSignature> = {
  name: "bls12-381-min-pk",
  secure: true,
  group: blsGroup,
  publicKeyBytes: BLS_PUBLIC_KEY_BYTES,
  signatureBytes: BLS_SIGNATURE_BYTES,
  keyShareBytes: 2 + 32,
  signatureShareBytes: 2 + BLS_SIGNATURE_BYTES,

  publicShareOf(share) {
    return G1.BASE.multiply(assertSecret(share));
  },
  signShare(share, tag, msg) {
    const secret = assertSecret(share);
    return { index: share.index, sig: blsHashToG2(tag, msg).multiply(secret) };
  },
  verifyShare(publicShare, tag, msg, sig) {
    return pairingCheck(publicShare, blsHashToG2(tag, msg), sig);
  },
  combine(shares, t) {
    const picked = pickShares(shares, t, (a, b) => a.equals(b));
    const lambdas = lagrangeAtZero(
      field,
      picked.map((s) => s.index),
    );
    return msmOf(
      G2,
      picked.map((s) => s.sig),
      lambdas,
    );
  },
  verify(groupKey, tag, msg, sig) {
    return pairingCheck(groupKey, blsHashToG2(tag, msg), sig);
  },
  findBadShares(
    key: ThresholdPublicKey<BlsPublicKey>,
    tag,
    msg,
    shares: readonly SignatureShare<BlsSignature>[],
  ) {
    const h = blsHashToG2(tag, msg);
    const bad = new Set<number>();
    for (const s of shares) {
      if (bad.has(s.index)) continue;
      const pk = Number.isSafeInteger(s.index) && s.index >= 1 ? key.publicShares[s.index - 1] : undefined;
      if (pk === undefined || !pairingCheck(pk, h, s.sig)) bad.add(s.index);
    }
    return [...bad].sort((a, b) => a - b);
  },

  publicKeyToBytes(key) {
    if (key.is0()) throw malformed("publicKey", "the identity is not a public key");
    return key.toBytes(true);
  },
  publicKeyFromBytes(bytes) {
    const p = decodeG1(bytes, "publicKey");
    if (p.is0()) throw malformed("publicKey", "the identity is not a public key");
    return p;
  },
  signatureToBytes(sig) {
    if (sig.is0()) throw malformed("signature", "the identity is not a signature");
    return sig.toBytes(true);
  },
  signatureFromBytes: (bytes) => decodeG2(bytes, "signature"),
  keyShareToBytes(share) {
    return indexed(share.index, bigintToBytes(assertSecret(share), 32));
  },
  keyShareFromBytes(bytes) {
    const { index, body } = splitIndexed(bytes, 32, "keyShare");
    const secret = field.fromBytes(body, "keyShare.secret");
    if (secret === 0n) throw malformed("keyShare.secret", "zero is not a share");
    return { index, secret };
  },
  signatureShareToBytes(share) {
    if (share.sig.is0()) throw malformed("signatureShare.sig", "the identity is not a signature");
    return indexed(share.index, share.sig.toBytes(true));
  },
  signatureShareFromBytes(bytes) {
    const { index, body } = splitIndexed(bytes, BLS_SIGNATURE_BYTES, "signatureShare");
    return { index, sig: decodeG2(body, "signatureShare.sig") };
  },
};
