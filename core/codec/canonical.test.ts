import { describe, expect, test } from "bun:test";
import {
  type CanonicalValue,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  decodeCanonical,
  encodeCanonical,
  MAX_UINT64,
  utf8ByteLength,
} from "./canonical.ts";
import { expectDecodeError, expectEncodeError, hex, unhex } from "./test-helpers.ts";

function nested(depth: number): CanonicalValue {
  let v: CanonicalValue = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe("RFC 8949 Appendix A vectors (the supported subset)", () => {
  const vectors: [CanonicalValue, string][] = [
    [0, "00"],
    [1, "01"],
    [10, "0a"],
    [23, "17"],
    [24, "1818"],
    [25, "1819"],
    [100, "1864"],
    [1000, "1903e8"],
    [1000000, "1a000f4240"],
    [1000000000000, "1b000000e8d4a51000"],
    [18446744073709551615n, "1bffffffffffffffff"],
    [false, "f4"],
    [true, "f5"],
    [null, "f6"],
    [new Uint8Array(0), "40"],
    [new Uint8Array([1, 2, 3, 4]), "4401020304"],
    ["", "60"],
    ["a", "6161"],
    ["IETF", "6449455446"],
    ['"\\', "62225c"],
    ["\u00fc", "62c3bc"],
    ["\u6c34", "63e6b0b4"],
    ["\ud800\udd51", "64f0908591"],
    [[], "80"],
    [[1, 2, 3], "83010203"],
    [[1, [2, 3], [4, 5]], "8301820203820405"],
    [
      Array.from({ length: 25 }, (_, i) => i + 1),
      "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
    ],
  ];
  for (const [value, bytes] of vectors) {
    test(`${bytes}`, () => {
      expect(hex(encodeCanonical(value))).toBe(bytes);
      expect(decodeCanonical(unhex(bytes))).toEqual(value);
    });
  }
});

describe("integers", () => {
  test("number and bigint forms give the same bytes", () => {
    for (const n of [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(encodeCanonical(BigInt(n))).toEqual(encodeCanonical(n));
    }
  });

  test("decode as number up to 2^53-1 and as bigint above", () => {
    expect(decodeCanonical(unhex("1b001fffffffffffff"))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeCanonical(unhex("1b0020000000000000"))).toBe(2n ** 53n);
    expect(decodeCanonical(unhex("1bffffffffffffffff"))).toBe(MAX_UINT64);
  });

  test("each head width switches at its boundary", () => {
    const cases: [number, string][] = [
      [23, "17"],
      [24, "1818"],
      [255, "18ff"],
      [256, "190100"],
      [65535, "19ffff"],
      [65536, "1a00010000"],
      [2 ** 32 - 1, "1affffffff"],
      [2 ** 32, "1b0000000100000000"],
    ];
    for (const [n, bytes] of cases) expect(hex(encodeCanonical(n))).toBe(bytes);
  });

  test("-0 encodes as 0", () => {
    expect(hex(encodeCanonical(-0))).toBe("00");
  });
});

describe("text", () => {
  test("a leading U+FEFF is data, not a stripped BOM", () => {
    const bytes = encodeCanonical("\ufeffa");
    expect(hex(bytes)).toBe("64efbbbf61");
    expect(decodeCanonical(bytes)).toBe("\ufeffa");
  });

  test("long and non-ASCII strings round trip", () => {
    for (const s of ["x".repeat(33), "é".repeat(40), "a😀b", "ascii then ü".repeat(10)]) {
      const bytes = encodeCanonical(s);
      expect(decodeCanonical(bytes)).toBe(s);
      expect(bytes.length).toBe(
        1 + (utf8ByteLength(s) < 24 ? 0 : utf8ByteLength(s) < 256 ? 1 : 2) + utf8ByteLength(s),
      );
    }
  });

  test("utf8ByteLength counts UTF-8 bytes and flags lone surrogates", () => {
    expect(utf8ByteLength("a\u00fc\u6c34\ud83d\ude00")).toBe(1 + 2 + 3 + 4);
    expect(utf8ByteLength("\ud800")).toBe(-1);
    expect(utf8ByteLength("\udc00a")).toBe(-1);
    expect(utf8ByteLength("a\ud800b")).toBe(-1);
  });
});

describe("decode errors, one handcrafted input per code", () => {
  test("DECODE_TOO_LARGE: length checked before anything is read", () => {
    // 0xff is not even valid; the size check must come first.
    expectDecodeError(
      () => decodeCanonical(new Uint8Array(11).fill(0xff), { maxBytes: 10 }),
      "DECODE_TOO_LARGE",
      {
        offset: 0,
      },
    );
    expectDecodeError(() => decodeCanonical(new Uint8Array(DEFAULT_MAX_BYTES + 1)), "DECODE_TOO_LARGE");
  });

  test("DECODE_TOO_LARGE: more items than maxItems", () => {
    expectDecodeError(() => decodeCanonical(unhex("83010203"), { maxItems: 3 }), "DECODE_TOO_LARGE", {
      offset: 0,
    });
    expect(decodeCanonical(unhex("83010203"), { maxItems: 4 })).toEqual([1, 2, 3]);
    // Counted at the array head that would exceed the limit (offset 3), before reading its items.
    expectDecodeError(() => decodeCanonical(unhex("828100820102"), { maxItems: 4 }), "DECODE_TOO_LARGE", {
      offset: 3,
    });
  });

  test("DECODE_TOO_DEEP: arrays nested past maxDepth", () => {
    expect(decodeCanonical(encodeCanonical(nested(DEFAULT_MAX_DEPTH)))).toEqual(nested(DEFAULT_MAX_DEPTH));
    const deep = new Uint8Array(DEFAULT_MAX_DEPTH + 2).fill(0x81);
    deep[DEFAULT_MAX_DEPTH + 1] = 0x00;
    expectDecodeError(() => decodeCanonical(deep), "DECODE_TOO_DEEP", { offset: DEFAULT_MAX_DEPTH });
    expectDecodeError(() => decodeCanonical(unhex("818100"), { maxDepth: 1 }), "DECODE_TOO_DEEP", {
      offset: 1,
    });
    expectDecodeError(() => decodeCanonical(unhex("80"), { maxDepth: 0 }), "DECODE_TOO_DEEP", { offset: 0 });
  });

  test("DECODE_TRUNCATED", () => {
    const cases: [string, number][] = [
      ["", 0],
      ["18", 0],
      ["19 01", 0],
      ["1a 0001 00", 0],
      ["1b 00000001 000000", 0],
      ["43 0102", 0],
      ["63 6161", 0],
      // An array claiming more items than bytes remain fails at its head.
      ["83 01 02", 0],
      ["82 01 82 02", 2],
      ["82 01 42 01", 2],
      // A length claim bigger than the input is rejected before any allocation.
      ["9a ffffffff 00", 0],
      ["5b 0020000000000000", 0],
      ["7b ffffffffffffffff", 0],
    ];
    for (const [bytes, offset] of cases) {
      expectDecodeError(() => decodeCanonical(unhex(bytes)), "DECODE_TRUNCATED", { offset, field: "<root>" });
    }
  });

  test("DECODE_TRAILING_BYTES", () => {
    expectDecodeError(() => decodeCanonical(unhex("0000")), "DECODE_TRAILING_BYTES", { offset: 1 });
    expectDecodeError(() => decodeCanonical(unhex("820102 f6")), "DECODE_TRAILING_BYTES", { offset: 3 });
  });

  test("DECODE_NON_CANONICAL: every non-shortest head", () => {
    const cases = [
      "1805",
      "1817",
      "1900ff",
      "1a0000ffff",
      "1b00000000ffffffff",
      "5801 00",
      "7801 61",
      "9801 00",
      "990001 00",
      "82 1800 00",
    ];
    for (const bytes of cases) {
      const offset = bytes.startsWith("82") ? 1 : 0;
      expectDecodeError(() => decodeCanonical(unhex(bytes)), "DECODE_NON_CANONICAL", { offset });
    }
  });

  test("DECODE_UNSUPPORTED_CBOR: maps, tags, floats, negatives, indefinite, undefined, simple, reserved", () => {
    const cases = [
      "a0", // empty map
      "a1 01 02",
      "c0 00", // tag 0
      "d818 40", // tag 24
      "20", // -1
      "3863", // -100
      "f9 3c00", // half float 1.0
      "fa 47c35000",
      "fb 3ff199999999999a",
      "f7", // undefined
      "f0", // simple(16)
      "f8 ff", // simple(255)
      "ff", // lone break
      "5f 41 00 ff", // indefinite bytes
      "7f ff",
      "9f ff",
      "bf ff",
      "1c", // reserved additional info
      "5d",
      "1f",
    ];
    for (const bytes of cases) {
      expectDecodeError(() => decodeCanonical(unhex(bytes)), "DECODE_UNSUPPORTED_CBOR", { offset: 0 });
    }
    expectDecodeError(() => decodeCanonical(unhex("83 01 a0 02")), "DECODE_UNSUPPORTED_CBOR", { offset: 2 });
  });

  test("DECODE_INVALID_UTF8", () => {
    const cases = [
      "62 c328", // bad continuation
      "61 80", // lone continuation
      "61 ff",
      "63 eda080", // encoded surrogate U+D800
      "62 c0af", // overlong '/'
      "64 f4908080", // above U+10FFFF
      "64 616161 c3", // ASCII then a cut sequence (short-string path falls back to the decoder)
      "71 61616161616161616161616161616161 c3", // same, past the short-string path
    ];
    for (const bytes of cases) {
      expectDecodeError(() => decodeCanonical(unhex(bytes)), "DECODE_INVALID_UTF8", { offset: 0 });
    }
    expectDecodeError(() => decodeCanonical(unhex("82 00 61 80")), "DECODE_INVALID_UTF8", { offset: 2 });
  });

  test("bad arguments are TypeError / RangeError, not DecodeError", () => {
    expect(() => decodeCanonical([0] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodeCanonical(unhex("00"), { maxDepth: 1000 })).toThrow(RangeError);
    expect(() => decodeCanonical(unhex("00"), { maxBytes: -1 })).toThrow(RangeError);
    expect(() => decodeCanonical(unhex("00"), { maxItems: 1.5 })).toThrow(RangeError);
  });
});

describe("decoding", () => {
  test("byte strings are copies, even from a Buffer input", () => {
    const input = Buffer.from("8143010203", "hex");
    const [out] = decodeCanonical(input) as [Uint8Array];
    expect(out.constructor).toBe(Uint8Array);
    out[0] = 9;
    expect(input[2]).toBe(1);
  });

  test("reads from a subarray at its own offset", () => {
    const big = unhex("ff ff 8201 02 ff");
    expect(decodeCanonical(big.subarray(2, 5))).toEqual([1, 2]);
  });
});

describe("encode errors name the position", () => {
  const bad: [string, unknown, string][] = [
    ["negative", -1, "<root>"],
    ["fraction", 1.5, "<root>"],
    ["2^53", Number.MAX_SAFE_INTEGER + 1, "<root>"],
    ["NaN", Number.NaN, "<root>"],
    ["Infinity", Number.POSITIVE_INFINITY, "<root>"],
    ["negative bigint", -1n, "<root>"],
    ["2^64", MAX_UINT64 + 1n, "<root>"],
    ["undefined", undefined, "<root>"],
    ["object", { a: 1 }, "<root>"],
    ["Map", new Map(), "<root>"],
    ["Uint16Array", new Uint16Array(2), "<root>"],
    ["symbol", Symbol("x"), "<root>"],
    ["lone high surrogate", "\ud800", "<root>"],
    ["lone low surrogate in a long string", `${"a".repeat(40)}\udfff`, "<root>"],
    ["nested negative", [1, [2, -3]], "[1][1]"],
    ["nested undefined", [[0, 1, [undefined]]], "[0][2][0]"],
    // A hole in a sparse array is not a value.
    ["sparse array", new Array(3), "[0]"],
  ];
  for (const [label, value, field] of bad) {
    test(`${label} at ${field}`, () => {
      expectEncodeError(() => encodeCanonical(value as CanonicalValue), field);
    });
  }

  test("nesting deeper than maxDepth (and cycles) are refused", () => {
    expect(() => encodeCanonical(nested(DEFAULT_MAX_DEPTH))).not.toThrow();
    expectEncodeError(() => encodeCanonical(nested(DEFAULT_MAX_DEPTH + 1)), "[0]".repeat(DEFAULT_MAX_DEPTH));
    const cycle: CanonicalValue[] = [];
    cycle.push(cycle);
    expectEncodeError(() => encodeCanonical(cycle), "[0]".repeat(DEFAULT_MAX_DEPTH));
    expect(hex(encodeCanonical(nested(40), { maxDepth: 40 })).length).toBe(82);
  });

  test("the encoder is usable after a failure and after a very large value", () => {
    expect(() => encodeCanonical([1, 2, -1])).toThrow();
    expect(hex(encodeCanonical([1, 2]))).toBe("820102");
    const large = new Uint8Array(3 << 20).fill(7);
    const out = encodeCanonical(large);
    expect(out.length).toBe(5 + large.length);
    expect(hex(out.subarray(0, 6))).toBe("5a0030000007");
    expect(hex(encodeCanonical("IETF"))).toBe("6449455446");
  });

  test("results are independent copies", () => {
    const a = encodeCanonical([1, 2, 3]);
    const b = encodeCanonical([4, 5, 6]);
    expect(hex(a)).toBe("83010203");
    expect(hex(b)).toBe("83040506");
  });
});
