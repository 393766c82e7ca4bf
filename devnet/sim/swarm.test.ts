import { describe, expect, test } from "bun:test";
import { runSimulation, type SimReport } from "./run.ts";

// Sizes cycle so the swarm covers single quorums of 4, 5 and 7 and a two-quorum layout.
const SIZES = [4, 5, 7, 8];

function failure(r: SimReport): string {
  return `seed ${r.seed}: ${r.verdict} ${r.violations.join("; ")} unfired=${r.unfired.join(",")}\nreplay: ${r.replay}`;
}

describe("swarm", () => {
  test("50 swarm seeds with DKG in the loop: 0 violations, every fault fired, keys and liveness after heal", () => {
    const verdicts = new Map<string, number>();
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) {
      const r = runSimulation({ seed, nodes: SIZES[seed % SIZES.length]!, rounds: 30, faults: "swarm" });
      verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
      for (const k of r.plan.kinds) kinds.add(k);
      // A vacuous run (a drawn fault that never fired) is not a pass.
      if (r.verdict !== "pass") throw new Error(failure(r));
    }
    expect(verdicts.get("pass")).toBe(50);
    // The seeds between them exercised every fault kind.
    expect(kinds.size).toBe(10);
  }, 60_000);

  test("determinism: 20 seeds run twice give identical event-log hashes", () => {
    const hashes = new Set<string>();
    for (let seed = 100; seed < 120; seed++) {
      const config = { seed, nodes: SIZES[seed % SIZES.length]!, rounds: 15, faults: "swarm" };
      const a = runSimulation(config);
      const b = runSimulation(config);
      expect(b.eventLogHash).toBe(a.eventLogHash);
      expect(b.finalized).toBe(a.finalized);
      hashes.add(a.eventLogHash);
    }
    // Different seeds are different runs.
    expect(hashes.size).toBe(20);
  }, 60_000);

  test("16 nodes, quorums of 4 and 7 with live DKG, swarm faults: keys agree, keeps finalizing, 0 violations", () => {
    const r = runSimulation({ seed: 1, nodes: 16, rounds: 40, faults: "swarm" });
    if (r.verdict !== "pass") throw new Error(failure(r));
    expect(r.quorums.map((q) => q.n)).toEqual([4, 4, 4, 4, 7]);
    for (const q of r.quorums) {
      expect(q.minHeight).toBeGreaterThan(LIVENESS_FLOOR);
      // Every quorum keyed live over its own log, under the faults, and kept finalizing past it.
      expect(q.key.status).toBe("ready");
      expect(q.key.readyMembers).toBe(q.key.honestMembers);
      expect(q.key.readyHeight!).toBeLessThan(q.minHeight);
    }
    expect(r.checks.find((c) => c.name === "key-agreement")!.status).toBe("pass");
    expect(r.checks.find((c) => c.name === "no-certificate-before-key")!.status).toBe("pass");
  }, 60_000);
});

const LIVENESS_FLOOR = 3;
