/**
 * One WAN simulation, start to verdict: the full pipeline of ARCHITECTURE.md "WAN consensus" 1-7 (farmer
 * quorums certifying batches, harvesters agreeing through Simplex and certifying convergence blocks,
 * miners, finality, the certificate's hash as beacon) under a seeded fault plan, in two phases
 * (reliability-anchors.md §2):
 * - safety: `rounds` x `WAN_ROUND_MS` of virtual time with the plan's faults (network rule, partitions,
 *   crashes with restarts, byzantine members within f per quorum, Twins) and the client load;
 * - liveness: everything healed, crashed hosts restarted, new load stopped, client retries on; every
 *   honest node must finalize `LIVENESS_MIN_ROUNDS` more rounds, and every acknowledged transfer must end
 *   final or provably invalid, within `WAN_LIVENESS_BOUND_MS` (the phase ends early once both hold).
 * Safety checks (devnet/invariants/ledger-checker.ts) hold over both phases. A planned fault that never
 * fired makes the run vacuous (§7). Quorum keys are dealer-made in this mode (see wan-world.ts).
 */
import { Prng } from "../../../core/engine/prng.ts";
import type { CheckResult, FaultExpectation, RunVerdict } from "../../invariants/checker.ts";
import { unfiredFaults, verdictOf } from "../../invariants/checker.ts";
import { BASE_LINKS, type FaultPlan } from "../faults.ts";
import { planWanFaults } from "./wan-faults.ts";
import type { NetworkFaultCounts } from "../network.ts";
import { scheduleFaults } from "../run.ts";
import { type WanLayout, type WanPlacement, WAN_MODES } from "./wan-layout.ts";
import { DEFAULT_WAN_LOAD, startLoad } from "./wan-load.ts";
import { buildWanWorld, type WanWorld } from "./wan-world.ts";

/** Nominal length of one WAN round in the simulator (virtual ms): the safety phase lasts rounds x this. */
export const WAN_ROUND_MS = 600;
export const WAN_LIVENESS_BOUND_MS = 30_000;
export const LIVENESS_MIN_ROUNDS = 3;

export interface WanSimConfig {
  readonly seed: number;
  readonly nodes: number;
  readonly rounds: number;
  readonly faults: string;
  /** Offered transfers per simulated second (default DEFAULT_WAN_LOAD.perSecond). */
  readonly load?: number;
  /** Tests: forced byzantine placements, over-budget allowance, a layout. */
  readonly placements?: readonly WanPlacement[];
  readonly overBudget?: number;
  readonly layout?: WanLayout;
  /** Tests: tamper with the world after it is built (e.g. corrupt what the checker sees). */
  readonly tamper?: (w: WanWorld) => void;
}

export interface WanProgress {
  readonly at: number;
  readonly rounds: number;
  readonly finalized: number;
  readonly open: number;
}

export interface WanSimReport {
  readonly layer: "wan";
  readonly keys: "dealer";
  readonly seed: number;
  readonly nodes: number;
  readonly rounds: number;
  readonly faults: string;
  readonly plan: FaultPlan;
  readonly layout: WanLayout;
  readonly byzantine: readonly WanPlacement[];
  readonly roundsFinalized: number;
  readonly nodeRounds: { readonly min: number; readonly max: number };
  readonly transactions: {
    readonly submitted: number;
    readonly acknowledged: number;
    readonly finalized: number;
    readonly twins: number;
    readonly overspends: number;
    readonly retries: number;
  };
  readonly progress: readonly WanProgress[];
  readonly checks: readonly CheckResult[];
  readonly unfired: readonly string[];
  readonly verdict: RunVerdict;
  readonly violations: readonly string[];
  readonly faultsFired: Readonly<Record<string, number>>;
  readonly engineFaults: Readonly<Record<string, number>>;
  readonly network: NetworkFaultCounts;
  readonly evidence: number;
  readonly simSeconds: number;
  readonly wallSeconds: number;
  /** Simulated seconds per wall second, and per CPU second of this process (robust on a busy machine). */
  readonly speed: number;
  readonly cpuSeconds: number;
  readonly speedCpu: number;
  readonly eventLogHash: string;
  readonly replay: string;
}

