/**
 * The router (seed 003 "Routing"; ARCHITECTURE.md "Network"): forwards intra-node messages directly and
 * inter-node messages as signed envelopes through the transport, and picks the pattern from the
 * destination kind: engine -> unicast, topic -> multicast over the domain overlay, domain -> anycast.
 *
 * Incoming frames pass, in order: size cap (before decoding), canonical decode, the sending node's
 * signature, the per-peer replay window, then the destination and protocol checks. A frame failing any
 * step is dropped, counted in `drops` by reason, logged as a `drop` event and reported to reputation;
 * nothing else changes (the replay window only records frames that pass every check up to dispatch).
 *
 * Pub/sub: a topic message carries the publisher's per-topic sequence number and its node's signature;
 * receivers dedup per publisher (sliding window), count gaps (`gaps`) and tell local subscribers with a
 * `topic-gap` notice. In a domain of at most `meshLimit` members the publisher sends to every member
 * (full mesh); above that it sends to `fanout` random members and every member relays a message the
 * first time it sees it to `fanout` others (push gossip).
 */
import type {
  Destination,
  DomainId,
  EngineId,
  MessageEvent,
  NodeId,
  Random,
} from "../../core/engine/engine.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { Counters } from "../metrics/counters.ts";
import { type NetLogger, noopLogger } from "../metrics/logger.ts";
import type { Reputation } from "../reputation/reputation.ts";
import type { Transport } from "../transport/transport.ts";
import type { Directory } from "./directory.ts";
import { decodeEnvelope, type Envelope, sealEnvelope, verifyEnvelope } from "./envelope.ts";
import { ReplayWindow } from "./replay-window.ts";
import {
  decodeTopicMessage,
  sealTopicMessage,
  type TopicContext,
  verifyTopicMessage,
} from "./topic-message.ts";

/** A local engine as the router sees it. */
export interface LocalEndpoint {
  readonly id: EngineId;
  readonly protocols: readonly string[];
  /** Queue a message for the engine (the host runs it later, never re-entrantly). */
  deliver(event: MessageEvent): void;
  /** Queue a runtime notice for the engine. */
  notice(name: string, data: unknown): void;
}

/** Reasons an incoming frame is dropped. Stable strings: metrics and tests use them. */
export type DropReason =
  | "oversized"
  | "malformed"
  | "bad-signature"
  | "replay"
  | "unknown-destination"
  | "unknown-protocol"
  | "stale-epoch";

export interface RouterOptions {
  /** The node's key pair: its public key is the node id. */
  readonly identity: KeyPair;
  readonly nodeId: NodeId;
  readonly transport: Transport;
  readonly directory: Directory;
  readonly reputation: Reputation;
  /** Chooses gossip targets. */
  readonly random: Random;
  /** Publisher epoch for topic messages: must grow across restarts of this node. */
  readonly epoch: number;
  readonly logger?: NetLogger;
  /** Replay window width per peer (default 1024). */
  readonly replayWindow?: number;
  /** Largest accepted frame (default: the transport's cap). */
  readonly maxFrame?: number;
  /** Domains up to this size use a full mesh for pub/sub (default 8). */
  readonly meshLimit?: number;
  /** Gossip fanout above `meshLimit` (default 6). */
  readonly fanout?: number;
}

interface PublisherState {
  epoch: number;
  window: ReplayWindow;
}

/** One node's router. */
export class Router {
  readonly nodeId: NodeId;
  /** Incoming drops by reason. */
  readonly drops = new Counters();
  /** Outgoing messages that could not be routed, by reason (`no-route`, `oversized`, ...). */
  readonly sendFailures = new Counters();
  /** Delivery counters: `local`, `remote-in`, `remote-out`, `topic-relayed`, `topic-duplicate`, `gaps`. */
  readonly counts = new Counters();
  private readonly opts: RouterOptions;
  private readonly logger: NetLogger;
  private readonly maxFrame: number;
  private readonly windowSize: number;
  private readonly meshLimit: number;
  private readonly fanout: number;
  private readonly endpoints = new Map<EngineId, LocalEndpoint[]>();
  private readonly order: LocalEndpoint[] = [];
  private readonly subscriptions = new Map<string, Set<EngineId>>();
  private readonly windows = new Map<NodeId, ReplayWindow>();
  private readonly outSeq = new Map<NodeId, number>();
  private readonly pubSeq = new Map<string, number>();
  private readonly publishers = new Map<string, PublisherState>();

