/**
 * Lattice canonical CBOR: the one byte encoding of everything that is signed, hashed or compared
 * (ARCHITECTURE "Identities, encoding, crypto"). Consensus-critical, so we own it.
 *
 * THE SUBSET (enough for another-language client to reproduce the bytes exactly):
 * - Major type 0, unsigned integers 0..2^64-1.
 * - Major type 2, byte strings, definite length.
 * - Major type 3, text strings, definite length, well-formed UTF-8 (no lone surrogates; a leading
 *   U+FEFF is kept as data, never stripped as a BOM).
 * - Major type 4, arrays, definite length, any mix of the above.
 * - Major type 7, only false (0xf4), true (0xf5) and null (0xf6).
 * - Nothing else: no negative integers, maps, tags, floats, undefined, other simple values, and no
 *   indefinite lengths.
 * - Every head (initial byte plus argument) is the shortest possible (RFC 8949 §4.2.1): arguments < 24
 *   in the initial byte, < 2^8 with 0x18, < 2^16 with 0x19, < 2^32 with 0x1a, else 0x1b. This also
 *   fixes the length heads of strings and arrays.
 * - Exactly one data item: no bytes before or after it.
 * So every value has exactly one encoding, and it equals RFC 8949 deterministic encoding of that value.
 *
 * DECODING: rejects anything outside the subset with a `DecodeError` naming the byte offset. Integers
 * decode as `number` when <= Number.MAX_SAFE_INTEGER (2^53-1) and as `bigint` above, so a value has
 * one JS form; the encoder accepts either form for any integer (5 and 5n give the same bytes). Byte
 * strings decode as fresh copies (never views into the input). `bytes.length <= maxBytes` is checked
 * before anything else; then depth (nested arrays) and the total count of data items are bounded, and
 * no length claim larger than the bytes remaining is believed, so hostile input cannot make us allocate
 * more than a small multiple of its own size.
 */
import { DecodeError, type DecodeErrorCode, EncodeError, ROOT_FIELD } from "./decode-error.ts";

/** A value in the Lattice canonical subset. `number` must be a non-negative safe integer. */
export type CanonicalValue =
  | bigint
  | number
  | Uint8Array
  | string
  | boolean
  | null
  | readonly CanonicalValue[];

/** Bounds on what a decoder will read; every field is optional and falls back to the defaults. */
export interface DecodeLimits {
  /** Largest accepted input, in bytes. Default `DEFAULT_MAX_BYTES` (1 MiB). */
  readonly maxBytes?: number;
  /** Deepest accepted array nesting; a flat array has depth 1. Default `DEFAULT_MAX_DEPTH` (32). */
  readonly maxDepth?: number;
  /** Most data items (every integer, string, array, ...) in one input. Default `DEFAULT_MAX_ITEMS`. */
  readonly maxItems?: number;
}

export const DEFAULT_MAX_BYTES = 1 << 20;
export const DEFAULT_MAX_DEPTH = 32;
/** 2^18: a full 1 MiB message of 4-byte items; large enough for any batch we send, small enough to bound work. */
export const DEFAULT_MAX_ITEMS = 1 << 18;
/** Hard ceiling on any `maxDepth`, because decoding recurses once per level. */
export const MAX_DEPTH_LIMIT = 256;
export const MAX_UINT64 = (1n << 64n) - 1n;

const TWO_32 = 0x1_0000_0000;
// Above this high word a 64-bit argument no longer fits a safe integer.
const MAX_SAFE_HIGH = 0x1f_ffff;
const textEncoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is data; stripping it would make decode(encode(s)) !== s.
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * UTF-8 byte length of `s`, or -1 if `s` holds a lone surrogate (which has no UTF-8 form; TextEncoder
 * would silently replace it with U+FFFD and change what is signed).
 */
export function utf8ByteLength(s: string): number {
  let len = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) len += 1;
    else if (c < 0x800) len += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      len += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else len += 3;
  }
  return len;
}

/** Options for `encodeCanonical`. */
export interface EncodeOptions {
  /** Deepest array nesting to write (also stops cycles). Default `DEFAULT_MAX_DEPTH`, as decoders. */
  readonly maxDepth?: number;
}

