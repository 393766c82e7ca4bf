/**
 * The mempool (seed 001, "Left-Right Mempool for Concurrent Execution of Pending Transactions";
 * ARCHITECTURE "Stores"): pending transfers with per-sender nonce dependency chains. "Transactions
 * dependent on others remain in the mempool until their preceding transactions are validated."
 *
 * Rules (each rejection is a `MempoolError` and changes nothing):
 * - Release: a sender's transaction with nonce n is released for validation only when n is the sender's
 *   next unvalidated nonce (the account's next nonce, or the successor of a validated one) and no other
 *   transaction of that sender is out for validation. So a sender has at most one transaction in flight.
 * - Duplicates: a transaction id already pending is rejected (`MEMPOOL_DUPLICATE`); so is a different
 *   transaction for a nonce already pending (`MEMPOOL_NONCE_TAKEN`, no replace-by-fee) and a nonce below
 *   the sender's next unvalidated one (`MEMPOOL_NONCE_TOO_LOW`).
 * - Gaps: a nonce ahead of the next one is accepted up to `maxNonceGap` ahead and waits, unreleased,
 *   until the gap fills; further ahead is `MEMPOOL_NONCE_GAP`.
 * - Invalid: a transaction validated as invalid is dropped; its successors keep waiting for a valid
 *   transaction with that nonce.
 * - Capacity and eviction: when full, a new transaction evicts the lowest-fee waiting *tail* (the
 *   highest-nonce transaction of its sender, not out for validation) if the new fee is strictly higher;
 *   else `MEMPOOL_FULL` with the fee needed. Evicting only tails never leaves a transaction whose
 *   predecessor was evicted: a chain shrinks from its end.
 * - Finalized: `removeFinalized` really removes the transactions of a finalized round (the Versatus
 *   mempool never did), then drops any of the sender's transactions whose nonce the finalized state has
 *   passed (they conflict with what was finalized).
 *
 * Left-right: the part validator workers read, per sender `(pendingNonce, pendingDebit)` (the next nonce
 * after the locally validated transactions and the sum of their amount + fee), is an account table
 * wrapped in a left-right (shared across workers or in-thread); call `publish()` at batching points.
 * Transaction bodies go to validator workers by message, the bulk-data path, not through shared memory.
 */
import type { LeftRight, ReadHandle } from "../leftright/left-right.ts";
import { LocalLeftRight } from "../leftright/local-left-right.ts";
import {
  openSharedReader,
  SharedLeftRight,
  type SharedLeftRightSpec,
} from "../leftright/shared-left-right.ts";
import { AccountTable, applyTableOp, slotsFor, type TableOp, tableBytes } from "../state/account-table.ts";
import type { TransferEnvelope } from "../tx/transfer.ts";
import { MempoolError } from "./mempool-error.ts";

export interface MempoolOptions {
  /** Most pending transactions held. */
  readonly capacity: number;
  /** The sender account's next nonce in the finalized state (e.g. from the state store). */
  readonly nonceOf: (sender: Uint8Array) => bigint;
  /** How far ahead of the next nonce a transaction may wait (default 64). */
  readonly maxNonceGap?: number;
  /** Shared-memory left-right for validator workers (default false). */
  readonly shared?: boolean;
  readonly readerSlots?: number;
}

/** What a worker needs to read the pending view; send it with `postMessage`. */
export interface MempoolReadSpec {
  readonly leftRight: SharedLeftRightSpec;
}

/**
 * Read handle on the per-sender pending view: `table.get(sender)` gives `{nonce: pendingNonce, balance:
 * pendingDebit}` or null; a pendingNonce of 0 with debit 0 means nothing validated is pending.
 */
export type PendingReader = ReadHandle<AccountTable>;

export function openPendingReader(spec: MempoolReadSpec, ownerId: number): PendingReader {
  return openSharedReader(spec.leftRight, AccountTable.attach, ownerId);
}

type Status = "waiting" | "released" | "validated";

interface Entry {
  readonly env: TransferEnvelope;
  readonly key: string;
  readonly chain: Chain;
  readonly nonce: bigint;
  readonly fee: bigint;
  readonly debit: bigint;
  status: Status;
}

interface Chain {
  readonly sender: Uint8Array;
  readonly key: string;
  readonly txs: Map<bigint, Entry>;
  /** Next nonce not yet validated locally (or finalized). */
  next: bigint;
  pendingDebit: bigint;
  inFlight: boolean;
}

function keyOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

/** Result of a successful submit. */
export interface SubmitResult {
  /** Ids of transactions evicted to make room. */
  readonly evicted: readonly Uint8Array[];
}

export class Mempool {
  readonly capacity: number;
  readonly #nonceOf: (sender: Uint8Array) => bigint;
  readonly #maxGap: bigint;
  readonly #byId = new Map<string, Entry>();
  readonly #chains = new Map<string, Chain>();
  readonly #ready = new Set<Chain>();
  readonly #lr: LeftRight<AccountTable, TableOp>;
  readonly #shared: SharedLeftRight<AccountTable, TableOp> | undefined;
  readonly #tableLimit: number;
  readonly #inTable = new Set<string>();