  constructor(options: RouterOptions) {
    this.opts = options;
    this.nodeId = options.nodeId;
    this.logger = options.logger ?? noopLogger;
    this.maxFrame = options.maxFrame ?? options.transport.maxFrame;
    this.windowSize = options.replayWindow ?? 1024;
    this.meshLimit = options.meshLimit ?? 8;
    this.fanout = options.fanout ?? 6;
  }

  /** Make a local engine reachable. One id may have several endpoints with disjoint protocols. */
  register(ep: LocalEndpoint): void {
    const list = this.endpoints.get(ep.id) ?? [];
    for (const other of list) {
      for (const p of ep.protocols) {
        if (other.protocols.includes(p))
          throw new RangeError(`engine ${ep.id.slice(0, 12)} already serves ${p}`);
      }
    }
    list.push(ep);
    this.endpoints.set(ep.id, list);
    this.order.push(ep);
  }

  unregister(ep: LocalEndpoint): void {
    const list = (this.endpoints.get(ep.id) ?? []).filter((e) => e !== ep);
    if (list.length === 0) this.endpoints.delete(ep.id);
    else this.endpoints.set(ep.id, list);
    const i = this.order.indexOf(ep);
    if (i >= 0) this.order.splice(i, 1);
    for (const subs of this.subscriptions.values()) subs.delete(ep.id);
  }

  subscribe(engine: EngineId, domain: DomainId, topic: string): void {
    const k = topicKey(domain, topic);
    let s = this.subscriptions.get(k);
    if (s === undefined) {
      s = new Set();
      this.subscriptions.set(k, s);
    }
    s.add(engine);
  }

  unsubscribe(engine: EngineId, domain: DomainId, topic: string): void {
    this.subscriptions.get(topicKey(domain, topic))?.delete(engine);
  }

  /** Route a message from local engine `from`. Unroutable messages are counted in `sendFailures`. */
  send(from: EngineId, to: Destination, protocol: string, payload: Uint8Array): void {
    switch (to.kind) {
      case "engine":
        this.sendUnicast(from, to, protocol, payload);
        return;
      case "topic":
        this.publish(from, to, protocol, payload);
        return;
      case "domain":
        this.sendAnycast(from, to, protocol, payload);
        return;
    }
  }

  private sendUnicast(
    from: EngineId,
    to: Destination & { kind: "engine" },
    protocol: string,
    payload: Uint8Array,
  ): void {
    const local = this.endpoints.get(to.engine);
    if (local !== undefined) {
      const ep = local.find((e) => e.protocols.includes(protocol));
      if (ep === undefined) {
        this.sendFail("unknown-protocol", to);
        return;
      }
      this.counts.inc("local");
      ep.deliver({ kind: "message", from, fromNode: this.nodeId, to, protocol, payload });
      return;
    }
    const loc = this.opts.directory.engine(to.engine);
    if (loc === undefined || loc.node === this.nodeId) {
      this.sendFail("no-route", to);
      return;
    }
    this.transmit(loc.node, from, to, protocol, payload);
  }

  private sendAnycast(
    from: EngineId,
    to: Destination & { kind: "domain" },
    protocol: string,
    payload: Uint8Array,
  ): void {
    const members = this.opts.directory.members(to.domain);
    const serving = members.filter((m) => m === this.nodeId || this.opts.directory.nodeServes(m, protocol));
    const candidates = serving.length > 0 ? serving : members;
    const localEp = this.order.find((e) => e.protocols.includes(protocol));
    if (candidates.includes(this.nodeId) && localEp !== undefined) {
      this.counts.inc("local");
      localEp.deliver({ kind: "message", from, fromNode: this.nodeId, to, protocol, payload });
      return;
    }
    const remote = candidates.filter((m) => m !== this.nodeId);
    const best = this.opts.reputation.rank(remote)[0];
    if (best === undefined) {
      this.sendFail("no-route", to);
      return;
    }
    this.transmit(best, from, to, protocol, payload);
  }

