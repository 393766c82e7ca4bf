import { describe, expect, test } from "bun:test";
import { DecodeError } from "./decode-error.ts";
import { DEFAULT_STORAGE_MAX_BYTES, storageDecode, storageEncode } from "./storage.ts";
import { expectDecodeError, expectEncodeError, unhex } from "./test-helpers.ts";

describe("storage codec (cbor-x, not canonical)", () => {
  test("round-trips plain objects, arrays, bytes, bigints and strings", () => {
    const record = {
      height: 12,
      hash: new Uint8Array([1, 2, 3]),
      supply: 2n ** 70n,
      peers: ["a", "b"],
      ok: true,
    };
    const back = storageDecode(storageEncode(record)) as typeof record;
    expect(back.height).toBe(12);
    expect(Array.from(back.hash)).toEqual([1, 2, 3]);
    expect(back.supply).toBe(2n ** 70n);
    expect(back.peers).toEqual(["a", "b"]);
    expect(back.ok).toBe(true);
  });

  test("is not canonical: the reason signed bytes never go through it", () => {
    expect(storageEncode({ a: 1, b: 2 })).not.toEqual(storageEncode({ b: 2, a: 1 }));
    expect(storageEncode(5n)).not.toEqual(storageEncode(5));
  });

  test("earlier results are not overwritten by later encodes", () => {
    const first = storageEncode({ x: "first" });
    const copy = first.slice();
    for (let i = 0; i < 2000; i++) storageEncode({ i, pad: "y".repeat(i % 100) });
    expect(first).toEqual(copy);
  });

  test("size cap is checked before decoding", () => {
    expectDecodeError(
      () => storageDecode(new Uint8Array(10).fill(0xff), { maxBytes: 9 }),
      "DECODE_TOO_LARGE",
      {
        offset: 0,
      },
    );
    expectDecodeError(() => storageDecode(new Uint8Array(DEFAULT_STORAGE_MAX_BYTES + 1)), "DECODE_TOO_LARGE");
    expect(() => storageDecode(new Uint8Array(1), { maxBytes: -1 })).toThrow(RangeError);
  });

  test("cbor-x errors are wrapped into DecodeError with the original as cause", () => {
    expectDecodeError(() => storageDecode(new Uint8Array(0)), "DECODE_TRUNCATED");
    expectDecodeError(() => storageDecode(unhex("18")), "DECODE_TRUNCATED");
    expectDecodeError(() => storageDecode(unhex("a16161")), "DECODE_TRUNCATED");
    expectDecodeError(() => storageDecode(unhex("0000")), "DECODE_TRAILING_BYTES");
    const err = expectDecodeError(() => storageDecode(unhex("ff")), "DECODE_UNSUPPORTED_CBOR");
    expect(err.cause).toBeInstanceOf(Error);
    const deep = new Uint8Array(200_001).fill(0x81);
    deep[200_000] = 0;
    expectDecodeError(() => storageDecode(deep), "DECODE_TOO_DEEP");
  });

  test("a __proto__ key does not reach the prototype", () => {
    const bytes = unhex(`a169${Buffer.from("__proto__").toString("hex")}a1617801`);
    const out = storageDecode(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test("random bytes: only DecodeError escapes", () => {
    // A small LCG keeps this deterministic without fast-check's overhead per case.
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let run = 0; run < 2000; run++) {
      const bytes = Uint8Array.from({ length: 1 + (next() % 12) }, next);
      try {
        storageDecode(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });

  test("values cbor-x cannot encode are EncodeError", () => {
    expectEncodeError(() => storageEncode(Symbol("x")), "<root>");
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expectEncodeError(() => storageEncode(cycle), "<root>");
  });
});
