import { describe, expect, test } from "bun:test";
import { type CanonicalValue, MAX_UINT64 } from "./canonical.ts";
import {
  bool,
  bytes,
  bytesMax,
  enumOf,
  type Infer,
  list,
  optional,
  type Schema,
  text,
  u8,
  u16,
  u32,
  u64,
  uint53,
} from "./schema.ts";
import { expectDecodeError, expectEncodeError } from "./test-helpers.ts";

/** Accepted both ways: toValue gives `wire`, fromValue(wire) gives `value` back. */
function roundTrips<T>(schema: Schema<T>, value: T, wire: CanonicalValue): void {
  expect(schema.toValue(value)).toEqual(wire);
  expect(schema.fromValue(wire)).toEqual(value);
}

describe("unsigned integers", () => {
  const cases: [Schema<number>, number][] = [
    [u8, 0xff],
    [u16, 0xffff],
    [u32, 0xffff_ffff],
    [uint53, Number.MAX_SAFE_INTEGER],
  ];
  for (const [schema, max] of cases) {
    test(`${schema.kind}: 0..${max}`, () => {
      roundTrips(schema, 0, 0);
      roundTrips(schema, max, max);
      for (const bad of [max + 1, -1, 1.5, Number.NaN, "1", 1n, null, undefined]) {
        expectEncodeError(() => schema.toValue(bad as number), "<root>");
      }
      if (max < Number.MAX_SAFE_INTEGER) expectDecodeError(() => schema.fromValue(max + 1), "DECODE_RANGE");
      expectDecodeError(() => schema.fromValue(2n ** 60n), "DECODE_RANGE");
      for (const bad of ["1", true, null, new Uint8Array(1), [], -1, 0.5]) {
        expectDecodeError(() => schema.fromValue(bad as CanonicalValue), "DECODE_SHAPE");
      }
    });
  }

  test("-0 is written as 0", () => {
    expect(Object.is(u8.toValue(-0), 0)).toBe(true);
  });

  test("u64: bigint in 0..2^64-1, decoded from either integer form", () => {
    roundTrips(u64, 0n, 0n);
    roundTrips(u64, MAX_UINT64, MAX_UINT64);
    expect(u64.fromValue(5)).toBe(5n);
    for (const bad of [5, -1n, MAX_UINT64 + 1n, "5", null]) {
      expectEncodeError(() => u64.toValue(bad as bigint), "<root>");
    }
    expectDecodeError(() => u64.fromValue(MAX_UINT64 + 1n), "DECODE_RANGE");
    for (const bad of ["5", false, -1, -1n, 1.5]) expectDecodeError(() => u64.fromValue(bad), "DECODE_SHAPE");
  });
});

describe("bool", () => {
  test("only booleans", () => {
    roundTrips(bool, true, true);
    roundTrips(bool, false, false);
    expectEncodeError(() => bool.toValue(1 as unknown as boolean), "<root>");
    expectDecodeError(() => bool.fromValue(0), "DECODE_SHAPE");
    expectDecodeError(() => bool.fromValue(null), "DECODE_SHAPE");
  });
});

describe("bytes", () => {
  test("bytes(n): exactly n", () => {
    const b32 = bytes(32);
    roundTrips(b32, new Uint8Array(32).fill(1), new Uint8Array(32).fill(1));
    expectEncodeError(() => b32.toValue(new Uint8Array(31)), "<root>");
    expectEncodeError(() => b32.toValue(new Uint8Array(33)), "<root>");
    expectEncodeError(() => b32.toValue("00" as unknown as Uint8Array), "<root>");
    expectDecodeError(() => b32.fromValue(new Uint8Array(31)), "DECODE_RANGE");
    expectDecodeError(() => b32.fromValue("x".repeat(32)), "DECODE_SHAPE");
  });

  test("bytesMax(n): 0..n", () => {
    const b = bytesMax(4);
    roundTrips(b, new Uint8Array(0), new Uint8Array(0));
    roundTrips(b, new Uint8Array(4), new Uint8Array(4));
    expectEncodeError(() => b.toValue(new Uint8Array(5)), "<root>");
    expectDecodeError(() => b.fromValue(new Uint8Array(5)), "DECODE_RANGE");
  });

  test("bad bounds are a RangeError at definition", () => {
    expect(() => bytes(-1)).toThrow(RangeError);
    expect(() => bytesMax(1.5)).toThrow(RangeError);
    expect(() => text(Number.NaN)).toThrow(RangeError);
    expect(() => list(u8, -2)).toThrow(RangeError);
  });
});

