import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  averageMs,
  backpressure,
  isValidFigure,
  normalise,
  type QueueLoads,
  weightedLoad,
} from "./backpressure.ts";
import { BackpressureFigure, toMilli } from "./figure-message.ts";
import { type Task, TaskScheduler } from "./scheduler.ts";

const idle: QueueLoads = {
  local: { tasks: 0, totalMs: 0 },
  remote: { tasks: 0, totalMs: 0 },
  forward: { tasks: 0, totalMs: 0 },
};
const task = (id: string, over: Partial<Task> = {}): Task => ({ id, costMs: 10, dataQuorum: "q0", ...over });

describe("backpressure formula", () => {
  test("an idle node has a finite figure (Versatus took log10(0) = -Infinity: §1.9 item 12)", () => {
    expect(backpressure(idle)).toBe(1);
    expect(Number.isFinite(backpressure(idle))).toBe(true);
    // One idle node among busy ones must not turn the normalised list into NaN.
    const ln = normalise([backpressure(idle), 3, 5]);
    expect(ln).toEqual([0, 0.5, 1]);
  });

  test("P = 1 + log10(1 + W_l T_l avg_l + W_r T_r avg_r + W_f T_f) on a worked example", () => {
    const loads: QueueLoads = {
      local: { tasks: 4, totalMs: 40 }, // avg 10: 1 * 40 * 10 = 400
      remote: { tasks: 2, totalMs: 20 }, // avg 10: 0.5 * 20 * 10 = 100
      forward: { tasks: 1, totalMs: 100 }, // 0.25 * 100 = 25
    };
    expect(averageMs(loads.local)).toBe(10);
    expect(weightedLoad(loads)).toBe(525);
    expect(backpressure(loads)).toBeCloseTo(1 + Math.log10(526), 12);
  });

  test("normalisation: [0, 1], min -> 0, max -> 1, equal figures -> 0, empty -> empty", () => {
    expect(normalise([])).toEqual([]);
    expect(normalise([2, 2, 2])).toEqual([0, 0, 0]);
    expect(() => normalise([1, Number.NEGATIVE_INFINITY])).toThrow(RangeError);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (xs) => {
          const ln = normalise(xs);
          for (const v of ln) expect(v >= 0 && v <= 1).toBe(true);
          const lo = Math.min(...xs);
          expect(ln[xs.indexOf(lo)]).toBe(0);
        },
      ),
      { seed: 6001, numRuns: 200 },
    );
  });

  test("P is finite, >= 1 and monotone in every queue's load", () => {
    const q = fc.record({
      tasks: fc.integer({ min: 0, max: 1000 }),
      totalMs: fc.integer({ min: 0, max: 1e6 }),
    });
    const loads = fc.record({ local: q, remote: q, forward: q }).map((l) => {
      const fix = (x: { tasks: number; totalMs: number }) => (x.tasks === 0 ? { tasks: 0, totalMs: 0 } : x);
      return { local: fix(l.local), remote: fix(l.remote), forward: fix(l.forward) };
    });
    fc.assert(
      fc.property(loads, fc.integer({ min: 1, max: 1000 }), (l, extra) => {
        const p = backpressure(l);
        expect(isValidFigure(p)).toBe(true);
        const more = { ...l, forward: { tasks: l.forward.tasks + 1, totalMs: l.forward.totalMs + extra } };
        expect(backpressure(more)).toBeGreaterThan(p);
      }),
      { seed: 6002, numRuns: 300 },
    );
  });
});

