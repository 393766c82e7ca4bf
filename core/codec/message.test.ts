import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type CanonicalValue,
  DEFAULT_MAX_BYTES,
  decodeCanonical,
  encodeCanonical,
  MAX_UINT64,
} from "./canonical.ts";
import { DecodeError } from "./decode-error.ts";
import { defineMessage } from "./message.ts";
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
  u32,
  u64,
} from "./schema.ts";
import { struct } from "./struct.ts";
import { expectDecodeError, expectEncodeError, hex, unhex } from "./test-helpers.ts";

const Transfer = defineMessage({
  name: "Transfer",
  tag: 0x10,
  version: 1,
  fields: {
    from: bytes(4),
    to: bytes(4),
    amount: u64,
    nonce: u64,
    memo: optional(text(16)),
  },
});
type Transfer = Infer<typeof Transfer>;

const Batch = defineMessage({
  name: "Batch",
  tag: 0x11,
  version: 2,
  fields: { height: u32, txs: list(Transfer, 8), kind: enumOf(["normal", "system"]), final: bool },
});
type Batch = Infer<typeof Batch>;

const tx: Transfer = {
  from: new Uint8Array([1, 2, 3, 4]),
  to: new Uint8Array([5, 6, 7, 8]),
  amount: 1000n,
  nonce: 0n,
  memo: null,
};

describe("defineMessage", () => {
  test("encodes [tag, version, ...fields] in canonical CBOR (golden bytes)", () => {
    // 87 = array(7); 10 = tag; 01 = version; 44.. = bytes(4); 1903e8 = 1000; 00; f6 = null
    expect(hex(Transfer.encode(tx))).toBe("87 10 01 4401020304 4405060708 1903e8 00 f6".replace(/ /g, ""));
    expect(Transfer.decode(Transfer.encode(tx))).toEqual(tx);
  });

  test("exposes name, tag, version, keys and the inferred type", () => {
    expect([Transfer.name, Transfer.tag, Transfer.version]).toEqual(["Transfer", 0x10, 1]);
    expect(Transfer.keys).toEqual(["from", "to", "amount", "nonce", "memo"]);
    const n: "Transfer" = Transfer.name;
    const v: 1 = Transfer.version;
    // @ts-expect-error amount is a bigint
    const bad: Transfer = { ...tx, amount: 5 };
    expect([n, v, typeof bad.amount]).toEqual(["Transfer", 1, "number"]);
    expect(Object.isFrozen(Transfer)).toBe(true);
  });

  test("nested messages and lists: errors name the full path", () => {
    const batch: Batch = { height: 7, txs: [tx, tx, tx, tx], kind: "system", final: true };
    expect(Batch.decode(Batch.encode(batch))).toEqual(batch);

    const wire = Batch.toValue(batch) as CanonicalValue[];
    const txs = wire[3] as CanonicalValue[][];
    // Inside a transfer: [tag, version, from, to, amount, nonce, memo]
    (txs[3] as CanonicalValue[])[5] = "7";
    expectDecodeError(() => Batch.decode(encodeCanonical(wire)), "DECODE_SHAPE", {
      field: "Batch.txs[3].nonce",
    });
    (txs[3] as CanonicalValue[])[5] = 7;
    (txs[3] as CanonicalValue[])[2] = new Uint8Array(5);
    expectDecodeError(() => Batch.decode(encodeCanonical(wire)), "DECODE_RANGE", {
      field: "Batch.txs[3].from",
    });

    expectEncodeError(
      () => Batch.encode({ ...batch, txs: [tx, { ...tx, nonce: MAX_UINT64 + 1n }] }),
      "Batch.txs[1].nonce",
    );
  });

  test("a wrong nested tag or version is reported at the nested field", () => {
    const wire = Batch.toValue({ height: 1, txs: [tx], kind: "normal", final: false }) as CanonicalValue[];
    const inner = (wire[3] as CanonicalValue[][])[0] as CanonicalValue[];
    inner[0] = 0x12;
    expectDecodeError(() => Batch.decode(encodeCanonical(wire)), "DECODE_UNKNOWN_TYPE", {
      field: "Batch.txs[0]",
    });
    inner[0] = 0x10;
    inner[1] = 2;
    expectDecodeError(() => Batch.decode(encodeCanonical(wire)), "DECODE_UNSUPPORTED_VERSION", {
      field: "Batch.txs[0]",
    });
  });

  test("DECODE_UNKNOWN_TYPE, DECODE_UNSUPPORTED_VERSION, DECODE_SHAPE at the top", () => {
    const wire = Transfer.toValue(tx) as CanonicalValue[];
    expectDecodeError(
      () => Transfer.decode(encodeCanonical([0x11, ...wire.slice(1)])),
      "DECODE_UNKNOWN_TYPE",
      {
        field: "Transfer",
      },
    );
    expectDecodeError(
      () => Transfer.decode(encodeCanonical([0x10, 2, ...wire.slice(2)])),
      "DECODE_UNSUPPORTED_VERSION",
      {
        field: "Transfer",
      },
    );
    expectDecodeError(() => Transfer.decode(encodeCanonical(wire.slice(0, 6))), "DECODE_SHAPE", {
      field: "Transfer",
    });
    expectDecodeError(() => Transfer.decode(encodeCanonical([...wire, null])), "DECODE_SHAPE", {
      field: "Transfer",
    });
    expectDecodeError(() => Transfer.decode(encodeCanonical(16)), "DECODE_SHAPE", { field: "Transfer" });
    expectDecodeError(() => Transfer.decode(encodeCanonical([16])), "DECODE_SHAPE");
    expectDecodeError(() => Transfer.decode(encodeCanonical(["Transfer", 1])), "DECODE_SHAPE");
    expectDecodeError(() => Transfer.decode(encodeCanonical([MAX_UINT64, 1])), "DECODE_UNKNOWN_TYPE");
  });

  test("byte-level errors carry the message name and offset", () => {
    const bytes = Transfer.encode(tx);
    expectDecodeError(() => Transfer.decode(bytes.subarray(0, bytes.length - 1)), "DECODE_TRUNCATED", {
      field: "Transfer",
    });
    const trailing = new Uint8Array([...bytes, 0]);
    expectDecodeError(() => Transfer.decode(trailing), "DECODE_TRAILING_BYTES", {
      field: "Transfer",
      offset: bytes.length,
    });
    // amount 1000 written as 1a000003e8 (4-byte argument) instead of 1903e8
    const wide = unhex(hex(bytes).replace("1903e8", "1a000003e8"));
    expectDecodeError(() => Transfer.decode(wide), "DECODE_NON_CANONICAL", { field: "Transfer", offset: 13 });
  });

  test("limits are checked before decoding", () => {
    const bytes = Transfer.encode(tx);
    expectDecodeError(() => Transfer.decode(bytes, { maxBytes: bytes.length - 1 }), "DECODE_TOO_LARGE", {
      offset: 0,
    });
    expect(Transfer.decode(bytes, { maxBytes: bytes.length })).toEqual(tx);
    expectDecodeError(() => Transfer.decode(new Uint8Array(DEFAULT_MAX_BYTES + 1)), "DECODE_TOO_LARGE");
    expectDecodeError(
      () =>
        Batch.decode(Batch.encode({ height: 1, txs: [tx], kind: "normal", final: true }), { maxDepth: 1 }),
      "DECODE_TOO_DEEP",
    );
  });

  test("re-encode check: a schema that loses information is caught as DECODE_NON_CANONICAL", () => {
    // A (deliberately wrong) custom schema that maps two wire values to one TS value.
    const lossy: Schema<number> = {
      kind: "lossy",
      nullable: false,
      toValue: (v) => v,
      fromValue: (v) => (v === 2 ? 1 : (v as number)),
    };
    const Lossy = defineMessage({ name: "Lossy", tag: 1, version: 0, fields: { x: lossy } });
    expect(Lossy.decode(Lossy.encode({ x: 1 }))).toEqual({ x: 1 });
    expectDecodeError(() => Lossy.decode(encodeCanonical([1, 0, 2])), "DECODE_NON_CANONICAL", {
      field: "Lossy",
      offset: 3,
    });
    // And one whose decoded value cannot be encoded at all.
    const oneWay: Schema<number> = { ...lossy, toValue: () => -1 };
    const OneWay = defineMessage({ name: "OneWay", tag: 1, version: 0, fields: { x: oneWay } });
    const err = expectDecodeError(() => OneWay.decode(encodeCanonical([1, 0, 2])), "DECODE_NON_CANONICAL");
    expect(err.cause).toBeDefined();
  });

  test("bad definitions are refused", () => {
    expect(() => defineMessage({ name: "", tag: 1, version: 1, fields: {} })).toThrow(TypeError);
    expect(() => defineMessage({ name: "X", tag: -1, version: 1, fields: {} })).toThrow(RangeError);
    expect(() => defineMessage({ name: "X", tag: 1, version: 1.5, fields: {} })).toThrow(RangeError);
  });
});

