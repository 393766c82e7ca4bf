/**
 * Batches (ARCHITECTURE.md "WAN consensus" steps 1 and 3; seed 001 "Maglev's Hash Ring" and "the entrypoint
 * quorum ... sequence interdependent transactions"): who batches a sender, how a batch is cut and chained,
 * who validates it, and the verdict bitmap.
 *
 * - A sender's batcher is the quorum member Maglev maps the sender's address to, over the member ids (the
 *   same rule every member computes): one sender's transactions are sequenced in one place.
 * - The batcher releases a sender's transfers only in nonce order with no gaps (the mempool's dependency
 *   graph: a transfer waits for its predecessor), cuts a batch at `maxTxs` or when the oldest waiting
 *   transfer is `maxDelayMs` old, and chains it: batch k+1 names batch k's digest.
 * - A batch goes to the members ranked first by H(digest ‖ member id); more are taken from the same ranking
 *   when shares are late or disagree, so the choice is verifiable and not the batcher's to bias.
 */
import { hexOf } from "../encoding/hex.ts";
import { compareBytes, equalBytes } from "../../crypto/bytes.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { buildMaglevTable, type MaglevTable, nextPrime } from "../../maglev/maglev.ts";
import type { TransferEnvelope } from "../../tx/transfer.ts";
import { type Batch, BatchCodec, MAX_BATCH_TXS } from "./batch-messages.ts";

export const ZERO_DIGEST: Uint8Array = new Uint8Array(32);

/** The digest a batch is certified under. */
export function batchDigest(batch: Batch): Uint8Array {
  return taggedHash("lattice/wan/batch", BatchCodec.encode(batch));
}

