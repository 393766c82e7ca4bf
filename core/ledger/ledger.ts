/**
 * The node's application state machine below consensus: mempool + state store + validator unit + a
 * durable transaction index (ARCHITECTURE "Stores", "Node, API, devnet"). Everything a client touches
 * goes through here; consensus only decides *which* transactions are final, in which order, and calls
 * `applyFinalized`.
 *
 * Lifecycle of a transaction:
 *   submit(bytes) -- door checks (shape, chain, signature, duplicate, sender, nonce, balance, mempool) --
 *     rejected: a Rejection, nothing stored, nothing changed;
 *     accepted: written to the ledger database (group commit) and only THEN acknowledged -> "pending";
 *   validatePending()  mempool releases each sender's next nonce to the validator unit; an invalid
 *                      verdict -> "rejected" (durably), a valid one waits for a block;
 *   markCertified(ids) (consensus pipeline) -> "certified";
 *   applyFinalized(round, txs) re-checks each transaction in block order (apply-block.ts), records the
 *     block and every outcome, commits the state round, then removes them from the mempool -> "final" or
 *     "rejected" with the reason; pending transactions whose nonce the new state passed -> TX_SUPERSEDED.
 *
 * Durability ("nothing acknowledged is lost", reliability-anchors §1): an acknowledged transaction is in
 * the ledger database. On `open`, blocks recorded after the state's last committed round (a crash between
 * the two writes) are undone, and every pending transaction is put back into the mempool; so after any
 * crash each acknowledged transaction is pending, final or rejected with a reason, never missing.
 *
 * One writer: validatePending, applyFinalized, produceLocal and setBalance run one at a time (an internal
 * queue); submit may run at any time. The clock is injected; nothing here reads the wall clock.
 */
import { isLatticeError } from "../errors/lattice-error.ts";
import { Mempool } from "../mempool/mempool.ts";
import type { MempoolError } from "../mempool/mempool-error.ts";
import type { Account } from "../state/account-table.ts";
import type { StateStore } from "../state/state-store.ts";
import {
  MAX_TRANSFER_BYTES,
  openTransfer,
  type Transfer,
  type TransferEnvelope,
  transferId,
  verifyTransferSignature,
} from "../tx/transfer.ts";
import type { Verdict } from "../validator/validate-transfers.ts";
import { InlineValidator, type Validator } from "../validator/validator.ts";
import { DoorCheckedValidator } from "./door-checked-validator.ts";
import { type ApplyContext, applyBlock, type BlockTx, type TxOutcome } from "./apply-block.ts";
import { LedgerError } from "./ledger-error.ts";
import type { LedgerEvent, LedgerListener } from "./ledger-events.ts";
import type { AcceptedTx, BlockRecord, BlockTxRecord, LedgerStore, TxStatusName } from "./ledger-store.ts";
import { type Rejection, type RejectionCode, rejection, rejectionOfVerdict } from "./rejection.ts";

const ZERO_ROOT = new Uint8Array(32);

export interface LedgerOptions {
  readonly chainId: number;
  /** Opened by the caller; the ledger owns it from here on (closes it). */
  readonly state: StateStore;
  /** Opened by the caller; the ledger owns it from here on (closes it). */
  readonly store: LedgerStore;
  /** Milliseconds for timestamps only; never used for decisions. */
  readonly clock: { now(): number };
  /** 20-byte address credited with fees. */
  readonly feeRecipient: Uint8Array;
  readonly mempoolCapacity?: number;
  readonly maxNonceGap?: number;
  /** The validator unit; default DoorCheckedValidator (signatures were verified by submit). Built with the ledger's mempool. */
  readonly validator?: (mempool: Mempool, state: StateStore) => Validator;
  /** Most transactions released to the validator per call (default 1024). */
  readonly validateBatch?: number;
  readonly onEvent?: LedgerListener;
}

/** The answer to a submission. */
export type SubmitOutcome =
  | { readonly ok: true; readonly id: Uint8Array }
  | { readonly ok: false; readonly id: Uint8Array | null; readonly rejection: Rejection };

