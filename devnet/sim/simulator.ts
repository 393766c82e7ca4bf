/**
 * The deterministic simulator (ARCHITECTURE.md "The one design rule": the second runtime;
 * reliability-anchors.md §2 TigerBeetle VOPR and FoundationDB): one process, a virtual clock (the
 * event queue of sim-clock.ts), one seeded `Prng` from which every other stream is forked, the
 * simulated network (net/chaos link rules, network.ts), and hosts running sans-I/O engines that can
 * crash and restart with their durable state.
 *
 * - A host is a node: it runs one or more engines (a node may sit in several quorums). Crashing a host
 *   drops its engines' memory, timers and in-flight inbound messages; what an engine's factory closes
 *   over (its journal) survives, and `restart` builds fresh engines from it.
 * - Two hosts may run engines with the same identity (Twins): a message to that identity reaches both.
 * - A host may be byzantine: its outgoing effects pass through a transformer (see byzantine.ts).
 * - Every delivered event and every effect goes into a running SHA-256, the event-log hash: the same
 *   seed and configuration always give the same hash (checked in CI).
 *
 * Service effects are answered inline with `ok: false, result: "SIM_NO_SERVICE"` unless a handler is
 * registered, so an engine that needs one sees a deterministic answer.
 */
import { createHash } from "node:crypto";
import type {
  ClockHandle,
  Effect,
  Engine,
  EngineContext,
  EngineEvent,
  EngineId,
  Millis,
} from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import type { LinkRule } from "../../net/chaos/chaos.ts";
import { CLEAN_LINKS, SimNetwork } from "./network.ts";
import { SimClock } from "./sim-clock.ts";

/** One engine a host runs: its identity and how to build it from durable state. */
export interface EngineSlot {
  readonly id: EngineId;
  /** Build a fresh instance (at start and at every restart); durable state lives in the closure. */
  build(): Engine;
}

/** Rewrites a byzantine host's outgoing effects. Gets the engine id and a random stream. */
export type EffectTransformer = (effect: Effect, engine: EngineId, random: Prng) => readonly Effect[];

export interface HostSpec {
  readonly name: string;
  readonly engines: readonly EngineSlot[];
  /** Present for byzantine hosts. */
  readonly transform?: EffectTransformer;
  /** A label for reports (e.g. "twin", "equivocate"). */
  readonly byzantine?: string;
}

/** An emitted event as observers see it. */
export interface EmitRecord {
  readonly seq: number;
  readonly at: Millis;
  readonly host: string;
  readonly engine: EngineId;
  readonly name: string;
  readonly data: unknown;
}

interface Instance {
  readonly host: Host;
  readonly slot: EngineSlot;
  engine: Engine;
  random: Prng;
  readonly timers: Map<string, ClockHandle>;
  ctx: EngineContext;
  /** This (host, engine) pair's number in the event log; kept across restarts. */
  readonly no: number;
}

/** A message on the simulated wire: one per (send, target); each arriving copy delivers it. */
interface InFlight {
  readonly target: Instance;
  /** The target host's incarnation at send time: a crash in between loses the message. */
  readonly incarnation: number;
  readonly event: EngineEvent & { kind: "message" };
  readonly protocol: string;
  readonly fromNo: number;
}

// Event-log record codes.
const LOG_EVENT = 0x45; // 'E' time, engine no, event kind, details
const LOG_SEND = 0x3e; // '>' target engine no (or 0xffff and the destination kind)
const LOG_TIMER = 0x2b; // '+' timer, delay
const LOG_EMIT = 0x21; // '!' name, block hash if any
const LOG_REPLY = 0x3c; // '<' request id, JSON body
const LOG_NOTE = 0x4e; // 'N' time, text
const EVENT_CODES: Readonly<Record<EngineEvent["kind"], number>> = {
  start: 1,
  message: 2,
  timer: 3,
  "service-result": 4,
  request: 5,
  stop: 6,
  notice: 7,
};

interface Host {
  readonly spec: HostSpec;
  up: boolean;
  incarnation: number;
  readonly instances: Instance[];
}

