import { leftRightCompliance } from "./left-right-compliance.ts";
import { SharedLeftRight } from "./shared-left-right.ts";
import { attachCells } from "./test-cells.ts";

leftRightCompliance(
  "SharedLeftRight",
  (n, apply) => new SharedLeftRight({ copyBytes: n * 4, attach: attachCells, apply, slots: 8 }),
);

import { describe, expect, test } from "bun:test";
import { isLatticeError } from "../errors/lattice-error.ts";
import { openSharedReader } from "./shared-left-right.ts";
import { applyCellOp, type CellOp, type Cells } from "./test-cells.ts";

function cellsLeftRight(
  n: number,
  extra: Partial<{ slots: number; readerDeadlineMs: number; onStuckReader: "revoke" | "throw" }> = {},
) {
  return new SharedLeftRight<Cells, CellOp>({
    copyBytes: n * 4,
    attach: attachCells,
    apply: applyCellOp,
    ...extra,
  });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nextMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", (e) => resolve(e.data), { once: true });
    worker.addEventListener("error", (e) => reject(new Error(e.message)), { once: true });
  });
}

describe("SharedLeftRight specifics", () => {
  test("slots are handed out by compareExchange and exhaust with a typed error", () => {
    const lr = cellsLeftRight(1, { slots: 2 });
    const a = lr.reader();
    const b = openSharedReader(lr.spec, attachCells, 9);
    expect(new Set([a.slot, b.slot]).size).toBe(2);
    expect(
      isLatticeError(
        caught(() => lr.reader()),
        "LR_NO_FREE_SLOT",
      ),
    ).toBe(true);
    b.close();
    const c = openSharedReader(lr.spec, attachCells, 10);
    expect(c.slot).toBe(b.slot);
    expect(
      lr
        .slotTable()
        .map((s) => s.owner)
        .sort(),
    ).toEqual([1, 10]);
  });

  test("a malformed spec or owner id is rejected", () => {
    const lr = cellsLeftRight(1);
    expect(
      isLatticeError(
        caught(() =>
          openSharedReader({ control: new SharedArrayBuffer(64), copies: lr.spec.copies }, attachCells, 2),
        ),
        "LR_BAD_ARGUMENT",
      ),
    ).toBe(true);
    expect(
      isLatticeError(
        caught(() => openSharedReader(lr.spec, attachCells, 0)),
        "LR_BAD_ARGUMENT",
      ),
    ).toBe(true);
  });

  test("policy throw: a reader stuck past the deadline fails the publish, which changes nothing", () => {
    const lr = cellsLeftRight(1, { readerDeadlineMs: 20, onStuckReader: "throw" });
    const stuck = openSharedReader(lr.spec, attachCells, 42);
    let err: unknown;
    stuck.read(() => {
      lr.append({ kind: "set", index: 0, value: 1 });
      lr.publish(); // snapshot now records slot 42 as inside a read
      lr.append({ kind: "set", index: 0, value: 2 });
      err = caught(() => lr.publish());
    });
    expect(isLatticeError(err, "LR_READER_STUCK")).toBe(true);
    expect((err as { details: { owner: number } }).details.owner).toBe(42);
    expect(lr.publishes).toBe(1);
    expect(lr.queued).toBe(1);
    lr.publish(); // the reader left: the retry goes through
    expect(stuck.read((c) => c.cells[0])).toBe(2);
  });

  test("policy revoke: the stuck reader's slot is revoked and its read fails instead of returning", () => {
    const lr = cellsLeftRight(1, { readerDeadlineMs: 20 });
    const stuck = openSharedReader(lr.spec, attachCells, 42);
    const err = caught(() =>
      stuck.read(() => {
        lr.append({ kind: "set", index: 0, value: 1 });
        lr.publish();
        lr.append({ kind: "set", index: 0, value: 2 });
        lr.publish();
        return "possibly torn";
      }),
    );
    expect(isLatticeError(err, "LR_SLOT_REVOKED")).toBe(true);
    expect(lr.revocations).toBe(1);
    expect(lr.publishes).toBe(2);
    expect(
      isLatticeError(
        caught(() => stuck.read(() => 0)),
        "LR_SLOT_REVOKED",
      ),
    ).toBe(true);
    const fresh = lr.reader();
    expect(fresh.read((c) => c.cells[0])).toBe(2);
  });

  test("a worker that dies mid-read is released by its owner and cannot hang the writer", async () => {
    const lr = cellsLeftRight(1, { readerDeadlineMs: 60_000, onStuckReader: "throw" });
    lr.publish();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL("./dying-reader-fixture.ts", import.meta.url));
    const exited = new Promise<void>((resolve) => worker.addEventListener("close", () => resolve()));
    worker.postMessage({ spec: lr.spec, signal: signal.buffer, owner: 77 });
    await exited;
    expect(Atomics.load(signal, 0)).toBe(1);
    expect(lr.slotTable()).toEqual([{ slot: 0, owner: 77, reading: true }]);
    lr.publish(); // the snapshot sees slot 0 odd: the next publish would wait for it
    expect(lr.releaseOwner(77)).toBe(1);
    lr.append({ kind: "set", index: 0, value: 5 });
    lr.publish();
    expect(lr.slotTable()).toEqual([]);
    const h = lr.reader();
    expect(h.read((c) => c.cells[0])).toBe(5);
  });

  test("worker readers never see a torn or partly applied state across thousands of publishes", async () => {
    const n = 1024;
    const readers = 2;
    const lr = cellsLeftRight(n);
    for (let i = 2; i < n; i++) lr.append({ kind: "set", index: i, value: 1000 });
    lr.publish();
    const expectedSum = (n - 2) * 1000;
    const stats = new Int32Array(new SharedArrayBuffer(4 * (8 + readers * 8)));
    const workers: Worker[] = [];
    const ready: Promise<unknown>[] = [];
    for (let r = 0; r < readers; r++) {
      const w = new Worker(new URL("./torn-read-fixture.ts", import.meta.url));
      ready.push(nextMessage(w));
      w.postMessage({ spec: lr.spec, stats: stats.buffer, reader: r, expectedSum });
      workers.push(w);
    }
    await Promise.all(ready);
    const random = mulberry32(7);
    const distinct = (r: number) => Atomics.load(stats, 8 + r * 8 + 2);
    let version = 0;
    // Run until both publishes and reader progress conditions hold; the cap turns a hang into a failure.
    while (version < 3000 || distinct(0) < 300 || distinct(1) < 300) {
      version++;
      lr.append({ kind: "set", index: 0, value: version });
      for (let k = 0; k < 64; k++) {
        const from = 2 + Math.floor(random() * (n - 2));
        const to = 2 + Math.floor(random() * (n - 2));
        lr.append({ kind: "transfer", from, to, amount: Math.floor(random() * 50) });
      }
      lr.append({ kind: "set", index: 1, value: -version });
      lr.publish();
      if (version > 2_000_000) throw new Error("readers made no progress");
    }
    const done = workers.map((w) => nextMessage(w));
    Atomics.store(stats, 0, 1);
    await Promise.all(done);
    for (const w of workers) w.terminate();
    for (let r = 0; r < readers; r++) {
      expect(Atomics.load(stats, 8 + r * 8 + 1)).toBe(0);
      expect(Atomics.load(stats, 8 + r * 8)).toBeGreaterThan(0);
    }
    expect(lr.revocations).toBe(0);
  }, 30_000);
});
