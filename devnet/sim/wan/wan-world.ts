/**
 * WanNodes hosted in the deterministic simulator (ARCHITECTURE.md "The one design rule", "WAN consensus"
 * 1-7): one WanNode per host with the roles of wan-layout.ts, on the Simulator's virtual clock, seeded
 * streams and net/chaos network, with crash/restart, byzantine engine modes and Twins.
 *
 * Keys: every quorum's threshold key is DEALER-MADE here (seeded, model suite), not keyed live by
 * core/quorum's DKG: the WAN engine takes a fixed epoch-0 committee with a `KeyShare` per member, and
 * QuorumEngine keeps its DKG share private (it signs only through `signShare`), so live keys need a small
 * API on one side first. `lattice sim` says so in its plan; `--layer simplex` runs the live DKG.
 *
 * Crash and restart: the WAN engine persists only its harvester agreement journal, so a restarted host is
 * a fresh WanNode over that journal, at genesis, and catches up from its peers' round archives (peers
 * archive every round of a run here, so any restart can catch up from genesis).
 *
 * Observation: every round an honest host finalizes goes to the LedgerChecker with its block, previous
 * block, state root and kept transfers (read from the engine's chain at the emit); a client submit is
 * acknowledged when the engine's reply says ok (a thin wrapper sees the reply effect).
 */
import { type CryptoSuite, modelSuite } from "../../../core/crypto/suite.ts";
import { equalBytes, fromHex, utf8 } from "../../../core/crypto/bytes.ts";
import { buildMaglevTable, nextPrime } from "../../../core/maglev/maglev.ts";
import { BatcherMap } from "../../../core/wan/batch/batch.ts";
import { sha256 } from "../../../core/crypto/sha256.ts";
import type { Effect, Engine, EngineContext, EngineEvent } from "../../../core/engine/engine.ts";
import { Prng } from "../../../core/engine/prng.ts";
import { MemoryJournal } from "../../../core/bft/simplex-journal.ts";
import { dealKeys } from "../../../core/threshold/dealer.ts";
import type { ThresholdKeySet } from "../../../core/threshold/scheme.ts";
import { hexOf } from "../../../core/wan/encoding/hex.ts";
import { thresholdOf } from "../../../core/wan/fault-tolerance/fault-tolerance.ts";
import { Ledger } from "../../../core/wan/ledger/ledger.ts";
import { convergenceHash } from "../../../core/wan/convergence/convergence-block.ts";
import { MergeMemo } from "../../../core/wan/convergence/merge-memo.ts";
import {
  type QuorumInfo,
  type WanCommittee,
  WanNode,
  type WanParams,
} from "../../../core/wan/round/wan-node.ts";
import { type Transfer, transferId } from "../../../core/tx/transfer.ts";
import { addressBytesOf } from "../../../core/crypto/address.ts";
import { LedgerChecker } from "../../invariants/ledger-checker.ts";
import type { FaultPlan } from "../faults.ts";
import { sharedVerifier } from "../shared-verify.ts";
import { Simulator } from "../simulator.ts";
import {
  engineModeOf,
  layoutWan,
  placeWanByzantine,
  WAN_MODES,
  type WanLayout,
  type WanPlacement,
} from "./wan-layout.ts";

export const WAN_CHAIN_ID = 77;

/**
 * Protocol timing for WAN-like links (one-way 10-60 ms, BASE_LINKS): every step waits a few one-way
 * delays, Δ of the harvesters' agreement covers the slowest link. A round takes ~0.5 s of virtual time.
 */
export const SIM_WAN_PARAMS: Partial<WanParams> = {
  batchDelayMs: 40,
  shareTimeoutMs: 250,
  proposeAfterMs: 150,
  mineAfterMs: 300,
  backupDelayMs: 200,
  agreeDeltaMs: 100,
  agreeBlockTimeMs: 40,
  catchUpAfterMs: 2500,
};

export interface WanWorldOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly plan: FaultPlan;
  /** Force placements instead of drawing them from the plan. */
  readonly placements?: readonly WanPlacement[];
  /** Allow this many byzantine hosts per quorum beyond f (tests that must see a violation). */
  readonly overBudget?: number;
  readonly layout?: WanLayout;
  /** Rounds peers archive for catch-up (default: enough for the whole run). */
  readonly archiveRounds?: number;
  readonly accounts?: number;
}

export interface WanWorld {
  readonly sim: Simulator;
  readonly suite: CryptoSuite;
  readonly layout: WanLayout;
  readonly byzantine: readonly WanPlacement[];
  readonly checker: LedgerChecker;
  readonly genesis: Ledger;
  readonly accounts: readonly { secretKey: Uint8Array; publicKey: Uint8Array; address: Uint8Array }[];
  /** Every transfer a client made, by id hex (the load generator adds to it). */
  readonly transfers: Map<string, Transfer>;
  /** The current WanNode of each host (replaced at restart). */
  readonly engines: Map<string, WanNode>;
  /** Engine id of each host (a twin shares its original's). */
  readonly idOf: ReadonlyMap<string, string>;
  honest(host: string): boolean;
  /** Emits counted by name over honest hosts (evidence, rejections). */
  readonly emitted: Map<string, number>;
  /** Events each host's engine handled (a Twin took part if its second host handled any). */
  readonly events: Map<string, number>;
}

