import { expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { Prng } from "../../engine/prng.ts";
import { hexOf } from "./hex.ts";

test("hexOf equals toHex, also on subarrays", () => {
  const rng = new Prng(9);
  for (let i = 0; i < 50; i++) {
    const b = rng.bytes(i);
    expect(hexOf(b)).toBe(toHex(b));
    expect(hexOf(b.subarray(1))).toBe(toHex(b.subarray(1)));
  }
});
