import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { blsGroup } from "./bls.ts";
import { assertShareIndex, assertThresholdParams, lagrangeAtZero, pickShares } from "./lagrange.ts";
import { modelGroup } from "./model.ts";
import { evalPolynomial, randomPolynomial } from "./polynomial.ts";
import { thrownCode } from "./scheme-compliance.ts";
import { seededRandom } from "./seeded-random.ts";

describe("lagrangeAtZero", () => {
  for (const group of [modelGroup, blsGroup]) {
    test(`${group.name}: Σ λ_i·F(x_i) = F(0) for any t distinct indices (property)`, () => {
      const { field } = group;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }),
          fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 12, maxLength: 12 }),
          fc.string(),
          (t, xs, seed) => {
            const f = randomPolynomial(field, t, seededRandom(seed));
            const pts = xs.slice(0, t);
            const lambdas = lagrangeAtZero(field, pts);
            let sum = 0n;
            pts.forEach((x, i) => {
              sum = field.add(sum, field.mul(lambdas[i]!, evalPolynomial(field, f, BigInt(x))));
            });
            expect(sum).toBe(f[0]!);
          },
        ),
        { seed: 4242, numRuns: group.secure ? 40 : 200 },
      );
    });
  }
  test("a degree-t polynomial is not recovered from t points (t-1 shares of a t-threshold key)", () => {
    const { field } = modelGroup;
    const f = randomPolynomial(field, 4, seededRandom("lagrange/under"));
    const pts = [1, 2, 3];
    const lambdas = lagrangeAtZero(field, pts);
    const sum = pts.reduce(
      (acc, x, i) => field.add(acc, field.mul(lambdas[i]!, evalPolynomial(field, f, BigInt(x)))),
      0n,
    );
    expect(sum).not.toBe(f[0]!);
  });
});

describe("indices and parameters", () => {
  test("share indices are integers 1..65535", () => {
    for (const ok of [1, 2, 65535]) expect(thrownCode(() => assertShareIndex(ok))).toBeUndefined();
    for (const bad of [0, -1, 0.5, 65536, Number.NaN])
      expect(thrownCode(() => assertShareIndex(bad))).toBe("THRESHOLD_BAD_INDEX");
  });
  test("1 <= t <= n", () => {
    expect(thrownCode(() => assertThresholdParams(5, 3))).toBeUndefined();
    for (const [n, t] of [
      [5, 0],
      [5, 6],
      [70000, 3],
      [4.5, 2],
    ] as const) {
      expect(thrownCode(() => assertThresholdParams(n, t))).toBe("THRESHOLD_BAD_PARAMS");
    }
  });
  test("pickShares keeps the t lowest distinct indices", () => {
    const shares = [5, 3, 9, 3, 1].map((index) => ({ index, sig: index * 10 }));
    expect(pickShares(shares, 3, (a, b) => a === b).map((s) => s.index)).toEqual([1, 3, 5]);
    expect(thrownCode(() => pickShares(shares, 0, (a, b) => a === b))).toBe("THRESHOLD_BAD_PARAMS");
  });
});
