import { describe, expect, test } from "bun:test";
import { MemoryCluster } from "../node/memory-cluster.ts";
import { PROBE_PROTOCOL } from "./probe-engine.ts";

describe("probe engine: round trips into reputation", () => {
  test("measures exact virtual round trips; lost pings are failures; stray pongs are ignored", async () => {
    const c = new MemoryCluster(41, { latency: 2 });
    const a = c.add({ probeInterval: 100 });
    const b = c.add({ probeInterval: 0 });
    const z = c.add({ probeInterval: 0 });
    for (const x of [a, b, z]) await x.node.start();
    a.system.learn(b.system.nodeAdvert()!);
    a.system.learn(z.system.nodeAdvert()!);
    c.chaos.setRule(a.id, z.id, { latencyMs: 15 });
    expect(c.until(() => (a.node.reputation.peer(z.id)?.latencySamples ?? 0) >= 3, 5_000)).toBe(true);
    // Memory network: 2 ms each way; plus 15 ms on a -> z only.
    expect(a.node.reputation.peer(b.id)?.latencyMs).toBe(4);
    expect(a.node.reputation.peer(z.id)?.latencyMs).toBe(19);
    expect(a.node.reputation.rank([z.id, b.id])).toEqual([b.id, z.id]);

    // z goes silent: its pings time out and count as failures.
    const failuresBefore = a.node.reputation.peer(z.id)?.failures ?? 0;
    c.chaos.partition([a.id], [z.id]);
    expect(c.until(() => (a.node.reputation.peer(z.id)?.failures ?? 0) > failuresBefore, 20_000)).toBe(true);
    expect(a.system.probe.counts.get("lost")).toBeGreaterThan(0);

    // A pong nobody asked for changes nothing.
    const samples = a.node.reputation.peer(b.id)!.latencySamples;
    const pong = Uint8Array.of(0x84, 0x18, 0x3f, 0x01, 0x1a, 0x7f, 0xff, 0xff, 0xff, 0xf5);
    b.node.sendAs(b.id, { kind: "engine", engine: a.id }, PROBE_PROTOCOL, pong);
    c.clock.advance(10);
    expect(a.system.probe.counts.get("unexpected-pong")).toBe(1);
    expect(a.node.reputation.peer(b.id)!.latencySamples).toBeLessThanOrEqual(samples + 1);
    await c.stopAll();
  });
});
