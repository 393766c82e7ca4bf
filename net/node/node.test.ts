import { describe, expect, test } from "bun:test";
import type { Effect, Engine, EngineContext, EngineEvent } from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import { VirtualClock } from "../../core/engine/virtual-clock.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { MemoryNetwork } from "../transport/memory/memory-transport.ts";
import { type Emitted, LatticeNode } from "./node.ts";
import { PingEngine } from "./ping-engine.ts";

function keys(rng: Prng): KeyPair {
  return keyPairFromSeed(rng.bytes(32));
}

async function pingRun(seed: number): Promise<Emitted[]> {
  const rng = new Prng(seed);
  const clock = new VirtualClock();
  const net = new MemoryNetwork(clock, { latency: 3 });
  const ka = keys(rng);
  const kb = keys(rng);
  const a = new LatticeNode({
    identity: ka,
    transport: net.transport(toHex(ka.publicKey)),
    clock,
    random: rng.fork("a"),
  });
  const b = new LatticeNode({
    identity: kb,
    transport: net.transport(toHex(kb.publicKey)),
    clock,
    random: rng.fork("b"),
  });
  const ea = toHex(keys(rng).publicKey);
  const eb = toHex(keys(rng).publicKey);
  a.addEngine(new PingEngine(ea, { peer: eb, count: 5, interval: 7 }));
  b.addEngine(new PingEngine(eb));
  // Without adverts yet, tell each directory where the other's engine lives.
  a.directory.setEngine(eb, { node: b.id, protocols: ["ping/v1"] });
  b.directory.setEngine(ea, { node: a.id, protocols: ["ping/v1"] });
  const log: Emitted[] = [];
  a.onEmit((e) => log.push(e));
  await a.start();
  await b.start();
  clock.runUntilIdle();
  expect(await a.request(ea, {})).toEqual({ sent: 5, received: 5 });
  await a.stop();
  await b.stop();
  expect(b.router.drops.total()).toBe(0);
  return log;
}

describe("LatticeNode over memory transport and virtual clock", () => {
  test("ping-pong completes with exact virtual round-trip times", async () => {
    const log = await pingRun(1);
    const pongs = log.filter((e) => e.name === "pong").map((e) => e.data);
    expect(pongs).toEqual([0, 1, 2, 3, 4].map((n) => ({ n, rtt: 6 })));
    expect(log.at(-1)?.name).toBe("done");
  });

  test("the same seed replays the same run", async () => {
    expect(await pingRun(9)).toEqual(await pingRun(9));
  });

  test("timers: re-arming replaces, cancel prevents firing, stop cancels all", async () => {
    const rng = new Prng(3);
    const clock = new VirtualClock();
    const net = new MemoryNetwork(clock);
    const k = keys(rng);
    const node = new LatticeNode({
      identity: k,
      transport: net.transport(toHex(k.publicKey)),
      clock,
      random: rng,
    });
    const fired: string[] = [];
    const eng: Engine = {
      id: toHex(keys(rng).publicKey),
      protocols: [],
      handle(ev: EngineEvent, ctx: EngineContext): Effect[] {
        if (ev.kind === "start") {
          return [
            { kind: "set-timer", timer: "x", after: 10 },
            { kind: "set-timer", timer: "x", after: 20 },
            { kind: "set-timer", timer: "y", after: 5 },
            { kind: "cancel-timer", timer: "y" },
            { kind: "set-timer", timer: "z", after: 1000 },
          ];
        }
        if (ev.kind === "timer") fired.push(`${ev.timer}@${ctx.now()}`);
        return [];
      },
    };
    node.addEngine(eng);
    await node.start();
    clock.advance(100);
    expect(fired).toEqual(["x@20"]);
    await node.stop();
    expect(clock.pending()).toBe(0);
  });

  test("an engine that throws is counted and the node keeps working; services answer as events", async () => {
    const rng = new Prng(4);
    const clock = new VirtualClock();
    const net = new MemoryNetwork(clock);
    const k = keys(rng);
    const results: unknown[] = [];
    const node = new LatticeNode({
      identity: k,
      transport: net.transport(toHex(k.publicKey)),
      clock,
      random: rng,
      services: { double: (x) => (x as number) * 2, fail: () => Promise.reject(new Error("no")) },
    });
    const eng: Engine = {
      id: toHex(keys(rng).publicKey),
      protocols: ["x/v1"],
      handle(ev: EngineEvent): Effect[] {
        if (ev.kind === "request") {
          if (ev.body === "boom") throw new Error("boom");
          return [
            { kind: "service", requestId: "1", service: "double", input: 21 },
            { kind: "service", requestId: "2", service: "missing", input: 0 },
            { kind: "service", requestId: "3", service: "fail", input: 0 },
            { kind: "reply", requestId: ev.requestId, body: "ok" },
          ];
        }
        if (ev.kind === "service-result") results.push({ id: ev.requestId, ok: ev.ok, result: ev.result });
        return [];
      },
    };
    node.addEngine(eng);
    await node.start();
    void node.request(eng.id, "boom");
    expect(node.counters.get("engine-errors")).toBe(1);
    expect(await node.request(eng.id, "go")).toBe("ok");
    await Promise.resolve();
    await Promise.resolve();
    expect(results).toEqual([
      { id: "1", ok: true, result: 42 },
      { id: "2", ok: false, result: { code: "NET_NO_SERVICE" } },
      { id: "3", ok: false, result: { code: "SERVICE_FAILED", message: "Error: no" } },
    ]);
    await node.stop();
  });
});
