/**
 * The node runtime: one composition root hosting engines, a router and a transport (seed 003 "a node is
 * a set of engine instances that consists of a transport and a router"; STYLE.md "one composition root").
 *
 * It turns engine effects into actions and runtime happenings into engine events:
 * - all events go through one FIFO run queue drained synchronously, so an engine is never re-entered and
 *   the order of events is a pure function of the order of inputs (with a `VirtualClock` and the memory
 *   transport, a whole run is deterministic);
 * - timers are clock callbacks keyed by the engine's `TimerId`; services are injected functions whose
 *   results come back as `service-result` events;
 * - an engine that throws is logged and counted (`engineErrors`); the node keeps running.
 *
 * The same engines run here with `RealClock` + TCP and with `VirtualClock` + memory; nothing in this file
 * knows which.
 */
import type {
  Clock,
  ClockHandle,
  Destination,
  Effect,
  Engine,
  EngineContext,
  EngineEvent,
  EngineId,
  MessageEvent,
  NodeId,
  Random,
  TimerId,
} from "../../core/engine/engine.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { LatticeError } from "../../core/errors/lattice-error.ts";
import { Counters } from "../metrics/counters.ts";
import { type NetLogger, noopLogger } from "../metrics/logger.ts";
import { Reputation } from "../reputation/reputation.ts";
import { Directory } from "../router/directory.ts";
import { type LocalEndpoint, Router } from "../router/router.ts";
import type { Transport } from "../transport/transport.ts";

/** A runtime service: may answer synchronously or with a promise. */
export type Service = (input: unknown) => unknown;

export interface NodeOptions {
  readonly identity: KeyPair;
  readonly transport: Transport;
  readonly clock: Clock;
  /** The node's seeded random stream; engines get forks of it. */
  readonly random: Random;
  readonly logger?: NetLogger;
  /** Publisher epoch for pub/sub (must grow across restarts). Default: `clock.now()` at construction. */
  readonly epoch?: number;
  readonly reputation?: Reputation;
  readonly directory?: Directory;
  readonly services?: Readonly<Record<string, Service>>;
  readonly meshLimit?: number;
  readonly fanout?: number;
  readonly replayWindow?: number;
  /** Largest envelope the router accepts (default: the transport's frame cap). */
  readonly maxFrame?: number;
}

/** An `emit` effect as observed from outside. */
export interface Emitted {
  readonly engine: EngineId;
  readonly name: string;
  readonly data: unknown;
  readonly at: number;
}

class Host implements LocalEndpoint {
  readonly id: EngineId;
  readonly protocols: readonly string[];
  readonly timers = new Map<TimerId, ClockHandle>();
  stopped = false;
  constructor(
    readonly engine: Engine,
    readonly random: Random,
    private readonly node: LatticeNode,
  ) {
    this.id = engine.id;
    this.protocols = engine.protocols;
  }
  deliver(event: MessageEvent): void {
    this.node.enqueue(this, event);
  }
  notice(name: string, data: unknown): void {
    this.node.enqueue(this, { kind: "notice", name, data });
  }
}

/** A running node. */
export class LatticeNode {
  readonly id: NodeId;
  readonly router: Router;
  readonly directory: Directory;
  readonly reputation: Reputation;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Runtime counters: `engine-errors`, `service-errors`, `events`. */
  readonly counters = new Counters();
  private readonly opts: NodeOptions;
  private readonly logger: NetLogger;
  private readonly hosts: Host[] = [];
  private readonly queue: { host: Host; event: EngineEvent }[] = [];
  private draining = false;
  private state: "new" | "running" | "stopped" = "new";
  private readonly emitListeners = new Set<(e: Emitted) => void>();
  private readonly pendingRequests = new Map<string, (body: unknown) => void>();
  private requestSeq = 0;

