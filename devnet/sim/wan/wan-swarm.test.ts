import { describe, expect, test } from "bun:test";
import { runWanSimulation } from "./wan-run.ts";

// CI sizing: 20 rounds per seed (~10 s of virtual time plus the healed phase) keeps 50 seeds near a
// minute on 2 cores; the 300-round run is `lattice sim --seed 1 --nodes 16 --rounds 300 --faults swarm`.
const SEEDS = 50;
const ROUNDS = 20;

describe("WAN swarm (16 nodes: 2 farmer quorums of 5, 4 harvesters, 2 miners; seed-chosen faults)", () => {
  test(`${SEEDS} swarm seeds: 0 violations, none vacuous, transfers finalized in each`, () => {
    const failures: string[] = [];
    const kinds = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runWanSimulation({ seed, nodes: 16, rounds: ROUNDS, faults: "swarm" });
      for (const k of r.plan.kinds) kinds.add(k);
      for (const p of r.byzantine) kinds.add(p.mode);
      if (r.verdict !== "pass" || r.transactions.finalized === 0)
        failures.push(`${r.replay}: ${r.verdict} ${[...r.violations, ...r.unfired].join("; ")}`);
    }
    expect(failures).toEqual([]);
    // The swarm reached every fault it may draw and every byzantine mode.
    expect([...kinds].sort()).toEqual(
      [
        "crash",
        "duplicate",
        "equivocate",
        "farmer:double-spend",
        "farmer:equivocate",
        "farmer:wrong-verdict",
        "harvester:equivocate",
        "harvester:invalid-proposal",
        "harvester:withhold",
        "invalid",
        "miner:invalid-block",
        "reorder",
        "twin",
        "vote-wrong",
        "withhold",
      ].sort(),
    );
  }, 600_000);

  test("determinism: the same seed gives the same event-log hash", () => {
    for (const seed of [1, 4, 7]) {
      const a = runWanSimulation({ seed, nodes: 16, rounds: 12, faults: "swarm" });
      const b = runWanSimulation({ seed, nodes: 16, rounds: 12, faults: "swarm" });
      expect(a.eventLogHash).toBe(b.eventLogHash);
      expect(a.transactions).toEqual(b.transactions);
    }
    const c = runWanSimulation({ seed: 2, nodes: 16, rounds: 12, faults: "swarm" });
    const d = runWanSimulation({ seed: 1, nodes: 16, rounds: 12, faults: "swarm" });
    expect(c.eventLogHash).not.toBe(d.eventLogHash);
  }, 120_000);
});
