/**
 * In-process transport for the simulator and unit tests (ARCHITECTURE.md "The one design rule": the
 * simulator's in-memory transport). A `MemoryNetwork` connects `MemoryTransport`s by node id and delivers
 * each frame through the injected `Clock` after a fixed latency.
 *
 * Guarantees: under a `VirtualClock` delivery order is a pure function of the send order (frames due at
 * the same instant arrive in the order they were sent), so runs replay exactly. A transport that closes
 * and a new one with the same node id that attaches later form a new session: peers see `session` again.
 * Faults (loss, partitions, ...) are not this file's job; wrap the transport in `net/chaos`.
 */
import type { Clock, NodeId } from "../../../core/engine/engine.ts";
import { LatticeError } from "../../../core/errors/lattice-error.ts";
import { Counters } from "../../metrics/counters.ts";
import {
  assertFrameSize,
  MAX_FRAME_BYTES,
  type Transport,
  type TransportHandlers,
  type TransportStats,
} from "../transport.ts";

interface Attached {
  readonly transport: MemoryTransport;
  readonly generation: number;
}

/** The wire: a registry of attached transports and a clock to deliver on. */
export class MemoryNetwork {
  readonly clock: Clock;
  /** One-way delay of every frame, in clock milliseconds. */
  readonly latency: number;
  private readonly attached = new Map<NodeId, Attached>();
  private generations = 0;

  constructor(clock: Clock, options: { latency?: number } = {}) {
    this.clock = clock;
    this.latency = options.latency ?? 1;
  }

  /** Create a transport for `node` on this network (not yet started). */
  transport(node: NodeId, options: { maxFrame?: number } = {}): MemoryTransport {
    return new MemoryTransport(this, node, options.maxFrame ?? MAX_FRAME_BYTES);
  }

  /** @internal */
  attach(t: MemoryTransport): number {
    const cur = this.attached.get(t.local);
    if (cur !== undefined && cur.transport !== t) {
      throw new LatticeError("NET_ADDRESS_IN_USE", `node ${t.local.slice(0, 12)} is already attached`);
    }
    const generation = ++this.generations;
    this.attached.set(t.local, { transport: t, generation });
    return generation;
  }

  /** @internal */
  detach(t: MemoryTransport): void {
    if (this.attached.get(t.local)?.transport === t) this.attached.delete(t.local);
  }

  /** @internal Returns false when `to` is not attached (the caller counts the drop). */
  carry(from: MemoryTransport, fromGeneration: number, to: NodeId, frame: Uint8Array): boolean {
    const target = this.attached.get(to);
    if (target === undefined) return false;
    this.clock.schedule(this.latency, () => {
      // A frame addressed to an instance that has since restarted is lost, like packets to a dead process.
      if (this.attached.get(to) !== target) return;
      target.transport.receive(from.local, fromGeneration, frame);
    });
    return true;
  }
}

/** A node's endpoint on a `MemoryNetwork`. */
export class MemoryTransport implements Transport {
  readonly local: NodeId;
  readonly maxFrame: number;
  private readonly network: MemoryNetwork;
  private handlers: TransportHandlers | undefined;
  private generation = 0;
  private closed = false;
  private readonly peerGenerations = new Map<NodeId, number>();
  private readonly drops = new Counters();
  private readonly counts = {
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sessionsOpened: 0,
  };

  /** Use `MemoryNetwork.transport` instead. */
  constructor(network: MemoryNetwork, local: NodeId, maxFrame: number) {
    this.network = network;
    this.local = local;
    this.maxFrame = maxFrame;
  }

  async start(handlers: TransportHandlers): Promise<void> {
    if (this.closed) throw new LatticeError("NET_CLOSED", "transport is closed");
    this.handlers = handlers;
    this.generation = this.network.attach(this);
  }

  addresses(): readonly string[] {
    return [`mem://${this.local}`];
  }

  learn(): void {
    // Every attached node is reachable by id; nothing to record.
  }

  send(peer: NodeId, frame: Uint8Array): void {
    if (this.closed) throw new LatticeError("NET_CLOSED", "transport is closed");
    assertFrameSize(frame, this.maxFrame);
    if (this.handlers === undefined) {
      this.drops.inc("not-started");
      return;
    }
    if (!this.network.carry(this, this.generation, peer, frame.slice())) {
      this.drops.inc("unreachable");
      return;
    }
    this.counts.framesSent++;
    this.counts.bytesSent += frame.length;
  }

  /** @internal Called by the network at delivery time. */
  receive(from: NodeId, fromGeneration: number, frame: Uint8Array): void {
    const h = this.handlers;
    if (this.closed || h === undefined) return;
    const seen = this.peerGenerations.get(from);
    if (seen !== undefined && fromGeneration < seen) {
      this.drops.inc("stale-session");
      return;
    }
    if (seen !== fromGeneration) {
      this.peerGenerations.set(from, fromGeneration);
      this.counts.sessionsOpened++;
      h.session?.(from);
    }
    this.counts.framesReceived++;
    this.counts.bytesReceived += frame.length;
    h.frame(from, frame);
  }

  stats(): TransportStats {
    return { ...this.counts, drops: this.drops.snapshot() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.network.detach(this);
    this.handlers = undefined;
  }
}