  constructor(options: NodeOptions) {
    this.opts = options;
    this.id = toHex(options.identity.publicKey);
    if (options.transport.local !== this.id) {
      throw new LatticeError("NET_IDENTITY_MISMATCH", "transport identity differs from the node identity");
    }
    this.logger = options.logger ?? noopLogger;
    this.clock = options.clock;
    this.transport = options.transport;
    this.directory = options.directory ?? new Directory();
    this.reputation = options.reputation ?? new Reputation();
    this.router = new Router({
      identity: options.identity,
      nodeId: this.id,
      transport: options.transport,
      directory: this.directory,
      reputation: this.reputation,
      random: options.random.fork("router"),
      epoch: options.epoch ?? Math.floor(options.clock.now()),
      logger: this.logger,
      ...(options.meshLimit === undefined ? {} : { meshLimit: options.meshLimit }),
      ...(options.fanout === undefined ? {} : { fanout: options.fanout }),
      ...(options.replayWindow === undefined ? {} : { replayWindow: options.replayWindow }),
      ...(options.maxFrame === undefined ? {} : { maxFrame: options.maxFrame }),
    });
  }

  /** Host `engine` here. Engines added to a running node receive `start` at once. */
  addEngine(engine: Engine): void {
    if (this.state === "stopped") throw new LatticeError("NET_CLOSED", "node is stopped");
    const host = new Host(
      engine,
      this.opts.random.fork(`engine:${engine.id}:${engine.protocols.join(",")}`),
      this,
    );
    this.router.register(host);
    this.hosts.push(host);
    this.directory.addEngine(engine.id, this.id, engine.protocols);
    if (this.state === "running") this.enqueue(host, { kind: "start" });
  }

  /** Stop one engine: it receives `stop`, its timers are cancelled, it becomes unreachable. */
  removeEngine(engine: Engine): void {
    const host = this.hosts.find((h) => h.engine === engine);
    if (host === undefined) return;
    this.runNow(host, { kind: "stop" });
    this.retire(host);
  }

  engines(): readonly Engine[] {
    return this.hosts.map((h) => h.engine);
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new LatticeError("NET_STATE", `cannot start a ${this.state} node`);
    this.state = "running";
    await this.transport.start({
      frame: (peer, frame) => {
        if (this.state !== "running") return;
        this.router.onFrame(peer, frame);
        this.drain();
      },
      session: (peer) => this.router.onSession(peer),
      down: (peer, reason) => {
        if (reason !== "closed") this.reputation.recordFailure(peer);
      },
    });
    for (const h of this.hosts) this.enqueue(h, { kind: "start" });
  }

  /** Stop every engine, cancel their timers and close the transport. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    const wasRunning = this.state === "running";
    this.state = "stopped";
    if (wasRunning) for (const h of this.hosts) this.runNow(h, { kind: "stop" });
    for (const h of this.hosts.slice()) this.retire(h);
    this.queue.length = 0;
    await this.transport.close();
  }

  get running(): boolean {
    return this.state === "running";
  }

  /**
   * Send a client request to a local engine; resolves with its `reply`. When several local engines share
   * the id (a node's system engines), `protocol` picks the one serving it.
   */
  request(engine: EngineId, body: unknown, protocol?: string): Promise<unknown> {
    const host = this.hosts.find(
      (h) => h.id === engine && (protocol === undefined || h.protocols.includes(protocol)),
    );
    if (host === undefined)
      return Promise.reject(new LatticeError("NET_NO_ENGINE", `no local engine ${engine.slice(0, 12)}`));
    const requestId = `r${++this.requestSeq}`;
    return new Promise((resolve) => {
      this.pendingRequests.set(requestId, resolve);
      this.enqueue(host, { kind: "request", requestId, body });
    });
  }

  /** Observe `emit` effects of every engine; returns an unsubscribe function. */
  onEmit(listener: (e: Emitted) => void): () => void {
    this.emitListeners.add(listener);
    return () => this.emitListeners.delete(listener);
  }

  /** Send on behalf of a local engine from outside an engine (tests, tools). */
  sendAs(from: EngineId, to: Destination, protocol: string, payload: Uint8Array): void {
    this.router.send(from, to, protocol, payload);
    this.drain();
  }

