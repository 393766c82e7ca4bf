/**
 * Ed25519 keys, signatures and verification: the identity scheme of nodes, engines and accounts.
 *
 * Two backends with one interface:
 * - `nativeEd25519` (node:crypto, BoringSSL under Bun): ~70 us per verify here, used everywhere
 *   signatures sit on a hot path (transactions, envelopes, votes).
 * - `nobleEd25519` (@noble/curves): pure JS, ~1 ms per verify, the reference implementation.
 * Tests run both against RFC 8032 vectors and against each other on random inputs.
 *
 * A secret key is the 32-byte RFC 8032 seed; a public key is 32 bytes; a signature 64 bytes.
 * Both backends follow RFC 8032 verification, including rejection of non-canonical S, so they
 * agree on every input (checked by property test). Signing is deterministic.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { assertBytes, concatBytes, utf8 } from "./bytes.ts";

export const SECRET_KEY_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** An Ed25519 key pair; `secretKey` is the 32-byte seed. */
export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** What every Ed25519 implementation offers; the compliance tests run against each. */
export interface Ed25519Backend {
  readonly name: string;
  publicKey(secretKey: Uint8Array): Uint8Array;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** False (never a throw) for any malformed key or signature of the right length. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

// DER wrappers turn raw 32-byte keys into the PKCS#8 / SPKI forms node:crypto imports.
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/**
 * Importing a key costs more than a verify, and peers sign many messages with one key, so
 * imported KeyObjects are cached. The cache is bounded and simply cleared when full: a
 * miss only costs a re-import.
 */
const CACHE_LIMIT = 8192;
const publicKeyCache = new Map<string, KeyObject | null>();
const privateKeyCache = new Map<string, KeyObject>();

function keyId(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function nativePublicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = keyId(publicKey);
  const hit = publicKeyCache.get(id);
  if (hit !== undefined) return hit;
  let key: KeyObject | null;
  try {
    key = createPublicKey({
      key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)),
      format: "der",
      type: "spki",
    });
  } catch {
    key = null; // not a point on the curve: every signature under it is invalid
  }
  if (publicKeyCache.size >= CACHE_LIMIT) publicKeyCache.clear();
  publicKeyCache.set(id, key);
  return key;
}

function nativePrivateKeyObject(secretKey: Uint8Array): KeyObject {
  const id = keyId(secretKey);
  const hit = privateKeyCache.get(id);
  if (hit !== undefined) return hit;
  const key = createPrivateKey({
    key: Buffer.from(concatBytes(PKCS8_PREFIX, secretKey)),
    format: "der",
    type: "pkcs8",
  });
  if (privateKeyCache.size >= CACHE_LIMIT) privateKeyCache.clear();
  privateKeyCache.set(id, key);
  return key;
}

function toU8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** node:crypto backend: the one used on hot paths. */
export const nativeEd25519: Ed25519Backend = {
  name: "native",
  publicKey(secretKey) {
    assertBytes(secretKey, "secretKey", SECRET_KEY_BYTES);
    const spki = createPublicKey(nativePrivateKeyObject(secretKey)).export({ format: "der", type: "spki" });
    return toU8(spki).slice(SPKI_PREFIX.length);
  },
  sign(secretKey, message) {
    assertBytes(secretKey, "secretKey", SECRET_KEY_BYTES);
    assertBytes(message, "message");
    return toU8(nodeSign(null, message, nativePrivateKeyObject(secretKey)));
  },
  verify(publicKey, message, signature) {
    if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
    const key = nativePublicKeyObject(publicKey);
    if (key === null) return false;
    try {
      return nodeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  },
};

/** @noble/curves backend: the reference. ZIP-215 off, so it follows RFC 8032 like BoringSSL. */
export const nobleEd25519: Ed25519Backend = {
  name: "noble",
  publicKey(secretKey) {
    assertBytes(secretKey, "secretKey", SECRET_KEY_BYTES);
    return ed25519.getPublicKey(secretKey);
  },
  sign(secretKey, message) {
    assertBytes(secretKey, "secretKey", SECRET_KEY_BYTES);
    assertBytes(message, "message");
    return ed25519.sign(message, secretKey);
  },
  verify(publicKey, message, signature) {
    if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

/** Derive the key pair of a 32-byte seed. */
export function keyPairFromSeed(secretKey: Uint8Array): KeyPair {
  return { secretKey: secretKey.slice(), publicKey: nativeEd25519.publicKey(secretKey) };
}

/** A fresh key pair from the given random source (injected so engines stay deterministic). */
export function generateKeyPair(random: (n: number) => Uint8Array): KeyPair {
  const seed = random(SECRET_KEY_BYTES);
  assertBytes(seed, "random(32)", SECRET_KEY_BYTES);
  return keyPairFromSeed(seed);
}

/**
 * The bytes actually signed for a purpose: `"lattice/" ‖ tag ‖ 0x00 ‖ payload`. Every signature in
 * the protocol goes through this, so a signature made for one purpose (a transaction, an envelope,
 * a vote) can never be replayed as another. Tags are ASCII without NUL, e.g. `tx/v1`.
 */
export function signingBytes(tag: string, payload: Uint8Array): Uint8Array {
  if (tag.length === 0 || tag.includes("\0")) throw new TypeError("tag: non-empty ASCII without NUL");
  return concatBytes(utf8(`lattice/${tag}`), Uint8Array.of(0), payload);
}

/** Sign `payload` for the purpose `tag` (native backend). */
export function signTagged(secretKey: Uint8Array, tag: string, payload: Uint8Array): Uint8Array {
  return nativeEd25519.sign(secretKey, signingBytes(tag, payload));
}

/** Verify a signature made by `signTagged` (native backend). Never throws on bad input. */
export function verifyTagged(
  publicKey: Uint8Array,
  tag: string,
  payload: Uint8Array,
  signature: Uint8Array,
): boolean {
  return nativeEd25519.verify(publicKey, signingBytes(tag, payload), signature);
}
