/**
 * One simulator run, start to verdict: the composition root behind `lattice sim`, the swarm and
 * determinism tests and bench/sim.ts (ARCHITECTURE.md "The one design rule"; reliability-anchors.md
 * §2 two phases, §7 reporting).
 *
 * Layout (documented in `lattice sim --help`): N hosts; farmer quorums of 4 consecutive hosts (the
 * last one takes the 1-3 leftovers, so 5-7 members); when N >= 7 also a harvester quorum of 7 hosts
 * drawn by the seed from all N, so those hosts run two Simplex engines. N = 16 gives 4 x 4 + 7; N = 4
 * gives one quorum of 4. Every host runs a `QuorumEngine` per quorum (core/quorum): the quorum's
 * Simplex log first carries its DKG, live, under the run's faults; once the key is ready the quorum
 * certifies every 8th finalized height of its log (checkpoint certificates: about 25 per quorum in a
 * default run, each combined by every member; every 4th cost a tenth of a 16-node run).
 * At 1 ms every member is asked to certify something, before any key can exist: each must refuse
 * (the refusal path fires).
 * The model suite uses the model threshold scheme and share box; `--crypto real` BLS and X25519.
 *
 * Network faults are net/chaos link rules (network.ts): the plan's rule on every link, partitions and
 * one-way cuts on top, and the fired-fault report in chaos's kinds, as on a devnet.
 *
 * Phases: *safety* (R rounds of faults; agreement, validity and state agreement must hold throughout),
 * then *liveness*: partitions healed, links clean, crashed hosts restarted, byzantine hosts unchanged;
 * every honest replica must finalize `minHeights` new blocks within the bound.
 */
import { toHex } from "../../core/crypto/bytes.ts";
import { type CryptoSuite, modelSuite, realSuite } from "../../core/crypto/suite.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { Prng } from "../../core/engine/prng.ts";
import { EVIDENCE_EVENT, type FinalizedBlock, FINALIZED_EVENT } from "../../core/bft/simplex.ts";
import { MemoryJournal } from "../../core/bft/simplex-journal.ts";
import { boxKeyPair, modelShareBox, x25519ShareBox } from "../../core/dkg/share-box.ts";
import {
  CERTIFICATE_EVENT,
  KEY_EVENT,
  type KeyEvent,
  PROPOSED_EVENT,
  type QuorumCertificate,
  QuorumEngine,
  REFUSED_EVENT,
} from "../../core/quorum/quorum-engine.ts";
import { seededRandom } from "../../core/threshold/seeded-random.ts";
import {
  type CheckResult,
  type FaultExpectation,
  InvariantChecker,
  type RunVerdict,
  unfiredFaults,
  verdictOf,
} from "../invariants/checker.ts";
import { KeyChecker } from "../invariants/key-checker.ts";
import { type ByzantineKind, byzantineTransformer } from "./byzantine.ts";
import { BASE_LINKS, type FaultKind, type FaultPlan, planFaults } from "./faults.ts";
import type { NetworkFaultCounts } from "./network.ts";
import { sharedVerifier } from "./shared-verify.ts";
import { type EngineSlot, Simulator } from "./simulator.ts";

export interface SimConfig {
  readonly seed: number;
  readonly nodes: number;
  /** Rounds of the safety phase; a round is one nominal block interval (`ROUND_MS`). */
  readonly rounds: number;
  /** `none`, `swarm` or a comma list of fault kinds. */
  readonly faults: string;
  readonly suite?: "model" | "real";
}

/** Protocol timing of simulated quorums: WAN-like links, Δ and a block time. */
export const SIM_DELTA_MS = 150;
export const SIM_BLOCK_TIME_MS = 500;
export const ROUND_MS = 600;
export const LIVENESS_BOUND_MS = 20_000;
export const LIVENESS_MIN_HEIGHTS = 3;

export interface QuorumInfo {
  readonly name: string;
  readonly chain: string;
  readonly hosts: readonly string[];
  readonly n: number;
  readonly f: number;
}

/** A quorum's key at the end of a run, as its honest members agreed on it. */
export interface QuorumKeyReport {
  readonly status: "none" | "keying" | "ready" | "failed";
  /** Log height after which the key existed. */
  readonly readyHeight: number | null;
  /** First 16 hex digits of the group key. */
  readonly groupKey: string | null;
  readonly readyMembers: number;
  readonly honestMembers: number;
}

