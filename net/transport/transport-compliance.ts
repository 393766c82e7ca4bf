/**
 * The transport compliance suite (STYLE.md "one compliance suite per interface"): one function, run
 * against every `Transport` implementation with a harness that knows how to create, restart and wait.
 * Tests assert only behaviour the contract in transport.ts promises, never timing.
 */
import { describe, expect, test } from "bun:test";
import type { NodeId } from "../../core/engine/engine.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import type { Transport } from "./transport.ts";

/** A started transport and what it has seen. */
export interface Endpoint {
  readonly identity: KeyPair;
  readonly transport: Transport;
  readonly received: { peer: NodeId; frame: Uint8Array }[];
  /** Session events in order, interleaved with frames as `session:<peer>` / `frame:<peer>`. */
  readonly events: string[];
}

export interface ComplianceHarness {
  /** `n` started transports, each having learnt the others' addresses. */
  make(n: number): Promise<Endpoint[]>;
  /** Close `e` and start a fresh transport with the same identity (peers re-learn its address). */
  restart(e: Endpoint, peers: readonly Endpoint[]): Promise<Endpoint>;
  /** Resolve once `cond()` holds (driving virtual time or waiting for I/O); reject after a bound. */
  settle(cond: () => boolean): Promise<void>;
  /** Close everything still open and check nothing leaked. */
  cleanup(): Promise<void>;
}

/** Register the suite under `describe(name)`. */
export function transportCompliance(name: string, harness: () => ComplianceHarness): void {
  describe(`transport compliance: ${name}`, () => {
    test("delivers frames both ways with the authenticated sender id", async () => {
      const h = harness();
      const [a, b] = await h.make(2);
      a!.transport.send(b!.transport.local, Uint8Array.of(1, 2, 3));
      b!.transport.send(a!.transport.local, Uint8Array.of(4));
      await h.settle(() => a!.received.length === 1 && b!.received.length === 1);
      expect(b!.received[0]!.peer).toBe(a!.transport.local);
      expect([...b!.received[0]!.frame]).toEqual([1, 2, 3]);
      expect(a!.received[0]!.peer).toBe(b!.transport.local);
      expect([...a!.received[0]!.frame]).toEqual([4]);
      await h.cleanup();
    });

    test("frames arrive whole and intact, whatever their size", async () => {
      const h = harness();
      const [a, b] = await h.make(2);
      const sizes = [0, 1, 3, 4, 5, 100, 1500, 4096, 65_536, 200_000, a!.transport.maxFrame];
      const sent: string[] = [];
      for (let i = 0; i < 60; i++) {
        const n = sizes[i % sizes.length]!;
        const f = new Uint8Array(n);
        for (let j = 0; j < n; j += 97) f[j] = (i * 31 + j) & 0xff;
        if (n > 0) f[0] = i;
        sent.push(digest(f));
        a!.transport.send(b!.transport.local, f);
      }
      await h.settle(() => b!.received.length === 60);
      expect(b!.received.map((r) => digest(r.frame)).sort()).toEqual(sent.sort());
      await h.cleanup();
    });

    test("oversized frames are refused with a typed error, unknown peers are counted drops", async () => {
      const h = harness();
      const [a, b] = await h.make(2);
      const big = new Uint8Array(a!.transport.maxFrame + 1);
      let code = "";
      try {
        a!.transport.send(b!.transport.local, big);
      } catch (err) {
        if (isLatticeError(err)) code = err.code;
      }
      expect(code).toBe("NET_FRAME_TOO_LARGE");
      a!.transport.send("00".repeat(32), Uint8Array.of(1));
      expect(a!.transport.stats().drops.unreachable).toBe(1);
      a!.transport.send(b!.transport.local, Uint8Array.of(9));
      await h.settle(() => b!.received.length === 1);
      await h.cleanup();
    });

    test("one pooled session per peer pair, announced before its first frame", async () => {
      const h = harness();
      const [a, b] = await h.make(2);
      for (let i = 0; i < 50; i++) a!.transport.send(b!.transport.local, Uint8Array.of(i));
      await h.settle(() => b!.received.length === 50);
      for (let i = 0; i < 50; i++) b!.transport.send(a!.transport.local, Uint8Array.of(i));
      await h.settle(() => a!.received.length === 50);
      expect(b!.events[0]).toBe(`session:${a!.transport.local}`);
      expect(b!.events.filter((e) => e.startsWith("session")).length).toBe(1);
      expect(a!.events.filter((e) => e.startsWith("session")).length).toBeLessThanOrEqual(1);
      await h.cleanup();
    });

    test("a restarted peer gets a new session and traffic resumes", async () => {
      const h = harness();
      const [a, b] = await h.make(2);
      a!.transport.send(b!.transport.local, Uint8Array.of(1));
      await h.settle(() => b!.received.length === 1);
      const b2 = await h.restart(b!, [a!]);
      b2.transport.send(a!.transport.local, Uint8Array.of(2));
      await h.settle(() => a!.received.length === 1);
      a!.transport.send(b2.transport.local, Uint8Array.of(3));
      await h.settle(() => b2.received.length === 1);
      expect([...b2.received[0]!.frame]).toEqual([3]);
      expect(a!.events.filter((e) => e === `session:${b2.transport.local}`).length).toBeGreaterThanOrEqual(1);
      await h.cleanup();
    });

    test("three peers talk pairwise without mixing streams", async () => {
      const h = harness();
      const eps = await h.make(3);
      for (const x of eps)
        for (const y of eps)
          if (x !== y)
            x.transport.send(
              y.transport.local,
              new TextEncoder().encode(`${x.transport.local}>${y.transport.local}`),
            );
      await h.settle(() => eps.every((e) => e.received.length === 2));
      for (const e of eps) {
        for (const r of e.received)
          expect(new TextDecoder().decode(r.frame)).toBe(`${r.peer}>${e.transport.local}`);
      }
      await h.cleanup();
    });

    test("after close, send is a typed error and nothing more is delivered", async () => {
      const h = harness();
      const [a, b] = await h.make(2);
      await a!.transport.close();
      let code = "";
      try {
        a!.transport.send(b!.transport.local, Uint8Array.of(1));
      } catch (err) {
        if (isLatticeError(err)) code = err.code;
      }
      expect(code).toBe("NET_CLOSED");
      await a!.transport.close(); // idempotent
      await h.cleanup();
    });
  });
}

function digest(f: Uint8Array): string {
  let h = 2166136261;
  for (let i = 0; i < f.length; i++) h = Math.imul(h ^ f[i]!, 16777619);
  return `${f.length}:${h >>> 0}`;
}
