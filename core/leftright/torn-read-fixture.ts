/**
 * Worker entry for the torn-read test: a reader that loops over the shared cells until told to stop,
 * checking on every read that the total is conserved and that the version never goes backwards.
 * Progress goes into a shared Int32Array so the writer can wait for conditions, not durations:
 *   stats[0] = stop flag; per reader r at 8 + r*8: [reads, violations, distinct versions].
 */
import { openSharedReader, type SharedLeftRightSpec } from "./shared-left-right.ts";
import { attachCells, sumCells } from "./test-cells.ts";

declare const self: Worker;

interface Start {
  readonly spec: SharedLeftRightSpec;
  readonly stats: SharedArrayBuffer;
  readonly reader: number;
  readonly expectedSum: number;
}

self.onmessage = (event: MessageEvent<Start>) => {
  const { spec, reader, expectedSum } = event.data;
  const stats = new Int32Array(event.data.stats);
  const base = 8 + reader * 8;
  const handle = openSharedReader(spec, attachCells, 100 + reader);
  let lastVersion = -1;
  postMessage({ ready: true });
  while (Atomics.load(stats, 0) === 0) {
    const [sum, version, mirror] = handle.read((c) => [sumCells(c), c.cells[0]!, c.cells[1]!] as const);
    Atomics.add(stats, base, 1);
    if (sum !== expectedSum || version !== -mirror || version < lastVersion) Atomics.add(stats, base + 1, 1);
    if (version !== lastVersion) Atomics.add(stats, base + 2, 1);
    lastVersion = version;
  }
  handle.close();
  postMessage({ done: true });
};
