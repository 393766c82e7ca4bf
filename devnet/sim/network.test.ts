import { describe, expect, test } from "bun:test";
import { Prng } from "../../core/engine/prng.ts";
import { SimNetwork } from "./network.ts";
import { SimClock } from "./sim-clock.ts";

function net(seed = 1) {
  const n = new SimNetwork(new SimClock(), new Prng(seed), { latencyMs: 35, jitterMs: 25 });
  for (const h of ["a", "b", "c", "d"]) n.addHost(h);
  return n;
}

describe("SimNetwork on net/chaos", () => {
  test("every link carries the base rule: delays within latency ± jitter, counted as latency", () => {
    const n = net();
    for (let i = 0; i < 200; i++) {
      const d = n.send("a", "b", 100);
      expect(d.length).toBe(1);
      expect(d[0]!).toBeGreaterThanOrEqual(10);
      expect(d[0]!).toBeLessThanOrEqual(60);
    }
    expect(n.chaos.rule("c", "d")).toEqual({ latencyMs: 35, jitterMs: 25 });
    expect(n.fired()).toMatchObject({ sent: 200, latency: 200, loss: 0, partition: 0 });
  });

  test("partitions (named groups plus the rest), one-way cuts and heal use chaos's rules", () => {
    const n = net();
    n.partition([["a"]]);
    expect(n.connected("a", "b")).toBe(false);
    expect(n.connected("b", "a")).toBe(false);
    expect(n.connected("b", "c")).toBe(true);
    expect(n.send("a", "c", 10)).toEqual([]);
    n.heal();
    expect(n.connected("a", "b")).toBe(true);
    n.cut("c", "d");
    expect(n.connected("c", "d")).toBe(false);
    expect(n.connected("d", "c")).toBe(true);
    expect(n.send("c", "d", 10)).toEqual([]);
    // A new base rule keeps the cut in force.
    n.profile = { latencyMs: 35, jitterMs: 25, loss: 1 };
    expect(n.chaos.rule("c", "d")?.partition).toBe(true);
    expect(n.send("a", "b", 10)).toEqual([]);
    n.heal();
    expect(n.chaos.rule("c", "d")).toEqual({ latencyMs: 35, jitterMs: 25, loss: 1 });
    const f = n.fired();
    expect(f.partition).toBe(2);
    expect(f.loss).toBe(1);
    // The per-link report is net/chaos's own.
    expect(n.chaos.report()["a>c"]).toEqual({ partition: 1 });
  });

  test("loss, duplication and reordering fire and replay exactly from the seed", () => {
    const run = (seed: number) => {
      const n = net(seed);
      n.profile = { latencyMs: 35, jitterMs: 25, loss: 0.1, duplicate: 0.1, reorder: 0.2 };
      const out: number[][] = [];
      for (let i = 0; i < 500; i++) out.push([...n.send(i % 2 ? "a" : "b", i % 3 ? "c" : "d", 50)]);
      return { out, fired: n.fired() };
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(a.fired.loss).toBeGreaterThan(0);
    expect(a.fired.duplicate).toBeGreaterThan(0);
    expect(a.fired.reorder).toBeGreaterThan(0);
    expect(run(8).out).not.toEqual(a.out);
  });
});
