/**
 * The compliance suite every `LeftRight` implementation must pass (in-thread and shared), registered
 * with bun:test by the implementation's own test file. It pins the observable semantics: visibility only
 * at publish, each op applied exactly twice, re-entrancy and async reads rejected, poisoning on a
 * throwing apply, and agreement with a sequential model on random op/publish sequences.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isLatticeError } from "../errors/lattice-error.ts";
import type { LeftRight } from "./left-right.ts";
import { applyCellOp, type CellOp, type Cells } from "./test-cells.ts";

/** Build a left-right over `cells` zeroed int32 cells with the given apply. */
export type MakeCellsLeftRight = (
  cells: number,
  apply: (copy: Cells, op: CellOp) => void,
) => LeftRight<Cells, CellOp>;

function snapshot(lr: LeftRight<Cells, CellOp>): number[] {
  const h = lr.reader();
  try {
    return h.read((c) => Array.from(c.cells));
  } finally {
    h.close();
  }
}

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isLatticeError(caught, code)).toBe(true);
}

export function leftRightCompliance(name: string, make: MakeCellsLeftRight): void {
  describe(`left-right compliance: ${name}`, () => {
    test("appended ops are invisible until publish, then visible all at once", () => {
      const lr = make(4, applyCellOp);
      lr.append({ kind: "set", index: 0, value: 7 });
      lr.append({ kind: "transfer", from: 0, to: 3, amount: 2 });
      expect(lr.queued).toBe(2);
      expect(snapshot(lr)).toEqual([0, 0, 0, 0]);
      lr.publish();
      expect(lr.queued).toBe(0);
      expect(lr.publishes).toBe(1);
      expect(snapshot(lr)).toEqual([5, 0, 0, 2]);
      // An empty publish swaps to the other copy, which must have caught up.
      lr.publish();
      expect(snapshot(lr)).toEqual([5, 0, 0, 2]);
    });

    test("every op is applied exactly twice, once per copy", () => {
      let applied = 0;
      const lr = make(2, (c, op) => {
        applied++;
        applyCellOp(c, op);
      });
      for (let i = 0; i < 10; i++) lr.append({ kind: "set", index: i % 2, value: i });
      lr.publish();
      expect(applied).toBe(10);
      lr.publish();
      expect(applied).toBe(20);
      lr.publish();
      expect(applied).toBe(20);
    });

    test("flush publishes only when ops are queued", () => {
      const lr = make(1, applyCellOp);
      expect(lr.flush()).toBe(false);
      lr.append({ kind: "set", index: 0, value: 1 });
      expect(lr.flush()).toBe(true);
      expect(lr.publishes).toBe(1);
    });

    test("publish inside a read is rejected and changes nothing", () => {
      const lr = make(1, applyCellOp);
      lr.append({ kind: "set", index: 0, value: 1 });
      const h = lr.reader();
      expectCode(() => h.read(() => lr.publish()), "LR_PUBLISH_IN_READ");
      expect(lr.queued).toBe(1);
      expect(h.read((c) => c.cells[0])).toBe(0);
      lr.publish();
      expect(h.read((c) => c.cells[0])).toBe(1);
      h.close();
    });

    test("async read functions are rejected", () => {
      const lr = make(1, applyCellOp);
      const h = lr.reader();
      expectCode(() => h.read(async () => 1), "LR_ASYNC_READ");
      expect(h.read(() => 2)).toBe(2);
      h.close();
    });

    test("a read that throws propagates its error and leaves the handle usable", () => {
      const lr = make(1, applyCellOp);
      const h = lr.reader();
      expect(() =>
        h.read(() => {
          throw new RangeError("boom");
        }),
      ).toThrow("boom");
      lr.append({ kind: "set", index: 0, value: 3 });
      lr.publish();
      expect(h.read((c) => c.cells[0])).toBe(3);
      h.close();
    });

    test("nested reads see the same copy", () => {
      const lr = make(1, applyCellOp);
      lr.append({ kind: "set", index: 0, value: 9 });
      lr.publish();
      const h = lr.reader();
      const [outer, inner] = h.read((a) => [a.cells[0], h.read((b) => (a === b ? b.cells[0] : -1))]);
      expect(outer).toBe(9);
      expect(inner).toBe(9);
      h.close();
    });

    test("a closed handle refuses reads", () => {
      const lr = make(1, applyCellOp);
      const h = lr.reader();
      h.close();
      h.close();
      expectCode(() => h.read(() => 0), "LR_HANDLE_CLOSED");
    });

    test("a throwing apply poisons the left-right", () => {
      const lr = make(1, (c, op) => {
        if (op.kind === "set" && op.value < 0) throw new RangeError("negative");
        applyCellOp(c, op);
      });
      lr.append({ kind: "set", index: 0, value: -1 });
      expectCode(() => lr.publish(), "LR_POISONED");
      expectCode(() => lr.append({ kind: "set", index: 0, value: 1 }), "LR_POISONED");
    });

    test("agrees with a sequential model on random op and publish sequences", () => {
      const n = 6;
      const opArb: fc.Arbitrary<CellOp | "publish"> = fc.oneof(
        fc.constant("publish" as const),
        fc.record({
          kind: fc.constant("set" as const),
          index: fc.nat(n - 1),
          value: fc.integer({ min: -1000, max: 1000 }),
        }),
        fc.record({
          kind: fc.constant("transfer" as const),
          from: fc.nat(n - 1),
          to: fc.nat(n - 1),
          amount: fc.integer({ min: 0, max: 50 }),
        }),
      );
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 60 }), (steps) => {
          const lr = make(n, applyCellOp);
          const h = lr.reader();
          const model: Cells = { cells: new Int32Array(n) };
          let published = Array.from(model.cells);
          for (const step of steps) {
            if (step === "publish") {
              lr.publish();
              published = Array.from(model.cells);
            } else {
              lr.append(step);
              applyCellOp(model, step);
            }
            expect(h.read((c) => Array.from(c.cells))).toEqual(published);
          }
          lr.publish();
          lr.publish();
          expect(h.read((c) => Array.from(c.cells))).toEqual(Array.from(model.cells));
          h.close();
        }),
        { seed: 4242, numRuns: 150 },
      );
    });
  });
}