/** Bitmap of verdicts: bit i set = transaction i valid. Length ceil(n / 8); unused high bits zero. */
export function encodeBitmap(verdicts: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(verdicts.length / 8));
  verdicts.forEach((v, i) => {
    if (v) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

/** Verdicts of a bitmap for `n` transactions, or null if its length or padding bits are wrong. */
export function decodeBitmap(bitmap: Uint8Array, n: number): boolean[] | null {
  if (bitmap.length !== Math.ceil(n / 8)) return null;
  if (n % 8 !== 0 && bitmap.length > 0 && bitmap[bitmap.length - 1]! >> (n % 8) !== 0) return null;
  return Array.from({ length: n }, (_, i) => ((bitmap[i >> 3]! >> (i & 7)) & 1) === 1);
}

/** Maps sender addresses to the member that batches them, for one quorum in one epoch. */
export class BatcherMap {
  private readonly table: MaglevTable;
  private readonly byHex: Map<string, number>;

  /** `members`: the quorum's member ids (32 bytes each) in threshold-index order. */
  constructor(readonly members: readonly Uint8Array[]) {
    // 100 slots per member keeps each member's share of senders within ~1% (core-anchors.md §3.1).
    this.table = buildMaglevTable(members, nextPrime(Math.max(101, 100 * members.length)));
    this.byHex = new Map(members.map((m, i) => [hexOf(m), i]));
  }

  /** Index (into `members`) of the sender's batcher. */
  batcherOf(sender: Uint8Array): number {
    const id = this.table.quorums[this.table.lookup(sender)]!;
    return this.byHex.get(hexOf(id))!;
  }
}

/** The members (indices into `members`) ranked for validating the batch `digest`, best first. */
export function rankValidators(members: readonly Uint8Array[], digest: Uint8Array): number[] {
  const ranked = members.map((m, i) => ({ i, h: taggedHash("lattice/wan/validator-rank", digest, m) }));
  ranked.sort((a, b) => compareBytes(a.h, b.h) || a.i - b.i);
  return ranked.map((r) => r.i);
}

export interface BatcherOptions {
  readonly epoch: number;
  readonly quorum: Uint8Array;
  readonly batcher: Uint8Array;
  /** B: a batch is cut as soon as this many transfers are ready (at most MAX_BATCH_TXS). */
  readonly maxTxs: number;
  /** D: a batch is cut when its oldest ready transfer has waited this long. */
  readonly maxDelayMs: number;
}

interface Waiting {
  readonly env: TransferEnvelope;
  readonly at: number;
}

/**
 * One member's batcher: holds the transfers of the senders mapped to it, releases them in nonce order and
 * cuts chained batches. `nextNonce(senderHex)` is the pending view's expected nonce for a sender.
 */
export class Batcher {
  private seq = 0;
  private prev: Uint8Array = ZERO_DIGEST;
  /** sender hex -> nonce -> waiting transfer. */
  private readonly waiting = new Map<string, Map<bigint, Waiting>>();
  /** sender hex -> next nonce to batch (ahead of the pending view while batches await certificates). */
  private readonly batched = new Map<string, bigint>();

  constructor(
    private readonly options: BatcherOptions,
    private readonly nextNonce: (senderHex: string) => bigint,
  ) {
    if (!Number.isSafeInteger(options.maxTxs) || options.maxTxs < 1 || options.maxTxs > MAX_BATCH_TXS) {
      throw new RangeError(`maxTxs: 1..${MAX_BATCH_TXS}, got ${options.maxTxs}`);
    }
  }

  /** The digest the next batch will name as `prev`. */
  get head(): { seq: number; prev: Uint8Array } {
    return { seq: this.seq, prev: this.prev };
  }

  private expected(senderHex: string): bigint {
    const v = this.nextNonce(senderHex);
    const b = this.batched.get(senderHex);
    return b !== undefined && b > v ? b : v;
  }

  /** Queue a transfer (duplicates of a waiting nonce keep the first). Returns false if already stale. */
  add(env: TransferEnvelope, now: number): boolean {
    const k = hexOf(env.sender);
    if (env.tx.nonce < this.expected(k)) return false;
    let m = this.waiting.get(k);
    if (m === undefined) {
      m = new Map();
      this.waiting.set(k, m);
    }
    if (!m.has(env.tx.nonce)) m.set(env.tx.nonce, { env, at: now });
    return true;
  }

  /** Transfers ready to go (consecutive from each sender's expected nonce), oldest arrival first. */
  private ready(): Waiting[] {
    const out: Waiting[] = [];
    for (const [k, m] of this.waiting) {
      for (const nonce of [...m.keys()]) if (nonce < this.expected(k)) m.delete(nonce);
      let n = this.expected(k);
      for (let w = m.get(n); w !== undefined; w = m.get(n)) {
        out.push(w);
        n++;
      }
    }
    return out;
  }

  /** Earliest time the delay rule cuts a batch, or null if nothing is ready. */
  dueAt(): number | null {
    const r = this.ready();
    if (r.length === 0) return null;
    return Math.min(...r.map((w) => w.at)) + this.options.maxDelayMs;
  }

  /** Cut a batch if `maxTxs` transfers are ready or the oldest is due (or `force`); else null. */
  cut(now: number, force = false): Batch | null {
    const ready = this.ready();
    if (ready.length === 0) return null;
    const due = Math.min(...ready.map((w) => w.at)) + this.options.maxDelayMs <= now;
    if (!force && !due && ready.length < this.options.maxTxs) return null;
    // Keep each sender's nonce order: take whole prefixes in sender order until the batch is full.
    const bySender = new Map<string, Waiting[]>();
    for (const w of ready) {
      const k = hexOf(w.env.sender);
      const xs = bySender.get(k) ?? [];
      xs.push(w);
      bySender.set(k, xs);
    }
    const txs: Uint8Array[] = [];
    for (const [k, xs] of [...bySender.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const m = this.waiting.get(k)!;
      for (const w of xs) {
        if (txs.length >= this.options.maxTxs) break;
        txs.push(w.env.bytes);
        m.delete(w.env.tx.nonce);
        this.batched.set(k, w.env.tx.nonce + 1n);
      }
      if (m.size === 0) this.waiting.delete(k);
    }
    const batch: Batch = {
      epoch: this.options.epoch,
      quorum: this.options.quorum,
      batcher: this.options.batcher,
      seq: this.seq,
      prev: this.prev,
      txs,
    };
    this.seq++;
    this.prev = batchDigest(batch);
    return batch;
  }

  /**
   * A certificate marked some of this batcher's transfers invalid: forget what it batched for those
   * senders, so their next nonces come from the pending view again.
   */
  resync(senderHexes: Iterable<string>): void {
    for (const k of senderHexes) this.batched.delete(k);
  }

  /** Number of transfers waiting (ready or not). */
  size(): number {
    let n = 0;
    for (const m of this.waiting.values()) n += m.size;
    return n;
  }
}

/** True iff `batch` directly follows the batch whose digest is `prevDigest` (or starts the chain). */
export function chainsOnto(batch: Batch, prevDigest: Uint8Array | null): boolean {
  return batch.seq === 0
    ? equalBytes(batch.prev, ZERO_DIGEST)
    : prevDigest !== null && equalBytes(batch.prev, prevDigest);
}
