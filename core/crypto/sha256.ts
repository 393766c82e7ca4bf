/**
 * SHA-256, the one hash of the protocol (ids, Merkle trees, addresses, Maglev, beacons).
 *
 * The hot-path implementation is native (`node:crypto`, backed by BoringSSL in Bun); the pure-JS
 * `@noble/hashes` one is the reference that tests cross-check it against. Both are pure
 * functions of their input, so engines may call them freely.
 */
import { createHash } from "node:crypto";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";

/** SHA-256 of the concatenation of `parts` (native). */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256 via @noble/hashes: the reference implementation. */
export function sha256Reference(...parts: readonly Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Domain-separated hash: SHA-256(len(tag) ‖ tag ‖ parts...). The length prefix makes
 * (tag, data) pairs unambiguous, so a hash made for one purpose cannot collide with another's.
 */
export function taggedHash(tag: string, ...parts: readonly Uint8Array[]): Uint8Array {
  const t = utf8(tag);
  if (t.length > 255) throw new RangeError(`tag: at most 255 bytes, got ${t.length}`);
  return sha256(Uint8Array.of(t.length), t, ...parts);
}