describe("task scheduler", () => {
  test("data locality first: a task whose data lives in another quorum is forwarded there", () => {
    const s = new TaskScheduler({ self: "a", quorum: "q0" });
    expect(s.decide(task("t", { dataQuorum: "q7" }), 0)).toEqual({
      queue: "forward",
      quorum: "q7",
      reason: "locality",
    });
  });

  test("a dependency held by a live member of the quorum sends the task to it; a silent holder does not", () => {
    const s = new TaskScheduler({ self: "a", quorum: "q0", maxAgeMs: 1000 });
    expect(s.observe("b", "q0", 1, 1, 0)).toBeNull();
    expect(s.decide(task("t", { dataMember: "b" }), 500)).toEqual({
      queue: "remote",
      member: "b",
      reason: "locality",
    });
    // The figure ages out: b may be gone, so the task stays here.
    expect(s.decide(task("t", { dataMember: "b" }), 1501).queue).toBe("local");
  });

  test("backpressure: an overloaded node offloads to the least-loaded fresh member, then to another quorum", () => {
    const s = new TaskScheduler({ self: "a", quorum: "q0" });
    for (let i = 0; i < 50; i++) s.submit(task(`busy${i}`, { costMs: 100 }), 0);
    expect(s.figure()).toBeGreaterThan(5);
    s.observe("b", "q0", 4, 1, 0);
    s.observe("c", "q0", 2, 1, 0);
    s.observe("x", "q1", 1, 1, 0);
    expect(s.decide(task("t"), 10)).toEqual({ queue: "remote", member: "c", reason: "backpressure" });
    // Peers of the quorum busy as well: the other quorum takes it, unless the task is pinned here.
    s.observe("b", "q0", 6.2, 2, 10);
    s.observe("c", "q0", 6.2, 2, 10);
    expect(s.decide(task("t"), 20)).toEqual({ queue: "forward", quorum: "q1", reason: "backpressure" });
    expect(s.decide(task("t", { pinned: true }), 20)).toEqual({ queue: "local", reason: "no-better-peer" });
  });

  test("a lightly loaded node keeps its work, and no peers means local", () => {
    const s = new TaskScheduler({ self: "a", quorum: "q0" });
    expect(s.decide(task("t"), 0)).toEqual({ queue: "local", reason: "capacity" });
    s.observe("b", "q0", 9, 1, 0);
    expect(s.decide(task("t"), 0)).toEqual({ queue: "local", reason: "capacity" });
  });

  test("gossip is untrusted and asynchronous: bad figures penalised, older sequence numbers ignored", () => {
    const s = new TaskScheduler({ self: "a", quorum: "q0" });
    expect(s.observe("b", "q0", Number.NaN, 1, 0)?.code).toBe("SCHEDULER_BAD_FIGURE");
    expect(s.observe("b", "q0", Number.NEGATIVE_INFINITY, 1, 0)?.peer).toBe("penalise");
    expect(s.observe("b", "q0", 0.5, 1, 0)?.code).toBe("SCHEDULER_BAD_FIGURE");
    expect(s.observe("b", "q0", 3, 5, 0)).toBeNull();
    expect(s.observe("b", "q0", 1, 4, 1)?.code).toBe("SCHEDULER_STALE_SEQ");
    expect(s.freshPeers(1)[0]!.p).toBe(3);
    expect(s.observe("a", "q0", 1, 1, 0)?.code).toBe("SCHEDULER_SELF");
  });

  test("queues account submitted and completed tasks; completing everything returns to idle", () => {
    const s = new TaskScheduler({ self: "a", quorum: "q0" });
    s.submit(task("1", { costMs: 30 }), 0);
    s.submit(task("2", { dataQuorum: "q1", costMs: 5 }), 0);
    expect(s.queueLoads().local).toEqual({ tasks: 1, totalMs: 30 });
    expect(s.queueLoads().forward).toEqual({ tasks: 1, totalMs: 5 });
    expect(() => s.submit(task("1"), 0)).toThrow(RangeError);
    s.complete("1");
    s.complete("2");
    s.complete("unknown");
    expect(s.figure()).toBe(1);
  });

  test("property: the decision depends on the figures, not on the order gossip arrived in", () => {
    const fig = fc.record({
      member: fc.constantFrom("b", "c", "d", "e", "f"),
      quorum: fc.constantFrom("q0", "q1", "q2"),
      p: fc.double({ min: 1, max: 20, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fig, { selector: (f) => f.member, maxLength: 5 }),
        fc.integer({ min: 0, max: 80 }),
        (figs, load) => {
          const make = (order: typeof figs) => {
            const s = new TaskScheduler({ self: "a", quorum: "q0" });
            for (let i = 0; i < load; i++) s.submit(task(`l${i}`, { costMs: 50 }), 0);
            for (const f of order) s.observe(f.member, f.quorum, f.p, 1, 0);
            return s.decide(task("t"), 1);
          };
          const d = make(figs);
          expect(make([...figs].reverse())).toEqual(d);
          if (d.queue === "remote") expect(figs.find((f) => f.member === d.member)?.quorum).toBe("q0");
        },
      ),
      { seed: 6003, numRuns: 200 },
    );
  });

  test("the gossiped figure message round-trips canonically", () => {
    const msg = {
      quorum: new Uint8Array(32).fill(1),
      member: new Uint8Array(32).fill(2),
      seq: 7,
      pMilli: toMilli(4.2187),
    };
    expect(msg.pMilli).toBe(4219);
    expect(BackpressureFigure.decode(BackpressureFigure.encode(msg))).toEqual(msg);
  });
});
