/**
 * Property tests of the canonical codec, including a differential check against cborg (the reference
 * implementation) in RFC 8949 deterministic mode. Fixed seeds: a failure replays exactly.
 */
import { describe, expect, test } from "bun:test";
import { decode as cborgDecode, encode as cborgEncode, rfc8949EncodeOptions } from "cborg";
import fc from "fast-check";
import {
  type CanonicalValue,
  DEFAULT_MAX_DEPTH,
  decodeCanonical,
  encodeCanonical,
  MAX_UINT64,
} from "./canonical.ts";
import { DecodeError } from "./decode-error.ts";

const integer = fc.oneof(
  fc.integer({ min: 0, max: 30 }),
  fc.integer({ min: 0, max: 70000 }),
  fc.maxSafeNat(),
  fc.bigInt({ min: 0n, max: MAX_UINT64 }),
  fc.constantFrom(
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    2n ** 53n,
    MAX_UINT64,
  ),
);
const leaf: fc.Arbitrary<CanonicalValue> = fc.oneof(
  integer,
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "binary-ascii", maxLength: 300 }),
  // Edge cases a generator rarely hits: a leading BOM, NUL, the last code point, around the surrogates.
  fc.constantFrom("\ufeff", "\ufeffabc", "a\u0000b", "\u{10ffff}", "\ud7ff\ue000", "\u07ff\u0800"),
  fc.boolean(),
  fc.constant(null),
);
const { value: canonicalValue } = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 6 }),
  ),
}));

/** The one JS form the decoder returns for a value: integers <= 2^53-1 as number, above as bigint. */
function normal(v: CanonicalValue): CanonicalValue {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map((x: CanonicalValue) => normal(x));
  return v;
}

/**
 * cborg 6.1.5 decodes text with a default TextDecoder, which strips a leading U+FEFF (and replaces bad
 * UTF-8 instead of rejecting it). We keep the BOM as data (it was signed); this maps our values to
 * what cborg returns, so the differential test still covers every other string.
 */
function cborgView(v: CanonicalValue): CanonicalValue {
  if (typeof v === "string") return v.startsWith("\ufeff") ? v.slice(1) : v;
  if (Array.isArray(v)) return v.map((x: CanonicalValue) => cborgView(x));
  return v;
}

/** Array nesting depth: a scalar is 0, a flat array 1. */
function depthOf(v: CanonicalValue): number {
  return Array.isArray(v) ? 1 + Math.max(0, ...v.map((x: CanonicalValue) => depthOf(x))) : 0;
}

/** Data items in v, itself included. */
function itemsOf(v: CanonicalValue): number {
  return Array.isArray(v) ? 1 + v.reduce((sum: number, x: CanonicalValue) => sum + itemsOf(x), 0) : 1;
}

/** Decode, allowing only DecodeError; returns the value or undefined. */
function tryDecode(bytes: Uint8Array): CanonicalValue | undefined {
  try {
    return decodeCanonical(bytes);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return undefined;
  }
}

describe("canonical codec properties", () => {
  test("decode(encode(v)) equals v (integers in their normal form)", () => {
    fc.assert(
      fc.property(canonicalValue, (v) => {
        expect(decodeCanonical(encodeCanonical(v))).toEqual(normal(v));
      }),
      { seed: 0x1a771ce, numRuns: 400 },
    );
  });

  test("encode(decode(b)) equals b for every b that decodes (one encoding per value)", () => {
    fc.assert(
      fc.property(canonicalValue, (v) => {
        const bytes = encodeCanonical(v);
        expect(encodeCanonical(decodeCanonical(bytes))).toEqual(bytes);
      }),
      { seed: 0x5eed01, numRuns: 300 },
    );
  });

  test("random bytes: only DecodeError, and whatever decodes re-encodes to the same bytes", () => {
    // Bias towards bytes that form valid heads so the decoder gets past the first byte often.
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x00, 0x18, 0x41, 0x61, 0x82, 0x83, 0xf6),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 24 }), (arr) => {
        const bytes = Uint8Array.from(arr);
        const v = tryDecode(bytes);
        if (v !== undefined) expect(encodeCanonical(v)).toEqual(bytes);
      }),
      { seed: 0x5eed02, numRuns: 3000 },
    );
  });

  test("mutated valid encodings (flip, insert, delete, truncate): only DecodeError, canonical if accepted", () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
      fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(canonicalValue, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, mutations) => {
        let b = Array.from(encodeCanonical(v));
        for (const m of mutations) {
          const at = b.length === 0 ? 0 : m.at % (b.length + (m.op === "insert" ? 1 : 0));
          if (m.op === "flip" && b.length > 0) b[at] = (b[at] as number) ^ (1 << m.bit);
          else if (m.op === "set" && b.length > 0) b[at] = m.byte;
          else if (m.op === "insert") b.splice(at, 0, m.byte);
          else if (m.op === "delete") b.splice(at, 1);
          else if (m.op === "truncate") b = b.slice(0, at);
        }
        const bytes = Uint8Array.from(b);
        const decoded = tryDecode(bytes);
        if (decoded !== undefined) expect(encodeCanonical(decoded)).toEqual(bytes);
      }),
      { seed: 0x5eed03, numRuns: 1500 },
    );
  });

  test("limits: accepted exactly when size, depth and item count are all within them", () => {
    fc.assert(
      fc.property(
        canonicalValue,
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        (v, maxBytes, maxDepth, maxItems) => {
          const bytes = encodeCanonical(v);
          const fits = bytes.length <= maxBytes && depthOf(v) <= maxDepth && itemsOf(v) <= maxItems;
          try {
            expect(decodeCanonical(bytes, { maxBytes, maxDepth, maxItems })).toEqual(normal(v));
            expect(fits).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError);
            expect(["DECODE_TOO_LARGE", "DECODE_TOO_DEEP"]).toContain((err as DecodeError).code);
            expect(fits).toBe(false);
          }
        },
      ),
      { seed: 0x5eed04, numRuns: 600 },
    );
  });
});