const INITIAL_CAPACITY = 256;
// A writer that grew past this for one big value is dropped so one message does not pin memory.
const RETAIN_CAPACITY = 1 << 20;

class Writer {
  buf = new Uint8Array(INITIAL_CAPACITY);
  pos = 0;
  maxDepth = DEFAULT_MAX_DEPTH;
  // Index at each nesting level, read only to name the field when encoding fails.
  readonly path: number[] = [];

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  head(major: number, n: number): void {
    this.ensure(9);
    const b = this.buf;
    const m = major << 5;
    let p = this.pos;
    if (n < 24) b[p++] = m | n;
    else if (n < 0x100) {
      b[p++] = m | 24;
      b[p++] = n;
    } else if (n < 0x10000) {
      b[p++] = m | 25;
      b[p++] = n >>> 8;
      b[p++] = n & 0xff;
    } else if (n < TWO_32) {
      b[p++] = m | 26;
      p = put32(b, p, n);
    } else {
      b[p++] = m | 27;
      p = put32(b, p, Math.floor(n / TWO_32));
      p = put32(b, p, n >>> 0);
    }
    this.pos = p;
  }

  bigHead(v: bigint, depth: number): void {
    // Number() rounds every v >= 2^53 to at least 2^53, so a result in the safe range means v itself
    // is a safe integer: one conversion both checks and gives the head argument.
    const n = Number(v);
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) {
      this.head(0, n);
      return;
    }
    if (v < 0n || v > MAX_UINT64) this.fail(depth, `integer ${v} outside 0..2^64-1`);
    this.ensure(9);
    this.buf[this.pos] = 0x1b;
    put32(this.buf, this.pos + 1, Number(v >> 32n));
    this.pos = put32(this.buf, this.pos + 5, Number(v & 0xffff_ffffn));
  }

  text(s: string, depth: number): void {
    const n = s.length;
    if (n <= 32) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.head(3, n);
        this.ensure(n);
        for (let i = 0; i < n; i++) this.buf[this.pos++] = s.charCodeAt(i);
        return;
      }
    }
    const len = utf8ByteLength(s);
    if (len < 0) this.fail(depth, "text contains a lone surrogate (not valid Unicode)");
    this.head(3, len);
    this.ensure(len);
    textEncoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
  }

  value(v: unknown, depth: number): void {
    switch (typeof v) {
      case "number":
        if (!Number.isSafeInteger(v) || v < 0) {
          this.fail(depth, `expected a non-negative safe integer, got ${v}`);
        }
        this.head(0, v);
        return;
      case "bigint":
        this.bigHead(v, depth);
        return;
      case "string":
        this.text(v, depth);
        return;
      case "boolean":
        this.ensure(1);
        this.buf[this.pos++] = v ? 0xf5 : 0xf4;
        return;
      case "object":
        if (v === null) {
          this.ensure(1);
          this.buf[this.pos++] = 0xf6;
          return;
        }
        if (v instanceof Uint8Array) {
          this.head(2, v.length);
          this.ensure(v.length);
          this.buf.set(v, this.pos);
          this.pos += v.length;
          return;
        }
        if (Array.isArray(v)) {
          if (depth >= this.maxDepth) this.fail(depth, `arrays nested deeper than ${this.maxDepth}`);
          const items: readonly unknown[] = v;
          this.head(4, items.length);
          for (let i = 0; i < items.length; i++) {
            this.path[depth] = i;
            this.value(items[i], depth + 1);
          }
          return;
        }
        this.fail(depth, `unsupported type ${v.constructor?.name ?? "object"}`);
        break;
      default:
        this.fail(depth, `unsupported type ${typeof v}`);
    }
  }

  fail(depth: number, reason: string): never {
    let field = ROOT_FIELD;
    for (let i = 0; i < depth; i++) field = `${i === 0 ? "" : field}[${this.path[i]}]`;
    throw new EncodeError(field, reason);
  }
}

