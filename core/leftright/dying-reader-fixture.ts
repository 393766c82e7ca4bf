/**
 * Worker entry that dies inside a read: it enters a read on the shared left-right, raises a flag in the
 * shared `signal` buffer, and exits the thread without ever leaving the read, leaving its epoch odd.
 */
import { openSharedReader, type SharedLeftRightSpec } from "./shared-left-right.ts";
import { attachCells } from "./test-cells.ts";

declare const self: Worker;

self.onmessage = (
  event: MessageEvent<{ spec: SharedLeftRightSpec; signal: SharedArrayBuffer; owner: number }>,
) => {
  const signal = new Int32Array(event.data.signal);
  const handle = openSharedReader(event.data.spec, attachCells, event.data.owner);
  handle.read(() => {
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
    process.exit(0);
  });
};
