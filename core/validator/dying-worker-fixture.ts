/**
 * Test worker entry: a normal validator core that exits the worker when a batch part contains the
 * two-byte transfer 0xde 0xad, so tests can kill one worker of a pool at a known moment.
 */
import {
  batchTransfers,
  runValidatorWorker,
  type WorkerBatch,
  type WorkerPackedBatch,
} from "./validator-worker.ts";

declare const self: Worker;

runValidatorWorker();
const handle = self.onmessage;
self.onmessage = (event: MessageEvent) => {
  const msg = event.data as { type: string };
  if (msg.type === "batch" || msg.type === "packed") {
    const txs = batchTransfers(msg as WorkerBatch | WorkerPackedBatch);
    if (txs.some((t) => t.length === 2 && t[0] === 0xde && t[1] === 0xad)) process.exit(7);
  }
  handle?.call(self, event);
};