export interface SimReport {
  readonly seed: number;
  readonly nodes: number;
  readonly rounds: number;
  readonly faults: string;
  readonly suite: string;
  readonly plan: FaultPlan;
  readonly byzantine: readonly { host: string; kind: ByzantineKind }[];
  readonly quorums: readonly (QuorumInfo & { minHeight: number; maxHeight: number; key: QuorumKeyReport })[];
  readonly finalized: number;
  readonly checks: readonly CheckResult[];
  readonly unfired: readonly string[];
  readonly verdict: RunVerdict;
  readonly violations: readonly string[];
  readonly faultsFired: Readonly<Record<string, number>>;
  /** The network's fired-fault totals in net/chaos's kinds (per link: `sim.network.chaos.report()`). */
  readonly network: NetworkFaultCounts;
  readonly evidence: number;
  readonly simSeconds: number;
  readonly wallSeconds: number;
  readonly speed: number;
  readonly eventLogHash: string;
  readonly replay: string;
}

/** The replay command of a configuration. */
export function replayCommand(c: SimConfig): string {
  const suite = c.suite === "real" ? " --crypto real" : "";
  return `lattice sim --seed ${c.seed} --nodes ${c.nodes} --rounds ${c.rounds} --faults ${c.faults}${suite}`;
}

/** Quorum membership for N hosts (see the module header). */
export function layoutQuorums(nodes: number, rng: Prng): { name: string; hosts: string[] }[] {
  const hosts = Array.from({ length: nodes }, (_, i) => `n${i}`);
  if (nodes < 4) return [{ name: "q0", hosts }];
  const out: { name: string; hosts: string[] }[] = [];
  const farmers = Math.floor(nodes / 4);
  for (let i = 0; i < farmers; i++) {
    const end = i === farmers - 1 ? nodes : 4 * i + 4;
    out.push({ name: `farmer${i}`, hosts: hosts.slice(4 * i, end) });
  }
  if (nodes >= 7) {
    const picked = rng.shuffle(hosts).slice(0, 7);
    picked.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    out.push({ name: "harvester", hosts: picked });
  }
  return out;
}

/** Place byzantine behaviours on hosts so that no quorum has more than f of them. */
function placeByzantine(
  kinds: readonly ByzantineKind[],
  quorums: readonly { hosts: readonly string[]; f: number }[],
  rng: Prng,
  extra: number,
): { host: string; kind: ByzantineKind }[] {
  const count = new Map<string, number>();
  const placed: { host: string; kind: ByzantineKind }[] = [];
  const candidates = rng.shuffle(quorums.flatMap((q) => q.hosts).filter((h, i, a) => a.indexOf(h) === i));
  for (const kind of kinds) {
    for (const host of candidates) {
      if (placed.some((p) => p.host === host)) continue;
      const ok = quorums.every(
        (q) => !q.hosts.includes(host) || (count.get(q.hosts.join()) ?? 0) + 1 <= q.f + extra,
      );
      if (!ok) continue;
      for (const q of quorums)
        if (q.hosts.includes(host)) count.set(q.hosts.join(), (count.get(q.hosts.join()) ?? 0) + 1);
      placed.push({ host, kind });
      break;
    }
  }
  return placed;
}

/** What a run builds before it starts: exposed for Twins tests that drive the simulator themselves. */
export interface BuiltWorld {
  readonly sim: Simulator;
  readonly checker: InvariantChecker;
  readonly keys: KeyChecker;
  readonly quorums: readonly QuorumInfo[];
  readonly byzantine: readonly { host: string; kind: ByzantineKind }[];
  /** Payload digests proposed per chain (validity). */
  readonly proposed: Set<string>;
  evidence: number;
}

export interface WorldOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly plan: FaultPlan;
  readonly suite?: "model" | "real";
  /** Allow this many byzantine hosts per quorum beyond f (Twins tests with f+1). */
  readonly overBudget?: number;
  /** Force placements instead of drawing them. */
  readonly placements?: readonly { host: string; kind: ByzantineKind }[];
  readonly delta?: number;
  readonly blockTime?: number;
  /** Certify every k-th finalized height once a quorum's key is ready (default 8). */
  readonly checkpointEvery?: number;
}

