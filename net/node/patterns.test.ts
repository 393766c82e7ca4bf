import { describe, expect, test } from "bun:test";
import type { DomainId, Effect, Engine, EngineEvent, MessageEvent } from "../../core/engine/engine.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type ClusterNode, MemoryCluster } from "./memory-cluster.ts";

const TOPIC_PROTO = "chat/v1";
const SVC_PROTO = "svc/v1";

/** Subscribes to one topic at start and records what arrives. */
class Subscriber implements Engine {
  readonly protocols = [TOPIC_PROTO];
  readonly got: MessageEvent[] = [];
  readonly gaps: unknown[] = [];
  constructor(
    readonly id: string,
    private readonly domain: DomainId,
    private readonly topic: string,
  ) {}
  handle(ev: EngineEvent): Effect[] {
    if (ev.kind === "start") return [{ kind: "subscribe", domain: this.domain, topic: this.topic }];
    if (ev.kind === "message") this.got.push(ev);
    if (ev.kind === "notice" && ev.name === "topic-gap") this.gaps.push(ev.data);
    return [];
  }
}

/** Records anycast deliveries. */
class Service implements Engine {
  readonly protocols = [SVC_PROTO];
  readonly got: MessageEvent[] = [];
  constructor(readonly id: string) {}
  handle(ev: EngineEvent): Effect[] {
    if (ev.kind === "message") this.got.push(ev);
    return [];
  }
}

async function openDomain(
  seed: number,
  n: number,
  extra: (c: MemoryCluster, i: number) => Engine[] = () => [],
  probeInterval = 0,
) {
  const c = new MemoryCluster(seed);
  c.clock.advance(1000);
  const ownerKey = c.key();
  const d = c.domain(ownerKey, "pubsub", [toHex(ownerKey.publicKey)], "open");
  const nodes: ClusterNode[] = [];
  nodes.push(c.add({ identity: ownerKey, domains: [{ advert: d.advert, join: {} }], probeInterval }));
  for (const e of extra(c, 0)) nodes[0]!.node.addEngine(e);
  await nodes[0]!.node.start();
  const seeds = [nodes[0]!.system.nodeAdvert()!];
  for (let i = 1; i < n; i++) {
    const x = c.add({ seeds, domains: [{ advert: d.advert, join: {} }], probeInterval });
    for (const e of extra(c, i)) x.node.addEngine(e);
    await x.node.start();
    nodes.push(x);
  }
  const ids = nodes
    .map((x) => x.id)
    .sort()
    .join();
  expect(c.until(() => nodes.every((x) => x.system.members(d.domain).join() === ids), 20_000)).toBe(true);
  return { c, d, nodes };
}

const bytes = (n: number) => Uint8Array.of(n);