/** Counters of what the simulator itself did: part of the fired-fault report. */
export interface SimCounters {
  events: number;
  crashes: number;
  restarts: number;
  byzantineEffects: number;
  /** Byzantine rewrites per host label (`HostSpec.byzantine`). */
  byzantineByKind: Record<string, number>;
  droppedOnCrash: number;
}

export interface SimulatorOptions {
  readonly seed: number | bigint;
  /** The net/chaos rule of every link outside partitions. */
  readonly links?: LinkRule;
}

export class Simulator {
  readonly clock = new SimClock();
  readonly rng: Prng;
  readonly network: SimNetwork;
  readonly counters: SimCounters = {
    events: 0,
    crashes: 0,
    restarts: 0,
    byzantineEffects: 0,
    byzantineByKind: {},
    droppedOnCrash: 0,
  };
  private readonly hosts = new Map<string, Host>();
  private readonly routes = new Map<EngineId, Instance[]>();
  private readonly observers: ((e: EmitRecord) => void)[] = [];
  private readonly services = new Map<string, (input: unknown) => { ok: boolean; result: unknown }>();
  private readonly log = new EventLog();
  private seq = 0;
  private requests = 0;
  /** (host, engine) pairs so far: the next one's event-log number. */
  private slots = 0;

  constructor(options: SimulatorOptions) {
    this.rng = new Prng(options.seed);
    this.network = new SimNetwork(this.clock, this.rng.fork("network"), options.links ?? CLEAN_LINKS);
  }

  /** Add a host; its engines start on `start()` (or at once if the simulation already started). */
  addHost(spec: HostSpec): void {
    if (this.hosts.has(spec.name)) throw new TypeError(`host ${spec.name} exists`);
    const host: Host = { spec, up: false, incarnation: 0, instances: [] };
    for (const slot of spec.engines) {
      const inst = this.instantiate(host, slot, this.slots++);
      host.instances.push(inst);
      const list = this.routes.get(slot.id) ?? [];
      list.push(inst);
      this.routes.set(slot.id, list);
    }
    this.hosts.set(spec.name, host);
    this.network.addHost(spec.name);
  }

  /** Answer `service` effects named `name` inline. */
  serve(name: string, handler: (input: unknown) => { ok: boolean; result: unknown }): void {
    this.services.set(name, handler);
  }

  onEmit(fn: (e: EmitRecord) => void): void {
    this.observers.push(fn);
  }

  hostNames(): string[] {
    return [...this.hosts.keys()];
  }

  isUp(host: string): boolean {
    return this.hosts.get(host)?.up === true;
  }

  /** The live engine instances of a host (for stats in tests and reports). */
  enginesOf(host: string): Engine[] {
    return (this.hosts.get(host)?.instances ?? []).map((i) => i.engine);
  }

  /** Start every host that is not up. */
  start(): void {
    for (const host of this.hosts.values()) if (!host.up && host.incarnation === 0) this.boot(host);
  }

  /** Crash a host: memory, timers and in-flight inbound messages are lost; durable state is not. */
  crash(name: string): void {
    const host = this.mustHost(name);
    if (!host.up) return;
    host.up = false;
    host.incarnation++;
    this.counters.crashes++;
    this.note(`crash|${name}`);
    for (const inst of host.instances) {
      for (const h of inst.timers.values()) this.clock.cancel(h);
      inst.timers.clear();
    }
  }

  /** Restart a crashed host: fresh engines from durable state, then `start`. */
  restart(name: string): void {
    const host = this.mustHost(name);
    if (host.up) return;
    this.counters.restarts++;
    this.note(`restart|${name}`);
    for (let i = 0; i < host.instances.length; i++) {
      const old = host.instances[i]!;
      const inst = this.instantiate(host, old.slot, old.no);
      host.instances[i] = inst;
      const list = this.routes.get(old.slot.id)!;
      list[list.indexOf(old)] = inst;
    }
    this.boot(host);
  }

  /**
   * Deliver a client request (a CLI or API call) to engine `engine` on `host` now; its reply effect
   * goes into the event log. Nothing happens if the host is down.
   */
  request(host: string, engine: EngineId, body: unknown): void {
    const inst = this.mustHost(host).instances.find((i) => i.slot.id === engine);
    if (inst === undefined) throw new TypeError(`no engine ${engine.slice(0, 8)} on ${host}`);
    this.deliver(inst, { kind: "request", requestId: `r${++this.requests}`, body });
  }