  private publish(
    from: EngineId,
    to: Destination & { kind: "topic" },
    protocol: string,
    payload: Uint8Array,
  ): void {
    const ctx: TopicContext = { domain: to.domain, topic: to.topic, from, protocol };
    const pk = `${from}|${topicKey(to.domain, to.topic)}`;
    const seq = this.pubSeq.get(pk) ?? 0;
    this.pubSeq.set(pk, seq + 1);
    const sealed = sealTopicMessage(
      this.opts.identity.secretKey,
      this.nodeId,
      ctx,
      this.opts.epoch,
      seq,
      payload,
    );
    this.deliverTopicLocally(from, this.nodeId, to, protocol, payload, from);
    for (const peer of this.topicTargets(to.domain, [this.nodeId]))
      this.transmit(peer, from, to, protocol, sealed);
  }

  private topicTargets(domain: DomainId, exclude: readonly NodeId[]): NodeId[] {
    const members = this.opts.directory.members(domain).filter((m) => !exclude.includes(m));
    if (this.opts.directory.members(domain).length <= this.meshLimit) return members;
    return sample(this.opts.random, members, this.fanout);
  }

  private transmit(
    peer: NodeId,
    from: EngineId,
    to: Destination,
    protocol: string,
    payload: Uint8Array,
  ): void {
    const seq = this.outSeq.get(peer) ?? 0;
    this.outSeq.set(peer, seq + 1);
    let frame: Uint8Array;
    try {
      frame = sealEnvelope(this.opts.identity.secretKey, peer, { from, to, protocol, seq, payload });
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.sendFail("unencodable", to, err.message);
      return;
    }
    if (frame.length > this.opts.transport.maxFrame) {
      this.sendFail("oversized", to);
      return;
    }
    this.counts.inc("remote-out");
    this.opts.transport.send(peer, frame);
  }

  private sendFail(reason: string, to: Destination, detail?: string): void {
    this.sendFailures.inc(reason);
    this.logger.log("warn", "send-failed", { reason, to, ...(detail === undefined ? {} : { detail }) });
  }

  /** A new session with `peer` began: its sequence numbers start over. */
  onSession(peer: NodeId): void {
    this.windows.delete(peer);
  }

  /** Handle one frame from the transport. Never throws for anything the peer controls. */
  onFrame(peer: NodeId, frame: Uint8Array): void {
    if (frame.length > this.maxFrame) {
      this.drop(peer, "oversized", { size: frame.length });
      return;
    }
    let env: Envelope;
    try {
      env = decodeEnvelope(frame);
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.drop(peer, "malformed", { code: err.code, error: err.message });
      return;
    }
    if (!verifyEnvelope(env, peer, this.nodeId)) {
      this.drop(peer, "bad-signature", { seq: env.seq });
      return;
    }
    let window = this.windows.get(peer);
    if (window === undefined) {
      window = new ReplayWindow(this.windowSize);
      this.windows.set(peer, window);
    }
    if (window.check(env.seq) !== "ok") {
      this.drop(peer, "replay", { seq: env.seq });
      return;
    }
    window.accept(env.seq);
    this.opts.reputation.recordAccepted(peer);
    this.counts.inc("remote-in");
    // A verified envelope proves its node speaks for `from`: remember the way back unless an advert
    // already placed that engine (adverts stay authoritative), so an answer can reach a peer whose
    // adverts have not arrived yet.
    if (this.opts.directory.engine(env.from) === undefined && !this.endpoints.has(env.from))
      this.opts.directory.setEngine(env.from, { node: peer, protocols: [env.protocol] });
    switch (env.to.kind) {
      case "engine": {
        const list = this.endpoints.get(env.to.engine);
        if (list === undefined) {
          this.drop(peer, "unknown-destination", { to: env.to.engine });
          return;
        }
        const ep = list.find((e) => e.protocols.includes(env.protocol));
        if (ep === undefined) {
          this.drop(peer, "unknown-protocol", { protocol: env.protocol });
          return;
        }
        ep.deliver({
          kind: "message",
          from: env.from,
          fromNode: peer,
          to: env.to,
          protocol: env.protocol,
          payload: env.payload,
        });
        return;
      }
      case "domain": {
        const ep = this.order.find((e) => e.protocols.includes(env.protocol));
        if (ep === undefined) {
          this.drop(peer, "unknown-protocol", { protocol: env.protocol });
          return;
        }
        ep.deliver({
          kind: "message",
          from: env.from,
          fromNode: peer,
          to: env.to,
          protocol: env.protocol,
          payload: env.payload,
        });
        return;
      }
      case "topic":
        this.onTopic(peer, env, env.to);
        return;
    }
  }