function put32(b: Uint8Array, p: number, n: number): number {
  b[p] = n >>> 24;
  b[p + 1] = (n >>> 16) & 0xff;
  b[p + 2] = (n >>> 8) & 0xff;
  b[p + 3] = n & 0xff;
  return p + 4;
}

// One writer is reused; a nested call (impossible today, but cheap to survive) gets a fresh one.
let spareWriter: Writer | null = new Writer();

/**
 * Encode `value` as Lattice canonical CBOR (see the module header). Throws `EncodeError` naming the
 * position (`<root>`, `[2][0]`, ...) for anything outside the subset.
 *
 * @example encodeCanonical([1n, "IETF", new Uint8Array([1])]) // 83 01 64 49455446 41 01
 */
export function encodeCanonical(value: CanonicalValue, options: EncodeOptions = {}): Uint8Array {
  const maxDepth = checkLimit("maxDepth", options.maxDepth, DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT);
  const w = spareWriter ?? new Writer();
  spareWriter = null;
  w.pos = 0;
  w.maxDepth = maxDepth;
  try {
    w.value(value, 0);
    return w.buf.slice(0, w.pos);
  } finally {
    if (w.buf.length > RETAIN_CAPACITY) w.buf = new Uint8Array(INITIAL_CAPACITY);
    spareWriter = w;
  }
}

function checkLimit(name: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new RangeError(`limits.${name} must be an integer in 0..${max}, got ${v}`);
  }
  return v;
}

class Reader {
  pos = 0;
  items = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
    readonly root: string,
  ) {}

  fail(code: DecodeErrorCode, reason: string, offset: number): never {
    throw new DecodeError(code, this.root, reason, { offset });
  }

  need(start: number, n: number): void {
    if (this.bytes.length - this.pos < n) {
      this.fail("DECODE_TRUNCATED", `needs ${n} more bytes, ${this.bytes.length - this.pos} remain`, start);
    }
  }

  item(depth: number): CanonicalValue {
    const b = this.bytes;
    const start = this.pos;
    if (start >= b.length) this.fail("DECODE_TRUNCATED", "input ends where a value should start", start);
    if (++this.items > this.maxItems) {
      this.fail("DECODE_TOO_LARGE", `more than ${this.maxItems} items`, start);
    }
    const ib = b[start]!;
    const major = ib >>> 5;
    const ai = ib & 0x1f;
    this.pos = start + 1;
    if (major === 7) {
      if (ai === 20) return false;
      if (ai === 21) return true;
      if (ai === 22) return null;
      return this.fail("DECODE_UNSUPPORTED_CBOR", simpleName(ai), start);
    }
    if (major === 1) this.fail("DECODE_UNSUPPORTED_CBOR", "negative integers are not allowed", start);
    if (major === 5) this.fail("DECODE_UNSUPPORTED_CBOR", "maps are not allowed", start);
    if (major === 6) this.fail("DECODE_UNSUPPORTED_CBOR", "tags are not allowed", start);

    let n: number;
    if (ai < 24) n = ai;
    else if (ai === 24) {
      this.need(start, 1);
      n = b[this.pos++]!;
      if (n < 24) this.fail("DECODE_NON_CANONICAL", `${n} written with a 1-byte argument`, start);
    } else if (ai === 25) {
      this.need(start, 2);
      n = (b[this.pos]! << 8) | b[this.pos + 1]!;
      this.pos += 2;
      if (n < 0x100) this.fail("DECODE_NON_CANONICAL", `${n} written with a 2-byte argument`, start);
    } else if (ai === 26) {
      this.need(start, 4);
      n = get32(b, this.pos);
      this.pos += 4;
      if (n < 0x10000) this.fail("DECODE_NON_CANONICAL", `${n} written with a 4-byte argument`, start);
    } else if (ai === 27) {
      this.need(start, 8);
      const hi = get32(b, this.pos);
      const lo = get32(b, this.pos + 4);
      this.pos += 8;
      if (hi === 0) this.fail("DECODE_NON_CANONICAL", `${lo} written with an 8-byte argument`, start);
      if (hi > MAX_SAFE_HIGH) {
        if (major === 0) return (BigInt(hi) << 32n) | BigInt(lo);
        // No input we accept can hold 2^53 bytes or items.
        return this.fail("DECODE_TRUNCATED", "length larger than the input", start);
      }
      n = hi * TWO_32 + lo;
    } else if (ai === 31) {
      return this.fail(
        "DECODE_UNSUPPORTED_CBOR",
        major === 0 ? "malformed integer (additional info 31)" : "indefinite lengths are not allowed",
        start,
      );
    } else {
      return this.fail("DECODE_UNSUPPORTED_CBOR", `reserved additional info ${ai}`, start);
    }

    if (major === 0) return n;
    // Every byte and every item takes at least one byte, so a longer claim is a lie we need not believe.
    if (n > b.length - this.pos) {
      this.fail("DECODE_TRUNCATED", `length ${n} exceeds the bytes remaining`, start);
    }
    if (major === 2) {
      const end = this.pos + n;
      const out = b.slice(this.pos, end);
      this.pos = end;
      return out;
    }
    if (major === 3) return this.text(n, start);
    // major === 4
    if (depth >= this.maxDepth) {
      this.fail("DECODE_TOO_DEEP", `arrays nested deeper than ${this.maxDepth}`, start);
    }
    if (this.items + n > this.maxItems) {
      this.fail("DECODE_TOO_LARGE", `more than ${this.maxItems} items`, start);
    }
    const arr = new Array<CanonicalValue>(n);
    for (let i = 0; i < n; i++) arr[i] = this.item(depth + 1);
    return arr;
  }

  text(n: number, start: number): string {
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + n;
    if (n <= 16) {
      // Short ASCII is the common case (names, memos); skip the TextDecoder call for it.
      let s = "";
      let i = 0;
      for (; i < n && b[p + i]! < 0x80; i++) s += String.fromCharCode(b[p + i]!);
      if (i === n) return s;
    }
    try {
      return textDecoder.decode(b.subarray(p, p + n));
    } catch (cause) {
      throw new DecodeError("DECODE_INVALID_UTF8", this.root, "text is not valid UTF-8", {
        offset: start,
        cause,
      });
    }
  }
}

