/**
 * The advert system engine (seed 003 "Addressing": adverts disseminated via peer-to-peer protocols;
 * core-anchors §5.2 `ConnectRequest` exchanges advert versions). Sans-I/O, protocol `advert/v1`, engine
 * id = the node id (a node's system engines answer at the router identity).
 *
 * What it does:
 * - publishes this node's NodeAdvert and one EngineAdvert per local engine id into the `AdvertStore`,
 *   re-signing with a higher version whenever the addresses or engines change, or when the store holds
 *   an advert about us that outranks ours (our own from before a restart, gossiped back);
 * - every `interval` ms (jittered by the engine's seeded stream) sends its digest to one random known
 *   node; the receiver sends back the adverts the digest lacks and, when it lacks something itself,
 *   its own digest, which the first node answers the same way (push-pull anti-entropy);
 * - inserts every received advert through the store, which verifies and counts it.
 *
 * The runtime lends it a read-only `LocalNodeView` (the node's own addresses and engines) and the store;
 * it never touches the transport or the directory: the composition root listens to the store.
 */
import type {
  Effect,
  Engine,
  EngineContext,
  EngineEvent,
  EngineId,
  NodeId,
} from "../../core/engine/engine.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { Counters } from "../metrics/counters.ts";
import { type Advert, signAdvert } from "./advert.ts";
import type { AdvertStore } from "./advert-store.ts";
import {
  ADVERT_PROTOCOL,
  decodeGossip,
  encodeBatch,
  encodeDigest,
  MAX_BATCH_ADVERTS,
} from "./gossip-messages.ts";

/** What the runtime tells the advert engine about its own node. */
export interface LocalNodeView {
  addresses(): readonly string[];
  engines(): readonly { readonly id: EngineId; readonly protocols: readonly string[] }[];
}

export interface AdvertEngineOptions {
  readonly identity: KeyPair;
  readonly store: AdvertStore;
  readonly local: LocalNodeView;
  /** Mean gossip period in ms (default 1000). */
  readonly interval?: number;
}

const TICK = "advert-gossip";

/** Publishes and gossips adverts. */
export class AdvertEngine implements Engine {
  readonly id: NodeId;
  readonly protocols = [ADVERT_PROTOCOL];
  /** `digest-sent`, `digest-received`, `batch-sent`, `adverts-received`, `bad-message`, `published`. */
  readonly counts = new Counters();
  private readonly opts: AdvertEngineOptions;
  private readonly interval: number;
  private published = new Map<string, { content: string; version: number }>();

  constructor(options: AdvertEngineOptions) {
    this.opts = options;
    this.id = toHex(options.identity.publicKey);
    this.interval = options.interval ?? 1000;
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    switch (event.kind) {
      case "start":
        this.refresh(ctx);
        // The first round soon, so a fresh node announces itself without waiting a whole period.
        return [{ kind: "set-timer", timer: TICK, after: ctx.random.int(0, Math.ceil(this.interval / 4)) }];
      case "timer": {
        if (event.timer !== TICK) return [];
        this.refresh(ctx);
        const out: Effect[] = [];
        const peers = this.opts.store.nodes().filter((n) => n !== this.id);
        if (peers.length > 0) {
          const peer = peers[ctx.random.int(0, peers.length - 1)]!;
          out.push(this.digestTo(peer, true));
        }
        const next = Math.round(this.interval * (0.75 + 0.5 * ctx.random.nextFloat()));
        out.push({ kind: "set-timer", timer: TICK, after: next });
        return out;
      }
      case "message":
        return this.onMessage(event.fromNode, event.payload, ctx);
      case "request":
        this.refresh(ctx);
        return [{ kind: "reply", requestId: event.requestId, body: { adverts: this.opts.store.size } }];
      default:
        return [];
    }
  }

  private onMessage(peer: NodeId, payload: Uint8Array, ctx: EngineContext): Effect[] {
    let m: ReturnType<typeof decodeGossip>;
    try {
      m = decodeGossip(payload);
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.counts.inc("bad-message");
      return [{ kind: "emit", name: "advert-bad-message", data: { peer, error: err.message } }];
    }
    const store = this.opts.store;
    if (m.type === "batch") {
      this.counts.inc("adverts-received", m.adverts.length);
      for (const w of m.adverts) store.insert(w);
      this.refresh(ctx);
      return [];
    }
    this.counts.inc("digest-received");
    const out: Effect[] = [];
    const newer = store.newerThan(m.entries);
    for (let i = 0; i < newer.length; i += MAX_BATCH_ADVERTS) {
      this.counts.inc("batch-sent");
      out.push(this.send(peer, encodeBatch(newer.slice(i, i + MAX_BATCH_ADVERTS))));
    }
    if (m.reply && store.lacks(m.entries)) out.push(this.digestTo(peer, false));
    return out;
  }

  private digestTo(peer: NodeId, reply: boolean): Effect {
    this.counts.inc("digest-sent");
    return this.send(peer, encodeDigest(reply, this.opts.store.digest()));
  }

  private send(peer: NodeId, payload: Uint8Array): Effect {
    return { kind: "send", to: { kind: "engine", engine: peer }, protocol: ADVERT_PROTOCOL, payload };
  }

  /** Re-sign our adverts whose content changed or that the store holds in a newer version than ours. */
  private refresh(ctx: EngineContext): void {
    const now = Math.floor(ctx.now());
    const store = this.opts.store;
    const addresses = [...this.opts.local.addresses()];
    this.publish(`node:${this.id}`, addresses.join(" "), store.node(this.id)?.version, now, (version) => ({
      kind: "node",
      node: this.id,
      version,
      addresses,
    }));
    const byId = new Map<EngineId, Set<string>>();
    for (const e of this.opts.local.engines()) {
      const s = byId.get(e.id) ?? new Set<string>();
      for (const p of e.protocols) s.add(p);
      byId.set(e.id, s);
    }
    for (const engine of [...byId.keys()].sort()) {
      const protocols = [...byId.get(engine)!].sort();
      this.publish(
        `engine:${engine}`,
        protocols.join(" "),
        store.engine(engine)?.version,
        now,
        (version) => ({
          kind: "engine",
          engine,
          node: this.id,
          version,
          protocols,
        }),
      );
    }
  }

  private publish(
    key: string,
    content: string,
    heldVersion: number | undefined,
    now: number,
    make: (version: number) => Advert,
  ): void {
    const mine = this.published.get(key);
    const held = heldVersion ?? 0;
    if (mine !== undefined && mine.content === content && held <= mine.version) return;
    const version = Math.max(now, held + 1, (mine?.version ?? 0) + 1);
    this.published.set(key, { content, version });
    this.opts.store.insert(signAdvert(this.opts.identity.secretKey, make(version)));
    this.counts.inc("published");
  }
}
