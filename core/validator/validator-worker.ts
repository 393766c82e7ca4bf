/**
 * The code of one validator core (seed 001, "Validator Unit & Validator Cores"), run in a Bun Worker
 * whose entry is the thin shim cmd/validator.worker.ts (worker entries must sit beside the main entry
 * for the compiled binary). It opens read handles on the shared state and mempool views, then answers
 * each batch part with one verdict byte per transfer.
 *
 * Protocol (structured clone):
 *   in:  {type: "init", ownerId, chainId, state: StateReadSpec, mempool: MempoolReadSpec}
 *        {type: "batch", id, txs: Uint8Array[], groupSizes: number[]}   (txs grouped by sender, in order)
 *   out: {type: "ready"} | {type: "result", id, verdicts: Uint8Array (indexes into VERDICTS)}
 *        | {type: "failed", id, message}
 */
import { type MempoolReadSpec, openPendingReader, type PendingReader } from "../mempool/mempool.ts";
import { openStateReader, type StateReadSpec, type StateReader } from "../state/state-store.ts";
import { VERDICTS, validateSenderGroup } from "./validate-transfers.ts";
import { viewFrom } from "./validator.ts";

export interface WorkerInit {
  readonly type: "init";
  readonly ownerId: number;
  readonly chainId: number;
  readonly state: StateReadSpec;
  readonly mempool: MempoolReadSpec;
}

export interface WorkerBatch {
  readonly type: "batch";
  readonly id: number;
  readonly txs: readonly Uint8Array[];
  readonly groupSizes: readonly number[];
}

export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly id: number; readonly verdicts: Uint8Array }
  | { readonly type: "failed"; readonly id: number; readonly message: string };

const VERDICT_INDEX = new Map(VERDICTS.map((v, i) => [v, i]));

/** Validate one batch part: consecutive groups of `groupSizes` transfers. */
export function validatePart(
  part: WorkerBatch,
  chainId: number,
  state: StateReader,
  pending: PendingReader,
): Uint8Array {
  const out = new Uint8Array(part.txs.length);
  const view = viewFrom(state, pending);
  let at = 0;
  for (const size of part.groupSizes) {
    const verdicts = validateSenderGroup(part.txs.slice(at, at + size), chainId, view);
    for (let k = 0; k < size; k++) out[at + k] = VERDICT_INDEX.get(verdicts[k]!)!;
    at += size;
  }
  return out;
}

declare const self: Worker;

/** Install the message handler of a validator core in the current worker. */
export function runValidatorWorker(): void {
  let ctx: { chainId: number; state: StateReader; pending: PendingReader } | undefined;
  self.onmessage = (event: MessageEvent<WorkerInit | WorkerBatch>) => {
    const msg = event.data;
    if (msg.type === "init") {
      ctx = {
        chainId: msg.chainId,
        state: openStateReader(msg.state, msg.ownerId),
        pending: openPendingReader(msg.mempool, msg.ownerId),
      };
      self.postMessage({ type: "ready" } satisfies WorkerReply);
      return;
    }
    if (ctx === undefined) {
      self.postMessage({ type: "failed", id: msg.id, message: "batch before init" } satisfies WorkerReply);
      return;
    }
    try {
      const verdicts = validatePart(msg, ctx.chainId, ctx.state, ctx.pending);
      self.postMessage({ type: "result", id: msg.id, verdicts } satisfies WorkerReply, [
        verdicts.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      self.postMessage({ type: "failed", id: msg.id, message: String(err) } satisfies WorkerReply);
    }
  };
}
