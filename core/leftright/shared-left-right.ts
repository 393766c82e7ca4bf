/**
 * The shared left-right, across Bun Workers (seed 001, "Left-Right Mempool" / "Left-Right Wrapped State
 * Database"; protocol of jonhoo/left-right mapped to SharedArrayBuffer + Atomics, research/core-anchors.md
 * §2.2). One writer (the thread that built the `SharedLeftRight`) and any number of readers, each holding
 * a reader slot, in any thread that received the `SharedLeftRightSpec` by `postMessage`.
 *
 * Shared memory:
 *   control (Int32Array), every part 128 bytes apart:
 *     [0, 128)    `active` alone: the one word every read loads and only a publish writes;
 *     [128, 256)  publishes, slots, magic: written by the writer, read by readers only at registration;
 *     then one 128-byte block per reader: [epoch, owner, waitFlag]. `epoch` is odd while its reader is
 *     inside a read; `owner` is the slot holder's id (0 = free), the liveness table.
 *   Why 128 and not 64: a SharedArrayBuffer's base is not guaranteed to be 64-byte aligned, so with a
 *   64-byte stride two readers' epochs (or an epoch and `active`) could share a cache line; 128 bytes
 *   apart they never do, whatever the alignment, and x86's adjacent-line prefetcher (which pulls lines in
 *   128-byte pairs) does not couple them either (the padding crossbeam's CachePadded uses on x86-64).
 *   copies: two SharedArrayBuffers of `copyBytes`, interpreted by the caller's `attach`.
 *
 * Reader: epoch += 1 (odd), load `active`, run the read on that copy, then compareExchange epoch back to
 * even. JS Atomics are sequentially consistent, so the load of `active` cannot move before the epoch bump.
 * Readers never wait: there is no lock and no loop on the read path.
 *
 * Writer `publish()`: (1) wait until every reader that was odd in the snapshot taken right after the
 * previous swap has changed its epoch (left the old copy); (2) apply, to the copy readers are not
 * following, the ops the other copy got last time, then the new ops; (3) store `active`; (4) snapshot the
 * epochs. Waits are bounded: spin briefly, then `Atomics.wait` in slices of at most 5 ms, with the reader
 * notifying only when the writer flagged that it waits.
 *
 * Dead or stuck readers (the rule): a reader that dies mid-read leaves its epoch odd. (a) The owner of a
 * worker calls `releaseOwner(id)` on the worker's `exit`/`error`; the worker is dead, so this is safe and
 * is the normal path. (b) If a publish still waits past `readerDeadlineMs` (default 1000 ms) for one slot:
 * with policy `"revoke"` (default) the writer compareExchanges that slot's epoch to even and frees the
 * slot, then continues; if that reader was merely slow, its read ends with `LR_SLOT_REVOKED` (the result,
 * possibly computed from a copy being rewritten, is discarded) and the handle is dead. With policy
 * `"throw"` the publish throws `LR_READER_STUCK` naming the slot and owner and changes nothing, so it can
 * be retried. Either way the writer never waits forever. A read function must therefore contain only
 * bounded loops: torn data seen by a revoked reader must not hang it.
 */
import {
  type Absorb,
  assertSyncResult,
  type LeftRight,
  LeftRightError,
  type ReadHandle,
} from "./left-right.ts";

/** What a reader thread needs; structured-cloneable, send it with `postMessage`. */
export interface SharedLeftRightSpec {
  readonly control: SharedArrayBuffer;
  readonly copies: readonly [SharedArrayBuffer, SharedArrayBuffer];
}

/** How a copy's bytes are seen as a data structure; the same function in writer and readers. */
export type AttachCopy<C> = (buffer: SharedArrayBuffer) => C;

export type StuckReaderPolicy = "revoke" | "throw";

export interface SharedLeftRightOptions<C, Op> extends Absorb<C, Op> {
  /** Size of each copy. Both start zero-filled, hence equal; plan capacity up front. */
  readonly copyBytes: number;
  readonly attach: AttachCopy<C>;
  /** Formats each fresh copy identically before anyone attaches (e.g. writes a header). */
  readonly init?: (buffer: SharedArrayBuffer) => void;
  /** Reader slots (default 64). */
  readonly slots?: number;
  /** How long a publish waits for one reader to leave the old copy (default 1000 ms). */
  readonly readerDeadlineMs?: number;
  /** What a publish does with a reader past the deadline (default "revoke"); see the module header. */
  readonly onStuckReader?: StuckReaderPolicy;
  /** Monotonic milliseconds, injected for tests; default `performance.now`. */
  readonly now?: () => number;
}

