/**
 * The code of one validator core (seed 001, "Validator Unit & Validator Cores"), run in a Bun Worker
 * whose entry is the thin shim cmd/validator.worker.ts (worker entries must sit beside the main entry
 * for the compiled binary). It opens read handles on the shared state and mempool views, then answers
 * each batch part with one verdict byte per transfer.
 *
 * Protocol (structured clone):
 *   in:  {type: "init", ownerId, chainId, state: StateReadSpec, mempool: MempoolReadSpec}
 *        {type: "packed", id, data: ArrayBuffer, ends: Uint32Array, groupSizes: Uint32Array}
 *          what the pool sends: the part's transfers back to back in one transferred buffer, transfer k
 *          ending at ends[k], grouped by sender in order. One buffer instead of one clone per transfer.
 *        {type: "batch", id, txs: Uint8Array[], groupSizes: number[]}   (the unpacked form, still accepted)
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

/** A batch part packed into one buffer (see the protocol above); `data` and `ends` are transferred. */
export interface WorkerPackedBatch {
  readonly type: "packed";
  readonly id: number;
  readonly data: ArrayBuffer;
  readonly ends: Uint32Array;
  readonly groupSizes: Uint32Array;
}

export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly id: number; readonly verdicts: Uint8Array }
  | { readonly type: "failed"; readonly id: number; readonly message: string };

const VERDICT_INDEX = new Map(VERDICTS.map((v, i) => [v, i]));

/** Pack transfers (already in sender-group order) into one buffer for `WorkerPackedBatch`. */
export function packTransfers(txs: readonly Uint8Array[]): { data: ArrayBuffer; ends: Uint32Array } {
  let total = 0;
  for (const t of txs) total += t.length;
  const data = new Uint8Array(total);
  const ends = new Uint32Array(txs.length);
  let at = 0;
  for (let k = 0; k < txs.length; k++) {
    const t = txs[k]!;
    data.set(t, at);
    at += t.length;
    ends[k] = at;
  }
  return { data: data.buffer, ends };
}

/** The transfers of either batch form, as views (no copies for the packed form). */
export function batchTransfers(part: WorkerBatch | WorkerPackedBatch): readonly Uint8Array[] {
  if (part.type === "batch") return part.txs;
  const data = new Uint8Array(part.data);
  const out = new Array<Uint8Array>(part.ends.length);
  let start = 0;
  for (let k = 0; k < part.ends.length; k++) {
    const end = part.ends[k]!;
    if (end < start || end > data.length) throw new RangeError(`packed batch: bad end ${end} at ${k}`);
    out[k] = data.subarray(start, end);
    start = end;
  }
  return out;
}

/** Validate one batch part: consecutive groups of `groupSizes` transfers. */
export function validatePart(
  part: WorkerBatch | WorkerPackedBatch,
  chainId: number,
  state: StateReader,
  pending: PendingReader,
): Uint8Array {
  const txs = batchTransfers(part);
  const out = new Uint8Array(txs.length);
  const view = viewFrom(state, pending);
  let at = 0;
  for (const size of part.groupSizes) {
    if (at + size > txs.length) throw new RangeError("batch part: group sizes exceed the transfers");
    const verdicts = validateSenderGroup(txs.slice(at, at + size), chainId, view);
    for (let k = 0; k < size; k++) out[at + k] = VERDICT_INDEX.get(verdicts[k]!)!;
    at += size;
  }
  return out;
}

declare const self: Worker;

/** Install the message handler of a validator core in the current worker. */
export function runValidatorWorker(): void {
  let ctx: { chainId: number; state: StateReader; pending: PendingReader } | undefined;
  self.onmessage = (event: MessageEvent<WorkerInit | WorkerBatch | WorkerPackedBatch>) => {
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
