import { describe, expect, test } from "bun:test";
import { networkFaultTolerance, placementIsSafe, thresholdOf } from "./fault-tolerance.ts";

describe("fault-tolerance rule", () => {
  test("t = ceil(0.6 n), computed in integers", () => {
    expect([1, 2, 3, 4, 5, 10, 20, 25, 50].map(thresholdOf)).toEqual([1, 2, 2, 3, 3, 6, 12, 15, 30]);
    for (let n = 1; n <= 500; n++) {
      const t = thresholdOf(n);
      expect(5 * t).toBeGreaterThanOrEqual(3 * n);
      expect(5 * (t - 1)).toBeLessThan(3 * n);
    }
  });

  test("the seed's BFT table (25-member quorums) comes out of the rule", () => {
    // Seed 001 "Byzantine Fault Tolerance": 1, 2, 10 and 100 farmer quorums of 25.
    const seed: [number, number][] = [
      [1, 0.4],
      [2, 0.46663],
      [10, 0.5636],
      [100, 0.5959],
    ];
    for (const [f, figure] of seed) {
      const r = networkFaultTolerance(f, 25);
      expect(r.threshold).toBe(15);
      expect(r.totalMembers).toBe((f + 1) * 25);
      // The seed counts each non-critical quorum as "0.59999N" faulty: the supremum t/n = 0.6 with t = 15.
      // Its own arithmetic rounds (99 x 0.59999 for 100 quorums gives 0.59603, printed 0.5959), hence 5e-4.
      expect(Math.abs(r.bftSupremum - figure)).toBeLessThan(5e-4);
      // With whole members the most a non-critical quorum may hold is t - 1 = 14 (0.56 N), so the
      // attainable figure sits below the seed's by (F - 1) / ((F + 1) 25).
      expect(r.bft).toBeCloseTo(((f - 1) * 14 + 2 * 10) / ((f + 1) * 25), 12);
      expect(r.bftSupremum - r.bft).toBeCloseTo((f - 1) / ((f + 1) * 25), 12);
    }
    // More farmer quorums, more tolerance (seed: "the network's overall BFT is scalable").
    const figures = [1, 2, 10, 100, 1000].map((f) => networkFaultTolerance(f, 25).bftSupremum);
    for (let i = 1; i < figures.length; i++) expect(figures[i]!).toBeGreaterThan(figures[i - 1]!);
    expect(figures.at(-1)!).toBeLessThan(0.6);
  });

  test("maxFaulty is the true maximum over every placement of faults (brute force, small quorums)", () => {
    for (const n of [3, 4, 5, 7]) {
      for (const f of [1, 2, 3]) {
        let best = -1;
        const farmers = new Array<number>(f).fill(0);
        const walk = (i: number): void => {
          if (i === f) {
            for (let h = 0; h <= n; h++) {
              if (placementIsSafe(n, farmers, h))
                best = Math.max(best, h + farmers.reduce((a, b) => a + b, 0));
            }
            return;
          }
          for (let x = 0; x <= n; x++) {
            farmers[i] = x;
            walk(i + 1);
          }
        };
        walk(0);
        expect(best).toBe(networkFaultTolerance(f, n).maxFaulty);
      }
    }
  });

  test("unsafe placements: a farmer quorum with t faulty, or a harvester quorum below t honest", () => {
    expect(placementIsSafe(25, [15, 0], 0)).toBe(false);
    expect(placementIsSafe(25, [14, 10], 10)).toBe(true);
    expect(placementIsSafe(25, [14, 11], 10)).toBe(false);
    expect(placementIsSafe(25, [10], 11)).toBe(false);
    expect(() => networkFaultTolerance(0, 25)).toThrow(RangeError);
    expect(() => thresholdOf(0)).toThrow(RangeError);
  });
});