// The harness hashes every finalized payload on every replica: Bun's one-shot SHA-256 (same digest as
// core/crypto's) avoids building a hash object per call.
function digest(b: Uint8Array): string {
  return Bun.SHA256.hash(b, "hex").slice(0, 32);
}

/** SHA-256(state ‖ payload): a replica's application state after one more block. */
function nextState(state: Uint8Array, payload: Uint8Array): Uint8Array {
  const both = new Uint8Array(state.length + payload.length);
  both.set(state, 0);
  both.set(payload, state.length);
  const out = new Uint8Array(32);
  Bun.SHA256.hash(both, out);
  return out;
}

/** Build hosts, quorums, byzantine placements and observers for a run. */
export function buildWorld(o: WorldOptions): BuiltWorld {
  const model = modelSuite();
  // n-1 replicas check each broadcast vote: with the model suite they share one verification.
  const suite: CryptoSuite =
    o.suite === "real" ? realSuite() : { ...model, signer: sharedVerifier(model.signer) };
  const sim = new Simulator({ seed: o.seed, links: o.plan.links });
  const layoutRng = sim.rng.fork("layout");
  const layout = layoutQuorums(o.nodes, layoutRng);
  const quorums: QuorumInfo[] = layout.map((q) => ({
    name: q.name,
    chain: toHex(sha256(new TextEncoder().encode(`lattice-sim/${o.seed}/${q.name}`))),
    hosts: q.hosts,
    n: q.hosts.length,
    f: Math.floor((q.hosts.length - 1) / 3),
  }));
  const byzantine =
    o.placements ?? placeByzantine(o.plan.byzantine, quorums, layoutRng.fork("byzantine"), o.overBudget ?? 0);
  const checker = new InvariantChecker();
  const proposed = new Set<string>();
  const keys = new KeyChecker();
  const world: BuiltWorld = { sim, checker, keys, quorums, byzantine, proposed, evidence: 0 };
  const keyOf = (q: QuorumInfo, host: string) =>
    sha256(new TextEncoder().encode(`lattice-sim-key/${o.seed}/${q.name}/${host}`));
  const membersOf = new Map(
    quorums.map((q) => [q.name, q.hosts.map((h) => toHex(suite.signer.publicKey(keyOf(q, h))))]),
  );

  const real = o.suite === "real";
  const box = real ? x25519ShareBox : modelShareBox;
  // The model box reads only the recipient's public bytes, so its key pairs need no X25519 (a pure-JS
  // base multiplication per member was ~7% of a 16-node run); each pair is made once per member.
  const boxKeys = new Map<string, { secretKey: Uint8Array; publicKey: Uint8Array }>();
  const boxOf = (q: QuorumInfo, host: string) => {
    const label = `lattice-sim-box/${o.seed}/${q.name}/${host}`;
    let kp = boxKeys.get(label);
    if (kp === undefined) {
      const random = seededRandom(label);
      if (real) kp = boxKeyPair(random);
      else {
        const secretKey = random(32);
        kp = {
          secretKey,
          publicKey: sha256(new TextEncoder().encode("lattice-sim-model-box/v1"), secretKey),
        };
      }
      boxKeys.set(label, kp);
    }
    return kp;
  };
  const boxKeysOf = new Map(quorums.map((q) => [q.name, q.hosts.map((h) => boxOf(q, h).publicKey)]));

  const slotsFor = (host: string): EngineSlot[] =>
    quorums
      .filter((q) => q.hosts.includes(host))
      .map((q) => {
        const secretKey = keyOf(q, host);
        const members = membersOf.get(q.name)!;
        const journal = new MemoryJournal();
        const chain = Buffer.from(q.chain, "hex");
        const encryption = boxOf(q, host);
        return {
          id: members[q.hosts.indexOf(host)]!,
          build: () =>
            new QuorumEngine({
              chain,
              members,
              secretKey,
              signer: suite.signer,
              journal,
              scheme: suite.threshold,
              box,
              encryptionKeys: boxKeysOf.get(q.name)!,
              encryptionSecret: encryption.secretKey,
              checkpointEvery: o.checkpointEvery ?? 8,
              delta: o.delta ?? SIM_DELTA_MS,
              blockTime: o.blockTime ?? SIM_BLOCK_TIME_MS,
              app: { propose: ({ random, height }) => Uint8Array.of(height & 0xff, ...random.bytes(15)) },
            }),
        };
      });

  for (const q of quorums) {
    for (const host of q.hosts) {
      if (quorums.findIndex((x) => x.hosts.includes(host)) !== quorums.indexOf(q)) continue;
      const bz = byzantine.find((b) => b.host === host);
      const slots = slotsFor(host);
      if (bz === undefined || bz.kind === "twin") {
        sim.addHost({ name: host, engines: slots });
        // A twin: the same identities on a second host, each with its own (empty) journal.
        if (bz?.kind === "twin")
          sim.addHost({ name: `${host}'`, engines: slotsFor(host), byzantine: "twin" });
        continue;
      }
      const mode = bz.kind;
      // A byzantine host signs with the key of whichever engine sent the effect.
      const keys = new Map(
        quorums
          .filter((x) => x.hosts.includes(host))
          .map((x) => [membersOf.get(x.name)![x.hosts.indexOf(host)]!, keyOf(x, host)] as const),
      );
      // An equivocating leader's second block is a proposal too: validity accepts it.
      const onPropose = (chain: string, payload: Uint8Array) => proposed.add(`${chain}/${digest(payload)}`);
      const transforms = new Map(
        [...keys].map(([id, sk]) => [id, byzantineTransformer(mode, sk, suite.signer, onPropose)]),
      );
      sim.addHost({
        name: host,
        engines: slots,
        byzantine: bz.kind,
        transform: (e, engine, random) => transforms.get(engine)!(e, engine, random),
      });
    }
  }

  const honest = (host: string) => !byzantine.some((b) => b.host === host) && !host.endsWith("'");
  const states = new Map<string, Uint8Array>();
  // The group key each node holds per chain (hex), to verify the certificates it makes.
  const heldKey = new Map<string, { hex: string; key: unknown }>();
  const verified = new Map<string, boolean>();
  sim.onEmit((r) => {
    if (r.name === EVIDENCE_EVENT) world.evidence++;
    if (r.name === PROPOSED_EVENT) {
      const p = r.data as { chain: string; payload: Uint8Array };
      proposed.add(`${p.chain}/${digest(p.payload)}`);
      return;
    }
    if (!honest(r.host)) return;
    if (r.name === KEY_EVENT) {
      const k = r.data as KeyEvent;
      keys.recordKey({ seq: r.seq, at: r.at, node: r.host, ...k });
      if (k.status === "ready" && k.groupKey !== undefined)
        heldKey.set(`${r.host}/${k.chain}`, {
          hex: k.groupKey,
          key: suite.threshold.publicKeyFromBytes(Buffer.from(k.groupKey, "hex")),
        });
      return;
    }
    if (r.name === REFUSED_EVENT) {
      keys.recordRefusal();
      return;
    }
    if (r.name === CERTIFICATE_EVENT) {
      const c = r.data as QuorumCertificate;
      const held = heldKey.get(`${r.host}/${c.chain}`);
      let valid = false;
      if (held !== undefined) {
        // Every member that combines a certificate gets the same signature: verify each one once.
        const vk = `${held.hex}/${c.tag}/${c.msg}/${c.signature}`;
        const known = verified.get(vk);
        if (known !== undefined) valid = known;
        else {
          const sig = suite.threshold.signatureFromBytes(Buffer.from(c.signature, "hex"));
          valid = suite.threshold.verify(held.key, c.tag, Buffer.from(c.msg, "hex"), sig);
          verified.set(vk, valid);
        }
      }
      keys.recordCertificate({ seq: r.seq, at: r.at, node: r.host, ...c, valid });
      return;
    }
    if (r.name !== FINALIZED_EVENT) return;
    const b = r.data as FinalizedBlock;
    const sk = `${r.host}/${b.chain}`;
    const state = nextState(states.get(sk) ?? new Uint8Array(32), b.payload);
    states.set(sk, state);
    checker.recordFinalized(
      {
        seq: r.seq,
        at: r.at,
        node: r.host,
        chain: b.chain,
        height: b.height,
        block: b.hash,
        parent: b.parent,
        payload: digest(b.payload),
      },
      state.toHex(),
    );
  });
  return world;
}

