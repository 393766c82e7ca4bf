/**
 * The in-thread left-right (seed 001, "Left-Right Mempool"): two copies of any JS value, an oplog and a
 * swap. It is the semantic reference for `SharedLeftRight` and the form single-threaded code (the
 * simulator, one-thread tests) uses. Inside one isolate no reader can run while `publish()` does, except
 * by re-entrancy, which is rejected; so the protocol needs no waiting here.
 *
 * Guarantees: those of `left-right.ts`. Operations are applied lazily, at publish time, first the ones
 * the other copy received at the previous publish, then the new ones: each exactly twice.
 */
import {
  type Absorb,
  assertSyncResult,
  type LeftRight,
  LeftRightError,
  type ReadHandle,
} from "./left-right.ts";

export interface LocalLeftRightOptions<C, Op> extends Absorb<C, Op> {
  /** Called twice; both calls must return equal (and independent) initial copies. */
  create(): C;
}

export class LocalLeftRight<C, Op> implements LeftRight<C, Op> {
  readonly #absorb: Absorb<C, Op>;
  readonly #copies: [C, C];
  #active = 0;
  /** Ops the active copy has and the other copy has not yet received. */
  #behind: Op[] = [];
  #ops: Op[] = [];
  #publishes = 0;
  #readsInside = 0;
  #poisoned = false;

  constructor(options: LocalLeftRightOptions<C, Op>) {
    this.#absorb = { apply: options.apply };
    this.#copies = [options.create(), options.create()];
  }

  append(op: Op): void {
    this.#checkUsable();
    this.#ops.push(op);
  }

  get queued(): number {
    return this.#ops.length;
  }

  get publishes(): number {
    return this.#publishes;
  }

  publish(): void {
    this.#checkUsable();
    if (this.#readsInside > 0) {
      throw new LeftRightError("LR_PUBLISH_IN_READ", "publish() called from inside a read");
    }
    const target = this.#copies[1 - this.#active]!;
    try {
      for (const op of this.#behind) this.#absorb.apply(target, op);
      for (const op of this.#ops) this.#absorb.apply(target, op);
    } catch (cause) {
      this.#poisoned = true;
      throw new LeftRightError("LR_POISONED", "an apply threw during publish; copies may differ", { cause });
    }
    this.#active = 1 - this.#active;
    this.#behind = this.#ops;
    this.#ops = [];
    this.#publishes++;
  }

  flush(): boolean {
    if (this.#ops.length === 0) return false;
    this.publish();
    return true;
  }

  reader(): ReadHandle<C> {
    let closed = false;
    return {
      read: <R>(fn: (copy: C) => R): R => {
        if (closed) throw new LeftRightError("LR_HANDLE_CLOSED", "read on a closed handle");
        this.#readsInside++;
        try {
          const result = fn(this.#copies[this.#active]!);
          assertSyncResult(result);
          return result;
        } finally {
          this.#readsInside--;
        }
      },
      close: () => {
        closed = true;
      },
    };
  }

  #checkUsable(): void {
    if (this.#poisoned) throw new LeftRightError("LR_POISONED", "left-right poisoned by a failed apply");
  }
}