/**
 * Hosts a WanNode: tells `onAck` about submits it accepted, and delivers the node's messages to itself
 * (a batcher is one of its own batch's validators) through a zero-delay timer, since the simulated
 * network carries only messages between hosts. A crash drops such a message with the timers.
 */
class WanHost implements Engine {
  readonly id: string;
  readonly protocols: readonly string[];
  private readonly loopback = new Map<string, Effect & { kind: "send" }>();
  private next = 0;

  constructor(
    readonly inner: WanNode,
    private readonly onAck: (tx: Uint8Array) => void,
    private readonly onEvent: () => void,
  ) {
    this.id = inner.id;
    this.protocols = inner.protocols;
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    this.onEvent();
    if (event.kind === "timer" && event.timer.startsWith("loopback/")) {
      const e = this.loopback.get(event.timer);
      if (e === undefined) return [];
      this.loopback.delete(event.timer);
      event = {
        kind: "message",
        from: this.id,
        fromNode: ctx.node,
        to: e.to,
        protocol: e.protocol,
        payload: e.payload,
      };
    }
    const effects = this.inner.handle(event, ctx);
    let out: Effect[] | null = null;
    for (let i = 0; i < effects.length; i++) {
      const e = effects[i]!;
      if (e.kind === "send" && e.to.kind === "engine" && e.to.engine === this.id) {
        out ??= effects.slice(0, i);
        const timer = `loopback/${this.next++}`;
        this.loopback.set(timer, e);
        out.push({ kind: "set-timer", timer, after: 0 });
        continue;
      }
      out?.push(e);
      if (event.kind === "request" && e.kind === "reply" && (e.body as { ok?: unknown }).ok === true) {
        const tx = (event.body as { tx?: unknown } | null)?.tx;
        if (tx instanceof Uint8Array) this.onAck(tx);
      }
    }
    return out ?? effects;
  }
}

function keyFor(seed: number, label: string): Uint8Array {
  return sha256(utf8(`lattice-sim-wan/${seed}/${label}`));
}

function dealt(suite: CryptoSuite, n: number, seed: number, label: string): ThresholdKeySet<unknown> {
  const rng = new Prng(seed).fork(`dealer/${label}`);
  return dealKeys(suite.threshold, n, thresholdOf(n), (k) => rng.bytes(k));
}