/** Schedule the plan's partitions and crashes until `until` (exclusive). */
export function scheduleFaults(
  w: { readonly sim: Simulator; readonly byzantine: readonly { readonly host: string }[] },
  plan: FaultPlan,
  until: number,
): void {
  const { sim } = w;
  const rng = sim.rng.fork("faults");
  const hosts = sim.hostNames();
  const exp = (mean: number) => Math.max(1, Math.round(-Math.log(1 - rng.nextFloat()) * mean));
  // The first fault of each kind lands in the first half of the phase, so a planned fault always fires.
  const first = () => rng.int(1, Math.max(1, Math.floor(until / 2)));
  if (plan.partitionEveryMs > 0) {
    let firstDone = false;
    const next = () => {
      const at = firstDone ? sim.clock.now() + exp(plan.partitionEveryMs) : first();
      firstDone = true;
      if (at >= until) return;
      sim.clock.schedule(at - sim.clock.now(), () => {
        const mode = rng.int(0, 2);
        if (mode === 0) {
          const lone = hosts[rng.int(0, hosts.length - 1)]!;
          sim.network.partition([[lone]]);
          sim.note(`partition isolate ${lone}`);
        } else if (mode === 1) {
          const side = rng.shuffle(hosts).slice(0, rng.int(1, hosts.length - 1));
          sim.network.partition([side]);
          sim.note(`partition split ${side.join(",")}`);
        } else {
          for (let i = 0; i < 3; i++)
            sim.network.cut(hosts[rng.int(0, hosts.length - 1)]!, hosts[rng.int(0, hosts.length - 1)]!);
          sim.note("partition asymmetric cuts");
        }
        const dur = rng.int(plan.partitionForMs[0], plan.partitionForMs[1]);
        sim.clock.schedule(Math.min(dur, Math.max(0, until - sim.clock.now())), () => {
          sim.network.heal();
          sim.note("heal");
          next();
        });
      });
    };
    next();
  }
  if (plan.crashEveryMs > 0) {
    const honestHosts = hosts.filter((h) => !w.byzantine.some((b) => b.host === h) && !h.endsWith("'"));
    let firstDone = false;
    const next = () => {
      const at = firstDone ? sim.clock.now() + exp(plan.crashEveryMs) : first();
      firstDone = true;
      if (at >= until) return;
      sim.clock.schedule(at - sim.clock.now(), () => {
        const victim = honestHosts[rng.int(0, honestHosts.length - 1)]!;
        sim.crash(victim);
        const down = rng.int(plan.downForMs[0], plan.downForMs[1]);
        sim.clock.schedule(Math.min(down, Math.max(0, until - sim.clock.now())), () => sim.restart(victim));
        next();
      });
    };
    next();
  }
}