/** What `status` reports. */
export interface TxStatus {
  readonly id: Uint8Array;
  readonly status: TxStatusName;
  readonly round: bigint | null;
  readonly rejection: Rejection | null;
  readonly acceptedAt: number;
  readonly updatedAt: number;
  /** The transaction, decoded (null if the stored bytes do not decode: a foreign block's garbage). */
  readonly tx: Transfer | null;
}

/** A transaction of a finalized block: its bytes, or the id of one this node already holds. */
export type FinalizedTx = { readonly bytes: Uint8Array } | { readonly id: Uint8Array };

/** The result of applying a round. */
export interface AppliedRound {
  readonly round: bigint;
  readonly root: Uint8Array;
  readonly final: readonly Uint8Array[];
  readonly rejected: readonly { readonly id: Uint8Array; readonly rejection: Rejection }[];
}

interface Held {
  readonly env: TransferEnvelope;
  readonly senderKey: string;
}

interface Queued {
  readonly row: AcceptedTx;
  readonly held: Held;
  readonly resolve: (o: SubmitOutcome) => void;
}

function keyOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

function mempoolRejection(err: MempoolError): Rejection {
  const d = err.details;
  switch (err.code) {
    case "MEMPOOL_DUPLICATE":
      return rejection("TX_DUPLICATE", "transaction already pending");
    case "MEMPOOL_NONCE_TOO_LOW":
      return rejection("TX_NONCE_TOO_LOW", err.message, {
        nonce: String(d.nonce),
        expected: String(d.next),
      });
    case "MEMPOOL_NONCE_TAKEN":
      return rejection("TX_NONCE_TAKEN", err.message);
    case "MEMPOOL_NONCE_GAP":
      return rejection("TX_NONCE_GAP", err.message, { nonce: String(d.nonce), expected: String(d.next) });
    case "MEMPOOL_FULL":
      return rejection("TX_MEMPOOL_FULL", err.message, {
        capacity: Number(d.capacity),
        minFee: d.minFee === null || d.minFee === undefined ? null : String(d.minFee),
      });
    default:
      throw err;
  }
}

export class Ledger {
  readonly chainId: number;
  readonly #state: StateStore;
  readonly #store: LedgerStore;
  readonly #clock: { now(): number };
  readonly #feeRecipient: Uint8Array;
  readonly #mempool: Mempool;
  readonly #validator: Validator;
  readonly #validateBatch: number;
  readonly #listeners = new Set<LedgerListener>();
  /** Accepted, not yet final or rejected; by id key. */
  readonly #held = new Map<string, Held>();
  readonly #bySender = new Map<string, Set<string>>();
  /** Validated and waiting for a block, in validation order. */
  readonly #validated = new Map<string, TransferEnvelope>();
  #queue: Queued[] = [];
  #evictedQueued: { id: Uint8Array; code: RejectionCode; message: string }[] = [];
  #flushScheduled = false;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  #fallback: InlineValidator | undefined;