export function buildWanWorld(o: WanWorldOptions): WanWorld {
  const model = modelSuite();
  const suite: CryptoSuite = { ...model, signer: sharedVerifier(model.signer) };
  const sim = new Simulator({ seed: o.seed, links: o.plan.links });
  const layoutRng = sim.rng.fork("wan-layout");
  const layout = o.layout ?? layoutWan(o.nodes, layoutRng);
  const modes = o.plan.byzantine.flatMap((k) => WAN_MODES[k] ?? []);
  const byzantine =
    o.placements ??
    placeWanByzantine(
      layout,
      layoutRng.fork("byzantine").shuffle(modes),
      layoutRng.fork("place"),
      o.overBudget ?? 0,
    );

  const secretOf = new Map(layout.hosts.map((h) => [h, keyFor(o.seed, `node/${h}`)] as const));
  const idOf = new Map(
    layout.hosts.map((h) => [h, hexOf(suite.signer.publicKey(secretOf.get(h)!))] as const),
  );
  const members = (hosts: readonly string[]) => hosts.map((h) => idOf.get(h)!).sort();
  const farmerKeys = layout.farmerQuorums.map((q, i) => dealt(suite, q.length, o.seed, `farmer${i}`));
  const harvesterKey = dealt(suite, layout.harvesters.length, o.seed, "harvesters");
  const farmers: QuorumInfo[] = layout.farmerQuorums.map((q, i) => ({
    id: sha256(utf8(`lattice-sim-wan/${o.seed}/quorum/${i}`)),
    members: members(q),
    key: farmerKeys[i]!,
  }));
  const committee: WanCommittee = {
    epoch: 0,
    farmers,
    harvesters: {
      id: sha256(utf8(`lattice-sim-wan/${o.seed}/harvesters`)),
      members: members(layout.harvesters),
      key: harvesterKey,
    },
    miners: members(layout.miners),
  };

  const accounts = Array.from({ length: o.accounts ?? 32 }, (_, i) => {
    const secretKey = keyFor(o.seed, `account/${i}`);
    const publicKey = suite.signer.publicKey(secretKey);
    return { secretKey, publicKey, address: addressBytesOf(publicKey) };
  });
  const genesis = Ledger.fromGenesis(
    accounts.map((a) => [a.address, { balance: 1_000_000_000_000n, nonce: 0n }] as const),
  );

  const transfers = new Map<string, Transfer>();
  // A sender's batcher, as every node routes it (entry quorum by Maglev over quorum ids, then the
  // quorum's batcher map): a byzantine batcher can hold its senders' transfers forever.
  const entry = buildMaglevTable(
    farmers.map((q) => q.id),
    nextPrime(Math.max(101, 100 * farmers.length)),
  );
  const batcherMaps = farmers.map((q) => new BatcherMap(q.members.map((m) => fromHex(m))));
  const hostOf = new Map([...idOf].map(([h, id]) => [id, h] as const));
  const batcherOf = (tx: Transfer): string => {
    const sender = addressBytesOf(tx.from);
    const q = farmers.findIndex((f) => equalBytes(f.id, entry.quorums[entry.lookup(sender)]!));
    return hostOf.get(farmers[q]!.members[batcherMaps[q]!.batcherOf(sender)]!)!;
  };
  // Only a host whose farmer side is byzantine (a farmer mode or a Twin) can hold transfers as a batcher.
  const byzantineBatchers = new Set(
    byzantine.filter((b) => b.mode === "twin" || b.mode.startsWith("farmer:")).map((b) => b.host),
  );
  const checker = new LedgerChecker({
    genesis,
    chainId: WAN_CHAIN_ID,
    signer: suite.signer,
    transfer: (id) => transfers.get(id),
    exempt: (tx) => (byzantineBatchers.has(batcherOf(tx)) ? "byzantine batcher" : null),
  });
  const engines = new Map<string, WanNode>();
  const emitted = new Map<string, number>();
  const events = new Map<string, number>();
  const twinOf = new Set(byzantine.filter((b) => b.mode === "twin").map((b) => b.host));
  const honest = (host: string) => !host.endsWith("'") && !byzantine.some((b) => b.host === host);
  const memo = new MergeMemo();
  const params: Partial<WanParams> = {
    ...SIM_WAN_PARAMS,
    archiveRounds: o.archiveRounds ?? 100_000,
  };

  const slotFor = (host: string, name: string) => {
    const journal = new MemoryJournal();
    const id = idOf.get(host)!;
    const mode = byzantine.find((b) => b.host === host)?.mode;
    const byz = mode === undefined ? undefined : engineModeOf(mode);
    const fq = layout.farmerQuorums.findIndex((q) => q.includes(host));
    const hi = committee.harvesters.members.indexOf(id);
    return {
      id,
      build: (): Engine => {
        const node = new WanNode({
          suite,
          chainId: WAN_CHAIN_ID,
          secretKey: secretOf.get(host)!,
          committee,
          genesis,
          params,
          mergeMemo: memo,
          agreementJournal: journal,
          ...(fq < 0
            ? {}
            : { farmer: { quorum: fq, share: farmerKeys[fq]!.shares[farmers[fq]!.members.indexOf(id)]! } }),
          ...(hi < 0 ? {} : { harvester: { share: harvesterKey.shares[hi]! } }),
          ...(layout.miners.includes(host) ? { miner: true } : {}),
          ...(byz === undefined ? {} : { byzantine: byz }),
        });
        if (engines.has(name)) checker.restarted(name);
        engines.set(name, node);
        return new WanHost(
          node,
          (tx) => {
            if (!honest(name)) return;
            checker.acknowledge(hexOf(transferId(tx)));
          },
          () => events.set(name, (events.get(name) ?? 0) + 1),
        );
      },
    };
  };

  for (const host of layout.hosts) {
    const mode = byzantine.find((b) => b.host === host)?.mode;
    sim.addHost({
      name: host,
      engines: [slotFor(host, host)],
      ...(mode === undefined ? {} : { byzantine: mode }),
    });
    if (twinOf.has(host))
      sim.addHost({ name: `${host}'`, engines: [slotFor(host, `${host}'`)], byzantine: "twin" });
  }

  sim.onEmit((r) => {
    if (!honest(r.host)) return;
    if (r.name !== "wan/finalized") {
      emitted.set(r.name, (emitted.get(r.name) ?? 0) + 1);
      return;
    }
    const d = r.data as { round: number; kept: string[]; stateRoot: string };
    const node = engines.get(r.host)!;
    // Emits follow the handler's return: a catch-up may have appended several rounds by then.
    const fin = node.chain.history[d.round - 1]!;
    if (fin.round !== d.round) throw new Error(`wan sim: chain history misses round ${d.round}`);
    checker.recordRound({
      seq: r.seq,
      at: r.at,
      node: r.host,
      round: d.round,
      block: hexOf(convergenceHash(fin.block)),
      prev: hexOf(fin.block.prev),
      stateRoot: d.stateRoot,
      kept: d.kept.map((id, i) => ({ id, beneficiary: fin.keptBy[i]! })),
    });
  });

  return {
    sim,
    suite,
    layout,
    byzantine,
    checker,
    genesis,
    accounts,
    transfers,
    engines,
    idOf,
    honest,
    emitted,
    events,
  };
}
