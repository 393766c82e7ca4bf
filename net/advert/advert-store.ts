/**
 * A node's local store of adverts (seed 003 "stored locally by each node"; core-anchors §5.3 "the
 * newest version wins and older or forged ones are ignored").
 *
 * `insert` takes wire bytes and keeps, per (kind, id), the advert with the highest version. Everything
 * else is a counted outcome that changes nothing: `stale` (older), `duplicate` (same bytes), `conflict`
 * (same version, other bytes: the smaller bytes win on every node, so replicas still agree), `forged`,
 * `malformed`, `invalid`, `full` (a new id beyond `capacity`). Listeners hear every advert that becomes current; the composition root uses
 * them to feed the transport (addresses) and the router's `Directory` (engine locations).
 *
 * Anti-entropy helpers: `digest()` lists (kind, id, version) of everything held; `newerThan(digest)`
 * gives the adverts a peer with that digest lacks; `lacks(digest)` tells whether the peer holds
 * something newer than we do. Deterministic: no clock, no randomness; iteration in key order.
 */
import { compareBytes, equalBytes } from "../../core/crypto/bytes.ts";
import { Counters } from "../metrics/counters.ts";
import {
  type Advert,
  advertId,
  advertKey,
  type DomainAdvert,
  type EngineAdvert,
  type NodeAdvert,
  openAdvert,
} from "./advert.ts";

/** One line of a digest. */
export interface DigestEntry {
  readonly kind: Advert["kind"];
  readonly id: string;
  readonly version: number;
}

export type InsertOutcome =
  | "accepted"
  | "stale"
  | "duplicate"
  | "conflict"
  | "forged"
  | "malformed"
  | "invalid"
  | "full";

interface Held {
  readonly advert: Advert;
  readonly wire: Uint8Array;
}

/** Adverts known to one node. */
export class AdvertStore {
  /** Insert outcomes by name (`accepted`, `stale`, `forged`, ...). */
  readonly counts = new Counters();
  private readonly held = new Map<string, Held>();
  private readonly listeners = new Set<(a: Advert) => void>();
  /** Largest number of adverts held; inserts of new ids beyond it are counted `full`. */
  readonly capacity: number;

  constructor(options: { capacity?: number } = {}) {
    this.capacity = options.capacity ?? 16_384;
  }

  /** Verify and store one advert; returns what happened. Never throws for bad input. */
  insert(wire: Uint8Array): InsertOutcome {
    const opened = openAdvert(wire);
    if (!opened.ok) {
      this.counts.inc(opened.reason);
      return opened.reason;
    }
    const a = opened.advert;
    const key = advertKey(a);
    const cur = this.held.get(key);
    if (cur !== undefined) {
      if (a.version < cur.advert.version) return this.count("stale");
      if (a.version === cur.advert.version) {
        if (equalBytes(wire, cur.wire)) return this.count("duplicate");
        // Two different adverts under one version: the signer misbehaved. Pick one everywhere alike.
        if (compareBytes(wire, cur.wire) > 0) return this.count("conflict");
        this.counts.inc("conflict");
      }
    } else if (this.held.size >= this.capacity) {
      return this.count("full");
    }
    this.held.set(key, { advert: a, wire: wire.slice() });
    this.counts.inc("accepted");
    for (const l of this.listeners) l(a);
    return "accepted";
  }

  private count(o: InsertOutcome): InsertOutcome {
    this.counts.inc(o);
    return o;
  }

  /** Call `listener` for every advert that becomes current from now on; returns an unsubscribe. */
  onAccept(listener: (a: Advert) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  node(id: string): NodeAdvert | undefined {
    const a = this.held.get(`node:${id}`)?.advert;
    return a?.kind === "node" ? a : undefined;
  }

  engine(id: string): EngineAdvert | undefined {
    const a = this.held.get(`engine:${id}`)?.advert;
    return a?.kind === "engine" ? a : undefined;
  }

  domain(id: string): DomainAdvert | undefined {
    const a = this.held.get(`domain:${id}`)?.advert;
    return a?.kind === "domain" ? a : undefined;
  }

  /** Wire bytes of the current advert under `kind:id`. */
  wire(kind: Advert["kind"], id: string): Uint8Array | undefined {
    return this.held.get(`${kind}:${id}`)?.wire;
  }

  /** Node ids with a NodeAdvert, sorted. */
  nodes(): string[] {
    const out: string[] = [];
    for (const h of this.held.values()) if (h.advert.kind === "node") out.push(h.advert.node);
    return out.sort();
  }

  get size(): number {
    return this.held.size;
  }

  /** (kind, id, version) of every advert held, in key order. */
  digest(): DigestEntry[] {
    return [...this.held.keys()].sort().map((k) => {
      const a = this.held.get(k)!.advert;
      return { kind: a.kind, id: advertId(a), version: a.version };
    });
  }

  /** Wire bytes of every advert newer than, or missing from, `theirs`. */
  newerThan(theirs: readonly DigestEntry[]): Uint8Array[] {
    const known = new Map<string, number>();
    for (const e of theirs) known.set(`${e.kind}:${e.id}`, e.version);
    const out: Uint8Array[] = [];
    for (const k of [...this.held.keys()].sort()) {
      const h = this.held.get(k)!;
      const v = known.get(k);
      if (v === undefined || v < h.advert.version) out.push(h.wire);
    }
    return out;
  }

  /** True when `theirs` lists an advert we lack or hold an older version of. */
  lacks(theirs: readonly DigestEntry[]): boolean {
    for (const e of theirs) {
      const h = this.held.get(`${e.kind}:${e.id}`);
      if (h === undefined || h.advert.version < e.version) return true;
    }
    return false;
  }
}
