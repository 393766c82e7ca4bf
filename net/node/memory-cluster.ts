/**
 * An in-process cluster of full nodes (router, system engines, chaos-wrapped memory transport) on one
 * `VirtualClock` and one seeded PRNG: what the network tests and the simulator build on (ARCHITECTURE.md
 * "The one design rule": the same engines, virtual time, a seeded run that replays exactly).
 *
 * `drive(promise)` advances virtual time until a node request settles, so tests can `await` client
 * requests (join, leave) whose answers need network round trips. Every run with the same seed and the
 * same calls produces the same events.
 */
import type { DomainId, NodeId } from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import { VirtualClock } from "../../core/engine/virtual-clock.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { domainIdOf, type JoinPolicy, signAdvert } from "../advert/advert.ts";
import { ChaosController, type ChaosTransport } from "../chaos/chaos.ts";
import { MemoryNetwork } from "../transport/memory/memory-transport.ts";
import { type NodeOptions, LatticeNode } from "./node.ts";
import { type SystemOptions, SystemEngines } from "./system-engines.ts";

/** One node of the cluster. */
export interface ClusterNode {
  readonly id: NodeId;
  readonly identity: KeyPair;
  readonly node: LatticeNode;
  readonly system: SystemEngines;
  readonly transport: ChaosTransport;
}

export type ClusterNodeOptions = Omit<SystemOptions, "identity"> & {
  readonly identity?: KeyPair;
  readonly node?: Partial<Pick<NodeOptions, "meshLimit" | "fanout" | "epoch">>;
};

/** A signed DomainAdvert and its id. */
export interface DomainSetup {
  readonly domain: DomainId;
  readonly advert: Uint8Array;
}

/** Nodes on one memory network and one virtual clock. */
export class MemoryCluster {
  readonly clock: VirtualClock;
  readonly rng: Prng;
  readonly network: MemoryNetwork;
  readonly chaos: ChaosController;
  readonly nodes: ClusterNode[] = [];

  constructor(seed: number, options: { latency?: number } = {}) {
    this.rng = new Prng(seed);
    this.clock = new VirtualClock();
    this.network = new MemoryNetwork(this.clock, { latency: options.latency ?? 2 });
    this.chaos = new ChaosController(this.rng.fork("chaos"), this.clock);
  }

  key(): KeyPair {
    return keyPairFromSeed(this.rng.bytes(32));
  }

  /** A DomainAdvert signed by `owner`. */
  domain(owner: KeyPair, name: string, introducers: readonly NodeId[], policy: JoinPolicy): DomainSetup {
    const ownerId = toHex(owner.publicKey);
    const domain = domainIdOf(ownerId, name);
    const advert = signAdvert(owner.secretKey, {
      kind: "domain",
      domain,
      owner: ownerId,
      name,
      version: 1,
      introducers,
      policy,
    });
    return { domain, advert };
  }

  /** Build a node (not started). */
  add(options: ClusterNodeOptions = {}): ClusterNode {
    const identity = options.identity ?? this.key();
    const id = toHex(identity.publicKey);
    const transport = this.chaos.wrap(this.network.transport(id));
    const node = new LatticeNode({
      identity,
      transport,
      clock: this.clock,
      random: this.rng.fork(`node:${id}:${this.clock.now()}`),
      ...(options.node ?? {}),
    });
    const { identity: _, node: __, ...sys } = options;
    const system = new SystemEngines(node, { identity, gossipInterval: 100, syncInterval: 100, ...sys });
    const c: ClusterNode = { id, identity, node, system, transport };
    this.nodes.push(c);
    return c;
  }

  /** Advance virtual time until `cond()` holds; false when `maxMs` passed first. */
  until(cond: () => boolean, maxMs = 60_000): boolean {
    const deadline = this.clock.now() + maxMs;
    while (!cond()) {
      const next = this.clock.nextAt();
      if (next === undefined || next > deadline) {
        this.clock.advanceTo(Math.max(this.clock.now(), deadline));
        return cond();
      }
      this.clock.advanceTo(next);
    }
    return true;
  }

  /** Run time forward until `p` settles (or `maxMs` of virtual time passed), then await it. */
  async drive<T>(p: Promise<T>, maxMs = 60_000): Promise<T> {
    let settled = false;
    p.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const deadline = this.clock.now() + maxMs;
    while (!settled && this.clock.now() < deadline) {
      const next = this.clock.nextAt();
      if (next === undefined || next > deadline) break;
      this.clock.advanceTo(next);
      // Let promise callbacks (request replies) run between instants.
      await Promise.resolve();
    }
    if (!settled) throw new Error(`request did not settle within ${maxMs} ms of virtual time`);
    return p;
  }

  /** Every node that is running. */
  running(): ClusterNode[] {
    return this.nodes.filter((n) => n.node.running);
  }

  async stopAll(): Promise<void> {
    for (const n of this.nodes) await n.node.stop();
  }
}