/** The head of `major` with argument `n` written `width` bytes wide (0 = in the initial byte). */
function headOfWidth(major: number, n: bigint, width: 0 | 1 | 2 | 4 | 8): number[] {
  const ai = { 0: Number(n), 1: 24, 2: 25, 4: 26, 8: 27 }[width];
  const out = [(major << 5) | ai];
  for (let i = width - 1; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
  return out;
}

describe("shortest heads", () => {
  const widths = [0, 1, 2, 4, 8] as const;
  const maxOf = { 0: 23n, 1: 0xffn, 2: 0xffffn, 4: 0xffff_ffffn, 8: MAX_UINT64 };

  test("every integer and length is accepted in exactly its shortest head, rejected in every wider one", () => {
    const argument = fc.oneof(
      fc.bigInt({ min: 0n, max: 300n }),
      fc.bigInt({ min: 0n, max: 70000n }),
      fc.bigInt({ min: 0n, max: MAX_UINT64 }),
    );
    fc.assert(
      fc.property(argument, fc.constantFrom(0, 2, 3, 4), (n, major) => {
        // Strings and arrays get a body of n bytes / n items (kept small by bounding n for them).
        const len = major === 0 ? 0n : n % 64n;
        // 0x00 is one byte, one item (uint 0) and one UTF-8 character (NUL) alike.
        const body: number[] = major === 0 ? [] : Array.from({ length: Number(len) }, () => 0x00);
        const arg = major === 0 ? n : len;
        const fits = widths.filter((w) => arg <= maxOf[w]);
        const shortest = fits[0] as (typeof widths)[number];
        for (const w of fits) {
          const bytes = Uint8Array.from([...headOfWidth(major, arg, w), ...body]);
          if (w === shortest) expect(encodeCanonical(decodeCanonical(bytes))).toEqual(bytes);
          else expect(() => decodeCanonical(bytes)).toThrow(DecodeError);
        }
      }),
      { seed: 0x5eed07, numRuns: 300 },
    );
  });
});

describe("differential check against cborg (RFC 8949 deterministic)", () => {
  test("our bytes equal cborg's for the same value, and cborg's strict decoder returns the value", () => {
    fc.assert(
      fc.property(canonicalValue, (v) => {
        const ours = encodeCanonical(v);
        expect(ours).toEqual(cborgEncode(v, rfc8949EncodeOptions));
        expect(cborgDecode(ours, { strict: true, rejectDuplicateMapKeys: true })).toEqual(
          cborgView(normal(v)),
        );
      }),
      { seed: 0x5eed05, numRuns: 400 },
    );
  });

  test("anything we accept from random bytes, cborg's strict decoder accepts with the same value", () => {
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x01, 0x18, 0x19, 0x42, 0x62, 0x82),
    );
    fc.assert(
      fc.property(fc.array(byte, { minLength: 1, maxLength: 16 }), (arr) => {
        const bytes = Uint8Array.from(arr);
        const v = tryDecode(bytes);
        if (v !== undefined) expect(cborgDecode(bytes, { strict: true })).toEqual(cborgView(v));
      }),
      { seed: 0x5eed06, numRuns: 3000 },
    );
  });

  test("cborg's deterministic encoding of deep nesting matches ours at the depth limit", () => {
    let v: CanonicalValue = "x";
    for (let i = 0; i < DEFAULT_MAX_DEPTH; i++) v = [v, i];
    expect(encodeCanonical(v)).toEqual(cborgEncode(v, rfc8949EncodeOptions));
  });
});
