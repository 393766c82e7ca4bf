import { describe, expect, test } from "bun:test";
import type { QuorumEngine } from "../../core/quorum/quorum-engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import { planFaults } from "./faults.ts";
import { buildWorld, faultsFired, layoutQuorums, runSimulation, scheduleFaults } from "./run.ts";

describe("Simulator", () => {
  test("crash loses memory, restart rebuilds from the journal and catches up", () => {
    const w = buildWorld({ seed: 5, nodes: 4, plan: planFaults("none", new Prng(5)) });
    w.sim.start();
    w.sim.runUntil(5000);
    const before = (w.sim.enginesOf("n2")[0] as QuorumEngine).simplex.stats().finalizedHeight;
    expect(before).toBeGreaterThan(3);
    w.sim.crash("n2");
    w.sim.runUntil(8000);
    w.sim.restart("n2");
    const fresh = (w.sim.enginesOf("n2")[0] as QuorumEngine).simplex.stats();
    // The new instance starts from its journal: the finalized tip survived, memory did not.
    expect(fresh.finalizedHeight).toBe(before);
    expect(fresh.notarizations).toBe(0);
    w.sim.runUntil(15000);
    expect(w.checker.agreement().status).toBe("pass");
    expect(w.checker.validity((c, p) => w.proposed.has(`${c}/${p}`)).status).toBe("pass");
    expect(w.checker.heightOf("n2", w.quorums[0]!.chain)).toBeGreaterThan(before + 5);
    expect(w.sim.counters.crashes).toBe(1);
  });

  test("network faults are counted (the fired-fault report)", () => {
    const r = runSimulation({ seed: 3, nodes: 4, rounds: 20, faults: "loss,duplicate,partition,crash" });
    expect(r.verdict).toBe("pass");
    for (const k of ["loss", "duplicate", "partition", "crash"]) expect(r.faultsFired[k]).toBeGreaterThan(0);
    expect(r.unfired).toEqual([]);
  });

  test("network faults are net/chaos's: the per-link report sums to the run's totals", () => {
    const plan = planFaults("loss,duplicate,reorder,partition", new Prng(6));
    expect(plan.links).toMatchObject({ latencyMs: 35, jitterMs: 25 });
    const w = buildWorld({ seed: 6, nodes: 7, plan });
    scheduleFaults(w, plan, 10_000);
    w.sim.start();
    w.sim.runUntil(12_000);
    const totals = w.sim.network.fired();
    const sum: Record<string, number> = {};
    for (const link of Object.values(w.sim.network.chaos.report()))
      for (const [k, v] of Object.entries(link)) sum[k] = (sum[k] ?? 0) + v;
    for (const k of ["loss", "duplicate", "reorder", "partition", "latency"] as const) {
      expect(totals[k]).toBeGreaterThan(0);
      expect(sum[k]).toBe(totals[k]);
    }
    expect(faultsFired(w)).toMatchObject({
      loss: totals.loss,
      duplicate: totals.duplicate,
      reorder: totals.reorder,
      partition: totals.partition,
    });
  });

  test("every byzantine mode runs within f and is reported as fired", () => {
    for (const mode of ["withhold", "equivocate", "vote-wrong", "invalid", "twin"]) {
      const r = runSimulation({ seed: 4, nodes: 4, rounds: 20, faults: mode });
      if (r.verdict !== "pass")
        throw new Error(`${mode}: ${r.verdict} ${r.violations.join("; ")} ${r.replay}`);
      expect(r.byzantine.map((b) => b.kind)).toEqual([mode as never]);
      expect(r.faultsFired[mode]).toBeGreaterThan(0);
    }
  });

  test("the plan is derived from the seed and printed in the report", () => {
    const a = runSimulation({ seed: 8, nodes: 4, rounds: 5, faults: "swarm" });
    const b = runSimulation({ seed: 8, nodes: 4, rounds: 5, faults: "swarm" });
    expect(a.plan).toEqual(b.plan);
    expect(a.eventLogHash).toBe(b.eventLogHash);
    expect(a.replay).toBe("lattice sim --seed 8 --nodes 4 --rounds 5 --faults swarm");
  });

  test("layout: 16 nodes give four quorums of 4 and a harvester quorum of 7", () => {
    const q = layoutQuorums(16, new Prng(1));
    expect(q.map((x) => x.hosts.length)).toEqual([4, 4, 4, 4, 7]);
    expect(layoutQuorums(6, new Prng(1)).map((x) => x.hosts.length)).toEqual([6]);
    expect(layoutQuorums(3, new Prng(1)).map((x) => x.hosts.length)).toEqual([3]);
  });
});
