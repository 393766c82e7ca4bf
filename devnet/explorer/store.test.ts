import { describe, expect, test } from "bun:test";
import { nodeRow } from "./memory-source.ts";
import type { RoundRow } from "./model.ts";
import { type Action, initialState, RATE_WINDOW, reduce } from "./store.ts";

const T0 = 1_700_000_000_000;
const r = (round: number, root: string, time: number, txCount = 0): RoundRow => ({ round, root, time, txCount, rejectedCount: 0, note: null });
const run = (...actions: Action[]) => actions.reduce(reduce, initialState("t", T0));

describe("explorer store", () => {
  test("round events advance the head, fill the rounds list and follow it", () => {
    const s = run({ type: "round", node: "n0", round: r(1, "aa", T0) }, { type: "round", node: "n0", round: r(2, "bb", T0 + 500) });
    expect(s.head).toBe(2);
    expect(s.rounds.map((x) => x.round)).toEqual([2, 1]);
    expect(s.selectedRound).toBe(2);
    expect(s.lastRoundAt).toBe(T0 + 500);
  });

  test("moving in the rounds list stops following; f resumes at the head", () => {
    let s = run({ type: "rounds", rounds: [r(3, "c", T0), r(2, "b", T0), r(1, "a", T0)] }, { type: "panel", panel: "rounds" });
    s = reduce(s, { type: "move", delta: 1 });
    expect(s.follow).toBe(false);
    expect(s.selectedRound).toBe(2);
    s = reduce(s, { type: "round", node: "n0", round: r(4, "d", T0 + 1) });
    expect(s.selectedRound).toBe(2);
    s = reduce(s, { type: "follow", on: true });
    expect(s.selectedRound).toBe(4);
  });

  test("agreement: two nodes with different roots for one round is a violation, in the timeline", () => {
    let s = run({ type: "round", node: "n0", round: r(5, "aaaa", T0) }, { type: "round", node: "n1", round: r(5, "aaaa", T0) });
    expect(s.invariants).toEqual({ compared: 1, violation: null });
    s = reduce(s, { type: "round", node: "n2", round: r(5, "bbbb", T0) });
    expect(s.invariants.violation).toContain("round 5");
    expect(s.faults[0]?.kind).toBe("invariant");
  });

  test("transactions per second are bucketed by second of round time", () => {
    const s = run(
      { type: "round", node: "n0", round: r(1, "a", T0, 3) },
      { type: "round", node: "n0", round: r(2, "b", T0 + 400, 2) },
      { type: "round", node: "n0", round: r(3, "c", T0 + 2000, 7) },
    );
    expect(s.rate.length).toBe(RATE_WINDOW);
    expect(s.rate.slice(-3)).toEqual([5, 0, 7]);
  });

  test("finality latency is measured from accepted to final", () => {
    const s = run({ type: "tx", phase: "accepted", id: "x", time: T0 }, { type: "tx", phase: "final", id: "x", time: T0 + 300 });
    expect(s.finalityMs).toBe(300);
    expect(s.accepted).toEqual({});
  });

  test("a node changing health is a timeline entry", () => {
    const s = run(
      { type: "nodes", nodes: [nodeRow("n0"), nodeRow("n1")], now: T0 },
      { type: "nodes", nodes: [nodeRow("n0"), nodeRow("n1", { health: "down" })], now: T0 + 1 },
    );
    expect(s.faults.map((f) => f.text)).toEqual(["n1 up -> down"]);
  });

  test("the logs cursor counts back from the newest line (down = newer)", () => {
    let s = run(
      { type: "logs", lines: [1, 2, 3].map((i) => ({ node: "n0", time: T0 + i, level: "info", msg: `m${i}` })) },
      { type: "panel", panel: "logs" },
    );
    s = reduce(s, { type: "move", delta: -1 });
    expect(s.cursor.logs).toBe(1);
    s = reduce(s, { type: "move", delta: 1 });
    expect(s.cursor.logs).toBe(0);
  });

  test("late answers for a closed round or an old query are dropped", () => {
    let s = run({ type: "openRound", round: 3 }, { type: "back" });
    s = reduce(s, { type: "roundDetail", round: 3, data: null, error: "x" });
    expect(s.detail).toBeNull();
    s = reduce(s, { type: "lookupStart", query: "a" });
    s = reduce(s, { type: "lookupResult", query: "b", result: { kind: "not-found", query: "b", message: "no" } });
    expect(s.lookup?.pending).toBe(true);
  });
});
