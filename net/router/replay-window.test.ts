import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ReplayWindow } from "./replay-window.ts";

describe("ReplayWindow", () => {
  test("accepts each number once, out of order within the window", () => {
    const w = new ReplayWindow(64);
    for (const s of [5, 3, 9, 4, 70, 10]) {
      expect(w.check(s)).toBe("ok");
      w.accept(s);
    }
    expect(w.check(9)).toBe("duplicate");
    expect(w.check(70)).toBe("duplicate");
    expect(w.check(5)).toBe("too-old"); // 70 - 5 >= 64
    expect(w.check(6)).toBe("too-old");
    expect(w.check(7)).toBe("ok"); // 70 - 7 = 63: the oldest slot still inside
    expect(w.check(69)).toBe("ok");
  });

  test("agrees with a reference model on random sequences", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }), (seqs) => {
        const w = new ReplayWindow(96);
        const seen = new Set<number>();
        let hi = -1;
        for (const s of seqs) {
          const expected = s > hi ? "ok" : hi - s >= 96 ? "too-old" : seen.has(s) ? "duplicate" : "ok";
          const got = w.check(s);
          if (got !== expected) return false;
          if (got === "ok") {
            w.accept(s);
            seen.add(s);
            hi = Math.max(hi, s);
          }
        }
        return true;
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  test("rejects a bad size", () => {
    expect(() => new ReplayWindow(33)).toThrow(RangeError);
  });
});
