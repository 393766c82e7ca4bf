/**
 * A node's system engines and their wiring (seed 003: a node is a router, transports and engines; the
 * router identity is the node identity). Installs on a `LatticeNode`, before `start`:
 * - `AdvertEngine` + `AdvertStore`: adverts published, verified, stored and gossiped; every NodeAdvert
 *   that becomes current tells the transport the node's addresses (`learn`) and the Directory that the
 *   node's system engines answer at its id; every EngineAdvert places an engine in the Directory;
 * - `DomainEngine`: joins and membership; the Directory asks it for each domain's members, so pub/sub
 *   and anycast run over each domain's own overlay;
 * - `ProbeEngine`: round trips to advertised nodes feed the node's `Reputation` (anycast ranking).
 *
 * The engines stay sans-I/O: only this file touches the transport and the Directory, through store
 * listeners and read-only views, so the same wiring serves the memory transport under a virtual clock
 * and TCP under the real clock.
 */
import type { DomainId, NodeId } from "../../core/engine/engine.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { LatticeError } from "../../core/errors/lattice-error.ts";
import { AdvertEngine } from "../advert/advert-engine.ts";
import { AdvertStore, type InsertOutcome } from "../advert/advert-store.ts";
import { ADVERT_PROTOCOL } from "../advert/gossip-messages.ts";
import { type DomainConfig, DomainEngine, type JoinRefusal } from "../domain/domain-engine.ts";
import { DOMAIN_PROTOCOL } from "../domain/domain-messages.ts";
import { PROBE_PROTOCOL, ProbeEngine } from "../reputation/probe-engine.ts";
import type { LatticeNode } from "./node.ts";

/** Protocols every node's system engines serve at the node id. */
export const SYSTEM_PROTOCOLS: readonly string[] = [ADVERT_PROTOCOL, DOMAIN_PROTOCOL, PROBE_PROTOCOL];

export interface SystemOptions {
  /** The node's key pair (the same the node was built with). */
  readonly identity: KeyPair;
  /** Signed adverts known out of band (configuration): introducers' NodeAdverts, DomainAdverts. */
  readonly seeds?: readonly Uint8Array[];
  readonly domains?: readonly DomainConfig[];
  /** Advert gossip period, ms (default 1000). */
  readonly gossipInterval?: number;
  /** Membership anti-entropy period, ms (default 1000). */
  readonly syncInterval?: number;
  /** Latency probe period, ms (default 2000); 0: never ping, only answer. */
  readonly probeInterval?: number;
  readonly joinTimeout?: number;
  readonly joinAttempts?: number;
}

export type JoinResult =
  | { readonly ok: true; readonly members: readonly NodeId[] }
  | { readonly ok: false; readonly reason: JoinRefusal | "superseded" | "unknown-domain" };

/** The installed system engines of one node. */
export class SystemEngines {
  readonly store: AdvertStore;
  readonly adverts: AdvertEngine;
  readonly domains: DomainEngine;
  readonly probe: ProbeEngine;

  constructor(
    private readonly node: LatticeNode,
    options: SystemOptions,
  ) {
    if (toHex(options.identity.publicKey) !== node.id)
      throw new LatticeError("NET_IDENTITY_MISMATCH", "system engines need the node's own key pair");
    const store = new AdvertStore();
    this.store = store;
    store.onAccept((a) => {
      if (a.kind === "node" && a.node !== node.id) {
        node.transport.learn(a.node, a.addresses);
        node.directory.addEngine(a.node, a.node, SYSTEM_PROTOCOLS);
      } else if (a.kind === "engine" && a.node !== node.id) {
        node.directory.setEngine(a.engine, { node: a.node, protocols: a.protocols });
      } else if (a.kind === "domain" && node.running && this.domains.knownDomains().includes(a.domain)) {
        // The owner re-advertised a domain we belong to (e.g. new introducers): the engine adopts it.
        const advert = store.wire("domain", a.domain)!;
        void node.request(node.id, { op: "add-domain", advert }, DOMAIN_PROTOCOL);
      }
    });
    for (const w of options.seeds ?? []) store.insert(w);
    this.adverts = new AdvertEngine({
      identity: options.identity,
      store,
      local: {
        addresses: () => node.transport.addresses(),
        engines: () => node.engines().map((e) => ({ id: e.id, protocols: e.protocols })),
      },
      ...(options.gossipInterval === undefined ? {} : { interval: options.gossipInterval }),
    });
    this.domains = new DomainEngine({
      identity: options.identity,
      ...(options.domains === undefined ? {} : { domains: options.domains }),
      ...(options.syncInterval === undefined ? {} : { syncInterval: options.syncInterval }),
      ...(options.joinTimeout === undefined ? {} : { joinTimeout: options.joinTimeout }),
      ...(options.joinAttempts === undefined ? {} : { joinAttempts: options.joinAttempts }),
    });
    const domains = this.domains;
    node.directory.setDomainResolver((d) => domains.members(d));
    node.addEngine(this.adverts);
    node.addEngine(this.domains);
    this.probe = new ProbeEngine({
      node: node.id,
      sink: node.reputation,
      peers: () => store.nodes(),
      ...(options.probeInterval === undefined ? {} : { interval: options.probeInterval }),
    });
    node.addEngine(this.probe);
  }

  /** Insert an advert obtained out of band. */
  learn(wire: Uint8Array): InsertOutcome {
    return this.store.insert(wire);
  }

  /** Our own current NodeAdvert (wire bytes), e.g. to hand to another node out of band. */
  nodeAdvert(): Uint8Array | undefined {
    return this.store.wire("node", this.node.id);
  }

  join(domain: DomainId, meta?: string): Promise<JoinResult> {
    return this.node.request(
      this.node.id,
      { op: "join", domain, ...(meta === undefined ? {} : { meta }) },
      DOMAIN_PROTOCOL,
    ) as Promise<JoinResult>;
  }

  leave(domain: DomainId): Promise<{ ok: boolean; reason?: string }> {
    return this.node.request(this.node.id, { op: "leave", domain }, DOMAIN_PROTOCOL) as Promise<{
      ok: boolean;
      reason?: string;
    }>;
  }

  /** Owner only: evict `member`. */
  remove(domain: DomainId, member: NodeId): Promise<{ ok: boolean; reason?: string }> {
    return this.node.request(this.node.id, { op: "remove", domain, member }, DOMAIN_PROTOCOL) as Promise<{
      ok: boolean;
      reason?: string;
    }>;
  }

  setMeta(domain: DomainId, value: string): Promise<{ ok: boolean; reason?: string }> {
    return this.node.request(this.node.id, { op: "set-meta", domain, value }, DOMAIN_PROTOCOL) as Promise<{
      ok: boolean;
      reason?: string;
    }>;
  }

  members(domain: DomainId): readonly NodeId[] {
    return this.domains.members(domain);
  }
}
