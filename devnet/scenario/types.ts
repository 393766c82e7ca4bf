/**
 * The scenario model (issue #8 item 5; reliability-anchors.md §7-§8): a devnet topology, a load, a list
 * of steps timed by round or by time that run while the load runs, and the invariants to check. The typed
 * API (`defineScenario`) is the primary form; JSON/YAML files (parse.ts) decode into the same objects.
 *
 * Everything is written against the devnet's generic surface (nodes, rounds, transactions, link faults,
 * process faults, byzantine modes), never against one consensus protocol's internals, so scenarios keep
 * working when the devnet gains its WAN mode. Node references are 0-based indices as `lattice devnet
 * status` prints them.
 */

/**
 * A node: an index; "all"; "down" (every node whose process is not running: what a restart brings back);
 * a seeded "random" running one; or the "leader". The public API names no leader, so "leader" is the node
 * expected to propose the next round under rotating leadership, (round + 1) mod n: a prediction, which is
 * why leader scenarios hold their fault for several rounds (every node's turns come round within n).
 */
export type NodeRef = number | "all" | "down" | "random" | "leader";

/**
 * Links a fault applies to: "all" (every directed link), a node (all its links both ways), "A-B" (both
 * directions between A and B) or "A>B" (frames from A to B only).
 */
export type LinkTarget = "all" | number | `${number}-${number}` | `${number}>${number}`;

/**
 * When a step starts. `round`/`ms` count from the scenario start (the round the cluster had when the
 * load began); `afterRounds`/`afterMs` count from the end of the previous step. Omitted: at once.
 */
export type Trigger =
  | { readonly round: number }
  | { readonly ms: number }
  | { readonly afterRounds: number }
  | { readonly afterMs: number };

export type ByzantineModeName = "honest" | "equivocate" | "vote-wrong" | "withhold";

interface StepBase {
  readonly at?: Trigger;
  /** A label for the timeline and the report (default: derived from the step). */
  readonly label?: string;
}

export type Step =
  | (StepBase & { readonly do: "kill"; readonly node: NodeRef })
  | (StepBase & { readonly do: "restart"; readonly node: NodeRef })
  | (StepBase & { readonly do: "pause"; readonly node: NodeRef })
  | (StepBase & { readonly do: "resume"; readonly node: NodeRef })
  | (StepBase & {
      readonly do: "partition";
      /** Groups of node indices; links between groups are cut. */
      readonly groups?: readonly (readonly number[])[];
      /** Cut one node from every other (e.g. "leader"). */
      readonly isolate?: NodeRef;
      /** Only frames from the first group to the second are dropped. */
      readonly oneWay?: boolean;
    })
  | (StepBase & { readonly do: "heal" })
  | (StepBase & {
      readonly do: "latency";
      readonly target: LinkTarget;
      readonly ms: number;
      readonly jitterMs?: number;
    })
  | (StepBase & { readonly do: "loss"; readonly target: LinkTarget; readonly rate: number })
  | (StepBase & {
      readonly do: "duplicate";
      readonly target: LinkTarget;
      readonly rate: number;
      /** Also hold frames back so later ones overtake them (stale delivery). */
      readonly reorder?: number;
    })
  | (StepBase & { readonly do: "skew"; readonly node: NodeRef; readonly ms: number })
  | (StepBase & { readonly do: "byzantine"; readonly node: NodeRef; readonly mode: ByzantineModeName })
  /** Re-submit `count` transfers that already went final: each must be refused, none applied twice. */
  | (StepBase & { readonly do: "replay-txs"; readonly count: number })
  | (StepBase & { readonly do: "wait"; readonly rounds?: number; readonly ms?: number })
  | (StepBase & {
      readonly do: "assert";
      /** `progress`: the cluster finalizes >= `rounds` new rounds within `withinMs`; `stalled`: it does not
       * (e.g. a 2-2 split has no quorum); `safety`: every safety invariant holds so far. */
      readonly check: "progress" | "stalled" | "safety";
      readonly rounds?: number;
      readonly withinMs?: number;
    })
  | (StepBase & { readonly do: "repeat"; readonly times: number; readonly steps: readonly Step[] });

export type StepKind = Step["do"];

/** The invariants a scenario can check (reliability-anchors.md §8 names in brackets). */
export const CHECK_NAMES = [
  "agreement", // S1: no two different blocks at one round among honest nodes
  "validity", // S2: every final transfer valid in order, replayed from genesis
  "no-double-apply", // S3: no transfer final twice; replayed transfers refused
  "durability", // S4: every acknowledged transfer settles; no node's round goes backwards
  "supply", // S5: balances on every node equal the replay and sum to the genesis supply
  "state-agreement", // S6: identical state roots at equal rounds
  "liveness", // L1: after the final heal, every honest node finalizes new rounds within the bound
  "convergence", // L2: every honest node reaches the round the cluster had at heal
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface LoadSpec {
  /** Offered transfers per second (all senders together). */
  readonly tps: number;
  /** Dev accounts sending (2..10). */
  readonly senders: number;
  /** How long to send; default: until the last step ends. */
  readonly durationMs?: number;
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** reliability-anchors.md §8 scenario number(s) this covers, for the list. */
  readonly covers?: readonly number[];
  readonly topology: {
    readonly nodes: number;
    /** Default seed (the CLI's --seed wins). */
    readonly seed?: number;
    /** Block time of the devnet (default: the devnet's). */
    readonly blockTimeMs?: number;
  };
  readonly load?: LoadSpec;
  readonly steps: readonly Step[];
  /** Invariants to check (default: all of CHECK_NAMES). */
  readonly checks?: readonly CheckName[];
  /** Liveness: new rounds each honest node must finalize after the final heal, and within how long. */
  readonly liveness?: { readonly rounds?: number; readonly boundMs?: number };
}

/** Identity function with the types: the scenario API's entry point. */
export function defineScenario(s: Scenario): Scenario {
  return s;
}
