/**
 * Left-right read throughput (ARCHITECTURE performance budget: "left-right reads with a busy writer >=
 * 0.9 x reads with no writer"). W worker readers each do a fixed number of reads (sum 64 shared int32
 * cells) in three setups, interleaved over several rounds: left-right with no writer, left-right with a
 * writer publishing as fast as it can, and an Atomics reader-writer lock with the same busy writer.
 * Prints a table, then one JSON line: {readsWithWriterRatio, vsRwLock, ...}.
 *
 * Two figures per setup. Raw: reads per wall second. CPU-normalised: reads per second of CPU time of the
 * reader threads themselves (Linux /proc/thread-self/schedstat, read by each reader at the start and end
 * of each phase). With 2 cores, one reader worker and the writer thread, any other job on the machine
 * takes a core from one of them, and the raw "busy writer" figure then measures the scheduler, not the
 * protocol. The budget line ("readers must never wait") is about what the writer costs a reader that is
 * running: cache-line traffic and extra work on its read path. That is the CPU-normalised ratio, which
 * the JSON reports as `readsWithWriterRatio` (and `vsRwLock`, where the lock's spinning counts as reader
 * CPU, as it should); the raw ratios are `...Wall`. Both are printed.
 *
 * Run: bun bench/leftright.ts   (this file is also the reader workers' entry)
 */
import { readFileSync } from "node:fs";
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
const ROUNDS = 7;
// The writer is always busy (applying ops at full speed) and publishes per batch, as a node does (a
// publish per op is the Versatus mistake); override with LR_OPS_PER_PUBLISH to see the per-op extreme.
const OPS_PER_PUBLISH = Number(process.env.LR_OPS_PER_PUBLISH ?? 1024);
// control: [0] go counter, [1] done counter, [2] rwlock state (-1 writer, n readers), [3] mode,
// [16 + r] reader r's CPU microseconds in the last phase (-1 if unknown)
const CPU_AT = 16;
type Mode = "lr" | "rw";
interface Job {
  readonly mode: Mode;
  readonly spec: SharedLeftRightSpec;
  readonly rwData: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly owner: number;
}

/** This thread's CPU time in microseconds, or NaN where /proc/thread-self is not available. */
function threadCpuUs(): number {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1000;
  } catch {
    return Number.NaN;
  }
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
    const cpu0 = threadCpuUs();
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
    const cpu = threadCpuUs() - cpu0;
    Atomics.store(control, CPU_AT + job.owner - 10, Number.isFinite(cpu) ? Math.round(cpu) : -1);
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
  const control = new Int32Array(new SharedArrayBuffer((CPU_AT + READERS) * 4));
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
  const runPhase = (mode: Mode, writer: boolean): { wall: number; cpu: number } => {
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
    // Per reader: its reads over its own CPU time; the setup's figure sums readers (like the raw one).
    let cpuRate = 0;
    for (let r = 0; r < READERS; r++) {
      const us = Atomics.load(control, CPU_AT + r);
      cpuRate += us > 0 ? READS / (us / 1e6) : Number.NaN;
    }
    return { wall: (READERS * READS) / seconds, cpu: cpuRate };
  };
  const names = ["lr, no writer", "lr, busy writer", "rwlock, busy writer"] as const;
  const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const record = (name: string, x: { wall: number; cpu: number }) => {
    wall[name]!.push(x.wall);
    cpu[name]!.push(x.cpu);
  };
  runPhase("lr", false); // warm-up round, not recorded
  runPhase("lr", true);
  runPhase("rw", true);
  const started = performance.now();
  for (let r = 0; r < ROUNDS && performance.now() - started < 60_000; r++) {
    record("lr, no writer", runPhase("lr", false));
    record("lr, busy writer", runPhase("lr", true));
    record("rwlock, busy writer", runPhase("rw", true));
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
    `left-right reads: ${READERS} worker reader(s) x ${READS} reads of ${CELLS} cells, ${wall[names[0]]!.length} rounds interleaved`,
  );
  console.log("setup                  wall reads/s min     median   cpu-normalised min     median");
  const m = (n: number) => `${(n / 1e6).toFixed(2)} M`;
  for (const name of names) {
    const w = stat(wall[name]!);
    const c = stat(cpu[name]!);
    console.log(
      `${name.padEnd(22)} ${m(w.min).padStart(17)} ${m(w.median).padStart(10)} ${m(c.min).padStart(18)} ${m(c.median).padStart(10)}`,
    );
  }
  const none = stat(cpu["lr, no writer"]!).median;
  const busy = stat(cpu["lr, busy writer"]!).median;
  const lock = stat(cpu["rwlock, busy writer"]!).median;
  const noneWall = stat(wall["lr, no writer"]!).median;
  const busyWall = stat(wall["lr, busy writer"]!).median;
  const lockWall = stat(wall["rwlock, busy writer"]!).median;
  // Paired per round: busy over the no-writer phase just before it, so slow drift cancels.
  const paired = (xs: number[], ys: number[]) => stat(xs.map((x, i) => ys[i]! / x));
  console.log(
    `writer: ${publishes} publishes (${OPS_PER_PUBLISH} ops each), rwlock writer: ${rwWrites} writes`,
  );
  const pc = paired(cpu["lr, no writer"]!, cpu["lr, busy writer"]!);
  const pw = paired(wall["lr, no writer"]!, wall["lr, busy writer"]!);
  console.log(
    `busy/none per round: cpu-normalised min ${pc.min.toFixed(3)} median ${pc.median.toFixed(3)}; ` +
      `wall min ${pw.min.toFixed(3)} median ${pw.median.toFixed(3)}`,
  );
  console.log(
    "ratios in the JSON: medians of each setup; readsWithWriterRatio and vsRwLock are cpu-normalised",
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
      readsWithWriterRatioWall: Number((busyWall / noneWall).toFixed(3)),
      vsRwLockWall: Number((busyWall / lockWall).toFixed(3)),
      readsNoWriterWall: Math.round(noneWall),
      readsWithWriterWall: Math.round(busyWall),
      clock: "reader thread cpu",
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
