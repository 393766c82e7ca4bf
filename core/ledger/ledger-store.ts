/**
 * What the ledger persists besides the account state: the transaction index (every accepted transaction
 * with its status) and the block log (which transactions each round applied, and the root it produced).
 * An interface, so the simulator can use the same ledger with `:memory:` SQLite or another store.
 *
 * Contract (what makes "nothing acknowledged is lost" hold, see ledger.ts):
 * - `recordAccepted` is durable when it returns; the ledger acknowledges a submission only after it.
 * - `recordBlock` writes the block and the final/rejected status of its transactions in one atomic step,
 *   BEFORE the state store commits the round (the root, unknown until then, is 32 zero bytes and set by
 *   `setRoot` after the commit); if the process dies between the two, `revertAfter(round)` at the next
 *   open undoes the block (its transactions become pending again), and a zero root left behind by a
 *   crash after the commit is filled from the state store.
 */
import type { RejectionCode } from "./rejection.ts";

export type TxStatusName = "pending" | "certified" | "final" | "rejected";

/** What the index knows about one transaction. */
export interface TxRecord {
  readonly id: Uint8Array;
  readonly bytes: Uint8Array;
  readonly status: TxStatusName;
  /** Round it was finalized (or rejected) in; null while pending or when rejected outside a block. */
  readonly round: bigint | null;
  readonly code: RejectionCode | null;
  readonly message: string | null;
  /** Clock time (ms) of acceptance. */
  readonly acceptedAt: number;
  /** Clock time (ms) of the last status change. */
  readonly updatedAt: number;
}

/** A transaction as accepted at the door. */
export interface AcceptedTx {
  readonly id: Uint8Array;
  readonly bytes: Uint8Array;
  readonly at: number;
}

/** A transaction's place and outcome in a block. */
export interface BlockEntry {
  readonly id: Uint8Array;
  readonly bytes: Uint8Array;
  readonly code: RejectionCode | null;
  readonly message: string | null;
  /** Keep the index entry untouched (it is already final in an earlier round). */
  readonly keepIndex: boolean;
}

export interface BlockRecord {
  readonly round: bigint;
  readonly root: Uint8Array;
  /** Clock time (ms) the round was applied. */
  readonly time: number;
  readonly txCount: number;
  readonly rejectedCount: number;
  /** Why a round without transactions exists ("genesis", "cheat:set-balance", ...), else null. */
  readonly note: string | null;
}

export interface BlockTxRecord {
  readonly id: Uint8Array;
  readonly bytes: Uint8Array;
  readonly code: RejectionCode | null;
}

export interface LedgerStore {
  recordAccepted(txs: readonly AcceptedTx[]): void;
  /** Status changes outside blocks (validator verdicts, eviction, supersession). */
  recordRejected(rows: readonly { id: Uint8Array; code: RejectionCode; message: string }[], at: number): void;
  recordCertified(ids: readonly Uint8Array[], at: number): void;
  recordBlock(block: BlockRecord, entries: readonly BlockEntry[]): void;
  /** Set a recorded block's root once the state store has committed the round and computed it. */
  setRoot(round: bigint, root: Uint8Array): void;
  /** Undo every block after `round`; returns how many blocks were undone. */
  revertAfter(round: bigint): number;
  get(id: Uint8Array): TxRecord | null;
  /** Pending and certified transactions in acceptance order. */
  pending(): TxRecord[];
  lastRound(): bigint | null;
  block(round: bigint): BlockRecord | null;
  blockTxs(round: bigint): BlockTxRecord[];
  /** Newest first, rounds < `before` when given. */
  blocks(limit: number, before?: bigint): BlockRecord[];
  counts(): Record<TxStatusName, number>;
  close(): void;
}
