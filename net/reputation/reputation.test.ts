import { describe, expect, test } from "bun:test";
import { Reputation } from "./reputation.ts";

describe("Reputation", () => {
  test("latency is an EWMA", () => {
    const r = new Reputation({ alpha: 0.5 });
    r.recordLatency("a", 10);
    r.recordLatency("a", 20);
    expect(r.peer("a")?.latencyMs).toBe(15);
    expect(r.peer("a")?.latencySamples).toBe(2);
    r.recordLatency("a", Number.NaN);
    expect(r.peer("a")?.latencySamples).toBe(2);
  });

  test("invalid input costs more than failures; rank is deterministic", () => {
    const r = new Reputation();
    r.recordFailure("b");
    r.recordInvalid("c", "bad-signature");
    expect(r.score("a")).toBe(1);
    expect(r.score("b")).toBeGreaterThan(r.score("c"));
    expect(r.rank(["c", "b", "a", "d"])).toEqual(["a", "d", "b", "c"]);
    expect(r.peer("c")?.invalid).toEqual({ "bad-signature": 1 });
  });

  test("group aggregates over members", () => {
    const r = new Reputation({ alpha: 1 });
    r.recordLatency("a", 10);
    r.recordLatency("b", 30);
    r.recordFailure("b");
    r.recordInvalid("a", "replay");
    const g = r.group(["a", "b", "z"]);
    expect(g.members).toBe(3);
    expect(g.observed).toBe(2);
    expect(g.meanLatencyMs).toBe(20);
    expect(g.failures).toBe(1);
    expect(g.invalid).toBe(1);
    expect(g.meanScore).toBeLessThan(1);
    expect(new Reputation().group([]).meanScore).toBe(0);
  });

  test("rejects a bad alpha", () => {
    expect(() => new Reputation({ alpha: 0 })).toThrow(RangeError);
  });
});
