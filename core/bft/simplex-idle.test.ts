import { describe, expect, test } from "bun:test";
import type { FinalizedBlock, ProposeInfo } from "./simplex.ts";
import { SimplexEngine, WORK_NOTICE } from "./simplex.ts";
import { SimplexHarness } from "./simplex-harness.ts";
import { MemoryJournal } from "./simplex-journal.ts";

const HOP = 10;
const DELTA = 100;
const BLOCK_TIME = 100;
const IDLE = 1000;

/** A shared work queue standing in for the mempool: only the leader of a view takes from it. */
class WorkQueue {
  readonly items: Uint8Array[] = [];
  readonly calls: ProposeInfo[] = [];
  propose(info: ProposeInfo): Uint8Array | null {
    this.calls.push(info);
    const next = this.items.shift();
    if (next !== undefined) return next;
    return info.mayWait ? null : new Uint8Array(0);
  }
}

function idleCluster(queue: WorkQueue, idleBlockTime: number | null = IDLE): SimplexHarness {
  return new SimplexHarness({
    n: 4,
    latency: [HOP, HOP],
    delta: DELTA,
    extra: {
      app: { propose: (info) => queue.propose(info) },
      blockTime: BLOCK_TIME,
      ...(idleBlockTime === null ? {} : { idleBlockTime }),
    },
  });
}

function expectConsistent(h: SimplexHarness): void {
  const byHeight = new Map<number, string>();
  for (const node of h.nodes) {
    node.finalized.forEach((b, i) => {
      expect(b.height).toBe(i + 1);
      const seen = byHeight.get(b.height);
      if (seen === undefined) byHeight.set(b.height, b.hash);
      else expect(b.hash).toBe(seen);
    });
  }
}

function proposals(h: SimplexHarness): number {
  return h.nodes.reduce((s, x) => s + (x.up ? x.engine.stats().proposals : 0), 0);
}

function findPayload(f: readonly FinalizedBlock[], tag: number): FinalizedBlock | undefined {
  return f.find((b) => b.payload.length === 1 && b.payload[0] === tag);
}

/** Step virtual time until every up node passes `view`; returns the time (or -1 by `limit`). */
function timeAllPast(h: SimplexHarness, view: number, limit: number): number {
  for (let t = h.clock.now(); t <= limit; t++) {
    h.runUntil(t);
    if (h.nodes.every((x) => !x.up || x.engine.stats().view > view)) return t;
  }
  return -1;
}