export function wanReplayCommand(c: WanSimConfig): string {
  return `lattice sim --layer wan --seed ${c.seed} --nodes ${c.nodes} --rounds ${c.rounds} --faults ${c.faults}${c.load === undefined ? "" : ` --load ${c.load}`}`;
}

/** What each placed mode did, from the engines' own fault counters (a twin: its events). */
function engineFaults(w: WanWorld): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of w.byzantine) {
    if (p.mode === "twin") continue;
    for (const [k, v] of Object.entries(w.engines.get(p.host)?.faultCounts() ?? {}))
      out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/**
 * Hosts a swarm never crashes (see wan-faults.ts): a restarted WanNode misses what was sent while it was
 * down (proposals, certified batches) and nothing re-sends it, so it counts against its role's fault
 * budget until what it missed is final. Farmers never (a restarted farmer never validates the running
 * batch chains of its quorum again); of the harvesters and of the miners one each, chosen by the seed:
 * the harvester only if no harvester is byzantine, the miner only if another honest miner remains.
 */
function crashSpared(w: WanWorld): string[] {
  const { layout } = w;
  const rng = w.sim.rng.fork("wan-crash");
  const harvester = layout.harvesters.every((h) => w.honest(h))
    ? layout.harvesters[rng.int(0, layout.harvesters.length - 1)]!
    : null;
  const honestMiners = layout.miners.filter((h) => w.honest(h));
  const miner = honestMiners.length >= 2 ? honestMiners[rng.int(0, honestMiners.length - 1)]! : null;
  return layout.hosts.filter((h) => h !== harvester && h !== miner);
}

export function runWanSimulation(config: WanSimConfig): WanSimReport {
  if (!Number.isSafeInteger(config.seed)) throw new RangeError("seed: expected a safe integer");
  if (!Number.isInteger(config.nodes) || config.nodes < 4 || config.nodes > 256)
    throw new RangeError("nodes: the WAN layer needs 4..256");
  if (!Number.isInteger(config.rounds) || config.rounds < 1) throw new RangeError("rounds: expected >= 1");
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let plan = planWanFaults(config.faults, new Prng(config.seed).fork("plan"));
  const w = buildWanWorld({
    seed: config.seed,
    nodes: config.nodes,
    plan,
    ...(config.placements === undefined ? {} : { placements: config.placements }),
    ...(config.overBudget === undefined ? {} : { overBudget: config.overBudget }),
    ...(config.layout === undefined ? {} : { layout: config.layout }),
  });
  config.tamper?.(w);
  const { sim, checker } = w;
  const healAt = config.rounds * WAN_ROUND_MS;
  const bound = healAt + WAN_LIVENESS_BOUND_MS;
  sim.note(`wan plan ${JSON.stringify(plan)} byzantine ${JSON.stringify(w.byzantine)}`);
  const spared = new Set([
    ...w.byzantine.map((b) => b.host),
    ...(config.faults.trim() === "swarm" ? crashSpared(w) : []),
  ]);
  // No host may crash (e.g. the only honest miner and a byzantine harvester): the swarm drops crashes.
  if (plan.crashEveryMs > 0 && w.layout.hosts.every((h) => spared.has(h)))
    plan = { ...plan, kinds: plan.kinds.filter((k) => k !== "crash"), crashEveryMs: 0 };
  scheduleFaults({ sim, byzantine: [...spared].map((host) => ({ host })) }, plan, healAt);
  const load = startLoad(w, {
    ...DEFAULT_WAN_LOAD,
    ...(config.load === undefined ? {} : { perSecond: config.load }),
    until: healAt,
  });
  sim.start();
  const progress: WanProgress[] = [];
  const step = Math.max(WAN_ROUND_MS, Math.round(healAt / 10));
  const snap = () =>
    progress.push({
      at: sim.clock.now(),
      rounds: checker.rounds(),
      finalized: checker.finalized(),
      open: load.open(),
    });
  for (let t = step; t < healAt; t += step) {
    sim.runUntil(t);
    snap();
  }
  sim.runUntil(healAt);
  snap();
  // Liveness phase: heal, restart everyone, keep the byzantine hosts; stop new load, keep retries.
  sim.network.heal();
  sim.network.profile = BASE_LINKS;
  for (const h of sim.hostNames()) if (!sim.isUp(h)) sim.restart(h);
  sim.note("liveness phase");
  const honest = w.layout.hosts.filter((h) => w.honest(h));
  const atHeal = new Map(honest.map((h) => [h, checker.roundOf(h)]));
  const live = () => {
    const top = Math.max(...honest.map((h) => checker.roundOf(h)));
    return (
      checker.unresolved() === 0 &&
      honest.every(
        (h) => checker.roundOf(h) >= atHeal.get(h)! + LIVENESS_MIN_ROUNDS && checker.roundOf(h) === top,
      )
    );
  };
  let endAt = healAt;
  while (endAt < bound && !live()) {
    endAt = Math.min(bound, endAt + 1000);
    sim.runUntil(endAt);
  }
  snap();

  const lagging = honest.filter((h) => checker.roundOf(h) < atHeal.get(h)! + LIVENESS_MIN_ROUNDS);
  const liveness: CheckResult =
    lagging.length === 0
      ? {
          name: "wan-liveness",
          status: "pass",
          detail: `${honest.length} honest nodes finalized >= ${LIVENESS_MIN_ROUNDS} rounds within ${endAt - healAt} ms of heal`,
        }
      : {
          name: "wan-liveness",
          status: "fail",
          detail: `no progress within ${WAN_LIVENESS_BOUND_MS} ms of heal: ${lagging
            .slice(0, 6)
            .map((h) => `${h}@${checker.roundOf(h)}`)
            .join(", ")}`,
        };
  const supplies = new Map(honest.map((h) => [h, w.engines.get(h)!.chain.ledger.supply()] as const));
  const checks: CheckResult[] = [
    checker.roundAgreement(),
    checker.validity(),
    checker.noDoubleSpend(),
    checker.conservation(supplies),
    checker.stateRoots(),
    checker.acknowledgedNotLost(),
    liveness,
  ];
  const net = sim.network.fired();
  const byEngine = engineFaults(w);
  const placedBy = (kind: string) => w.byzantine.filter((p) => (WAN_MODES[kind] ?? []).includes(p.mode));
  const modeFired = (p: WanPlacement) =>
    p.mode === "twin"
      ? (w.events.get(`${p.host}'`) ?? 0)
      : Object.values(w.engines.get(p.host)?.faultCounts() ?? {}).reduce((a, b) => a + b, 0);
  const fired: Record<string, number> = {
    loss: net.loss,
    duplicate: net.duplicate,
    reorder: net.reorder,
    partition: net.partition,
    crash: sim.counters.crashes,
  };
  for (const kind of Object.keys(WAN_MODES))
    fired[kind] = placedBy(kind).reduce((a, p) => a + modeFired(p), 0);
  const expectations: FaultExpectation[] = plan.kinds
    .filter((k) => !(k in WAN_MODES) || placedBy(k).length > 0)
    .map((k) => ({ fault: k, fired: fired[k] ?? 0 }));
  // Each placed mode must have acted, not just its kind (a mode that never fired is vacuous too).
  for (const p of w.byzantine) expectations.push({ fault: `${p.mode}@${p.host}`, fired: modeFired(p) });
  const unfired = unfiredFaults(expectations);
  const verdict = verdictOf(checks, unfired);
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rounds = honest.map((h) => checker.roundOf(h));
  return {
    layer: "wan",
    keys: "dealer",
    seed: config.seed,
    nodes: config.nodes,
    rounds: config.rounds,
    faults: config.faults,
    plan,
    layout: w.layout,
    byzantine: w.byzantine,
    roundsFinalized: checker.rounds(),
    nodeRounds: { min: Math.min(...rounds), max: Math.max(...rounds) },
    transactions: {
      submitted: load.submitted,
      acknowledged: checker.acknowledged(),
      finalized: checker.finalized(),
      twins: load.twins,
      overspends: load.overspends,
      retries: load.retries,
    },
    progress,
    checks,
    unfired,
    verdict,
    violations: checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`),
    faultsFired: fired,
    engineFaults: byEngine,
    network: net,
    evidence: w.emitted.get("wan/evidence") ?? 0,
    simSeconds: endAt / 1000,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    speed: Math.round((endAt / 1000 / wallSeconds) * 10) / 10,
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    speedCpu: Math.round((endAt / 1000 / cpuSeconds) * 10) / 10,
    eventLogHash: sim.eventLogHash(),
    replay: wanReplayCommand(config),
  };
}