  /** Run until virtual time `t`. */
  runUntil(t: Millis): void {
    this.clock.advanceTo(t);
  }

  /** Hex of the running SHA-256 over everything that happened so far. */
  eventLogHash(): string {
    return this.log.digest();
  }

  /** Record a harness action (fault injected, phase change) in the event log. */
  note(line: string): void {
    this.log.byte(LOG_NOTE);
    this.log.f64(this.clock.now());
    this.log.text(line);
  }

  // ---------------------------------------------------------------- internals

  private mustHost(name: string): Host {
    const h = this.hosts.get(name);
    if (h === undefined) throw new TypeError(`no host ${name}`);
    return h;
  }

  private instantiate(host: Host, slot: EngineSlot, no: number): Instance {
    const random = this.rng.fork(`engine/${host.spec.name}/${slot.id}/${host.incarnation}`);
    const inst: Instance = {
      host,
      slot,
      engine: slot.build(),
      random,
      timers: new Map(),
      ctx: { now: () => this.clock.now(), random, self: slot.id, node: host.spec.name },
      no,
    };
    return inst;
  }

  private boot(host: Host): void {
    host.up = true;
    for (const inst of host.instances) this.deliver(inst, { kind: "start" });
  }

  private readonly arriveFn = (m: InFlight): void => this.arrive(m);

  /** One copy of a message reaches its target host. */
  private arrive(m: InFlight): void {
    this.network.arrived();
    const host = m.target.host;
    // A crash since the send loses the message, even if the host is back up.
    if (host.incarnation !== m.incarnation || !host.up) {
      this.counters.droppedOnCrash++;
      return;
    }
    // Sent while the host was down and delivered after its restart: the new instance gets it.
    let current = m.target;
    if (!host.instances.includes(current)) current = host.instances.find((i) => i.slot === m.target.slot)!;
    if (current.engine.protocols.includes(m.protocol)) this.deliver(current, m.event, m.fromNo);
  }

  private deliver(inst: Instance, event: EngineEvent, fromNo = 0xffff): void {
    if (!inst.host.up) return;
    this.counters.events++;
    this.seq++;
    const log = this.log;
    log.byte(LOG_EVENT);
    log.f64(this.clock.now());
    log.u16(inst.no);
    log.byte(EVENT_CODES[event.kind]);
    if (event.kind === "message") {
      log.u16(fromNo);
      log.text(event.protocol);
      log.bytes(event.payload);
    } else if (event.kind === "timer") log.text(event.timer);
    else if (event.kind === "service-result") {
      log.text(event.requestId);
      log.byte(event.ok ? 1 : 0);
    } else if (event.kind === "request") log.text(event.requestId);
    let effects = inst.engine.handle(event, inst.ctx);
    const transform = inst.host.spec.transform;
    if (transform !== undefined) {
      const out: Effect[] = [];
      for (const e of effects) {
        const t = transform(e, inst.slot.id, inst.random);
        if (t.length !== 1 || t[0] !== e) {
          this.counters.byzantineEffects++;
          const kind = inst.host.spec.byzantine ?? "byzantine";
          this.counters.byzantineByKind[kind] = (this.counters.byzantineByKind[kind] ?? 0) + 1;
        }
        out.push(...t);
      }
      effects = out;
    }
    for (const e of effects) this.apply(inst, e);
  }