  private constructor(options: LedgerOptions) {
    const { chainId } = options;
    if (!Number.isInteger(chainId) || chainId < 0 || chainId > 0xffff_ffff) {
      throw new LedgerError("LEDGER_BAD_ARGUMENT", `chainId: u32 expected, got ${chainId}`);
    }
    if (!(options.feeRecipient instanceof Uint8Array) || options.feeRecipient.length !== 20) {
      throw new LedgerError("LEDGER_BAD_ARGUMENT", "feeRecipient: 20-byte address expected");
    }
    this.chainId = chainId;
    this.#state = options.state;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#feeRecipient = options.feeRecipient.slice();
    this.#validateBatch = options.validateBatch ?? 1024;
    this.#mempool = new Mempool({
      capacity: options.mempoolCapacity ?? 10_000,
      nonceOf: (sender) => this.#state.getAccount(sender)?.nonce ?? 0n,
      ...(options.maxNonceGap === undefined ? {} : { maxNonceGap: options.maxNonceGap }),
    });
    // Default: no second signature check; every mempool entry passed submit's (door-checked-validator.ts).
    this.#validator =
      options.validator?.(this.#mempool, this.#state) ??
      new DoorCheckedValidator({ chainId, state: this.#state, mempool: this.#mempool });
    if (options.onEvent !== undefined) this.#listeners.add(options.onEvent);
  }

  /**
   * Open the ledger over an opened state store and ledger store, and recover: undo blocks the state never
   * committed, fill a root left unset by a crash, then put every pending transaction back in the mempool.
   */
  static open(options: LedgerOptions): Ledger {
    const ledger = new Ledger(options);
    ledger.#recover();
    return ledger;
  }

  #recover(): void {
    const state = this.#state;
    const store = this.#store;
    const last = store.lastRound();
    if (last !== null && last > state.round) store.revertAfter(state.round);
    const block = store.block(state.round);
    if (block === null) {
      store.recordBlock(
        {
          round: state.round,
          root: state.root,
          time: this.#clock.now(),
          txCount: 0,
          rejectedCount: 0,
          note: state.round === 0n ? "genesis" : "recovered",
        },
        [],
      );
    } else if (Buffer.compare(block.root, ZERO_ROOT) === 0) {
      store.setRoot(state.round, state.root);
    }
    const dropped: { id: Uint8Array; code: RejectionCode; message: string }[] = [];
    for (const rec of store.pending()) {
      let env: TransferEnvelope;
      try {
        env = openTransfer(rec.bytes);
      } catch (err) {
        if (!isLatticeError(err)) throw err;
        dropped.push({ id: rec.id, code: "TX_DECODE", message: err.message });
        continue;
      }
      try {
        const { evicted } = this.#mempool.submit(env);
        for (const id of evicted) this.#evict(id, dropped);
        this.#hold(env);
      } catch (err) {
        if (!isLatticeError(err) || !err.code.startsWith("MEMPOOL_")) throw err;
        const r = mempoolRejection(err as MempoolError);
        // Its nonce was passed by a finalized round while it sat on disk.
        const code: RejectionCode = r.code === "TX_NONCE_TOO_LOW" ? "TX_SUPERSEDED" : r.code;
        dropped.push({ id: rec.id, code, message: r.message });
      }
    }
    store.recordRejected(dropped, this.#clock.now());
    this.#mempool.publish();
  }

  /** Register a listener; returns the function that removes it. */
  subscribe(listener: LedgerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: LedgerEvent): void {
    for (const l of this.#listeners) l(event);
  }

  /** Last committed round. */
  get round(): bigint {
    return this.#state.round;
  }

  /** State root of the last committed round. */
  get root(): Uint8Array {
    return this.#state.root;
  }

  /** Transactions in the mempool (accepted, not yet final or rejected). */
  get mempoolSize(): number {
    return this.#mempool.size;
  }

  get mempoolCapacity(): number {
    return this.#mempool.capacity;
  }

  /** The state store (read-only use: proofs, account listing). */
  get state(): StateStore {
    return this.#state;
  }

  /** The finalized account, or null. */
  account(address: Uint8Array): Account | null {
    return this.#state.getAccount(address);
  }

  /** The nonce a new transaction of `sender` should carry: after every finalized and pending one. */
  nextNonce(sender: Uint8Array): bigint {
    let next = this.#state.getAccount(sender)?.nonce ?? 0n;
    const ids = this.#bySender.get(keyOf(sender));
    if (ids === undefined) return next;
    // Only a contiguous run counts: a transaction waiting behind a gap does not move the next nonce.
    const nonces = new Set<bigint>();
    for (const k of ids) {
      const h = this.#held.get(k);
      if (h !== undefined) nonces.add(h.env.tx.nonce);
    }
    while (nonces.has(next)) next++;
    return next;
  }

  /** What the index knows about `id`, or null if it was never accepted. */
  status(id: Uint8Array): TxStatus | null {
    const rec = this.#store.get(id);
    if (rec === null) {
      // Accepted in this tick but not yet flushed: not acknowledged yet either, so not visible.
      return null;
    }
    let tx: Transfer | null = null;
    try {
      tx = openTransfer(rec.bytes).tx;
    } catch {
      tx = null;
    }
    return {
      id: rec.id,
      status: rec.status,
      round: rec.round,
      rejection: rec.code === null ? null : rejection(rec.code, rec.message ?? rec.code),
      acceptedAt: rec.acceptedAt,
      updatedAt: rec.updatedAt,
      tx,
    };
  }

  block(round: bigint): { block: BlockRecord; txs: BlockTxRecord[] } | null {
    const block = this.#store.block(round);
    return block === null ? null : { block, txs: this.#store.blockTxs(round) };
  }

  blocks(limit: number, before?: bigint): BlockRecord[] {
    return this.#store.blocks(limit, before);
  }

  counts(): Record<TxStatusName, number> {
    return this.#store.counts();
  }

  /**
   * Submit canonical transfer bytes. Resolves once the transaction is durably recorded (accepted) or
   * with the reason it was refused; a refusal changes nothing. Never rejects the promise for bad input.
   */
  submit(bytes: Uint8Array): Promise<SubmitOutcome> {
    const refused = (id: Uint8Array | null, r: Rejection): Promise<SubmitOutcome> =>
      Promise.resolve({ ok: false, id, rejection: r });
    if (this.#closed) return Promise.reject(new LedgerError("LEDGER_CLOSED", "ledger closed"));
    if (bytes.length > MAX_TRANSFER_BYTES) {
      return refused(null, rejection("TX_TOO_LARGE", `a transfer is at most ${MAX_TRANSFER_BYTES} bytes`));
    }
    let env: TransferEnvelope;
    try {
      env = openTransfer(bytes.slice());
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      const field = typeof err.details.field === "string" ? err.details.field : null;
      return refused(null, rejection("TX_DECODE", err.message, { field }));
    }
    const { tx, id, sender } = env;
    if (tx.chainId !== this.chainId) {
      return refused(id, rejection("TX_CHAIN", `chain id ${tx.chainId}, this chain is ${this.chainId}`));
    }
    // Duplicates first: the id is the hash of these exact bytes, signature included, so a transaction
    // we hold or recorded already passed this door; re-forwarded copies no longer cost a verify.
    const idKey = keyOf(id);
    if (this.#held.has(idKey)) return refused(id, rejection("TX_DUPLICATE", "transaction already pending"));
    const known = this.#store.get(id);
    if (known !== null && known.status !== "rejected") {
      return refused(id, rejection("TX_DUPLICATE", `transaction already ${known.status}`));
    }
    if (!verifyTransferSignature(tx)) {
      return refused(id, rejection("TX_SIGNATURE", "signature does not verify under `from`"));
    }
    const account = this.#state.getAccount(sender);
    if (account === null) {
      return refused(id, rejection("TX_SENDER_UNKNOWN", "sender account does not exist (never funded)"));
    }
    if (tx.nonce < account.nonce) {
      return refused(
        id,
        rejection("TX_NONCE_TOO_LOW", `nonce ${tx.nonce} is below the account's nonce ${account.nonce}`, {
          nonce: tx.nonce.toString(),
          expected: account.nonce.toString(),
        }),
      );
    }
    const available = account.balance - this.#mempool.pendingOf(sender).debit;
    if (tx.amount + tx.fee > available) {
      return refused(
        id,
        rejection("TX_BALANCE", `amount + fee ${tx.amount + tx.fee} exceeds the available ${available}`, {
          available: (available < 0n ? 0n : available).toString(),
        }),
      );
    }
    let evicted: readonly Uint8Array[];
    try {
      evicted = this.#mempool.submit(env).evicted;
    } catch (err) {
      if (!isLatticeError(err) || !err.code.startsWith("MEMPOOL_")) throw err;
      return refused(id, mempoolRejection(err as MempoolError));
    }
    for (const e of evicted) this.#evict(e, this.#evictedQueued);
    const held = this.#hold(env);
    return new Promise<SubmitOutcome>((resolve) => {
      this.#queue.push({ row: { id, bytes: env.bytes, at: this.#clock.now() }, held, resolve });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // One write for every submission of this event-loop turn (group commit).
        setImmediate(() => this.flush());
      }
    });
  }

  /** Write queued acceptances durably and acknowledge them. Called by itself; callable to force it. */
  flush(): void {
    this.#flushScheduled = false;
    const queue = this.#queue;
    const evicted = this.#evictedQueued;
    if (queue.length === 0 && evicted.length === 0) return;
    this.#queue = [];
    this.#evictedQueued = [];
    const at = this.#clock.now();
    try {
      this.#store.recordAccepted(queue.map((q) => q.row));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#mempool.removeFinalized(queue.map((q) => ({ id: q.held.env.id, sender: q.held.env.sender })));
      for (const q of queue) {
        this.#unhold(keyOf(q.held.env.id));
        q.resolve({ ok: false, id: q.row.id, rejection: rejection("TX_PERSIST", message) });
      }
      this.#emit({ type: "fault", code: "LEDGER_PERSIST", message, at });
      return;
    }
    for (const q of queue) {
      this.#emit({
        type: "tx.accepted",
        id: q.row.id,
        sender: q.held.env.sender,
        nonce: q.held.env.tx.nonce,
        at,
        bytes: q.row.bytes,
      });
      q.resolve({ ok: true, id: q.row.id });
    }
    this.#recordRejections(evicted, null);
  }

  #hold(env: TransferEnvelope): Held {
    const senderKey = keyOf(env.sender);
    const held = { env, senderKey };
    const idKey = keyOf(env.id);
    this.#held.set(idKey, held);
    let set = this.#bySender.get(senderKey);
    if (set === undefined) {
      set = new Set();
      this.#bySender.set(senderKey, set);
    }
    set.add(idKey);
    return held;
  }

  #unhold(idKey: string): void {
    const h = this.#held.get(idKey);
    if (h === undefined) return;
    this.#held.delete(idKey);
    this.#validated.delete(idKey);
    const set = this.#bySender.get(h.senderKey);
    set?.delete(idKey);
    if (set?.size === 0) this.#bySender.delete(h.senderKey);
  }

  #evict(id: Uint8Array, into: { id: Uint8Array; code: RejectionCode; message: string }[]): void {
    this.#unhold(keyOf(id));
    into.push({ id, code: "TX_EVICTED", message: "evicted from the full mempool by a higher fee" });
  }

  #recordRejections(
    rows: readonly { id: Uint8Array; code: RejectionCode; message: string }[],
    round: null,
  ): void {
    if (rows.length === 0) return;
    const at = this.#clock.now();
    this.#store.recordRejected(rows, at);
    for (const r of rows) {
      this.#emit({ type: "tx.rejected", id: r.id, round, rejection: rejection(r.code, r.message), at });
    }
  }

  #exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.#closed) return Promise.reject(new LedgerError("LEDGER_CLOSED", "ledger closed"));
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Run the validator unit over everything the mempool can release (each sender's next nonce, repeatedly).
   * Invalid transactions become rejected (durably); valid ones wait for `takeValidated`. Returns how many
   * were validated as ok.
   */
  validatePending(): Promise<number> {
    return this.#exclusive(() => this.#validatePending());
  }

  async #validatePending(): Promise<number> {
    this.flush();
    let ok = 0;
    for (;;) {
      const released = this.#mempool.release(this.#validateBatch);
      if (released.length === 0) break;
      this.#mempool.publish();
      const batch = released.map((e) => e.bytes);
      let verdicts: Verdict[];
      try {
        verdicts = await this.#validator.validate(batch);
      } catch (err) {
        // A dead worker pool must not strand released transactions: the same rules, on this thread.
        const message = err instanceof Error ? err.message : String(err);
        this.#emit({ type: "fault", code: "VALIDATOR_FAILED", message, at: this.#clock.now() });
        this.#fallback ??= new InlineValidator({
          chainId: this.chainId,
          state: this.#state,
          mempool: this.#mempool,
        });
        verdicts = await this.#fallback.validate(batch);
      }
      const bad: { id: Uint8Array; code: RejectionCode; message: string }[] = [];
      for (const [i, env] of released.entries()) {
        const v = verdicts[i] ?? "decode";
        const idKey = keyOf(env.id);
        // A transaction may have left the pool meanwhile (it cannot under the writer queue; be safe).
        if (!this.#mempool.has(env.id)) continue;
        this.#mempool.markValidated(env.id, v === "ok");
        if (v === "ok") {
          this.#validated.set(idKey, env);
          ok++;
        } else {
          this.#unhold(idKey);
          const r = rejectionOfVerdict(v);
          bad.push({ id: env.id, code: r.code, message: r.message });
        }
      }
      this.#mempool.publish();
      this.#recordRejections(bad, null);
    }
    return ok;
  }

  /** Validated transactions waiting for a block, oldest first (they stay until applied or dropped). */
  takeValidated(max: number): TransferEnvelope[] {
    const out: TransferEnvelope[] = [];
    for (const env of this.#validated.values()) {
      if (out.length >= max) break;
      out.push(env);
    }
    return out;
  }

  /** Consensus hook: these pending transactions are in a certified batch. Unknown ids are ignored. */
  markCertified(ids: readonly Uint8Array[]): void {
    const known = ids.filter((id) => this.#held.has(keyOf(id)));
    const at = this.#clock.now();
    this.#store.recordCertified(known, at);
    for (const id of known) this.#emit({ type: "tx.certified", id, at });
  }

  /**
   * Apply a finalized block: `round` must be the next round. Each transaction is re-checked in order
   * (apply-block.ts); the block and all outcomes are recorded, the state round committed, the mempool
   * cleaned. Throws LedgerError on a wrong round or an unknown id (nothing changes).
   */
  applyFinalized(round: bigint, txs: readonly FinalizedTx[]): Promise<AppliedRound> {
    return this.#exclusive(() => this.#apply(round, txs, null));
  }

  /**
   * Single-node dev mode (SoloProducer): validate what is pending and apply up to `maxTxs` validated
   * transactions as the next round. Returns null when there is nothing to apply and `allowEmpty` is false.
   */
  produceLocal(options: { maxTxs: number; allowEmpty: boolean }): Promise<AppliedRound | null> {
    return this.#exclusive(async () => {
      await this.#validatePending();
      const txs = this.takeValidated(options.maxTxs);
      if (txs.length === 0 && !options.allowEmpty) return null;
      return this.#apply(
        this.#state.round + 1n,
        txs.map((env) => ({ id: env.id })),
        txs.length === 0 ? "empty" : null,
      );
    });
  }

  /** Dev cheat (solo mode only): set an account's balance, as a round of its own. Returns the round. */
  setBalance(address: Uint8Array, balance: bigint): Promise<AppliedRound> {
    return this.#exclusive(() => {
      const round = this.#state.round + 1n;
      const nonce = this.#state.getAccount(address)?.nonce ?? 0n;
      const time = this.#clock.now();
      this.#store.recordBlock(
        { round, root: ZERO_ROOT, time, txCount: 0, rejectedCount: 0, note: "cheat:set-balance" },
        [],
      );
      try {
        this.#state.commitRound(round, [{ address, balance, nonce }]);
      } catch (err) {
        this.#store.revertAfter(round - 1n);
        throw err;
      }
      const root = this.#state.root;
      this.#store.setRoot(round, root);
      this.#emit({
        type: "round",
        round,
        root,
        txCount: 0,
        rejectedCount: 0,
        note: "cheat:set-balance",
        at: time,
      });
      return { round, root, final: [], rejected: [] };
    });
  }

  #resolve(tx: FinalizedTx): BlockTx {
    if ("bytes" in tx) {
      const held = this.#held.get(keyOf(transferId(tx.bytes)));
      return held === undefined ? { bytes: tx.bytes } : { env: held.env, signatureChecked: true };
    }
    const held = this.#held.get(keyOf(tx.id));
    if (held !== undefined) return { env: held.env, signatureChecked: true };
    const rec = this.#store.get(tx.id);
    if (rec === null) {
      throw new LedgerError("LEDGER_UNKNOWN_TX", "a finalized block names an unknown transaction id", {
        details: { id: Buffer.from(tx.id).toString("hex") },
      });
    }
    return { bytes: rec.bytes };
  }

  async #apply(round: bigint, txs: readonly FinalizedTx[], note: string | null): Promise<AppliedRound> {
    if (round !== this.#state.round + 1n) {
      throw new LedgerError(
        "LEDGER_ROUND_ORDER",
        `round ${round} is not the next round ${this.#state.round + 1n}`,
      );
    }
    this.flush();
    const blockTxs = txs.map((t) => this.#resolve(t));
    const ctx: ApplyContext = {
      chainId: this.chainId,
      getAccount: (a) => this.#state.getAccount(a),
      isFinal: (id) => this.#store.get(id)?.status === "final",
      feeRecipient: this.#feeRecipient,
      accountsLeft: this.#state.capacity - this.#state.accountCount,
    };
    const { changes, outcomes } = applyBlock(blockTxs, ctx);
    const time = this.#clock.now();
    const rejectedCount = outcomes.filter((o) => o.rejection !== null).length;
    this.#store.recordBlock(
      { round, root: ZERO_ROOT, time, txCount: outcomes.length, rejectedCount, note },
      outcomes.map((o) => ({
        id: o.id,
        bytes: o.bytes,
        code: o.rejection?.code ?? null,
        message: o.rejection?.message ?? null,
        keepIndex: o.duplicate,
      })),
    );
    try {
      this.#state.commitRound(round, changes);
    } catch (err) {
      this.#store.revertAfter(round - 1n);
      const message = err instanceof Error ? err.message : String(err);
      this.#emit({ type: "fault", code: isLatticeError(err) ? err.code : "STATE_COMMIT", message, at: time });
      throw err;
    }
    const root = this.#state.root;
    this.#store.setRoot(round, root);
    return this.#settle(round, root, outcomes, time, note);
  }

  #settle(
    round: bigint,
    root: Uint8Array,
    outcomes: readonly TxOutcome[],
    time: number,
    note: string | null,
  ): AppliedRound {
    const inBlock = outcomes.filter((o) => o.sender !== null) as (TxOutcome & { sender: Uint8Array })[];
    this.#mempool.removeFinalized(inBlock.map((o) => ({ id: o.id, sender: o.sender })));
    const senders = new Set<string>();
    for (const o of outcomes) {
      this.#unhold(keyOf(o.id));
      if (o.sender !== null) senders.add(keyOf(o.sender));
    }
    // The mempool dropped pending transactions whose nonce the new state passed; they lost.
    const superseded: { id: Uint8Array; code: RejectionCode; message: string }[] = [];
    for (const s of senders) {
      for (const idKey of [...(this.#bySender.get(s) ?? [])]) {
        const h = this.#held.get(idKey);
        if (h === undefined || this.#mempool.has(h.env.id)) continue;
        this.#unhold(idKey);
        superseded.push({ id: h.env.id, code: "TX_SUPERSEDED", message: `round ${round} passed its nonce` });
      }
    }
    this.#mempool.publish();
    const final: Uint8Array[] = [];
    const rejected: { id: Uint8Array; rejection: Rejection }[] = [];
    for (const o of outcomes) {
      if (o.rejection === null) {
        final.push(o.id);
        this.#emit({ type: "tx.final", id: o.id, round, at: time });
      } else if (!o.duplicate) {
        rejected.push({ id: o.id, rejection: o.rejection });
        this.#emit({ type: "tx.rejected", id: o.id, round, rejection: o.rejection, at: time });
      }
    }
    this.#emit({
      type: "round",
      round,
      root,
      txCount: outcomes.length,
      rejectedCount: outcomes.length - final.length,
      note,
      at: time,
    });
    this.#recordRejections(superseded, null);
    return { round, root, final, rejected };
  }

  /** Finish queued work, then close the validator and both stores. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#tail;
    this.flush();
    this.#closed = true;
    await this.#validator.close();
    await this.#fallback?.close();
    this.#store.close();
    this.#state.close();
  }
}
