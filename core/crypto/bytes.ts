/**
 * Byte helpers shared by crypto, codec and network code: hex conversion, constant-shape
 * comparison and concatenation. Kept dependency-free so any layer may import it.
 */

const HEX = "0123456789abcdef";

/** Lower-case hex of `bytes`, no prefix. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** Parse hex (optionally `0x`-prefixed, either case); throws TypeError naming `field` on bad input. */
export function fromHex(hex: string, field = "hex"): Uint8Array {
  const s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (s.length % 2 !== 0) throw new TypeError(`${field}: hex string has odd length ${s.length}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const byte = Number.parseInt(s.slice(i * 2, i * 2 + 2), 16);
    if (Number.isNaN(byte) || !/^[0-9a-fA-F]{2}$/.test(s.slice(i * 2, i * 2 + 2))) {
      throw new TypeError(`${field}: invalid hex at position ${i * 2}`);
    }
    out[i] = byte;
  }
  return out;
}

/** Byte equality whose running time depends only on the lengths, not on where they differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Concatenate byte arrays into a fresh one. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Lexicographic order of byte strings (shorter prefix first): the canonical sort of ids. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Throw a TypeError unless `value` is a Uint8Array of exactly `len` bytes (when given). */
export function assertBytes(value: unknown, field: string, len?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field}: expected Uint8Array`);
  if (len !== undefined && value.length !== len) {
    throw new RangeError(`${field}: expected ${len} bytes, got ${value.length}`);
  }
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
