/**
 * Fault plans for simulator runs (reliability-anchors.md §2 TigerBeetle "swarm testing": the seed picks
 * the fault mix and its rates, then the events; §7 "print the whole derived config up front").
 *
 * `none` injects nothing; a LIST turns on the named faults at fixed moderate rates; `swarm` lets the
 * seed choose a non-empty subset and a rate for each. Every number is in the returned plan, which the
 * simulator prints before it runs, so a failing seed is fully described by its replay command.
 */
import type { Prng } from "../../core/engine/prng.ts";
import type { LinkRule } from "../../net/chaos/chaos.ts";
import type { ByzantineKind } from "./byzantine.ts";

export const NETWORK_FAULTS = ["loss", "duplicate", "reorder", "partition", "crash"] as const;
export const BYZANTINE_FAULTS = ["withhold", "equivocate", "vote-wrong", "invalid", "twin"] as const;
export const FAULT_KINDS = [...NETWORK_FAULTS, ...BYZANTINE_FAULTS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Everything a run's faults are made of. */
export interface FaultPlan {
  readonly spec: string;
  readonly kinds: readonly FaultKind[];
  /** The net/chaos rule of every link during the safety phase (partitions come on top). */
  readonly links: LinkRule;
  /** Mean time between partitions, and how long one lasts. */
  readonly partitionEveryMs: number;
  readonly partitionForMs: readonly [number, number];
  /** Mean time between crashes, and how long a host stays down. */
  readonly crashEveryMs: number;
  readonly downForMs: readonly [number, number];
  /** Byzantine behaviours to place (at most f per quorum; some may not fit and are dropped). */
  readonly byzantine: readonly ByzantineKind[];
}

/** WAN-like links: one-way 10-60 ms (35 ± 25, uniform), in every phase and every plan. */
export const BASE_LINKS: LinkRule = { latencyMs: 35, jitterMs: 25 };

/** Parse `none | swarm | a,b,c` (usage errors throw RangeError naming the bad entry). */
export function parseFaultSpec(spec: string): "none" | "swarm" | FaultKind[] {
  const s = spec.trim();
  if (s === "none" || s === "swarm") return s;
  const out: FaultKind[] = [];
  for (const part of s.split(",")) {
    const k = part.trim();
    if (!(FAULT_KINDS as readonly string[]).includes(k)) {
      throw new RangeError(
        `unknown fault "${k}" (expected none, swarm or a list of ${FAULT_KINDS.join(", ")})`,
      );
    }
    if (!out.includes(k as FaultKind)) out.push(k as FaultKind);
  }
  if (out.length === 0) throw new RangeError("empty fault list");
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The plan for a spec; `rng` (forked from the seed) chooses everything a swarm leaves open. */
export function planFaults(spec: string, rng: Prng): FaultPlan {
  const parsed = parseFaultSpec(spec);
  let kinds: FaultKind[];
  let rate: (lo: number, hi: number) => number;
  if (parsed === "none") {
    kinds = [];
    rate = (lo) => lo;
  } else if (parsed === "swarm") {
    kinds = FAULT_KINDS.filter(() => rng.nextFloat() < 0.5);
    if (kinds.length === 0) kinds = [FAULT_KINDS[rng.int(0, FAULT_KINDS.length - 1)]!];
    rate = (lo, hi) => round3(lo + (hi - lo) * rng.nextFloat());
  } else {
    kinds = parsed;
    rate = (lo, hi) => round3((lo + hi) / 2);
  }
  const on = (k: FaultKind) => kinds.includes(k);
  // net/chaos's vocabulary: reorder holds a message back past the next ones, with a probability.
  const reorder = on("reorder") ? rate(0.02, 0.3) : 0;
  const loss = on("loss") ? rate(0.01, 0.2) : 0;
  const duplicate = on("duplicate") ? rate(0.01, 0.3) : 0;
  const downLo = Math.round(rate(200, 1000));
  const partLo = Math.round(rate(300, 1500));
  return {
    spec,
    kinds,
    links: {
      ...BASE_LINKS,
      ...(loss > 0 ? { loss } : {}),
      ...(duplicate > 0 ? { duplicate } : {}),
      ...(reorder > 0 ? { reorder } : {}),
    },
    partitionEveryMs: on("partition") ? Math.round(rate(1000, 6000)) : 0,
    partitionForMs: [partLo, partLo * 3],
    crashEveryMs: on("crash") ? Math.round(rate(1000, 6000)) : 0,
    downForMs: [downLo, downLo * 4],
    byzantine: kinds.filter((k): k is ByzantineKind => (BYZANTINE_FAULTS as readonly string[]).includes(k)),
  };
}
