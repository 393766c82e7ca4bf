/**
 * ⚠️  INSECURE MODEL — FOR THE SIMULATOR ONLY. NEVER USE IN A NODE. ⚠️
 *
 * A fast, deterministic stand-in for threshold BLS with the same interface and the same
 * semantics *inside a simulation* (ARCHITECTURE.md "Crypto is an injected suite"): one noble BLS
 * verify costs ~15-20 ms, so a 16-node simulation at 100x real time needs something ~1000x
 * cheaper. Here every operation is a few bigint multiplications mod p = 2^127 − 1.
 *
 * Construction: scalars and "points" are both elements of F_p; the generator is g = 5; a public
 * key is s·g; H(tag, msg) is SHA-256 of a length-prefixed encoding reduced mod p; a signature
 * is s·H; and the "pairing" is multiplication, e(a, b) = a·b, so a signature verifies when
 * sig·g = pk·H. Shares, Lagrange combination, Feldman commitments and the DKG run unchanged.
 *
 * What holds (and what simulated honest and byzantine engines rely on): a signature cannot be
 * made without the key share *by code that only uses this interface*; any t shares combine to
 * exactly the same signature and fewer do not (except with probability ~2^-127); a wrong share
 * or a wrong tag fails verification. What does NOT hold: anyone can compute a secret from its
 * public key (s = pk/g) — discrete logarithms here are one division. `secure` is false.
 */
import { sha256 } from "../crypto/sha256.ts";
import { utf8 } from "../crypto/bytes.ts";
import { ThresholdError } from "./errors.ts";
import type { CommitmentGroup, Group } from "./group.ts";
import { assertShareIndex, lagrangeAtZero, pickShares } from "./lagrange.ts";
import { bigintToBytes, bytesToBigint, primeField } from "./prime-field.ts";
import type { KeyShare, SignatureShare, ThresholdPublicKey, ThresholdScheme } from "./scheme.ts";
import { assertTag } from "./tag.ts";

/** The Mersenne prime 2^127 − 1: large enough that accidental collisions never happen in tests. */
export const MODEL_ORDER = (1n << 127n) - 1n;
const BYTES = 16;
const GENERATOR = 5n;
const HASH_DOMAIN = utf8("lattice/model-tsig/v1");

const field = primeField(MODEL_ORDER, BYTES);
const p = MODEL_ORDER;
const mod = (a: bigint): bigint => {
  const r = a % p;
  return r < 0n ? r + p : r;
};

function malformed(field: string, message: string): ThresholdError {
  return new ThresholdError("THRESHOLD_MALFORMED", `${field}: ${message}`, { details: { field } });
}

/** Strict: a non-canonical value is a bug or a forgery, not something to reduce quietly. */
function encodeElement(e: bigint, name: string, allowZero: boolean): Uint8Array {
  if (typeof e !== "bigint" || e < 0n || e >= p || (!allowZero && e === 0n)) {
    throw malformed(name, "not a canonical element");
  }
  return bigintToBytes(e, BYTES);
}

const commit: CommitmentGroup<bigint> = {
  bytes: BYTES,
  generator: GENERATOR,
  identity: 0n,
  add: (a, b) => mod(a + b),
  sub: (a, b) => mod(a - b),
  mul: (e, s) => mod(e * s),
  mulGen: (s) => mod(GENERATOR * s),
  mulPublic: (e, s) => mod(e * s),
  msm(points, scalars) {
    if (points.length !== scalars.length) throw new RangeError("msm: points and scalars differ in length");
    let acc = 0n;
    for (let i = 0; i < points.length; i++) acc += points[i]! * scalars[i]!;
    return mod(acc);
  },
  equals: (a, b) => a === b,
  isIdentity: (e) => e === 0n,
  toBytes: (e) => encodeElement(e, "element", true),
  fromBytes: (bytes, name = "element") => field.fromBytes(bytes, name),
};

/** The model's algebra: F_p as scalars and (F_p, +) as the commitment group. Insecure. */
export const modelGroup: Group<bigint> = { name: "model-p127", secure: false, field, commit };

/** H(tag, msg) = SHA-256(len(domain) ‖ domain ‖ len(tag) ‖ tag ‖ msg) mod p, never 0. */
function hashToElement(tag: string, msg: Uint8Array): bigint {
  assertTag(tag);
  const t = utf8(tag);
  const h = bytesToBigint(
    sha256(Uint8Array.of(HASH_DOMAIN.length), HASH_DOMAIN, Uint8Array.of(t.length), t, msg),
  );
  const e = h % p;
  return e === 0n ? 1n : e;
}