describe("SimplexEngine idle pacing", () => {
  test("an idle leader proposes nothing until the idle interval ends, and nobody times out", () => {
    const q = new WorkQueue();
    const h = idleCluster(q);
    h.start();
    h.runUntil(IDLE - 1);
    expect(proposals(h)).toBe(0);
    // The leader asked at blockTime and was told "nothing yet" (it may wait).
    expect(q.calls.length).toBe(1);
    expect(q.calls[0]!.mayWait).toBe(true);
    h.runUntil(IDLE + 3 * HOP);
    expect(h.nodes.every((x) => x.finalized.length === 1 && x.finalized[0]!.payload.length === 0)).toBe(true);
    h.runUntil(10_000);
    expectConsistent(h);
    // One empty block per idle interval (plus two hops of notarization each), not one per block time.
    for (const node of h.nodes) {
      expect(node.finalized.length).toBeGreaterThanOrEqual(9);
      expect(node.finalized.length).toBeLessThanOrEqual(10);
      const st = node.engine.stats();
      expect(st.timeouts).toBe(0);
      expect(st.nullifications).toBe(0);
    }
  });

  test("without idleBlockTime the engine keeps today's pacing (a null answer proposes an empty block)", () => {
    const q = new WorkQueue();
    const h = idleCluster(q, null);
    h.start();
    h.runUntil(10_000);
    expectConsistent(h);
    expect(q.calls.every((c) => !c.mayWait)).toBe(true);
    // A view every blockTime + 2 hops.
    for (const node of h.nodes) expect(node.finalized.length).toBeGreaterThan(75);
  });

  test("work arriving during idle is proposed at once and final 3 hops later", () => {
    const q = new WorkQueue();
    const h = idleCluster(q);
    h.start();
    for (const [tag, at] of [
      [1, 2500],
      [2, 4321],
      [3, 7777],
    ] as const) {
      h.runUntil(at);
      const before = proposals(h);
      q.items.push(Uint8Array.of(tag));
      for (let i = 0; i < h.nodes.length; i++) h.notice(i, WORK_NOTICE);
      // Each of these instants is well past blockTime into an idle view: the leader proposes now.
      expect(proposals(h)).toBe(before + 1);
      h.runUntil(at + 3 * HOP);
      for (const node of h.nodes) expect(findPayload(node.finalized, tag)).toBeDefined();
    }
    expectConsistent(h);
    expect(h.nodes[0]!.engine.stats().timeouts).toBe(0);
  });

  test("work arriving early in a view still waits for blockTime (pacing kept)", () => {
    const q = new WorkQueue();
    const h = idleCluster(q);
    h.start();
    h.runUntil(10);
    q.items.push(Uint8Array.of(9));
    for (let i = 0; i < h.nodes.length; i++) h.notice(i, WORK_NOTICE);
    h.runUntil(BLOCK_TIME - 1);
    expect(proposals(h)).toBe(0);
    h.runUntil(BLOCK_TIME + 3 * HOP);
    for (const node of h.nodes) expect(findPayload(node.finalized, 9)).toBeDefined();
  });

  test("a work notice on a follower or a leader with nothing to take changes nothing", () => {
    const q = new WorkQueue();
    const h = idleCluster(q);
    h.start();
    h.runUntil(500);
    for (let i = 0; i < h.nodes.length; i++) h.notice(i, WORK_NOTICE);
    expect(proposals(h)).toBe(0);
    h.runUntil(IDLE + 3 * HOP);
    expect(h.nodes.every((x) => x.finalized.length === 1)).toBe(true);
  });

  test("a leader that crashes while idle is replaced within idleBlockTime + 2Δ", () => {
    const q = new WorkQueue();
    const h = idleCluster(q);
    h.start();
    // Views 1 and 2 finish on the idle interval; node 3 leads view 3 and crashes before it starts.
    const entered3 = timeAllPast(h, 2, 5000);
    expect(entered3).toBeGreaterThan(0);
    h.crash(3);
    const left3 = timeAllPast(h, 3, 10_000);
    expect(left3).toBeGreaterThan(0);
    // Timer at idle + 2Δ, then one hop for the nullify votes to meet.
    expect(left3 - entered3).toBeLessThanOrEqual(IDLE + 2 * DELTA + 2 * HOP);
    expect(h.nodes[0]!.engine.stats().timeouts).toBeGreaterThan(0);
    // Work still gets through while the crashed node keeps losing its views.
    h.runUntil(12_000);
    q.items.push(Uint8Array.of(5));
    for (let i = 0; i < 3; i++) h.notice(i, WORK_NOTICE);
    h.runUntil(12_000 + IDLE + 2 * DELTA + 2 * HOP + BLOCK_TIME + 3 * HOP);
    for (const node of h.nodes.slice(0, 3)) expect(findPayload(node.finalized, 5)).toBeDefined();
    expectConsistent(h);
  });

  test("a restarted idle leader waits again and the chain moves on", () => {
    const q = new WorkQueue();
    const h = idleCluster(q);
    h.start();
    h.runUntil(1500); // view 2, led by node 2, is idle-waiting
    h.crash(2);
    h.restart(2);
    h.runUntil(8000);
    expectConsistent(h);
    for (const node of h.nodes) expect(node.finalized.length).toBeGreaterThanOrEqual(5);
  });

  test("idleBlockTime below blockTime is refused", () => {
    const h = new SimplexHarness({ n: 4 });
    const base = {
      chain: h.chain,
      members: h.members,
      secretKey: h.nodes[0]!.secretKey,
      signer: h.signer,
      journal: new MemoryJournal(),
      app: { propose: () => null },
    };
    expect(() => new SimplexEngine({ ...base, blockTime: 100, idleBlockTime: 50 })).toThrow(RangeError);
    expect(new SimplexEngine({ ...base, blockTime: 100, idleBlockTime: 100 }).n).toBe(4);
  });
});
