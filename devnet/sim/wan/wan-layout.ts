/**
 * Who does what in a simulated WAN (ARCHITECTURE.md "WAN consensus"): N hosts split by the seed into a
 * harvester quorum, miners and farmer quorums, and the byzantine modes a fault plan asks for placed so
 * that no quorum holds more than f = floor((n - 1) / 3) of them (the agreement's bound, tighter than the
 * seed's 40% crash rule), and at least one miner stays honest.
 *
 * Roles are disjoint from 12 hosts up, as an election makes them (seed 001: nodes are shuffled INTO
 * farmer quorums, a harvester quorum and miners): 4 harvesters and 2 miners (7 and 3 from 20 hosts), the
 * rest in farmer quorums of 5 (the last one takes 1-4 leftovers). N = 16 gives 2 x 5 farmers, 4
 * harvesters, 2 miners. Farmer quorums of 5 rather than 4: with one byzantine member, one honest member
 * whose verdict differs at a round boundary splits a quorum of 4 two against two for good (the engine
 * never re-validates a batch), while 5 still find t = 3 matching verdicts. Below 12 hosts every host
 * farms (quorums of 4) and harvesters and miners are drawn among them.
 * Elections at run time are not simulated yet: the committee is fixed for the run (epoch 0).
 */
import type { Prng } from "../../../core/engine/prng.ts";
import type { WanByzantine } from "../../../core/wan/round/wan-node.ts";

export interface WanLayout {
  readonly hosts: readonly string[];
  readonly farmerQuorums: readonly (readonly string[])[];
  readonly harvesters: readonly string[];
  readonly miners: readonly string[];
}

/** A byzantine behaviour of one host: an engine mode of WanNode, or a Twin (the identity runs twice). */
export type WanFaultMode =
  | "farmer:wrong-verdict"
  | "farmer:equivocate"
  | "farmer:double-spend"
  | "harvester:withhold"
  | "harvester:equivocate"
  | "harvester:invalid-proposal"
  | "miner:invalid-block"
  | "twin";

export interface WanPlacement {
  readonly host: string;
  readonly mode: WanFaultMode;
}

/** The WAN modes behind each byzantine fault kind of the plan vocabulary (devnet/sim/faults.ts). */
export const WAN_MODES: Readonly<Record<string, readonly WanFaultMode[]>> = {
  withhold: ["harvester:withhold"],
  equivocate: ["harvester:equivocate", "farmer:equivocate"],
  "vote-wrong": ["farmer:wrong-verdict"],
  invalid: ["harvester:invalid-proposal", "miner:invalid-block", "farmer:double-spend"],
  twin: ["twin"],
};

const byNumber = (a: string, b: string) => Number(a.slice(1)) - Number(b.slice(1));

export function layoutWan(nodes: number, rng: Prng): WanLayout {
  if (nodes < 4) throw new RangeError("the WAN layer needs at least 4 nodes");
  const hosts = Array.from({ length: nodes }, (_, i) => `n${i}`);
  const shuffled = rng.shuffle(hosts);
  const quorumsOf = (xs: readonly string[], size: number) => {
    const sorted = [...xs].sort(byNumber);
    const count = Math.max(1, Math.floor(sorted.length / size));
    return Array.from({ length: count }, (_, i) =>
      sorted.slice(size * i, i === count - 1 ? sorted.length : size * i + size),
    );
  };
  if (nodes < 12) {
    return {
      hosts,
      farmerQuorums: quorumsOf(hosts, 4),
      harvesters: shuffled.slice(0, Math.min(5, nodes)).sort(byNumber),
      miners: shuffled.slice(nodes - Math.min(3, nodes)).sort(byNumber),
    };
  }
  const h = nodes >= 20 ? 7 : 4;
  const m = nodes >= 20 ? 3 : 2;
  return {
    hosts,
    harvesters: shuffled.slice(0, h).sort(byNumber),
    miners: shuffled.slice(h, h + m).sort(byNumber),
    farmerQuorums: quorumsOf(shuffled.slice(h + m), 5),
  };
}

/** f of a quorum of n. */
export const toleranceOf = (n: number) => Math.floor((n - 1) / 3);

/**
 * Place each mode on a host with that role, keeping every quorum within f + `extra` byzantine hosts and
 * one miner honest; modes that do not fit are dropped (reported by the plan printout).
 */
export function placeWanByzantine(
  layout: WanLayout,
  modes: readonly WanFaultMode[],
  rng: Prng,
  extra = 0,
): WanPlacement[] {
  const quorums = [...layout.farmerQuorums, layout.harvesters];
  const load = new Map<readonly string[], number>();
  const placed: WanPlacement[] = [];
  let byzantineMiners = 0;
  for (const mode of modes) {
    const role = mode === "twin" ? null : mode.slice(0, mode.indexOf(":"));
    const pool =
      role === "farmer"
        ? layout.farmerQuorums.flat()
        : role === "harvester"
          ? layout.harvesters
          : role === "miner"
            ? layout.miners
            : layout.hosts;
    for (const host of rng.shuffle(pool)) {
      if (placed.some((p) => p.host === host)) continue;
      const mine = quorums.filter((q) => q.includes(host));
      if (mine.some((q) => (load.get(q) ?? 0) + 1 > toleranceOf(q.length) + extra)) continue;
      const miner = layout.miners.includes(host);
      if (miner && byzantineMiners + 1 >= layout.miners.length) continue;
      for (const q of mine) load.set(q, (load.get(q) ?? 0) + 1);
      if (miner) byzantineMiners++;
      placed.push({ host, mode });
      break;
    }
  }
  return placed;
}

/** The engine option of a placement (a Twin's engines are honest code run twice). */
export function engineModeOf(mode: WanFaultMode): WanByzantine | undefined {
  switch (mode) {
    case "farmer:wrong-verdict":
      return { farmer: "wrong-verdict" };
    case "farmer:equivocate":
      return { farmer: "equivocate" };
    case "farmer:double-spend":
      return { farmer: "double-spend" };
    case "harvester:withhold":
      return { harvester: "withhold" };
    case "harvester:equivocate":
      return { harvester: "equivocate" };
    case "harvester:invalid-proposal":
      return { harvester: "invalid-proposal" };
    case "miner:invalid-block":
      return { miner: "invalid-block" };
    case "twin":
      return undefined;
  }
}