/** The fired-fault report: how often each kind actually fired. */
export function faultsFired(w: BuiltWorld): Record<string, number> {
  const { counters } = w.sim;
  const net = w.sim.network.fired();
  const byz = counters.byzantineByKind;
  const twinEvents = w.byzantine.some((b) => b.kind === "twin") ? counters.events : 0;
  return {
    loss: net.loss,
    duplicate: net.duplicate,
    reorder: net.reorder,
    partition: net.partition,
    crash: counters.crashes,
    withhold: byz.withhold ?? 0,
    equivocate: byz.equivocate ?? 0,
    "vote-wrong": byz["vote-wrong"] ?? 0,
    invalid: byz.invalid ?? 0,
    // A twin rewrites nothing: it fired if the duplicate identity took part at all.
    twin: twinEvents,
  };
}

/**
 * At 1 ms, before any block can be final, ask every member of every quorum to certify something:
 * each must refuse (no key yet). Makes the refusal path fire in every run.
 */
export function requestEarlyCertificates(w: BuiltWorld): void {
  w.sim.clock.schedule(1, () => {
    for (const host of w.sim.hostNames()) {
      if (!w.sim.isUp(host)) continue;
      for (const e of w.sim.enginesOf(host))
        w.sim.request(host, e.id, { op: "certify", tag: "lattice/sim-early/v1", msg: Uint8Array.of(1) });
    }
  });
}

