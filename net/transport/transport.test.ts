import { expect } from "bun:test";
import { Prng } from "../../core/engine/prng.ts";
import { VirtualClock } from "../../core/engine/virtual-clock.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { RealClock } from "../clock/real-clock.ts";
import { MemoryNetwork } from "./memory/memory-transport.ts";
import { TcpTransport } from "./tcp/tcp-transport.ts";
import type { Transport } from "./transport.ts";
import { type ComplianceHarness, type Endpoint, transportCompliance } from "./transport-compliance.ts";

async function startEndpoint(identity: KeyPair, transport: Transport): Promise<Endpoint> {
  const ep: Endpoint = { identity, transport, received: [], events: [] };
  await transport.start({
    frame: (peer, frame) => {
      ep.received.push({ peer, frame });
      ep.events.push(`frame:${peer}`);
    },
    session: (peer) => ep.events.push(`session:${peer}`),
  });
  return ep;
}

function memoryHarness(): ComplianceHarness {
  const clock = new VirtualClock();
  const net = new MemoryNetwork(clock, { latency: 2 });
  const rng = new Prng(11);
  const all: Endpoint[] = [];
  return {
    async make(n) {
      for (let i = 0; i < n; i++) {
        const k = keyPairFromSeed(rng.bytes(32));
        all.push(await startEndpoint(k, net.transport(toHex(k.publicKey))));
      }
      return all.slice();
    },
    async restart(e) {
      await e.transport.close();
      const ep = await startEndpoint(e.identity, net.transport(e.transport.local));
      all.push(ep);
      return ep;
    },
    async settle(cond) {
      clock.runUntilIdle({ until: cond });
      if (!cond()) throw new Error("condition not reached before the memory network went idle");
    },
    async cleanup() {
      for (const e of all) await e.transport.close();
      expect(clock.pending()).toBe(0);
    },
  };
}

function tcpHarness(): ComplianceHarness {
  const clock = new RealClock();
  const rng = new Prng(12);
  const all: Endpoint[] = [];
  const make = (k: KeyPair) =>
    new TcpTransport({
      identity: k,
      clock,
      random: rng.fork(toHex(k.publicKey)),
      secureRandom: (n) => rng.bytes(n),
    });
  const introduce = (eps: readonly Endpoint[]) => {
    for (const x of eps)
      for (const y of eps) if (x !== y) x.transport.learn(y.transport.local, y.transport.addresses());
  };
  return {
    async make(n) {
      const fresh: Endpoint[] = [];
      for (let i = 0; i < n; i++) {
        const k = keyPairFromSeed(rng.bytes(32));
        fresh.push(await startEndpoint(k, make(k)));
      }
      introduce(fresh);
      all.push(...fresh);
      return fresh;
    },
    async restart(e, peers) {
      await e.transport.close();
      const ep = await startEndpoint(e.identity, make(e.identity));
      introduce([ep, ...peers]);
      all.push(ep);
      return ep;
    },
    async settle(cond) {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error("condition not reached within 5 s");
        await Bun.sleep(2);
      }
    },
    async cleanup() {
      for (const e of all) await e.transport.close();
      for (const e of all) expect((e.transport as TcpTransport).openConnections()).toBe(0);
      expect(clock.pending()).toBe(0);
    },
  };
}

transportCompliance("memory", memoryHarness);
transportCompliance("tcp", tcpHarness);
