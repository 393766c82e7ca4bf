/**
 * The golden vectors in fixtures/vectors/codec-canonical.json, which other-language clients use to
 * check their encoders: our codec must match them both ways, and cborg (the reference) must agree
 * on every valid one, so the file is not just our own output written down.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { decode as cborgDecode, encode as cborgEncode, rfc8949EncodeOptions } from "cborg";
import { type CanonicalValue, decodeCanonical, encodeCanonical } from "./canonical.ts";
import type { DecodeErrorCode } from "./decode-error.ts";
import { expectDecodeError, hex, unhex } from "./test-helpers.ts";

type JsonValue =
  | boolean
  | null
  | { uint: string }
  | { bytes: string }
  | { text: string }
  | { array: JsonValue[] };
interface Vectors {
  valid: { name: string; value: JsonValue; hex: string }[];
  invalid: { name: string; hex: string; code: DecodeErrorCode; offset: number }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("../../fixtures/vectors/codec-canonical.json", import.meta.url), "utf8"),
) as Vectors;

function fromJson(v: JsonValue): CanonicalValue {
  if (v === null || typeof v === "boolean") return v;
  if ("uint" in v) {
    const n = BigInt(v.uint);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ("bytes" in v) return unhex(v.bytes);
  if ("text" in v) return v.text;
  return v.array.map(fromJson);
}

describe("golden vectors: valid", () => {
  test("the file holds the vectors", () => expect(vectors.valid.length).toBeGreaterThan(30));
  for (const vector of vectors.valid) {
    test(vector.name, () => {
      const value = fromJson(vector.value);
      expect(hex(encodeCanonical(value))).toBe(vector.hex);
      expect(decodeCanonical(unhex(vector.hex))).toEqual(value);
      expect(hex(cborgEncode(value, rfc8949EncodeOptions))).toBe(vector.hex);
    });
  }
});

describe("golden vectors: invalid", () => {
  test("the file holds the vectors", () => expect(vectors.invalid.length).toBeGreaterThan(20));
  for (const vector of vectors.invalid) {
    test(`${vector.name} -> ${vector.code}`, () => {
      expectDecodeError(() => decodeCanonical(unhex(vector.hex)), vector.code, { offset: vector.offset });
    });
  }

  test("cborg's strict decoder rejects the malformed and non-shortest ones too", () => {
    // cborg is more permissive on purpose (maps, tags, floats, indefinite lengths, lenient UTF-8), so
    // only the vectors that break CBOR itself or its preferred serialisation are expected to fail there.
    const mustFail = vectors.invalid.filter((v) =>
      /non-shortest|truncated|trailing|empty|lone break|beyond/.test(v.name),
    );
    expect(mustFail.length).toBeGreaterThan(8);
    for (const v of mustFail) expect(() => cborgDecode(unhex(v.hex), { strict: true })).toThrow();
  });
});
