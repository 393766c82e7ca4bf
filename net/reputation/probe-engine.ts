/**
 * The latency probe system engine (seed 002 "nodes locally measure the latency of message arrivals";
 * ARCHITECTURE.md "Reputation"). Sans-I/O, protocol `probe/v1`, engine id = the node id.
 *
 * Every `interval` ms it pings up to `maxPeers` peers (chosen by the runtime's `peers()` view, sampled
 * with the engine's seeded stream) and answers pings with pongs. A round trip is measured on OUR clock
 * from the moment we sent (the peer echoes only a nonce, so it cannot lie about time) and handed to the
 * latency sink (the node's `Reputation`), which anycast and the scheduler read. A ping unanswered after
 * `timeout` ms is a failure in the sink. A pong with an unknown nonce, or from another node than the
 * one pinged, is counted and ignored.
 *
 * Wire: Probe `[0x3f, 1, nonce, pong]`.
 */
import { defineMessage } from "../../core/codec/message.ts";
import { bool, uint53 } from "../../core/codec/schema.ts";
import type { Effect, Engine, EngineContext, EngineEvent, NodeId } from "../../core/engine/engine.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { Counters } from "../metrics/counters.ts";

export const PROBE_PROTOCOL = "probe/v1";

const ProbeCodec = defineMessage({
  name: "Probe",
  tag: 0x3f,
  version: 1,
  fields: { nonce: uint53, pong: bool },
});

/** Where measurements go (implemented by `Reputation`). */
export interface LatencySink {
  recordLatency(peer: NodeId, ms: number): void;
  recordFailure(peer: NodeId): void;
}

export interface ProbeEngineOptions {
  readonly node: NodeId;
  readonly sink: LatencySink;
  /** Peers worth measuring (e.g. every node with an advert); read at each round. */
  readonly peers: () => readonly NodeId[];
  /** Mean period between rounds, ms (default 2000); 0 only answers other nodes' pings. */
  readonly interval?: number;
  /** A ping older than this is lost, ms (default 5000). */
  readonly timeout?: number;
  /** Peers pinged per round (default 16). */
  readonly maxPeers?: number;
}

const TICK = "probe-round";

/** Measures round trips to peers. */
export class ProbeEngine implements Engine {
  readonly id: NodeId;
  readonly protocols = [PROBE_PROTOCOL];
  /** `sent`, `answered`, `pong`, `lost`, `unexpected-pong`, `bad-message`. */
  readonly counts = new Counters();
  private readonly opts: ProbeEngineOptions;
  private readonly pending = new Map<number, { peer: NodeId; at: number }>();
  private nonce = 0;

  constructor(options: ProbeEngineOptions) {
    this.opts = options;
    this.id = options.node;
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    switch (event.kind) {
      case "start":
        // Nonces start at a random point so a restarted node does not reuse its predecessor's.
        this.nonce = ctx.random.int(0, 0xffff_ffff) * 1024;
        if (this.period() === 0) return [];
        return [{ kind: "set-timer", timer: TICK, after: ctx.random.int(0, this.period() >> 2) }];
      case "timer":
        return event.timer === TICK ? this.round(ctx) : [];
      case "message":
        return this.onMessage(event.fromNode, event.payload, ctx);
      case "request":
        return [{ kind: "reply", requestId: event.requestId, body: this.counts.snapshot() }];
      default:
        return [];
    }
  }

  private period(): number {
    return this.opts.interval ?? 2000;
  }

  private round(ctx: EngineContext): Effect[] {
    const now = ctx.now();
    const timeout = this.opts.timeout ?? 5000;
    for (const [n, p] of [...this.pending]) {
      if (now - p.at < timeout) continue;
      this.pending.delete(n);
      this.counts.inc("lost");
      this.opts.sink.recordFailure(p.peer);
    }
    const peers = this.opts.peers().filter((p) => p !== this.id);
    const k = Math.min(this.opts.maxPeers ?? 16, peers.length);
    for (let i = 0; i < k; i++) {
      const j = ctx.random.int(i, peers.length - 1);
      const t = peers[i]!;
      peers[i] = peers[j]!;
      peers[j] = t;
    }
    const out: Effect[] = [];
    for (const peer of peers.slice(0, k)) {
      const nonce = this.nonce++;
      this.pending.set(nonce, { peer, at: now });
      this.counts.inc("sent");
      out.push(this.send(peer, ProbeCodec.encode({ nonce, pong: false })));
    }
    const next = Math.round(this.period() * (0.75 + 0.5 * ctx.random.nextFloat()));
    out.push({ kind: "set-timer", timer: TICK, after: next });
    return out;
  }

  private onMessage(peer: NodeId, payload: Uint8Array, ctx: EngineContext): Effect[] {
    let m: ReturnType<typeof ProbeCodec.decode>;
    try {
      m = ProbeCodec.decode(payload);
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.counts.inc("bad-message");
      return [];
    }
    if (!m.pong) {
      this.counts.inc("answered");
      return [this.send(peer, ProbeCodec.encode({ nonce: m.nonce, pong: true }))];
    }
    const p = this.pending.get(m.nonce);
    if (p === undefined || p.peer !== peer) {
      this.counts.inc("unexpected-pong");
      return [];
    }
    this.pending.delete(m.nonce);
    const rtt = ctx.now() - p.at;
    this.counts.inc("pong");
    this.opts.sink.recordLatency(peer, rtt);
    return [{ kind: "emit", name: "probe-rtt", data: { peer, rtt } }];
  }

  private send(peer: NodeId, payload: Uint8Array): Effect {
    return { kind: "send", to: { kind: "engine", engine: peer }, protocol: PROBE_PROTOCOL, payload };
  }
}