function isKeyElement(e: bigint): boolean {
  return typeof e === "bigint" && e > 0n && e < p;
}

function pairingCheck(pk: bigint, h: bigint, sig: bigint): boolean {
  return isKeyElement(pk) && isKeyElement(sig) && mod(sig * GENERATOR) === mod(pk * h);
}

function assertSecret(share: KeyShare): void {
  assertShareIndex(share.index, "share.index");
  if (!isKeyElement(share.secret)) {
    throw new ThresholdError("THRESHOLD_BAD_SHARE", "share.secret must be a non-zero canonical scalar", {
      details: { index: share.index },
    });
  }
}

function decodeNonZero(bytes: Uint8Array, name: string): bigint {
  const v = field.fromBytes(bytes, name);
  if (v === 0n) throw malformed(name, "zero (identity) is not allowed");
  return v;
}

function decodeIndexed(bytes: Uint8Array, name: string): { index: number; rest: Uint8Array } {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 2 + BYTES)
    throw malformed(name, `expected ${2 + BYTES} bytes`);
  const index = (bytes[0]! << 8) | bytes[1]!;
  if (index === 0) {
    throw new ThresholdError("THRESHOLD_BAD_INDEX", `${name}.index: 0 is not a share index`, {
      details: { index },
    });
  }
  return { index, rest: bytes.subarray(2) };
}

function indexPrefix(index: number): Uint8Array {
  assertShareIndex(index);
  return Uint8Array.of(index >> 8, index & 0xff);
}

/** ⚠️ The insecure simulator scheme. See the module header before using it anywhere. */
export const modelScheme: ThresholdScheme<bigint, bigint> = {
  name: "model-p127",
  secure: false,
  group: modelGroup,
  publicKeyBytes: BYTES,
  signatureBytes: BYTES,
  keyShareBytes: 2 + BYTES,
  signatureShareBytes: 2 + BYTES,

  publicShareOf(share) {
    assertSecret(share);
    return commit.mulGen(share.secret);
  },
  signShare(share, tag, msg) {
    assertSecret(share);
    return { index: share.index, sig: mod(share.secret * hashToElement(tag, msg)) };
  },
  verifyShare(publicShare, tag, msg, sig) {
    return pairingCheck(publicShare, hashToElement(tag, msg), sig);
  },
  combine(shares, t) {
    const picked = pickShares(shares, t, (a, b) => a === b);
    const lambdas = lagrangeAtZero(
      field,
      picked.map((s) => s.index),
    );
    return commit.msm(
      picked.map((s) => s.sig),
      lambdas,
    );
  },
  verify(groupKey, tag, msg, sig) {
    return pairingCheck(groupKey, hashToElement(tag, msg), sig);
  },
  findBadShares(key: ThresholdPublicKey<bigint>, tag, msg, shares: readonly SignatureShare<bigint>[]) {
    const h = hashToElement(tag, msg);
    const bad = new Set<number>();
    for (const s of shares) {
      const pk = Number.isSafeInteger(s.index) && s.index >= 1 ? key.publicShares[s.index - 1] : undefined;
      if (pk === undefined || !pairingCheck(pk, h, s.sig)) bad.add(s.index);
    }
    return [...bad].sort((a, b) => a - b);
  },

  publicKeyToBytes: (key) => encodeElement(key, "publicKey", false),
  publicKeyFromBytes: (bytes) => decodeNonZero(bytes, "publicKey"),
  signatureToBytes: (sig) => encodeElement(sig, "signature", false),
  signatureFromBytes: (bytes) => decodeNonZero(bytes, "signature"),
  keyShareToBytes(share) {
    assertSecret(share);
    const out = new Uint8Array(2 + BYTES);
    out.set(indexPrefix(share.index));
    out.set(bigintToBytes(share.secret, BYTES), 2);
    return out;
  },
  keyShareFromBytes(bytes) {
    const { index, rest } = decodeIndexed(bytes, "keyShare");
    return { index, secret: decodeNonZero(rest, "keyShare.secret") };
  },
  signatureShareToBytes(share) {
    const out = new Uint8Array(2 + BYTES);
    out.set(indexPrefix(share.index));
    out.set(encodeElement(share.sig, "signatureShare.sig", false), 2);
    return out;
  },
  signatureShareFromBytes(bytes) {
    const { index, rest } = decodeIndexed(bytes, "signatureShare");
    return { index, sig: decodeNonZero(rest, "signatureShare.sig") };
  },
};
