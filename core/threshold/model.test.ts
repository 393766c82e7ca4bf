import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { utf8 } from "../crypto/bytes.ts";
import { dealKeys } from "./dealer.ts";
import { modelGroup, modelScheme } from "./model.ts";
import { seededRandom } from "./seeded-random.ts";

describe("model scheme", () => {
  test("says it is insecure", () => {
    expect(modelScheme.secure).toBe(false);
    expect(modelGroup.secure).toBe(false);
  });

  test("property: any t of n shares combine to the one signature; t-1 plus a forgery never verify", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 30 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 1, max: n }),
              fc.uniqueArray(fc.integer({ min: 1, max: n }), { minLength: n, maxLength: n }),
              fc.uint8Array({ maxLength: 64 }),
              fc.string(),
            ),
          ),
        ([n, t, order, msg, seed]) => {
          const random = seededRandom(seed);
          const keys = dealKeys(modelScheme, n, t, random);
          const tag = "lattice/test/v1";
          const picked = order.slice(0, t).map((i) => modelScheme.signShare(keys.shares[i - 1]!, tag, msg));
          const sig = modelScheme.combine(picked, t);
          expect(modelScheme.verify(keys.groupKey, tag, msg, sig)).toBe(true);
          const all = keys.shares.map((s) => modelScheme.signShare(s, tag, msg));
          expect(modelScheme.combine(all, t)).toBe(sig);
          if (t > 1) {
            const forged = modelScheme.combine(
              [
                ...picked.slice(0, t - 1),
                { index: picked[t - 1]!.index, sig: modelGroup.field.random(random) },
              ],
              t,
            );
            expect(modelScheme.verify(keys.groupKey, tag, msg, forged)).toBe(false);
          }
        },
      ),
      { seed: 1337, numRuns: 300 },
    );
  });

  test("verify never throws on out-of-range elements", () => {
    const keys = dealKeys(modelScheme, 3, 2, seededRandom("model/range"));
    const msg = utf8("m");
    for (const bad of [0n, -1n, modelGroup.field.order, modelGroup.field.order + 5n]) {
      expect(modelScheme.verify(keys.groupKey, "lattice/test/v1", msg, bad)).toBe(false);
      expect(modelScheme.verify(bad, "lattice/test/v1", msg, 1n)).toBe(false);
    }
  });
});
