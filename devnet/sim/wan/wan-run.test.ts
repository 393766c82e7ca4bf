import { describe, expect, test } from "bun:test";
import type { WanLayout } from "./wan-layout.ts";
import { runWanSimulation } from "./wan-run.ts";

const hosts = Array.from({ length: 16 }, (_, i) => `n${i}`);
const LAYOUT: WanLayout = {
  hosts,
  farmerQuorums: [hosts.slice(0, 5), hosts.slice(5, 10)],
  harvesters: hosts.slice(10, 14),
  miners: hosts.slice(14),
};
const SAFETY = ["wan-agreement", "wan-validity", "no-double-spend", "conservation", "state-roots"];

describe("WAN simulation", () => {
  test("no faults: rounds and transfers finalize, every check passes, the plan says keys are dealer-made", () => {
    const r = runWanSimulation({ seed: 3, nodes: 16, rounds: 15, faults: "none" });
    expect(r.verdict).toBe("pass");
    expect(r.keys).toBe("dealer");
    expect(r.roundsFinalized).toBeGreaterThanOrEqual(12);
    expect(r.transactions.finalized).toBeGreaterThan(100);
    expect(r.transactions.twins + r.transactions.overspends).toBeGreaterThan(0);
    expect(r.checks.map((c) => c.name)).toEqual([...SAFETY, "acknowledged-not-lost", "wan-liveness"]);
    expect(r.replay).toBe("lattice sim --layer wan --seed 3 --nodes 16 --rounds 15 --faults none");
  }, 60_000);

  test("the acceptance run: seed 1, 16 nodes, 300 rounds, swarm faults: 0 violations, transfers finalized", () => {
    const r = runWanSimulation({ seed: 1, nodes: 16, rounds: 300, faults: "swarm" });
    expect(r.violations).toEqual([]);
    expect(r.verdict).toBe("pass");
    expect(r.roundsFinalized).toBeGreaterThanOrEqual(250);
    expect(r.transactions.finalized).toBeGreaterThan(5000);
    expect(r.byzantine.length).toBeGreaterThan(0);
  }, 300_000);

  test("one farmer quorum with 2 byzantine members of 5 (below its threshold t = 3) keeps every safety invariant", () => {
    const r = runWanSimulation({
      seed: 5,
      nodes: 16,
      rounds: 30,
      faults: "duplicate,reorder",
      layout: LAYOUT,
      placements: [
        { host: "n1", mode: "farmer:wrong-verdict" },
        { host: "n3", mode: "farmer:double-spend" },
      ],
    });
    for (const name of SAFETY) expect(r.checks.find((c) => c.name === name)?.status).toBe("pass");
    // Both modes acted (not vacuous), and the run still finalized transfers.
    expect(r.engineFaults["farmer/wrong-verdict"] ?? 0).toBeGreaterThan(0);
    expect(r.engineFaults["farmer/forked-batch"] ?? 0).toBeGreaterThan(0);
    expect(r.unfired).toEqual([]);
    expect(r.transactions.finalized).toBeGreaterThan(100);
  }, 60_000);

  test("the checker can fail: a node that mints coins is reported, with the replay command", () => {
    const r = runWanSimulation({
      seed: 2,
      nodes: 16,
      rounds: 10,
      faults: "none",
      tamper: (w) => {
        // At 2 s, honest farmer n0's ledger credits an account from nothing (a double credit).
        w.sim.clock.schedule(2000, () => {
          const node = w.engines.get(w.layout.farmerQuorums[0]![0]!)!;
          const a = w.accounts[0]!.address;
          const acc = node.chain.ledger.get(a);
          node.chain.ledger.set(a, { ...acc, balance: acc.balance + 1000n });
        });
      },
    });
    expect(r.verdict).toBe("fail");
    expect(r.violations.some((v) => v.startsWith("conservation:"))).toBe(true);
    expect(r.replay).toBe("lattice sim --layer wan --seed 2 --nodes 16 --rounds 10 --faults none");
  }, 60_000);

  test("a harvester quorum beyond f (2 of 4 withholding, t = 3) stalls, and liveness says so", () => {
    const r = runWanSimulation({
      seed: 1,
      nodes: 16,
      rounds: 10,
      faults: "none",
      layout: LAYOUT,
      placements: [
        { host: "n10", mode: "harvester:withhold" },
        { host: "n11", mode: "harvester:withhold" },
      ],
    });
    expect(r.verdict).toBe("fail");
    expect(r.roundsFinalized).toBe(0);
    expect(r.violations.map((v) => v.split(":")[0])).toEqual(["acknowledged-not-lost", "wan-liveness"]);
    for (const name of SAFETY) expect(r.checks.find((c) => c.name === name)?.status).not.toBe("fail");
  }, 60_000);
});