/** Run one configuration through both phases and check every invariant. */
export function runSimulation(config: SimConfig): SimReport {
  if (!Number.isSafeInteger(config.seed)) throw new RangeError("seed: expected a safe integer");
  if (!Number.isInteger(config.nodes) || config.nodes < 1 || config.nodes > 256)
    throw new RangeError("nodes: expected 1..256");
  if (!Number.isInteger(config.rounds) || config.rounds < 1) throw new RangeError("rounds: expected >= 1");
  const t0 = performance.now();
  const plan = planFaults(config.faults, new Prng(config.seed).fork("plan"));
  const w = buildWorld({
    seed: config.seed,
    nodes: config.nodes,
    plan,
    ...(config.suite ? { suite: config.suite } : {}),
  });
  const { sim, checker } = w;
  const healAt = config.rounds * ROUND_MS;
  const endAt = healAt + LIVENESS_BOUND_MS;
  sim.note(`plan ${JSON.stringify(plan)}`);
  scheduleFaults(w, plan, healAt);
  sim.start();
  requestEarlyCertificates(w);
  sim.runUntil(healAt);
  // Liveness phase: heal everything, restart everyone, keep the byzantine hosts.
  sim.network.heal();
  sim.network.profile = BASE_LINKS;
  for (const h of sim.hostNames()) if (!sim.isUp(h)) sim.restart(h);
  sim.note("liveness phase");
  sim.runUntil(endAt);

  const honest = (h: string) => !w.byzantine.some((b) => b.host === h) && !h.endsWith("'");
  const expected = w.quorums.flatMap((q) => q.hosts.filter(honest).map((node) => ({ node, chain: q.chain })));
  const checks: CheckResult[] = [
    checker.agreement(),
    checker.validity((chain, payload) => w.proposed.has(`${chain}/${payload}`)),
    checker.stateAgreement(),
    checker.liveness({
      healedAt: healAt,
      bound: LIVENESS_BOUND_MS,
      minHeights: LIVENESS_MIN_HEIGHTS,
      endedAt: endAt,
      expected,
    }),
    w.keys.keyAgreement(),
    w.keys.certificatesAfterKey(),
    w.keys.keyLiveness(expected),
  ];
  const fired = faultsFired(w);
  const expectations: FaultExpectation[] = plan.kinds
    .filter((k) => k !== "twin" || w.byzantine.some((b) => b.kind === "twin"))
    .filter(
      (k) => !(plan.byzantine as readonly string[]).includes(k) || w.byzantine.some((b) => b.kind === k),
    )
    .map((k: FaultKind) => ({ fault: k, fired: fired[k] ?? 0 }));
  const unfired = unfiredFaults(expectations);
  const verdict = verdictOf(checks, unfired);
  const wallSeconds = (performance.now() - t0) / 1000;
  const simSeconds = endAt / 1000;
  const quorums = w.quorums.map((q) => {
    const hs = q.hosts.filter(honest).map((h) => checker.heightOf(h, q.chain));
    const agreed = w.keys.agreed(q.chain);
    const ready = q.hosts.filter((h) => honest(h) && w.keys.readyAt(h, q.chain)).length;
    const key: QuorumKeyReport = {
      status: agreed?.status ?? "keying",
      readyHeight: agreed?.status === "ready" ? (agreed.height ?? null) : null,
      groupKey: agreed?.groupKey?.slice(0, 16) ?? null,
      readyMembers: ready,
      honestMembers: q.hosts.filter(honest).length,
    };
    return { ...q, minHeight: Math.min(...hs), maxHeight: Math.max(...hs), key };
  });
  return {
    seed: config.seed,
    nodes: config.nodes,
    rounds: config.rounds,
    faults: config.faults,
    suite: config.suite ?? "model",
    plan,
    byzantine: w.byzantine,
    quorums,
    finalized: checker.all().length,
    checks,
    unfired,
    verdict,
    violations: checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`),
    faultsFired: fired,
    network: sim.network.fired(),
    evidence: w.evidence,
    simSeconds,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    speed: Math.round((simSeconds / wallSeconds) * 10) / 10,
    eventLogHash: sim.eventLogHash(),
    replay: replayCommand(config),
  };
}