function get32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function simpleName(ai: number): string {
  if (ai === 23) return "undefined is not allowed";
  if (ai >= 25 && ai <= 27) return "floats are not allowed";
  if (ai === 31) return "break outside an indefinite-length item";
  return `simple value (additional info ${ai}) is not allowed`;
}

/**
 * Decode one Lattice canonical CBOR value, or throw `DecodeError` (code and byte offset say why).
 * Integers come back as `number` up to 2^53-1 and as `bigint` above. See the module header.
 */
export function decodeCanonical(bytes: Uint8Array, limits: DecodeLimits = {}): CanonicalValue {
  return decodeCanonicalAt(bytes, limits, ROOT_FIELD);
}

/** `decodeCanonical` with the name errors should carry as their field (e.g. a message name). */
export function decodeCanonicalAt(bytes: Uint8Array, limits: DecodeLimits, root: string): CanonicalValue {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodeCanonical expects a Uint8Array");
  const maxBytes = checkLimit("maxBytes", limits.maxBytes, DEFAULT_MAX_BYTES, Number.MAX_SAFE_INTEGER);
  if (bytes.length > maxBytes) {
    throw new DecodeError("DECODE_TOO_LARGE", root, `input is ${bytes.length} bytes, limit ${maxBytes}`, {
      offset: 0,
    });
  }
  const maxDepth = checkLimit("maxDepth", limits.maxDepth, DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT);
  const maxItems = checkLimit("maxItems", limits.maxItems, DEFAULT_MAX_ITEMS, Number.MAX_SAFE_INTEGER);
  // A Buffer's slice() is a view; reading through a plain Uint8Array makes decoded bytes real copies.
  const plain =
    bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const r = new Reader(plain, maxDepth, maxItems, root);
  const value = r.item(0);
  if (r.pos !== bytes.length) {
    r.fail("DECODE_TRAILING_BYTES", `${bytes.length - r.pos} bytes after the value`, r.pos);
  }
  return value;
}

/** Byte-wise equality, for canonicality checks. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