  private apply(inst: Instance, e: Effect): void {
    const log = this.log;
    switch (e.kind) {
      case "send": {
        log.byte(LOG_SEND);
        if (e.to.kind !== "engine") {
          log.u16(0xffff);
          log.text(e.to.kind);
          return;
        }
        const targets = this.routes.get(e.to.engine);
        if (targets === undefined) {
          log.u16(0xffff);
          log.text(e.to.engine);
          return;
        }
        log.u16(targets[0]!.no);
        for (const target of targets) {
          if (target === inst) continue;
          const delays = this.network.send(inst.host.spec.name, target.host.spec.name, e.payload.length);
          if (delays.length === 0) continue;
          const msg: InFlight = {
            target,
            incarnation: target.host.incarnation,
            event: {
              kind: "message",
              from: inst.slot.id,
              fromNode: inst.host.spec.name,
              to: e.to,
              protocol: e.protocol,
              payload: e.payload,
            },
            protocol: e.protocol,
            fromNo: inst.no,
          };
          for (const d of delays) this.clock.post(d, this.arriveFn, msg);
        }
        return;
      }
      case "set-timer": {
        log.byte(LOG_TIMER);
        log.text(e.timer);
        log.f64(e.after);
        const old = inst.timers.get(e.timer);
        if (old !== undefined) this.clock.cancel(old);
        const incarnation = inst.host.incarnation;
        inst.timers.set(
          e.timer,
          this.clock.schedule(e.after, () => {
            inst.timers.delete(e.timer);
            if (inst.host.incarnation === incarnation) this.deliver(inst, { kind: "timer", timer: e.timer });
          }),
        );
        return;
      }
      case "cancel-timer": {
        const old = inst.timers.get(e.timer);
        if (old !== undefined) {
          this.clock.cancel(old);
          inst.timers.delete(e.timer);
        }
        return;
      }
      case "emit": {
        const h = (e.data as { hash?: unknown } | null)?.hash;
        log.byte(LOG_EMIT);
        log.text(e.name);
        log.text(typeof h === "string" ? h : "");
        const rec: EmitRecord = {
          seq: this.seq,
          at: this.clock.now(),
          host: inst.host.spec.name,
          engine: inst.slot.id,
          name: e.name,
          data: e.data,
        };
        for (const o of this.observers) o(rec);
        return;
      }
      case "reply": {
        log.byte(LOG_REPLY);
        log.text(e.requestId);
        log.text(JSON.stringify(e.body));
        return;
      }
      case "service": {
        const handler = this.services.get(e.service);
        const r = handler ? handler(e.input) : { ok: false, result: "SIM_NO_SERVICE" };
        const incarnation = inst.host.incarnation;
        this.clock.schedule(0, () => {
          if (inst.host.incarnation !== incarnation) return;
          this.deliver(inst, { kind: "service-result", requestId: e.requestId, service: e.service, ...r });
        });
        return;
      }
      default:
        return;
    }
  }
}

/**
 * The running SHA-256 of the event log. Records are written in a compact binary form (times as
 * float64, hosts' engines by number, strings and payloads length-prefixed, so the log is unambiguous)
 * into a 64 KiB buffer that is hashed when full: the same hash as hashing each record as it comes
 * (SHA-256 is a stream), without formatting a string per event.
 */
class EventLog {
  private readonly hash = createHash("sha256");
  private readonly buf = new Uint8Array(1 << 16);
  private readonly view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly enc = new TextEncoder();

  byte(b: number): void {
    if (this.pos + 1 > this.buf.length) this.flush();
    this.buf[this.pos++] = b;
  }

  u16(n: number): void {
    if (this.pos + 2 > this.buf.length) this.flush();
    this.view.setUint16(this.pos, n);
    this.pos += 2;
  }

  f64(x: number): void {
    if (this.pos + 8 > this.buf.length) this.flush();
    this.view.setFloat64(this.pos, x);
    this.pos += 8;
  }

  /** A string, u16-length-prefixed UTF-8 (ASCII, the usual case, is copied without an encoder). */
  text(s: string): void {
    const n = s.length;
    if (n < 0x8000) {
      if (this.pos + 2 + n > this.buf.length) this.flush();
      const buf = this.buf;
      let p = this.pos + 2;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[p++] = c;
      }
      if (i === n) {
        this.view.setUint16(this.pos, n);
        this.pos = p;
        return;
      }
    }
    const b = this.enc.encode(s);
    if (b.length < 0xffff) {
      this.u16(b.length);
      this.raw(b);
    } else {
      this.u16(0xffff);
      this.bytes(b);
    }
  }

  /** Bytes, u32-length-prefixed. */
  bytes(b: Uint8Array): void {
    if (this.pos + 4 > this.buf.length) this.flush();
    this.view.setUint32(this.pos, b.length);
    this.pos += 4;
    this.raw(b);
  }

  digest(): string {
    this.flush();
    return this.hash.copy().digest("hex");
  }

  private raw(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      this.hash.update(b);
      return;
    }
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}