describe("message properties", () => {
  const bytes4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
  const transfer: fc.Arbitrary<Transfer> = fc.record({
    from: bytes4,
    to: bytes4,
    amount: fc.bigInt({ min: 0n, max: MAX_UINT64 }),
    nonce: fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: MAX_UINT64 })),
    memo: fc.option(fc.string({ unit: "binary", maxLength: 4 }), { nil: null }),
  });
  const batch: fc.Arbitrary<Batch> = fc.record({
    height: fc.integer({ min: 0, max: 0xffff_ffff }),
    txs: fc.array(transfer, { maxLength: 8 }),
    kind: fc.constantFrom("normal" as const, "system" as const),
    final: fc.boolean(),
  });

  test("decode(encode(m)) equals m, and the bytes are cborg-canonical", () => {
    fc.assert(
      fc.property(batch, (b) => {
        const bytes = Batch.encode(b);
        expect(Batch.decode(bytes)).toEqual(b);
        expect(encodeCanonical(decodeCanonical(bytes))).toEqual(bytes);
      }),
      { seed: 0x5eed10, numRuns: 200 },
    );
  });

  test("mutated message bytes: either the same canonical bytes of a valid message, or DecodeError", () => {
    fc.assert(
      fc.property(transfer, fc.nat(), fc.integer({ min: 1, max: 255 }), (t, at, xor) => {
        const bytes = Transfer.encode(t);
        const mutated = bytes.slice();
        const i = at % mutated.length;
        mutated[i] = (mutated[i] as number) ^ xor;
        try {
          const back = Transfer.decode(mutated);
          expect(Transfer.encode(back)).toEqual(mutated);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
      }),
      { seed: 0x5eed11, numRuns: 1000 },
    );
  });
});

describe("schemas beyond messages", () => {
  test("a struct of every leaf round-trips through canonical bytes", () => {
    const All = struct({ a: u8, b: u64, c: bytesMax(3), d: text(3), e: optional(bool), f: list(u8, 2) });
    const v: Infer<typeof All> = { a: 1, b: 2n, c: new Uint8Array([9]), d: "é", e: null, f: [3, 4] };
    expect(All.fromValue(decodeCanonical(encodeCanonical(All.toValue(v))))).toEqual(v);
  });
});
