/**
 * Fault plans for WAN runs (reliability-anchors.md §2 swarm testing: the seed picks the mix and its rates).
 *
 * The WAN engine (core/wan/round/wan-node.ts) sends proposals, convergence blocks and shares, batches,
 * verdict shares and certified batches ONCE and has no repair for a lost one besides round catch-up: a
 * lost proposal leaves the harvesters unable to check the round's block (the round stalls for good), and a
 * farmer that missed a certified batch never validates that batcher's later batches. Measured here: seeds
 * with message loss or partitions stall for good (e.g. `lattice sim --layer wan --seed 8 --nodes 16
 * --rounds 20 --faults loss`). Until the engine can recover lost messages, a WAN swarm draws from the
 * faults it is built to survive: duplication, reordering, WAN latency, crashes with restart and catch-up,
 * and byzantine members within f (withhold, equivocate, vote-wrong, invalid, twin). An explicit list may
 * still name loss or partition, to reproduce the finding.
 */
import type { Prng } from "../../../core/engine/prng.ts";
import { type FaultKind, type FaultPlan, planFaults } from "../faults.ts";

/** Faults a WAN swarm never draws (see the header). */
export const WAN_SWARM_EXCLUDED: readonly FaultKind[] = ["loss", "partition"];

export function planWanFaults(spec: string, rng: Prng): FaultPlan {
  const plan = planFaults(spec, rng);
  if (spec.trim() !== "swarm") return plan;
  let kinds = plan.kinds.filter((k) => !WAN_SWARM_EXCLUDED.includes(k));
  // The swarm drew only excluded faults: the same stream picks one the WAN survives.
  if (kinds.length === 0) {
    const allowed: FaultKind[] = [
      "duplicate",
      "reorder",
      "crash",
      "withhold",
      "equivocate",
      "vote-wrong",
      "invalid",
      "twin",
    ];
    kinds = [allowed[rng.int(0, allowed.length - 1)]!];
  }
  const { loss: _loss, ...links } = plan.links;
  return {
    ...plan,
    kinds,
    links: {
      ...links,
      ...(kinds.includes("duplicate") && links.duplicate === undefined ? { duplicate: 0.1 } : {}),
      ...(kinds.includes("reorder") && links.reorder === undefined ? { reorder: 0.1 } : {}),
    },
    partitionEveryMs: 0,
    crashEveryMs: kinds.includes("crash") ? plan.crashEveryMs || 3000 : 0,
    byzantine: plan.byzantine.filter((k) => kinds.includes(k)),
  };
}
