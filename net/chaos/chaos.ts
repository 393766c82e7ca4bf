/**
 * The chaos layer (ARCHITECTURE.md "Network": a transport wrapper, the same for memory and TCP, that
 * applies partitions, latency with jitter, loss, duplication, reordering and bandwidth caps per link).
 *
 * A `ChaosController` holds rules per DIRECTED link (from -> to), so asymmetric faults are natural: cut
 * A -> B and leave B -> A open. `controller.wrap(transport)` returns a `ChaosTransport` that applies the
 * rule of (local -> peer) to every frame it sends; wrap every node of an in-process cluster with the same
 * controller. Receiving is untouched, so a fault is applied exactly once per frame.
 *
 * Determinism: each link draws from its own PRNG stream, forked from the controller's seed by link name,
 * and delays go through the injected clock; under a `VirtualClock` a schedule replays exactly, and traffic
 * on one link never shifts the faults of another. `report()` counts the faults that actually FIRED (a
 * frame lost, duplicated, delayed, ...), per link and kind, not the rules configured.
 *
 * Cost with no rules: one Map size check per frame before handing it to the inner transport.
 */
import type { Clock, ClockHandle, NodeId, Random } from "../../core/engine/engine.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import type { Transport, TransportHandlers, TransportStats } from "../transport/transport.ts";

/** Faults on one directed link; all optional, all independent. */
export interface LinkRule {
  /** Drop every frame. */
  readonly partition?: boolean;
  /** Base one-way delay added, ms. */
  readonly latencyMs?: number;
  /** Uniform jitter in [-jitterMs, +jitterMs] added to the delay (never below zero). */
  readonly jitterMs?: number;
  /** Probability a frame is lost. */
  readonly loss?: number;
  /** Probability a frame is sent twice. */
  readonly duplicate?: number;
  /** Probability a frame is held back long enough for later frames to overtake it. */
  readonly reorder?: number;
  /** Link capacity in bytes per second: frames queue behind each other. */
  readonly bandwidthBytesPerSec?: number;
}

/** Fault kinds as counted in the report. */
export type FaultKind = "partition" | "loss" | "duplicate" | "latency" | "reorder" | "bandwidth";

interface LinkState {
  rule: LinkRule;
  random: Random;
  busyUntil: number;
}

/** Per-link rules, their random streams and the fired-fault report. */
export class ChaosController {
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly links = new Map<string, LinkState>();
  private readonly fired = new Map<string, Record<string, number>>();
  private readonly streams = new Map<string, Random>();

  constructor(random: Random, clock: Clock) {
    this.random = random;
    this.clock = clock;
  }

  /** Number of links with a rule; zero means every wrapper is a pass-through. */
  get activeLinks(): number {
    return this.links.size;
  }

  /** Set (replace) the rule of the directed link from -> to. */
  setRule(from: NodeId, to: NodeId, rule: LinkRule): void {
    for (const p of ["loss", "duplicate", "reorder"] as const) {
      const v = rule[p];
      if (v !== undefined && !(v >= 0 && v <= 1))
        throw new RangeError(`${p}: expected a probability, got ${v}`);
    }
    for (const p of ["latencyMs", "jitterMs", "bandwidthBytesPerSec"] as const) {
      const v = rule[p];
      if (v !== undefined && !(v >= 0 && Number.isFinite(v)))
        throw new RangeError(`${p}: expected >= 0, got ${v}`);
    }
    const key = linkKey(from, to);
    this.links.set(key, { rule, random: this.stream(key), busyUntil: 0 });
  }

  /** Remove the rule of from -> to. */
  clearRule(from: NodeId, to: NodeId): void {
    this.links.delete(linkKey(from, to));
  }

  /** Remove every rule (the report stays). */
  clearAll(): void {
    this.links.clear();
  }

  rule(from: NodeId, to: NodeId): LinkRule | undefined {
    return this.links.get(linkKey(from, to))?.rule;
  }

  /**
   * Cut traffic between two groups: both directions, or only `a -> b` when `oneWay`. Links inside a
   * group are untouched. Merges with any other faults already set on those links.
   */
  partition(a: readonly NodeId[], b: readonly NodeId[], options: { oneWay?: boolean } = {}): void {
    for (const x of a) {
      for (const y of b) {
        this.setRule(x, y, { ...this.rule(x, y), partition: true });
        if (options.oneWay !== true) this.setRule(y, x, { ...this.rule(y, x), partition: true });
      }
    }
  }

  /** Lift every partition, keeping other faults. */
  heal(): void {
    for (const [key, st] of [...this.links]) {
      if (st.rule.partition !== true) continue;
      const { partition: _, ...rest } = st.rule;
      if (Object.keys(rest).length === 0) this.links.delete(key);
      else st.rule = rest;
    }
  }