  constructor(options: MempoolOptions) {
    const { capacity } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new MempoolError("MEMPOOL_BAD_ARGUMENT", `capacity: positive integer expected, got ${capacity}`);
    }
    const gap = options.maxNonceGap ?? 64;
    if (!Number.isSafeInteger(gap) || gap < 0) {
      throw new MempoolError("MEMPOOL_BAD_ARGUMENT", `maxNonceGap: non-negative integer expected`);
    }
    this.capacity = capacity;
    this.#nonceOf = options.nonceOf;
    this.#maxGap = BigInt(gap);
    // Twice the live maximum, so compaction (clear + re-put) happens at most every `capacity` new senders.
    this.#tableLimit = capacity * 2;
    const slots = slotsFor(this.#tableLimit);
    if (options.shared === true) {
      this.#shared = new SharedLeftRight<AccountTable, TableOp>({
        copyBytes: tableBytes(slots),
        init: (buffer) => AccountTable.init(buffer, slots),
        attach: AccountTable.attach,
        apply: applyTableOp,
        ...(options.readerSlots === undefined ? {} : { slots: options.readerSlots }),
      });
      this.#lr = this.#shared;
    } else {
      this.#shared = undefined;
      this.#lr = new LocalLeftRight<AccountTable, TableOp>({
        create: () => AccountTable.init(new ArrayBuffer(tableBytes(slots)), slots),
        apply: applyTableOp,
      });
    }
    this.#lr.publish();
  }

  /** Pending transactions, in any status. */
  get size(): number {
    return this.#byId.size;
  }

  has(id: Uint8Array): boolean {
    return this.#byId.has(keyOf(id));
  }

  /** The status of a pending transaction, or undefined. */
  statusOf(id: Uint8Array): Status | undefined {
    return this.#byId.get(keyOf(id))?.status;
  }

  /** `(pendingNonce, pendingDebit)` of a sender in the writer's view. */
  pendingOf(sender: Uint8Array): { nonce: bigint; debit: bigint } {
    const c = this.#chains.get(keyOf(sender));
    return c === undefined ? { nonce: 0n, debit: 0n } : { nonce: c.next, debit: c.pendingDebit };
  }

  /** Add a transfer. Throws `MempoolError` (and changes nothing) per the rules in the module header. */
  submit(env: TransferEnvelope): SubmitResult {
    const key = keyOf(env.id);
    if (this.#byId.has(key)) throw new MempoolError("MEMPOOL_DUPLICATE", "transaction already pending");
    const senderKey = keyOf(env.sender);
    const existing = this.#chains.get(senderKey);
    const next = existing?.next ?? this.#nonceOf(env.sender);
    const nonce = env.tx.nonce;
    if (nonce < next) {
      throw new MempoolError(
        "MEMPOOL_NONCE_TOO_LOW",
        `nonce ${nonce} is below the sender's next nonce ${next}`,
        {
          details: { nonce: nonce.toString(), next: next.toString() },
        },
      );
    }
    if (existing?.txs.has(nonce)) {
      throw new MempoolError("MEMPOOL_NONCE_TAKEN", `a transaction with nonce ${nonce} is already pending`);
    }
    if (nonce > next + this.#maxGap) {
      throw new MempoolError(
        "MEMPOOL_NONCE_GAP",
        `nonce ${nonce} is more than ${this.#maxGap} ahead of ${next}`,
        {
          details: { nonce: nonce.toString(), next: next.toString() },
        },
      );
    }
    const evicted: Uint8Array[] = [];
    if (this.#byId.size >= this.capacity) {
      const victim = this.#evictionCandidate();
      if (victim === undefined || victim.fee >= env.tx.fee) {
        const minFee = victim === undefined ? null : (victim.fee + 1n).toString();
        throw new MempoolError("MEMPOOL_FULL", `mempool full (${this.capacity}); fee too low to evict`, {
          details: { capacity: this.capacity, minFee },
        });
      }
      this.#drop(victim);
      evicted.push(victim.env.id);
    }
    const chain = this.#chains.get(senderKey) ?? this.#newChain(env.sender, senderKey, next);
    const entry: Entry = {
      env,
      key,
      chain,
      nonce,
      fee: env.tx.fee,
      debit: env.tx.amount + env.tx.fee,
      status: "waiting",
    };
    chain.txs.set(nonce, entry);
    this.#byId.set(key, entry);
    if (nonce === chain.next && !chain.inFlight) this.#ready.add(chain);
    return { evicted };
  }

  /** Hand out up to `max` transactions whose predecessors are validated, one per sender, oldest-ready first. */
  release(max = Number.POSITIVE_INFINITY): TransferEnvelope[] {
    const out: TransferEnvelope[] = [];
    for (const chain of this.#ready) {
      if (out.length >= max) break;
      this.#ready.delete(chain);
      const e = chain.txs.get(chain.next);
      if (e === undefined || e.status !== "waiting" || chain.inFlight) continue;
      e.status = "released";
      chain.inFlight = true;
      out.push(e.env);
    }
    return out;
  }

  /** Record a released transaction's verdict: valid ones become pending debits, invalid ones are dropped. */
  markValidated(id: Uint8Array, valid: boolean): void {
    const e = this.#byId.get(keyOf(id));
    if (e === undefined) throw new MempoolError("MEMPOOL_UNKNOWN_TX", "no such pending transaction");
    if (e.status !== "released") {
      throw new MempoolError("MEMPOOL_NOT_RELEASED", `transaction is ${e.status}, not out for validation`);
    }
    const chain = e.chain;
    chain.inFlight = false;
    if (valid) {
      e.status = "validated";
      chain.next = e.nonce + 1n;
      chain.pendingDebit += e.debit;
      this.#putView(chain);
    } else {
      this.#drop(e);
    }
    if (chain.txs.get(chain.next)?.status === "waiting") this.#ready.add(chain);
  }

  /**
   * Remove the transactions of a finalized round (pass all of them, also those this pool never saw),
   * after the state store has committed it; then drop pending transactions of the same senders whose
   * nonces the finalized state has passed (they conflict with what was finalized). Returns how many
   * transactions left the pool.
   */
  removeFinalized(finalized: Iterable<{ readonly id: Uint8Array; readonly sender: Uint8Array }>): number {
    const before = this.#byId.size;
    const touched = new Set<Chain>();
    for (const { id, sender } of finalized) {
      const chain = this.#chains.get(keyOf(sender));
      if (chain !== undefined) touched.add(chain);
      const e = this.#byId.get(keyOf(id));
      if (e !== undefined) this.#drop(e);
    }
    for (const chain of touched) {
      const base = this.#nonceOf(chain.sender);
      for (const e of [...chain.txs.values()]) if (e.nonce < base) this.#drop(e);
      if (chain.next < base) chain.next = base;
      if (this.#chains.has(chain.key)) {
        this.#putView(chain);
        if (!chain.inFlight && chain.txs.get(chain.next)?.status === "waiting") this.#ready.add(chain);
      }
    }
    return before - this.#byId.size;
  }

  /** Make the pending view's changes visible to readers (a batching point). */
  publish(): void {
    this.#lr.flush();
  }

  reader(): PendingReader {
    return this.#lr.reader();
  }

  get readSpec(): MempoolReadSpec | undefined {
    return this.#shared === undefined ? undefined : { leftRight: this.#shared.spec };
  }

  get sharedLeftRight(): SharedLeftRight<AccountTable, TableOp> | undefined {
    return this.#shared;
  }

  #newChain(sender: Uint8Array, key: string, next: bigint): Chain {
    const chain: Chain = {
      sender: sender.slice(),
      key,
      txs: new Map(),
      next,
      pendingDebit: 0n,
      inFlight: false,
    };
    this.#chains.set(key, chain);
    return chain;
  }

  #evictionCandidate(): Entry | undefined {
    let best: Entry | undefined;
    for (const chain of this.#chains.values()) {
      let tail: Entry | undefined;
      for (const e of chain.txs.values()) if (tail === undefined || e.nonce > tail.nonce) tail = e;
      if (tail === undefined || tail.status !== "waiting") continue;
      if (best === undefined || tail.fee < best.fee) best = tail;
    }
    return best;
  }

  /** Remove one entry, keeping the chain's debit, flight flag and the pending view consistent. */
  #drop(e: Entry): void {
    const chain = e.chain;
    this.#byId.delete(e.key);
    chain.txs.delete(e.nonce);
    if (e.status === "validated") {
      chain.pendingDebit -= e.debit;
      this.#putView(chain);
    }
    if (e.status === "released") chain.inFlight = false;
    if (chain.txs.size === 0) {
      this.#chains.delete(chain.key);
      this.#ready.delete(chain);
      if (this.#inTable.has(chain.key)) {
        this.#lr.append({ kind: "put", address: chain.sender, balance: 0n, nonce: 0n });
      }
    }
  }

  #putView(chain: Chain): void {
    if (!this.#inTable.has(chain.key)) {
      if (this.#inTable.size >= this.#tableLimit) this.#compact();
      this.#inTable.add(chain.key);
    }
    this.#lr.append({ kind: "put", address: chain.sender, balance: chain.pendingDebit, nonce: chain.next });
  }

  /** Rebuild the reader table from live chains only: senders with nothing pending are forgotten. */
  #compact(): void {
    this.#inTable.clear();
    this.#lr.append({ kind: "clear" });
    for (const c of this.#chains.values()) {
      this.#inTable.add(c.key);
      this.#lr.append({ kind: "put", address: c.sender, balance: c.pendingDebit, nonce: c.next });
    }
  }
}
