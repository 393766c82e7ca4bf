/**
 * Left-right: the contract shared by both implementations (seed 001, "Left-Right Mempool" and
 * "Left-Right Wrapped State Database"; protocol of jonhoo/left-right, see research/core-anchors.md §2).
 *
 * Two copies of one data structure. One writer appends operations; `publish()` makes every operation
 * appended so far visible to readers at once, by swapping which copy readers follow, and later replays
 * the same operations onto the other copy. Readers never block and never wait for the writer.
 *
 * Guarantees common to `LocalLeftRight` (in-thread) and `SharedLeftRight` (across Bun Workers):
 * - a read sees exactly the state after some publish: never a partly applied one;
 * - every operation is applied exactly twice, once to each copy, in append order, so `apply` must be
 *   deterministic (no clock, no randomness, no I/O, no hidden state) and must not throw;
 * - reads are synchronous: a read function that returns a Promise is rejected (`LR_ASYNC_READ`);
 * - publishing from inside a read on the same thread is rejected (`LR_PUBLISH_IN_READ`).
 */
import { LatticeError } from "../errors/lattice-error.ts";

/** How operations change one copy. Called twice per operation (once per copy), so it must be pure. */
export interface Absorb<C, Op> {
  apply(copy: C, op: Op): void;
}

/** A reader's access to the published copy. */
export interface ReadHandle<C> {
  /**
   * Run `fn` on the currently published copy and return its result. `fn` must be synchronous and
   * must copy out what it needs: references into the copy are not valid after `fn` returns.
   */
  read<R>(fn: (copy: C) => R): R;
  /** Give the handle's slot back. Further reads throw `LR_HANDLE_CLOSED`. Idempotent. */
  close(): void;
}

/** The writer's side, with the reader factory for the writer's own thread. */
export interface LeftRight<C, Op> {
  /** Queue an operation; it becomes visible to readers at the next `publish()`. */
  append(op: Op): void;
  /** Make all appended operations visible to readers at once. */
  publish(): void;
  /** Publish only if operations are queued; returns whether it published. */
  flush(): boolean;
  /** Operations appended since the last publish. */
  readonly queued: number;
  /** Number of completed publishes; the published copy reflects exactly this many. */
  readonly publishes: number;
  /** A read handle usable on the writer's thread. */
  reader(): ReadHandle<C>;
}

export type LeftRightErrorCode =
  /** `publish()` called while a read on the same thread is in progress. */
  | "LR_PUBLISH_IN_READ"
  /** A read function returned a Promise; reads must be synchronous. */
  | "LR_ASYNC_READ"
  /** Read on a handle after `close()`. */
  | "LR_HANDLE_CLOSED"
  /** Every reader slot of a shared left-right is taken. */
  | "LR_NO_FREE_SLOT"
  /** A reader stayed inside one read past the publish deadline (policy "throw"); nothing was changed. */
  | "LR_READER_STUCK"
  /** The writer revoked this reader's slot while it was reading (policy "revoke"); the read's result was discarded. */
  | "LR_SLOT_REVOKED"
  /** An `apply` threw mid-publish; the copies may differ, so the left-right refuses further use. */
  | "LR_POISONED"
  /** A shared handle description or option is malformed. */
  | "LR_BAD_ARGUMENT";

/** Every error raised by a left-right; branch on `code`. */
export class LeftRightError extends LatticeError {
  declare readonly code: LeftRightErrorCode;
  constructor(
    code: LeftRightErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "LeftRightError";
  }
}

/** Reject read functions that returned a promise: a read guard must never span an await. */
export function assertSyncResult(result: unknown): void {
  if (result instanceof Promise) {
    result.catch(() => {});
    throw new LeftRightError("LR_ASYNC_READ", "a left-right read function must be synchronous");
  }
}
