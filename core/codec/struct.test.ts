import { describe, expect, test } from "bun:test";
import { bytes, type Infer, optional, text, u8, u64 } from "./schema.ts";
import { struct } from "./struct.ts";
import { expectDecodeError, expectEncodeError } from "./test-helpers.ts";

const Output = struct({ to: bytes(2), amount: u64, memo: optional(text(8)) });
type Output = Infer<typeof Output>;

describe("struct", () => {
  test("encodes as an array in declared key order, whatever the object's key order", () => {
    const value: Output = { memo: "hi", amount: 5n, to: new Uint8Array([1, 2]) };
    expect(Output.toValue(value)).toEqual([new Uint8Array([1, 2]), 5n, "hi"]);
    expect(Output.fromValue([new Uint8Array([1, 2]), 5, "hi"])).toEqual(value);
    expect(Object.keys(Output.fromValue([new Uint8Array(2), 1, null]))).toEqual(["to", "amount", "memo"]);
  });

  test("extra properties are ignored, missing ones are errors naming the field", () => {
    const extra = { to: new Uint8Array(2), amount: 1n, memo: null, note: "ignored" };
    expect(Output.toValue(extra)).toEqual([new Uint8Array(2), 1n, null]);
    expectEncodeError(
      () => Output.toValue({ to: new Uint8Array(2), memo: null } as unknown as Output),
      "amount",
    );
    expectEncodeError(() => Output.toValue(null as unknown as Output), "<root>");
    expectEncodeError(() => Output.toValue([1, 2, 3] as unknown as Output), "<root>");
  });

  test("decode checks exact arity and each field", () => {
    expectDecodeError(() => Output.fromValue([new Uint8Array(2), 1]), "DECODE_SHAPE", { field: "<root>" });
    expectDecodeError(() => Output.fromValue([new Uint8Array(2), 1, null, null]), "DECODE_SHAPE");
    expectDecodeError(() => Output.fromValue("x"), "DECODE_SHAPE");
    expectDecodeError(() => Output.fromValue([new Uint8Array(3), 1, null]), "DECODE_RANGE", { field: "to" });
    expectDecodeError(() => Output.fromValue([new Uint8Array(2), 1, "toolongtext"]), "DECODE_RANGE", {
      field: "memo",
    });
  });

  test("nested structs give dotted paths", () => {
    const Pair = struct({ left: Output, right: struct({ fee: u8 }) });
    expectDecodeError(() => Pair.fromValue([[new Uint8Array(2), 1, null], [300]]), "DECODE_RANGE", {
      field: "right.fee",
    });
    expectEncodeError(
      () => Pair.toValue({ left: { to: new Uint8Array(2), amount: -1n, memo: null }, right: { fee: 1 } }),
      "left.amount",
    );
  });

  test("integer-like and __proto__ keys are refused at definition", () => {
    expect(() => struct({ a: u8, 1: u8 })).toThrow(TypeError);
    expect(() => struct(JSON.parse(`{"__proto__": ${JSON.stringify(u8)}}`))).toThrow(/__proto__/);
    expect(() => struct({ a: 5 as unknown as typeof u8 })).toThrow(/not a schema/);
  });

  test("an empty struct is an empty array", () => {
    const Empty = struct({});
    expect(Empty.toValue({})).toEqual([]);
    expect(Empty.fromValue([])).toEqual({});
  });
});