  /** Faults that fired, per link (`from>to`) and kind. */
  report(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const k of [...this.fired.keys()].sort()) out[k] = { ...this.fired.get(k)! };
    return out;
  }

  /** Total fired faults of one kind over all links. */
  total(kind: FaultKind): number {
    let n = 0;
    for (const r of this.fired.values()) n += r[kind] ?? 0;
    return n;
  }

  /** Wrap a transport so its outgoing frames obey this controller. */
  wrap(transport: Transport): ChaosTransport {
    return new ChaosTransport(transport, this, this.clock);
  }

  // The stream of a link is fixed by its name, so re-setting a rule does not replay the same draws
  // differently than the first time: it continues the link's stream.
  private stream(key: string): Random {
    let r = this.streams.get(key);
    if (r === undefined) {
      r = this.random.fork(key);
      this.streams.set(key, r);
    }
    return r;
  }

  private count(key: string, kind: FaultKind): void {
    let r = this.fired.get(key);
    if (r === undefined) {
      r = {};
      this.fired.set(key, r);
    }
    r[kind] = (r[kind] ?? 0) + 1;
  }

  /**
   * Decide the fate of one frame on from -> to: the delays (ms) of each copy to send; empty when the
   * frame is dropped. Counts what fired. `ChaosTransport` calls it per frame; the simulator
   * (devnet/sim/network.ts) calls it per message on its own event queue, so both share one fault model.
   */
  plan(from: NodeId, to: NodeId, size: number): number[] {
    const key = linkKey(from, to);
    const st = this.links.get(key);
    if (st === undefined) return [0];
    const r = st.rule;
    const rnd = st.random;
    if (r.partition === true) {
      this.count(key, "partition");
      return [];
    }
    if (r.loss !== undefined && r.loss > 0 && rnd.nextFloat() < r.loss) {
      this.count(key, "loss");
      return [];
    }
    const copies = r.duplicate !== undefined && r.duplicate > 0 && rnd.nextFloat() < r.duplicate ? 2 : 1;
    if (copies === 2) this.count(key, "duplicate");
    const now = this.clock.now();
    let queueDelay = 0;
    if (r.bandwidthBytesPerSec !== undefined && r.bandwidthBytesPerSec > 0) {
      const start = Math.max(now, st.busyUntil);
      st.busyUntil = start + (size * 1000) / r.bandwidthBytesPerSec;
      queueDelay = st.busyUntil - now;
      if (start > now) this.count(key, "bandwidth");
    }
    const out: number[] = [];
    for (let i = 0; i < copies; i++) {
      let d = queueDelay;
      const base = r.latencyMs ?? 0;
      const jitter = r.jitterMs ?? 0;
      if (base > 0 || jitter > 0) {
        d += Math.max(0, base + (jitter > 0 ? (rnd.nextFloat() * 2 - 1) * jitter : 0));
        this.count(key, "latency");
      }
      if (r.reorder !== undefined && r.reorder > 0 && rnd.nextFloat() < r.reorder) {
        // Held back past the window in which the next few frames arrive.
        d += 1 + rnd.nextFloat() * (2 * (base + jitter) + 5);
        this.count(key, "reorder");
      }
      out.push(d);
    }
    return out;
  }
}

/** A transport whose outgoing frames pass through a `ChaosController`. */
export class ChaosTransport implements Transport {
  readonly local: NodeId;
  readonly maxFrame: number;
  private readonly pending = new Set<ClockHandle>();
  private closed = false;

  constructor(
    readonly inner: Transport,
    private readonly controller: ChaosController,
    private readonly clock: Clock,
  ) {
    this.local = inner.local;
    this.maxFrame = inner.maxFrame;
  }

  start(handlers: TransportHandlers): Promise<void> {
    return this.inner.start(handlers);
  }

  addresses(): readonly string[] {
    return this.inner.addresses();
  }

  learn(peer: NodeId, addresses: readonly string[]): void {
    this.inner.learn(peer, addresses);
  }

  send(peer: NodeId, frame: Uint8Array): void {
    if (this.controller.activeLinks === 0) {
      this.inner.send(peer, frame);
      return;
    }
    const delays = this.controller.plan(this.local, peer, frame.length);
    for (const d of delays) {
      if (d <= 0) {
        this.inner.send(peer, frame);
        continue;
      }
      const copy = frame.slice();
      const h = this.clock.schedule(d, () => {
        this.pending.delete(h);
        try {
          this.inner.send(peer, copy);
        } catch (err) {
          // The transport may have closed while the frame was in the air: it is simply lost.
          if (!isLatticeError(err, "NET_CLOSED")) throw err;
        }
      });
      this.pending.add(h);
    }
  }

  stats(): TransportStats {
    return this.inner.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.pending) this.clock.cancel(h);
    this.pending.clear();
    await this.inner.close();
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