  private onTopic(peer: NodeId, env: Envelope, to: Destination & { kind: "topic" }): void {
    let m: ReturnType<typeof decodeTopicMessage>;
    try {
      m = decodeTopicMessage(env.payload);
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.drop(peer, "malformed", { code: err.code, error: err.message });
      return;
    }
    const ctx: TopicContext = { domain: to.domain, topic: to.topic, from: env.from, protocol: env.protocol };
    if (!verifyTopicMessage(m, ctx)) {
      this.drop(peer, "bad-signature", { topic: to.topic });
      return;
    }
    const pk = `${env.from}|${topicKey(to.domain, to.topic)}`;
    let st = this.publishers.get(pk);
    if (st === undefined || m.epoch > st.epoch) {
      st = { epoch: m.epoch, window: new ReplayWindow(this.windowSize) };
      this.publishers.set(pk, st);
    }
    if (m.epoch < st.epoch) {
      this.drop(peer, "stale-epoch", { topic: to.topic });
      return;
    }
    // Duplicates are normal in a gossip overlay: counted, not held against the relay.
    if (st.window.check(m.pubSeq) !== "ok") {
      this.counts.inc("topic-duplicate");
      return;
    }
    const top = st.window.top;
    st.window.accept(m.pubSeq);
    if (top >= 0 && m.pubSeq > top + 1) {
      const missing = m.pubSeq - top - 1;
      this.counts.inc("gaps", missing);
      for (const id of this.subscriptions.get(topicKey(to.domain, to.topic)) ?? []) {
        for (const ep of this.endpoints.get(id) ?? []) {
          ep.notice("topic-gap", {
            domain: to.domain,
            topic: to.topic,
            publisher: env.from,
            from: top + 1,
            to: m.pubSeq - 1,
          });
        }
      }
    }
    this.deliverTopicLocally(env.from, m.origin, to, env.protocol, m.data, undefined);
    if (this.opts.directory.members(to.domain).length > this.meshLimit) {
      for (const next of this.topicTargets(to.domain, [this.nodeId, m.origin, peer])) {
        this.counts.inc("topic-relayed");
        this.transmit(next, env.from, to, env.protocol, env.payload);
      }
    }
  }

  private deliverTopicLocally(
    from: EngineId,
    fromNode: NodeId,
    to: Destination & { kind: "topic" },
    protocol: string,
    data: Uint8Array,
    skip: EngineId | undefined,
  ): void {
    for (const id of this.subscriptions.get(topicKey(to.domain, to.topic)) ?? []) {
      if (id === skip) continue;
      const ep = this.endpoints.get(id)?.find((e) => e.protocols.includes(protocol));
      if (ep === undefined) continue;
      this.counts.inc("local");
      ep.deliver({ kind: "message", from, fromNode, to, protocol, payload: data });
    }
  }

  private drop(peer: NodeId, reason: DropReason, fields: Record<string, unknown>): void {
    this.drops.inc(reason);
    this.opts.reputation.recordInvalid(peer, reason);
    this.logger.log("warn", "drop", { reason, peer, ...fields });
  }
}

function topicKey(domain: DomainId, topic: string): string {
  return `${domain}/${topic}`;
}

/** Up to `k` distinct items chosen uniformly (partial Fisher-Yates). */
export function sample<T>(random: Random, items: readonly T[], k: number): T[] {
  const xs = items.slice();
  const n = Math.min(k, xs.length);
  for (let i = 0; i < n; i++) {
    const j = random.int(i, xs.length - 1);
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs.slice(0, n);
}