const MAGIC = 0x4c52_0002; // "LR" v2: 128-byte padding
const PAD_INTS = 32; // 128 bytes
const HEADER_INTS = 2 * PAD_INTS;
const SLOT_INTS = PAD_INTS;
const ACTIVE = 0;
const PUBLISHES = PAD_INTS;
const SLOTS = PAD_INTS + 1;
const MAGIC_AT = PAD_INTS + 2;
const EPOCH = 0;
const OWNER = 1;
const WAIT_FLAG = 2;
const SPINS = 64;
const WAIT_SLICE_MS = 5;

function slotBase(slot: number): number {
  return HEADER_INTS + slot * SLOT_INTS;
}

function checkSpec(spec: SharedLeftRightSpec): Int32Array {
  const ok =
    spec !== null &&
    typeof spec === "object" &&
    spec.control instanceof SharedArrayBuffer &&
    Array.isArray(spec.copies) &&
    spec.copies.length === 2 &&
    spec.copies[0] instanceof SharedArrayBuffer &&
    spec.copies[1] instanceof SharedArrayBuffer;
  if (!ok) throw new LeftRightError("LR_BAD_ARGUMENT", "spec: not a SharedLeftRightSpec");
  const control = new Int32Array(spec.control);
  if (control.length < HEADER_INTS || Atomics.load(control, MAGIC_AT) !== MAGIC) {
    throw new LeftRightError("LR_BAD_ARGUMENT", "spec.control: not a left-right control block");
  }
  return control;
}

function register(control: Int32Array, ownerId: number): number {
  if (!Number.isInteger(ownerId) || ownerId <= 0 || ownerId > 0x7fff_ffff) {
    throw new LeftRightError("LR_BAD_ARGUMENT", `ownerId: positive int32 expected, got ${ownerId}`);
  }
  const slots = Atomics.load(control, SLOTS);
  for (let s = 0; s < slots; s++) {
    if (Atomics.compareExchange(control, slotBase(s) + OWNER, 0, ownerId) === 0) return s;
  }
  throw new LeftRightError("LR_NO_FREE_SLOT", `all ${slots} reader slots are taken`, { details: { slots } });
}

/** A reader's handle: one slot, both copies attached once. */
export class SharedReadHandle<C> implements ReadHandle<C> {
  readonly slot: number;
  readonly ownerId: number;
  readonly #control: Int32Array;
  readonly #copies: readonly [C, C];
  readonly #epochAt: number;
  readonly #onDepth: ((delta: number) => void) | undefined;
  #depth = 0;
  #current: C | undefined;
  #closed = false;
  #revoked = false;

