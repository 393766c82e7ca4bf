import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { bytesOfHex, hexOf } from "./hex.ts";

describe("api hex", () => {
  test("equals core/crypto/bytes.ts on values and on errors", () => {
    const bytes = Uint8Array.from({ length: 97 }, (_, i) => (i * 37) & 255);
    expect(hexOf(bytes)).toBe(toHex(bytes));
    expect(hexOf(bytes.subarray(3, 40))).toBe(toHex(bytes.subarray(3, 40)));
    for (const s of [toHex(bytes), `0x${toHex(bytes).toUpperCase()}`, "", "0X0a"]) {
      expect(bytesOfHex(s)).toEqual(fromHex(s));
    }
    for (const bad of ["abc", "zz", "0a0g", "0x1", "a b "]) {
      expect(() => bytesOfHex(bad, "f")).toThrow(TypeError);
      let want = "";
      try {
        fromHex(bad, "f");
      } catch (err) {
        want = (err as Error).message;
      }
      expect(() => bytesOfHex(bad, "f")).toThrow(want);
    }
  });
});