describe("multicast (pub/sub) over domain overlays", () => {
  test("full mesh (5 members): every subscriber gets every message once, in order; others get none", async () => {
    const subs: Subscriber[] = [];
    const { c, d, nodes } = await openDomain(21, 5);
    for (const i of [1, 2, 4]) {
      const s = new Subscriber(toHex(c.key().publicKey), d.domain, "news");
      nodes[i]!.node.addEngine(s);
      subs.push(s);
    }
    // A subscriber to another topic of the same domain hears nothing.
    const other = new Subscriber(toHex(c.key().publicKey), d.domain, "sports");
    nodes[3]!.node.addEngine(other);
    const publisher = toHex(c.key().publicKey);
    for (let k = 0; k < 10; k++)
      nodes[0]!.node.sendAs(
        publisher,
        { kind: "topic", domain: d.domain, topic: "news" },
        TOPIC_PROTO,
        bytes(k),
      );
    expect(c.until(() => subs.every((s) => s.got.length >= 10), 5_000)).toBe(true);
    c.clock.advance(500);
    for (const s of subs) {
      expect(s.got.map((m) => m.payload[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(s.got.every((m) => m.from === publisher && m.fromNode === nodes[0]!.id)).toBe(true);
      expect(s.gaps).toEqual([]);
    }
    expect(other.got).toEqual([]);
    expect(nodes.every((x) => x.node.router.counts.get("topic-relayed") === 0)).toBe(true);
    await c.stopAll();
  });

  test("gossip overlay (12 members, mesh limit 8): relayed, deduplicated, delivered exactly once", async () => {
    const subs: Subscriber[] = [];
    const { c, d, nodes } = await openDomain(22, 12);
    for (const x of nodes.slice(1)) {
      const s = new Subscriber(toHex(c.key().publicKey), d.domain, "blocks");
      x.node.addEngine(s);
      subs.push(s);
    }
    const publisher = toHex(c.key().publicKey);
    for (let k = 0; k < 5; k++)
      nodes[0]!.node.sendAs(
        publisher,
        { kind: "topic", domain: d.domain, topic: "blocks" },
        TOPIC_PROTO,
        bytes(k),
      );
    expect(c.until(() => subs.every((s) => s.got.length >= 5), 5_000)).toBe(true);
    c.clock.advance(500);
    for (const s of subs) expect(s.got.map((m) => m.payload[0]).sort()).toEqual([0, 1, 2, 3, 4]);
    const relayed = nodes.reduce((n, x) => n + x.node.router.counts.get("topic-relayed"), 0);
    const dups = nodes.reduce((n, x) => n + x.node.router.counts.get("topic-duplicate"), 0);
    expect(relayed).toBeGreaterThan(0);
    expect(dups).toBeGreaterThan(0); // push gossip sends copies; the router drops them before engines
    await c.stopAll();
  });

  test("a lost topic message shows as a gap notice at the subscriber", async () => {
    const { c, d, nodes } = await openDomain(23, 3);
    const s = new Subscriber(toHex(c.key().publicKey), d.domain, "t");
    nodes[1]!.node.addEngine(s);
    const pub = toHex(c.key().publicKey);
    const to = { kind: "topic" as const, domain: d.domain, topic: "t" };
    nodes[0]!.node.sendAs(pub, to, TOPIC_PROTO, bytes(0));
    c.clock.advance(50);
    c.chaos.partition([nodes[0]!.id], [nodes[1]!.id], { oneWay: true });
    nodes[0]!.node.sendAs(pub, to, TOPIC_PROTO, bytes(1));
    nodes[0]!.node.sendAs(pub, to, TOPIC_PROTO, bytes(2));
    c.clock.advance(50);
    c.chaos.heal();
    nodes[0]!.node.sendAs(pub, to, TOPIC_PROTO, bytes(3));
    c.clock.advance(50);
    expect(s.got.map((m) => m.payload[0])).toEqual([0, 3]);
    expect(s.gaps).toEqual([{ domain: d.domain, topic: "t", publisher: pub, from: 1, to: 2 }]);
    await c.stopAll();
  });
});

describe("anycast to a domain", () => {
  test("goes to one serving member, preferring the lowest measured latency, and follows changes", async () => {
    const svc: Service[] = [];
    const { c, d, nodes } = await openDomain(
      24,
      5,
      (cl, i) => {
        if (i < 2 || i > 4) return [];
        const s = new Service(toHex(cl.key().publicKey));
        svc.push(s);
        return [s];
      },
      100,
    );
    const client = nodes[0]!;
    const slow = (x: ClusterNode, ms: number) => {
      c.chaos.setRule(client.id, x.id, { latencyMs: ms });
      c.chaos.setRule(x.id, client.id, { latencyMs: ms });
    };
    // nodes 2..4 serve; 2 and 3 are far away, 4 is near.
    slow(nodes[2]!, 40);
    slow(nodes[3]!, 30);
    // Engine adverts place the services; probes measure round trips.
    expect(
      c.until(
        () =>
          [2, 3, 4].every((i) => client.node.directory.nodeServes(nodes[i]!.id, SVC_PROTO)) &&
          [2, 3, 4].every((i) => (client.node.reputation.peer(nodes[i]!.id)?.latencySamples ?? 0) >= 5),
        20_000,
      ),
    ).toBe(true);
    const me = toHex(c.key().publicKey);
    for (let k = 0; k < 5; k++)
      client.node.sendAs(me, { kind: "domain", domain: d.domain }, SVC_PROTO, bytes(k));
    c.clock.advance(200);
    expect(svc.map((s) => s.got.length)).toEqual([0, 0, 5]);
    expect(svc[2]!.got[0]!.to).toEqual({ kind: "domain", domain: d.domain });
    // The near one becomes far: after a few probe rounds anycast moves to the next best (node 3).
    slow(nodes[4]!, 80);
    c.clock.advance(3_000);
    client.node.sendAs(me, { kind: "domain", domain: d.domain }, SVC_PROTO, bytes(9));
    c.clock.advance(300);
    expect(svc.map((s) => s.got.length)).toEqual([0, 1, 5]);
    // Non-serving members (node 1) never receive anycast for the protocol.
    expect(nodes[1]!.node.router.drops.get("unknown-protocol")).toBe(0);
    await c.stopAll();
  });

  test("a local serving engine takes anycast without touching the network", async () => {
    const { c, d, nodes } = await openDomain(25, 3);
    const s = new Service(toHex(c.key().publicKey));
    nodes[1]!.node.addEngine(s);
    const sent = nodes[1]!.node.router.counts.get("remote-out");
    nodes[1]!.node.sendAs(
      toHex(c.key().publicKey),
      { kind: "domain", domain: d.domain },
      SVC_PROTO,
      bytes(1),
    );
    expect(s.got.length).toBe(1);
    expect(nodes[1]!.node.router.counts.get("remote-out")).toBe(sent);
    await c.stopAll();
  });
});