  /** @internal use `openSharedReader` or `SharedLeftRight.reader()`. */
  constructor(
    spec: SharedLeftRightSpec,
    attach: AttachCopy<C>,
    ownerId: number,
    onDepth?: (delta: number) => void,
  ) {
    this.#control = checkSpec(spec);
    this.#copies = [attach(spec.copies[0]), attach(spec.copies[1])];
    this.ownerId = ownerId;
    this.slot = register(this.#control, ownerId);
    this.#epochAt = slotBase(this.slot) + EPOCH;
    this.#onDepth = onDepth;
  }

  read<R>(fn: (copy: C) => R): R {
    if (this.#closed) throw new LeftRightError("LR_HANDLE_CLOSED", "read on a closed handle");
    if (this.#revoked) {
      throw new LeftRightError("LR_SLOT_REVOKED", `reader slot ${this.slot} was revoked by the writer`);
    }
    if (this.#depth > 0) {
      // Nested read on the same handle: the outer epoch bump already protects the copy.
      const inner = fn(this.#current!);
      assertSyncResult(inner);
      return inner;
    }
    const control = this.#control;
    const at = this.#epochAt;
    const entered = (Atomics.add(control, at, 1) + 1) | 0;
    this.#current = this.#copies[Atomics.load(control, ACTIVE)]!;
    this.#depth = 1;
    this.#onDepth?.(1);
    let result: R | undefined;
    let failure: unknown;
    let threw = false;
    try {
      result = fn(this.#current);
    } catch (err) {
      threw = true;
      failure = err;
    }
    this.#depth = 0;
    this.#current = undefined;
    this.#onDepth?.(-1);
    if (Atomics.compareExchange(control, at, entered, (entered + 1) | 0) !== entered) {
      this.#revoked = true;
      throw new LeftRightError(
        "LR_SLOT_REVOKED",
        `reader slot ${this.slot} was revoked mid-read by the writer (read past the deadline); result discarded`,
        { cause: failure, details: { slot: this.slot } },
      );
    }
    if (Atomics.load(control, slotBase(this.slot) + WAIT_FLAG) !== 0) Atomics.notify(control, at);
    if (threw) throw failure;
    assertSyncResult(result);
    return result as R;
  }

  close(): void {
    if (this.#closed) return;
    if (this.#depth > 0) throw new LeftRightError("LR_BAD_ARGUMENT", "close() from inside a read");
    this.#closed = true;
    // A revoked slot already went back to the pool and may belong to someone else now.
    if (!this.#revoked) Atomics.store(this.#control, slotBase(this.slot) + OWNER, 0);
  }
}

/** Open a reader in any thread from a spec received by message. `ownerId` names the holder (e.g. a worker id). */
export function openSharedReader<C>(
  spec: SharedLeftRightSpec,
  attach: AttachCopy<C>,
  ownerId: number,
): SharedReadHandle<C> {
  return new SharedReadHandle(spec, attach, ownerId);
}

/** A slot's entry in the liveness table. */
export interface ReaderSlotInfo {
  readonly slot: number;
  readonly owner: number;
  readonly reading: boolean;
}

/** Owner id used for handles made by `SharedLeftRight.reader()` on the writer's thread. */
export const WRITER_THREAD_OWNER = 1;

/** The writer side of the shared left-right. Construct it on the thread that will publish. */
export class SharedLeftRight<C, Op> implements LeftRight<C, Op> {
  readonly #spec: SharedLeftRightSpec;
  readonly #control: Int32Array;
  readonly #apply: (copy: C, op: Op) => void;
  readonly #attach: AttachCopy<C>;
  readonly #copies: readonly [C, C];
  readonly #slots: number;
  readonly #deadlineMs: number;
  readonly #policy: StuckReaderPolicy;
  readonly #now: () => number;
  readonly #snapshot: Int32Array;
  #haveSnapshot = false;
  #behind: Op[] = [];
  #ops: Op[] = [];
  #publishes = 0;
  #localDepth = 0;
  #poisoned = false;
  #revocations = 0;

  constructor(options: SharedLeftRightOptions<C, Op>) {
    const slots = options.slots ?? 64;
    if (!Number.isInteger(slots) || slots < 1 || slots > 4096) {
      throw new LeftRightError("LR_BAD_ARGUMENT", `slots: 1..4096 expected, got ${slots}`);
    }
    if (!Number.isInteger(options.copyBytes) || options.copyBytes < 0) {
      throw new LeftRightError("LR_BAD_ARGUMENT", `copyBytes: non-negative integer expected`);
    }
    const deadline = options.readerDeadlineMs ?? 1000;
    if (!(deadline >= 0)) throw new LeftRightError("LR_BAD_ARGUMENT", "readerDeadlineMs: >= 0 expected");
    const control = new SharedArrayBuffer((HEADER_INTS + slots * SLOT_INTS) * 4);
    this.#control = new Int32Array(control);
    this.#control[SLOTS] = slots;
    Atomics.store(this.#control, MAGIC_AT, MAGIC);
    this.#spec = {
      control,
      copies: [new SharedArrayBuffer(options.copyBytes), new SharedArrayBuffer(options.copyBytes)],
    };
    options.init?.(this.#spec.copies[0]);
    options.init?.(this.#spec.copies[1]);
    this.#apply = options.apply;
    this.#attach = options.attach;
    this.#copies = [options.attach(this.#spec.copies[0]), options.attach(this.#spec.copies[1])];
    this.#slots = slots;
    this.#deadlineMs = deadline;
    this.#policy = options.onStuckReader ?? "revoke";
    this.#now = options.now ?? (() => performance.now());
    this.#snapshot = new Int32Array(slots);
  }

  /** Send this to reader threads; they call `openSharedReader(spec, attach, id)`. */
  get spec(): SharedLeftRightSpec {
    return this.#spec;
  }

  get queued(): number {
    return this.#ops.length;
  }

  get publishes(): number {
    return this.#publishes;
  }

  /** How many stuck readers publishes have revoked so far. */
  get revocations(): number {
    return this.#revocations;
  }

  append(op: Op): void {
    this.#checkUsable();
    this.#ops.push(op);
  }

  publish(): void {
    this.#checkUsable();
    if (this.#localDepth > 0) {
      throw new LeftRightError(
        "LR_PUBLISH_IN_READ",
        "publish() called from inside a read on the writer thread",
      );
    }
    const control = this.#control;
    if (this.#haveSnapshot) this.#waitForReaders();
    const target = 1 - Atomics.load(control, ACTIVE);
    const copy = this.#copies[target]!;
    try {
      for (const op of this.#behind) this.#apply(copy, op);
      for (const op of this.#ops) this.#apply(copy, op);
    } catch (cause) {
      this.#poisoned = true;
      throw new LeftRightError("LR_POISONED", "an apply threw during publish; copies may differ", { cause });
    }
    Atomics.store(control, ACTIVE, target);
    this.#publishes++;
    Atomics.store(control, PUBLISHES, this.#publishes | 0);
    for (let s = 0; s < this.#slots; s++) this.#snapshot[s] = Atomics.load(control, slotBase(s) + EPOCH);
    this.#haveSnapshot = true;
    this.#behind = this.#ops;
    this.#ops = [];
  }

  flush(): boolean {
    if (this.#ops.length === 0) return false;
    this.publish();
    return true;
  }

  reader(): SharedReadHandle<C> {
    return new SharedReadHandle(this.#spec, this.#attach, WRITER_THREAD_OWNER, (d) => {
      this.#localDepth += d;
    });
  }

  /** The liveness table: who holds which slot and whether it is inside a read right now. */
  slotTable(): ReaderSlotInfo[] {
    const out: ReaderSlotInfo[] = [];
    for (let s = 0; s < this.#slots; s++) {
      const owner = Atomics.load(this.#control, slotBase(s) + OWNER);
      if (owner === 0) continue;
      out.push({ slot: s, owner, reading: (Atomics.load(this.#control, slotBase(s) + EPOCH) & 1) === 1 });
    }
    return out;
  }

  /**
   * Free every slot held by `ownerId`, leaving its epoch even. Call it only when that owner can no longer
   * run (a worker's `exit` or `error` event): a live reader would lose its protection. Returns the count.
   */
  releaseOwner(ownerId: number): number {
    const control = this.#control;
    let released = 0;
    for (let s = 0; s < this.#slots; s++) {
      const base = slotBase(s);
      if (Atomics.load(control, base + OWNER) !== ownerId) continue;
      const epoch = Atomics.load(control, base + EPOCH);
      if ((epoch & 1) === 1) Atomics.compareExchange(control, base + EPOCH, epoch, (epoch + 1) | 0);
      Atomics.store(control, base + OWNER, 0);
      Atomics.notify(control, base + EPOCH);
      released++;
    }
    return released;
  }

  #waitForReaders(): void {
    const control = this.#control;
    let deadline = -1;
    for (let s = 0; s < this.#slots; s++) {
      const seen = this.#snapshot[s]!;
      if ((seen & 1) === 0) continue; // was outside a read at the swap: cannot be on the old copy
      const at = slotBase(s) + EPOCH;
      if (Atomics.load(control, at) !== seen) continue;
      let left = false;
      for (let i = 0; i < SPINS; i++) {
        if (Atomics.load(control, at) !== seen) {
          left = true;
          break;
        }
      }
      if (left) continue;
      if (deadline < 0) deadline = this.#now() + this.#deadlineMs;
      const flagAt = slotBase(s) + WAIT_FLAG;
      Atomics.store(control, flagAt, 1);
      try {
        while (Atomics.load(control, at) === seen) {
          const remaining = deadline - this.#now();
          if (remaining <= 0) {
            this.#stuck(s, seen);
            break;
          }
          Atomics.wait(control, at, seen, Math.min(remaining, WAIT_SLICE_MS));
        }
      } finally {
        Atomics.store(control, flagAt, 0);
      }
    }
  }

  #stuck(slot: number, seen: number): void {
    const base = slotBase(slot);
    const owner = Atomics.load(this.#control, base + OWNER);
    if (this.#policy === "throw") {
      throw new LeftRightError(
        "LR_READER_STUCK",
        `reader slot ${slot} (owner ${owner}) stayed inside one read for over ${this.#deadlineMs} ms`,
        { details: { slot, owner, deadlineMs: this.#deadlineMs } },
      );
    }
    // Revoke: only if still the same read; the reader's own exit compareExchange then fails.
    if (Atomics.compareExchange(this.#control, base + EPOCH, seen, (seen + 1) | 0) === seen) {
      Atomics.store(this.#control, base + OWNER, 0);
      this.#revocations++;
    }
  }

  #checkUsable(): void {
    if (this.#poisoned) throw new LeftRightError("LR_POISONED", "left-right poisoned by a failed apply");
  }
}
