/**
 * A minimal deterministic runtime for Simplex unit tests: a virtual clock, a seeded PRNG, per-message
 * latency, a drop filter, and crash/restart with the journal kept. The full simulator (devnet/sim) adds
 * chaos, byzantine modes, swarm runs and the event-log hash; core tests cannot import it (layering),
 * so this file gives them just enough. Test support only: no production code imports it.
 */
import { toHex } from "../crypto/bytes.ts";
import type { Ed25519Backend } from "../crypto/ed25519.ts";
import { createModelSigner } from "../crypto/model-signer.ts";
import { sha256 } from "../crypto/sha256.ts";
import type { ClockHandle, Effect, EngineId } from "../engine/engine.ts";
import { Prng } from "../engine/prng.ts";
import { VirtualClock } from "../engine/virtual-clock.ts";
import { type FinalizedBlock, SimplexEngine, type SimplexOptions } from "./simplex.ts";
import { MemoryJournal } from "./simplex-journal.ts";

export interface HarnessNode {
  readonly index: number;
  readonly id: EngineId;
  readonly secretKey: Uint8Array;
  readonly journal: MemoryJournal;
  engine: SimplexEngine;
  up: boolean;
  incarnation: number;
  readonly timers: Map<string, ClockHandle>;
  readonly finalized: FinalizedBlock[];
  readonly emits: { name: string; data: unknown }[];
}

export interface HarnessOptions {
  readonly n: number;
  readonly seed?: number;
  /** One-way latency range in ms (default 5..15). */
  readonly latency?: readonly [number, number];
  readonly delta?: number;
  readonly extra?: Partial<
    Pick<SimplexOptions, "leaderSeed" | "maxFutureViews" | "retainViews" | "app" | "blockTime" | "idleBlockTime">
  >;
}

/** Deterministic keys for member i of a test chain. */
export function testKey(i: number, seed = 0): Uint8Array {
  return sha256(new TextEncoder().encode(`simplex-test/${seed}/${i}`));
}

export class SimplexHarness {
  readonly clock = new VirtualClock();
  readonly rng: Prng;
  readonly signer: Ed25519Backend = createModelSigner();
  readonly chain = sha256(new TextEncoder().encode("simplex-test-chain"));
  readonly nodes: HarnessNode[] = [];
  readonly members: EngineId[];
  /** Return false to drop a message. */
  filter: (from: number, to: number, payload: Uint8Array) => boolean = () => true;
  private readonly latency: readonly [number, number];
  private readonly options: HarnessOptions;

  constructor(options: HarnessOptions) {
    this.options = options;
    this.rng = new Prng(options.seed ?? 1);
    this.latency = options.latency ?? [5, 15];
    const keys = Array.from({ length: options.n }, (_, i) => testKey(i, options.seed ?? 0));
    this.members = keys.map((k) => toHex(this.signer.publicKey(k)));
    keys.forEach((secretKey, index) => {
      const journal = new MemoryJournal();
      const node: HarnessNode = {
        index,
        id: this.members[index]!,
        secretKey,
        journal,
        engine: this.build(secretKey, journal),
        up: true,
        incarnation: 0,
        timers: new Map(),
        finalized: [],
        emits: [],
      };
      this.nodes.push(node);
    });
  }

  private build(secretKey: Uint8Array, journal: MemoryJournal): SimplexEngine {
    return new SimplexEngine({
      chain: this.chain,
      members: this.members,
      secretKey,
      signer: this.signer,
      journal,
      app: this.options.extra?.app ?? {
        propose: ({ random, height }) => Uint8Array.of(height & 0xff, ...random.bytes(7)),
      },
      delta: this.options.delta ?? 100,
      ...(this.options.extra?.leaderSeed ? { leaderSeed: this.options.extra.leaderSeed } : {}),
      ...(this.options.extra?.maxFutureViews ? { maxFutureViews: this.options.extra.maxFutureViews } : {}),
      ...(this.options.extra?.retainViews ? { retainViews: this.options.extra.retainViews } : {}),
      ...(this.options.extra?.blockTime === undefined ? {} : { blockTime: this.options.extra.blockTime }),
      ...(this.options.extra?.idleBlockTime === undefined
        ? {}
        : { idleBlockTime: this.options.extra.idleBlockTime }),
    });
  }

  start(): void {
    for (const node of this.nodes) this.deliver(node, { kind: "start" });
  }

  /** Run until virtual time `t`. */
  runUntil(t: number): void {
    this.clock.advanceTo(t);
  }

  crash(i: number): void {
    const node = this.nodes[i]!;
    node.up = false;
    node.incarnation++;
    for (const h of node.timers.values()) this.clock.cancel(h);
    node.timers.clear();
  }

  /** Restart from the journal only: all in-memory state is lost. */
  restart(i: number): void {
    const node = this.nodes[i]!;
    node.engine = this.build(node.secretKey, node.journal);
    node.up = true;
    this.deliver(node, { kind: "start" });
  }

  /** Deliver a runtime notice (e.g. `simplex/work`) to node `i`. */
  notice(i: number, name: string): void {
    this.deliver(this.nodes[i]!, { kind: "notice", name, data: null });
  }

  /** Inject raw bytes into node `to` as if sent by node `from`. */
  inject(from: number, to: number, payload: Uint8Array): void {
    this.deliver(this.nodes[to]!, {
      kind: "message",
      from: this.members[from]!,
      fromNode: this.members[from]!,
      to: { kind: "engine", engine: this.members[to]! },
      protocol: "simplex/v1",
      payload,
    });
  }

  private deliver(node: HarnessNode, event: Parameters<SimplexEngine["handle"]>[0]): void {
    if (!node.up) return;
    const effects = node.engine.handle(event, {
      now: () => this.clock.now(),
      random: this.rng.fork(`node/${node.index}/${node.incarnation}/${this.clock.now()}`),
      self: node.id,
      node: node.id,
    });
    for (const e of effects) this.apply(node, e);
  }

  private apply(node: HarnessNode, e: Effect): void {
    switch (e.kind) {
      case "send": {
        if (e.to.kind !== "engine") return;
        const to = this.members.indexOf(e.to.engine);
        if (to < 0 || !this.filter(node.index, to, e.payload)) return;
        const target = this.nodes[to]!;
        const inc = target.incarnation;
        const delay = this.rng.int(this.latency[0], this.latency[1]);
        this.clock.schedule(delay, () => {
          if (target.incarnation === inc) this.inject(node.index, to, e.payload);
        });
        return;
      }
      case "set-timer": {
        const old = node.timers.get(e.timer);
        if (old !== undefined) this.clock.cancel(old);
        const inc = node.incarnation;
        node.timers.set(
          e.timer,
          this.clock.schedule(e.after, () => {
            node.timers.delete(e.timer);
            if (node.incarnation === inc) this.deliver(node, { kind: "timer", timer: e.timer });
          }),
        );
        return;
      }
      case "cancel-timer": {
        const old = node.timers.get(e.timer);
        if (old !== undefined) this.clock.cancel(old);
        node.timers.delete(e.timer);
        return;
      }
      case "emit":
        node.emits.push({ name: e.name, data: e.data });
        if (e.name === "simplex/finalized") node.finalized.push(e.data as FinalizedBlock);
        return;
      default:
        return;
    }
  }
}
