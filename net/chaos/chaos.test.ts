import { describe, expect, test } from "bun:test";
import type { NodeId } from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import { VirtualClock } from "../../core/engine/virtual-clock.ts";
import { MemoryNetwork } from "../transport/memory/memory-transport.ts";
import { ChaosController, type ChaosTransport } from "./chaos.ts";

interface Rx {
  peer: NodeId;
  n: number;
  at: number;
}

async function cluster(seed: number, names: string[]) {
  const clock = new VirtualClock();
  const net = new MemoryNetwork(clock, { latency: 1 });
  const chaos = new ChaosController(new Prng(seed), clock);
  const nodes = new Map<string, { t: ChaosTransport; rx: Rx[] }>();
  for (const name of names) {
    const id = name.repeat(64).slice(0, 64);
    const t = chaos.wrap(net.transport(id));
    const rx: Rx[] = [];
    await t.start({ frame: (peer, f) => rx.push({ peer, n: f[0]! | (f[1]! << 8), at: clock.now() }) });
    nodes.set(name, { t, rx });
  }
  const id = (name: string) => nodes.get(name)!.t.local;
  const send = (from: string, to: string, n: number, size = 2) => {
    const f = new Uint8Array(size);
    f[0] = n & 0xff;
    f[1] = n >> 8;
    nodes.get(from)!.t.send(id(to), f);
  };
  const close = async () => {
    for (const n of nodes.values()) await n.t.close();
    expect(clock.pending()).toBe(0);
  };
  return { clock, chaos, nodes, id, send, close, rx: (n: string) => nodes.get(n)!.rx };
}

describe("chaos layer", () => {
  test("no rules: a pass-through, nothing reported", async () => {
    const c = await cluster(1, ["a", "b"]);
    for (let i = 0; i < 10; i++) c.send("a", "b", i);
    c.clock.runUntilIdle();
    expect(c.rx("b").map((r) => r.n)).toEqual([...Array(10).keys()]);
    expect(c.chaos.report()).toEqual({});
    await c.close();
  });

  test("asymmetric partition cuts a -> b only; heal restores it", async () => {
    const c = await cluster(1, ["a", "b", "c"]);
    c.chaos.partition([c.id("a")], [c.id("b")], { oneWay: true });
    c.send("a", "b", 1);
    c.send("b", "a", 2);
    c.send("a", "c", 3);
    c.clock.runUntilIdle();
    expect(c.rx("b")).toEqual([]);
    expect(c.rx("a").map((r) => r.n)).toEqual([2]);
    expect(c.rx("c").map((r) => r.n)).toEqual([3]);
    expect(c.chaos.report()).toEqual({ [`${c.id("a")}>${c.id("b")}`]: { partition: 1 } });
    c.chaos.heal();
    expect(c.chaos.activeLinks).toBe(0);
    c.send("a", "b", 4);
    c.clock.runUntilIdle();
    expect(c.rx("b").map((r) => r.n)).toEqual([4]);
    await c.close();
  });

  test("loss, duplication and reordering fire as reported and replay exactly from the seed", async () => {
    const run = async (seed: number) => {
      const c = await cluster(seed, ["a", "b"]);
      c.chaos.setRule(c.id("a"), c.id("b"), {
        loss: 0.2,
        duplicate: 0.2,
        reorder: 0.3,
        latencyMs: 5,
        jitterMs: 3,
      });
      for (let i = 0; i < 300; i++) {
        c.send("a", "b", i);
        c.clock.advance(1);
      }
      c.clock.runUntilIdle();
      const got = c.rx("b").map((r) => `${r.n}@${r.at}`);
      const report = c.chaos.report();
      const ns = c.rx("b").map((r) => r.n);
      await c.close();
      return { got, report, ns };
    };
    const r1 = await run(77);
    const r2 = await run(77);
    expect(r1).toEqual(r2);
    const link = Object.values(r1.report)[0]!;
    // Exactly what fired: received = sent - lost + duplicated.
    expect(r1.ns.length).toBe(300 - link.loss! + link.duplicate!);
    expect(link.loss).toBeGreaterThan(30);
    expect(link.duplicate).toBeGreaterThan(30);
    expect(link.reorder).toBeGreaterThan(30);
    const outOfOrder = r1.ns.some((n, i) => i > 0 && n < r1.ns[i - 1]!);
    expect(outOfOrder).toBe(true);
    const r3 = await run(78);
    expect(r3.got).not.toEqual(r1.got);
  });

  test("latency with jitter stays within its bounds", async () => {
    const c = await cluster(5, ["a", "b"]);
    c.chaos.setRule(c.id("a"), c.id("b"), { latencyMs: 20, jitterMs: 5 });
    for (let i = 0; i < 50; i++) c.send("a", "b", i);
    c.clock.runUntilIdle();
    const at = c.rx("b").map((r) => r.at);
    expect(Math.min(...at)).toBeGreaterThanOrEqual(15 + 1);
    expect(Math.max(...at)).toBeLessThanOrEqual(25 + 1);
    expect(new Set(at).size).toBeGreaterThan(10);
    await c.close();
  });

  test("a bandwidth cap spaces frames by size / capacity", async () => {
    const c = await cluster(5, ["a", "b"]);
    c.chaos.setRule(c.id("a"), c.id("b"), { bandwidthBytesPerSec: 100_000 });
    for (let i = 0; i < 10; i++) c.send("a", "b", i, 1000); // 10 ms each
    c.clock.runUntilIdle();
    const at = c.rx("b").map((r) => r.at);
    expect(at).toEqual([11, 21, 31, 41, 51, 61, 71, 81, 91, 101]);
    expect(c.chaos.total("bandwidth")).toBe(9);
    await c.close();
  });

  test("bad rules are typed errors and change nothing", async () => {
    const c = await cluster(5, ["a", "b"]);
    expect(() => c.chaos.setRule(c.id("a"), c.id("b"), { loss: 2 })).toThrow(RangeError);
    expect(() => c.chaos.setRule(c.id("a"), c.id("b"), { latencyMs: -1 })).toThrow(RangeError);
    expect(c.chaos.activeLinks).toBe(0);
    await c.close();
  });
});
