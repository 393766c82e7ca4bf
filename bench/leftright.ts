/**
 * Left-right read throughput (ARCHITECTURE performance budget: "left-right reads with a busy writer >=
 * 0.9 x reads with no writer"). W worker readers each do a fixed number of reads (sum 64 shared int32
 * cells) in three setups, interleaved over several rounds: left-right with no writer, left-right with a
 * writer publishing as fast as it can, and an Atomics reader-writer lock with the same busy writer.
 * Prints a table, then one JSON line: {readsWithWriterRatio, vsRwLock, ...}.
 *
 * Run: bun bench/leftright.ts   (this file is also the reader workers' entry)
 */
import { isMainThread } from "node:worker_threads";
import {
  openSharedReader,
  SharedLeftRight,
  type SharedLeftRightSpec,
} from "../core/leftright/shared-left-right.ts";
import { applyCellOp, attachCells, type CellOp, type Cells, sumCells } from "../core/leftright/test-cells.ts";

const CELLS = 64;
// One core stays for the writer: with more threads than cores the writer would take CPU time from readers,
// which measures the scheduler, not the protocol.
const READERS = Math.max(1, navigator.hardwareConcurrency - 1);
const READS = 2_000_000;
const ROUNDS = 5;
// The writer is always busy (applying ops at full speed) and publishes per batch, as a node does (a
// publish per op is the Versatus mistake); override with LR_OPS_PER_PUBLISH to see the per-op extreme.
const OPS_PER_PUBLISH = Number(process.env.LR_OPS_PER_PUBLISH ?? 1024);
// control: [0] go counter, [1] done counter, [2] rwlock state (-1 writer, n readers)
type Mode = "lr" | "rw";
interface Job {
  readonly mode: Mode;
  readonly spec: SharedLeftRightSpec;
  readonly rwData: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly owner: number;
}

function readerMain(job: Job): void {
  const control = new Int32Array(job.control);
  const handle = openSharedReader(job.spec, attachCells, job.owner);
  const rw: Cells = { cells: new Int32Array(job.rwData) };
  let sink = 0;
  let round = 0;
  for (;;) {
    // Wait for the next round (go counter increments), with a timeout as every wait must have.
    while (Atomics.load(control, 0) === round) Atomics.wait(control, 0, round, 50);
    round = Atomics.load(control, 0);
    if (round < 0) break;
    const mode = Atomics.load(control, 3) === 0 ? "lr" : "rw";
    if (mode === "lr") {
      for (let i = 0; i < READS; i++) sink ^= handle.read(sumCells);
    } else {
      for (let i = 0; i < READS; i++) {
        for (;;) {
          const s = Atomics.load(control, 2);
          if (s >= 0 && Atomics.compareExchange(control, 2, s, s + 1) === s) break;
        }
        sink ^= sumCells(rw);
        Atomics.sub(control, 2, 1);
      }
    }
    Atomics.add(control, 1, 1);
  }
  postMessage(sink === 0.5 ? 1 : 0);
}

async function main(): Promise<void> {
  const lr = new SharedLeftRight<Cells, CellOp>({
    copyBytes: CELLS * 4,
    attach: attachCells,
    apply: applyCellOp,
  });
  for (let i = 0; i < CELLS; i++) lr.append({ kind: "set", index: i, value: 100 });
  lr.publish();
  const rwData = new SharedArrayBuffer(CELLS * 4);
  const rw: Cells = { cells: new Int32Array(rwData) };
  rw.cells.fill(100);
  const control = new Int32Array(new SharedArrayBuffer(64));
  const workers = Array.from({ length: READERS }, (_, r) => {
    const w = new Worker(new URL(import.meta.url));
    w.postMessage({
      mode: "lr",
      spec: lr.spec,
      rwData,
      control: control.buffer,
      owner: 10 + r,
    } satisfies Job);
    return w;
  });
  let go = 0;
  let publishes = 0;
  let rwWrites = 0;
  let k = 0;
  const nextOp = (): CellOp => {
    k = (k * 1103515245 + 12345) & 0x7fffffff;
    return { kind: "transfer", from: k % CELLS, to: (k >> 8) % CELLS, amount: 1 };
  };
  const runPhase = (mode: Mode, writer: boolean): number => {
    Atomics.store(control, 1, 0);
    Atomics.store(control, 3, mode === "lr" ? 0 : 1);
    const t0 = performance.now();
    go++;
    Atomics.store(control, 0, go);
    Atomics.notify(control, 0);
    while (Atomics.load(control, 1) < READERS) {
      if (!writer) {
        Atomics.wait(control, 1, Atomics.load(control, 1), 1);
        continue;
      }
      if (mode === "lr") {
        for (let i = 0; i < OPS_PER_PUBLISH; i++) lr.append(nextOp());
        lr.publish();
        publishes++;
      } else {
        while (Atomics.compareExchange(control, 2, 0, -1) !== 0) {}
        // The lock is held per op, its most reader-friendly use: the baseline gets its best case.
        applyCellOp(rw, nextOp());
        Atomics.store(control, 2, 0);
        rwWrites++;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    return (READERS * READS) / seconds;
  };
  const results: Record<string, number[]> = {
    "lr, no writer": [],
    "lr, busy writer": [],
    "rwlock, busy writer": [],
  };
  const started = performance.now();
  for (let r = 0; r < ROUNDS && performance.now() - started < 45_000; r++) {
    results["lr, no writer"]!.push(runPhase("lr", false));
    results["lr, busy writer"]!.push(runPhase("lr", true));
    results["rwlock, busy writer"]!.push(runPhase("rw", true));
  }
  Atomics.store(control, 0, -1);
  Atomics.notify(control, 0);
  await Promise.all(
    workers.map((w) => new Promise((resolve) => w.addEventListener("message", resolve, { once: true }))),
  );
  for (const w of workers) w.terminate();
  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
  };
  console.log(
    `left-right reads: ${READERS} worker readers x ${READS} reads of ${CELLS} cells, ${ROUNDS} rounds`,
  );
  console.log("setup                   min reads/s   median reads/s");
  for (const [name, xs] of Object.entries(results)) {
    const { min, median } = stat(xs);
    console.log(`${name.padEnd(22)} ${min.toFixed(0).padStart(13)} ${median.toFixed(0).padStart(16)}`);
  }
  const none = stat(results["lr, no writer"]!).median;
  const busy = stat(results["lr, busy writer"]!).median;
  const lock = stat(results["rwlock, busy writer"]!).median;
  console.log(
    `writer: ${publishes} publishes (${OPS_PER_PUBLISH} ops each), rwlock writer: ${rwWrites} writes`,
  );
  console.log(
    JSON.stringify({
      bench: "leftright",
      readers: READERS,
      readsNoWriter: Math.round(none),
      readsWithWriter: Math.round(busy),
      readsRwLockWithWriter: Math.round(lock),
      readsWithWriterRatio: Number((busy / none).toFixed(3)),
      vsRwLock: Number((busy / lock).toFixed(3)),
      publishes,
      opsPerPublish: OPS_PER_PUBLISH,
      cores: navigator.hardwareConcurrency,
    }),
  );
}

declare const self: Worker;

if (isMainThread) {
  await main();
} else {
  self.onmessage = (e: MessageEvent<Job>) => readerMain(e.data);
}