describe("text", () => {
  test("bound is in UTF-8 bytes, not UTF-16 units", () => {
    const t = text(5);
    roundTrips(t, "", "");
    roundTrips(t, "abcde", "abcde");
    roundTrips(t, "ü水", "ü水"); // 2 + 3 bytes
    expectEncodeError(() => t.toValue("abcdef"), "<root>");
    expectEncodeError(() => t.toValue("水水"), "<root>"); // 2 units, 6 bytes
    expectDecodeError(() => t.fromValue("水水"), "DECODE_RANGE");
    expectDecodeError(() => t.fromValue("abcdef"), "DECODE_RANGE");
    expectDecodeError(() => t.fromValue(new Uint8Array(1)), "DECODE_SHAPE");
  });

  test("lone surrogates cannot be encoded and are not accepted", () => {
    expectEncodeError(() => text(10).toValue("a\ud800"), "<root>");
    expectDecodeError(() => text(10).fromValue("a\ud800"), "DECODE_INVALID_UTF8");
  });
});

describe("optional", () => {
  test("null when absent; undefined is an error that says so", () => {
    const o = optional(u8);
    roundTrips(o, null, null);
    roundTrips(o, 7, 7);
    const err = expectEncodeError(() => o.toValue(undefined as unknown as null), "<root>");
    expect(err.reason).toContain("null");
    expectDecodeError(() => o.fromValue(256), "DECODE_RANGE");
  });

  test("cannot wrap a schema that already admits null", () => {
    expect(() => optional(optional(u8))).toThrow(TypeError);
  });
});

describe("list", () => {
  test("bounded length, errors name the index", () => {
    const l = list(u8, 3);
    roundTrips(l, [], []);
    roundTrips(l, [1, 2, 3], [1, 2, 3]);
    expectEncodeError(() => l.toValue([1, 2, 3, 4]), "<root>");
    expectEncodeError(() => l.toValue([1, 256]), "[1]");
    expectEncodeError(() => l.toValue("abc" as unknown as number[]), "<root>");
    expectDecodeError(() => l.fromValue([1, 2, 3, 4]), "DECODE_RANGE");
    expectDecodeError(() => l.fromValue([0, 1, 999]), "DECODE_RANGE", { field: "[2]" });
    expectDecodeError(() => l.fromValue(new Uint8Array(2)), "DECODE_SHAPE");
  });

  test("nested lists give nested indices", () => {
    const ll = list(list(bytes(1), 2), 2);
    expectDecodeError(() => ll.fromValue([[new Uint8Array(1)], [new Uint8Array(1), 5]]), "DECODE_SHAPE", {
      field: "[1][1]",
    });
  });
});

describe("enumOf", () => {
  test("string members are written as their index", () => {
    const kind = enumOf(["transfer", "stake", "unstake"]);
    roundTrips(kind, "transfer", 0);
    roundTrips(kind, "unstake", 2);
    expectEncodeError(() => kind.toValue("burn" as "stake"), "<root>");
    expectDecodeError(() => kind.fromValue(3), "DECODE_RANGE");
    expectDecodeError(() => kind.fromValue(2n ** 64n - 1n), "DECODE_RANGE");
    expectDecodeError(() => kind.fromValue(0.5), "DECODE_RANGE");
    expectDecodeError(() => kind.fromValue("stake"), "DECODE_SHAPE");
  });

  test("number members are written as themselves", () => {
    const port = enumOf([1, 5, 300]);
    roundTrips(port, 300, 300);
    roundTrips(port, 1, 1);
    expectEncodeError(() => port.toValue(2 as 1), "<root>");
    expectDecodeError(() => port.fromValue(0), "DECODE_RANGE");
  });

  test("members must be distinct, non-empty, all strings or all non-negative integers", () => {
    expect(() => enumOf([] as string[])).toThrow(TypeError);
    expect(() => enumOf(["a", "a"])).toThrow(TypeError);
    expect(() => enumOf([1, -1])).toThrow(TypeError);
    expect(() => enumOf(["a", 1] as unknown as string[])).toThrow(TypeError);
  });

  test("the TypeScript type is the union of the members", () => {
    const kind = enumOf(["a", "b"]);
    const k: Infer<typeof kind> = "b";
    // @ts-expect-error "c" is not a member
    const bad: Infer<typeof kind> = "c";
    expect([k, bad] as string[]).toEqual(["b", "c"]);
  });
});