  /** @internal Queue an event for a host and run the queue unless already running. */
  enqueue(host: Host, event: EngineEvent): void {
    if (this.state !== "running" || host.stopped) return;
    this.queue.push({ host, event });
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      let i = 0;
      while (i < this.queue.length) {
        const item = this.queue[i++]!;
        this.runNow(item.host, item.event);
        // Compact now and then so a long-running queue does not grow without bound.
        if (i > 1024) {
          this.queue.splice(0, i);
          i = 0;
        }
      }
      this.queue.length = 0;
    } finally {
      this.draining = false;
    }
  }

  private runNow(host: Host, event: EngineEvent): void {
    if (host.stopped) return;
    const t = this.clock.now();
    const ctx: EngineContext = { now: () => t, random: host.random, self: host.id, node: this.id };
    let effects: readonly Effect[];
    try {
      effects = host.engine.handle(event, ctx);
    } catch (err) {
      this.counters.inc("engine-errors");
      this.logger.log("error", "engine-error", { engine: host.id, event: event.kind, error: String(err) });
      return;
    }
    this.counters.inc("events");
    for (const eff of effects) {
      try {
        this.apply(host, eff);
      } catch (err) {
        this.counters.inc("effect-errors");
        this.logger.log("error", "effect-error", { engine: host.id, effect: eff.kind, error: String(err) });
      }
    }
  }

  private apply(host: Host, eff: Effect): void {
    switch (eff.kind) {
      case "send":
        this.router.send(host.id, eff.to, eff.protocol, eff.payload);
        return;
      case "set-timer": {
        const prev = host.timers.get(eff.timer);
        if (prev !== undefined) this.clock.cancel(prev);
        const timer = eff.timer;
        const h = this.clock.schedule(eff.after, () => {
          host.timers.delete(timer);
          this.enqueue(host, { kind: "timer", timer });
        });
        host.timers.set(timer, h);
        return;
      }
      case "cancel-timer": {
        const prev = host.timers.get(eff.timer);
        if (prev !== undefined) this.clock.cancel(prev);
        host.timers.delete(eff.timer);
        return;
      }
      case "subscribe":
        this.router.subscribe(host.id, eff.domain, eff.topic);
        return;
      case "unsubscribe":
        this.router.unsubscribe(host.id, eff.domain, eff.topic);
        return;
      case "emit": {
        const e: Emitted = { engine: host.id, name: eff.name, data: eff.data, at: this.clock.now() };
        this.logger.log("debug", "emit", { engine: host.id, name: eff.name });
        for (const l of this.emitListeners) l(e);
        return;
      }
      case "reply": {
        const resolve = this.pendingRequests.get(eff.requestId);
        if (resolve !== undefined) {
          this.pendingRequests.delete(eff.requestId);
          resolve(eff.body);
        }
        return;
      }
      case "service":
        this.callService(host, eff.requestId, eff.service, eff.input);
        return;
    }
  }

  private callService(host: Host, requestId: string, service: string, input: unknown): void {
    const fn = this.opts.services?.[service];
    const answer = (ok: boolean, result: unknown) =>
      this.enqueue(host, { kind: "service-result", requestId, service, ok, result });
    if (fn === undefined) {
      answer(false, { code: "NET_NO_SERVICE" });
      return;
    }
    let r: unknown;
    try {
      r = fn(input);
    } catch (err) {
      this.counters.inc("service-errors");
      answer(false, { code: "SERVICE_FAILED", message: String(err) });
      return;
    }
    if (r instanceof Promise) {
      r.then(
        (v) => answer(true, v),
        (err) => {
          this.counters.inc("service-errors");
          answer(false, { code: "SERVICE_FAILED", message: String(err) });
        },
      );
    } else answer(true, r);
  }

  private retire(host: Host): void {
    host.stopped = true;
    for (const h of host.timers.values()) this.clock.cancel(h);
    host.timers.clear();
    this.router.unregister(host);
    const i = this.hosts.indexOf(host);
    if (i >= 0) this.hosts.splice(i, 1);
  }
}
