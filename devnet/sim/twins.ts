/**
 * Twins scenarios (Bano et al., OPODIS 2021; reliability-anchors.md §3 "Twins"): byzantine replicas
 * emulated by running two honest instances with the same key, each with its own journal, and a
 * network split that shows each twin a different half of the quorum for the first views.
 *
 * A scenario is (seed, twinned hosts, one side of a two-way partition, how many views it lasts). With
 * at most f twinned replicas Simplex must keep agreement whatever the split; with f+1 it cannot, and
 * the checker must say so, with the replay command of the scenario.
 */
import type { CheckResult } from "../invariants/checker.ts";
import { planFaults } from "./faults.ts";
import { buildWorld, SIM_BLOCK_TIME_MS, SIM_DELTA_MS } from "./run.ts";
import { Prng } from "../../core/engine/prng.ts";

export interface TwinsScenario {
  readonly seed: number;
  /** Hosts of a 4-replica quorum (n0..n3) that get a twin (named `<host>'`). */
  readonly twins: readonly string[];
  /** One side of the partition; every other host (twins included) is on the other side. */
  readonly side: readonly string[];
  /** Views the partition lasts (measured as timed-out views: blockTime + 3Δ each). */
  readonly views: number;
}

export interface TwinsResult {
  readonly scenario: TwinsScenario;
  readonly checks: readonly CheckResult[];
  readonly violations: readonly string[];
  readonly finalized: number;
  readonly evidence: number;
  readonly eventLogHash: string;
  readonly replay: string;
}

export function twinsReplay(s: TwinsScenario): string {
  return `lattice sim --seed ${s.seed} --nodes 4 --twins ${s.twins.join(",")} --split ${s.side.join(",")} --views ${s.views}`;
}

/** Every host of a 4-replica quorum with `twins` twinned. */
export function twinsHosts(twins: readonly string[]): string[] {
  const base = ["n0", "n1", "n2", "n3"];
  return [...base, ...twins.map((t) => `${t}'`)];
}

/** All two-way partitions of `hosts` (each unordered split once, both sides non-empty). */
export function twoWayPartitions(hosts: readonly string[]): string[][] {
  const out: string[][] = [];
  const n = hosts.length;
  // Fix hosts[0] on the chosen side so each split appears once.
  for (let mask = 0; mask < 1 << (n - 1); mask++) {
    const side = [hosts[0]!];
    for (let i = 1; i < n; i++) if (mask & (1 << (i - 1))) side.push(hosts[i]!);
    if (side.length < n) out.push(side);
  }
  return out;
}

/** Run one Twins scenario: split for `views` views, heal, run on, check agreement and validity. */
export function runTwins(s: TwinsScenario, afterHealMs = 5000): TwinsResult {
  const world = buildWorld({
    seed: s.seed,
    nodes: 4,
    plan: planFaults("none", new Prng(s.seed)),
    placements: s.twins.map((host) => ({ host, kind: "twin" as const })),
  });
  const { sim, checker } = world;
  const hosts = twinsHosts(s.twins);
  const other = hosts.filter((h) => !s.side.includes(h));
  sim.network.partition([s.side, other]);
  sim.note(`twins ${s.twins.join(",")} split ${s.side.join(",")} | ${other.join(",")}`);
  sim.start();
  const healAt = s.views * (SIM_BLOCK_TIME_MS + 3 * SIM_DELTA_MS);
  sim.runUntil(healAt);
  sim.network.heal();
  sim.note("heal");
  sim.runUntil(healAt + afterHealMs);
  const checks = [
    checker.agreement(),
    checker.validity((chain, payload) => world.proposed.has(`${chain}/${payload}`)),
  ];
  return {
    scenario: s,
    checks,
    violations: checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`),
    finalized: checker.all().length,
    evidence: world.evidence,
    eventLogHash: sim.eventLogHash(),
    replay: twinsReplay(s),
  };
}
