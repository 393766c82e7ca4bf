/**
 * Node-based and group-based reputation (seed 002 "Node-based reputation and group-based reputation";
 * ARCHITECTURE.md "Network": per-peer latency, failures, invalid messages, per-domain aggregates).
 *
 * A `Reputation` keeps local observations only: nothing here is gossiped or trusted from peers. Routing
 * reads `score`/`rank` to pick anycast targets; the task scheduler (later) reads `peer` and `domain`.
 * Latency is an exponentially weighted moving average, so one slow sample moves it by `alpha` of the
 * difference. Everything is deterministic: observations in, numbers out, no clock.
 */
import type { NodeId } from "../../core/engine/engine.ts";

/** What we know about one peer. */
export interface PeerStats {
  /** EWMA of round-trip latency in ms, or undefined before the first sample. */
  readonly latencyMs: number | undefined;
  readonly latencySamples: number;
  /** Frames accepted from the peer (verified, not replayed). */
  readonly accepted: number;
  /** Failures talking to the peer: unreachable, connect errors, timeouts. */
  readonly failures: number;
  /** Invalid input from the peer, by reason (bad-signature, malformed, replay, ...). */
  readonly invalid: Readonly<Record<string, number>>;
  readonly invalidTotal: number;
}

/** Aggregate over a group of peers (a domain's members). */
export interface GroupStats {
  readonly members: number;
  /** Members we have any observation of. */
  readonly observed: number;
  readonly meanLatencyMs: number | undefined;
  readonly failures: number;
  readonly invalid: number;
  readonly meanScore: number;
}

interface Mutable {
  latencyMs: number | undefined;
  latencySamples: number;
  accepted: number;
  failures: number;
  invalid: Record<string, number>;
  invalidTotal: number;
}

/** The reading side, all routing needs. */
export interface ReputationView {
  score(peer: NodeId): number;
  peer(peer: NodeId): PeerStats | undefined;
}

/** Per-node reputation table. */
export class Reputation implements ReputationView {
  private readonly peers = new Map<NodeId, Mutable>();
  private readonly alpha: number;

  constructor(options: { alpha?: number } = {}) {
    this.alpha = options.alpha ?? 0.2;
    if (!(this.alpha > 0 && this.alpha <= 1))
      throw new RangeError(`alpha: expected (0, 1], got ${this.alpha}`);
  }

  private entry(peer: NodeId): Mutable {
    let e = this.peers.get(peer);
    if (e === undefined) {
      e = { latencyMs: undefined, latencySamples: 0, accepted: 0, failures: 0, invalid: {}, invalidTotal: 0 };
      this.peers.set(peer, e);
    }
    return e;
  }

  recordLatency(peer: NodeId, ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    const e = this.entry(peer);
    e.latencyMs = e.latencyMs === undefined ? ms : e.latencyMs + this.alpha * (ms - e.latencyMs);
    e.latencySamples++;
  }

  recordAccepted(peer: NodeId): void {
    this.entry(peer).accepted++;
  }

  recordFailure(peer: NodeId): void {
    this.entry(peer).failures++;
  }

  recordInvalid(peer: NodeId, reason: string): void {
    const e = this.entry(peer);
    e.invalid[reason] = (e.invalid[reason] ?? 0) + 1;
    e.invalidTotal++;
  }

  peer(peer: NodeId): PeerStats | undefined {
    const e = this.peers.get(peer);
    return e === undefined ? undefined : { ...e, invalid: { ...e.invalid } };
  }

  /**
   * A number in (0, 1]: 1 for an unknown peer (innocent until observed), lowered by failures, much more by
   * invalid input (a peer that sends forged frames is worse than one that is down), and by latency.
   */
  score(peer: NodeId): number {
    const e = this.peers.get(peer);
    if (e === undefined) return 1;
    const good = e.accepted + 1;
    const reliability = good / (good + e.failures + 5 * e.invalidTotal);
    const speed = e.latencyMs === undefined ? 1 : 1 / (1 + e.latencyMs / 100);
    return reliability * speed;
  }

  /** `peers` best first: by score, then lower latency, then id (a deterministic tie-break). */
  rank(peers: readonly NodeId[]): NodeId[] {
    const keyed = peers.map((p) => ({
      p,
      s: this.score(p),
      l: this.peers.get(p)?.latencyMs ?? Number.POSITIVE_INFINITY,
    }));
    keyed.sort((a, b) => b.s - a.s || a.l - b.l || (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
    return keyed.map((k) => k.p);
  }

  /** Group-based reputation over `members` (seed 002): e.g. a domain's member list. */
  group(members: readonly NodeId[]): GroupStats {
    let observed = 0;
    let latSum = 0;
    let latN = 0;
    let failures = 0;
    let invalid = 0;
    let scoreSum = 0;
    for (const m of members) {
      scoreSum += this.score(m);
      const e = this.peers.get(m);
      if (e === undefined) continue;
      observed++;
      failures += e.failures;
      invalid += e.invalidTotal;
      if (e.latencyMs !== undefined) {
        latSum += e.latencyMs;
        latN++;
      }
    }
    return {
      members: members.length,
      observed,
      meanLatencyMs: latN === 0 ? undefined : latSum / latN,
      failures,
      invalid,
      meanScore: members.length === 0 ? 0 : scoreSum / members.length,
    };
  }

  /** Forget a peer entirely (e.g. after an identity is banned and purged). */
  forget(peer: NodeId): void {
    this.peers.delete(peer);
  }
}
