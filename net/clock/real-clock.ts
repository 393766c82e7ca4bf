/**
 * The wall clock for nodes (ARCHITECTURE.md "The one design rule": the node runtime gives engines real
 * time). `now()` is Unix milliseconds; callbacks use `setTimeout`. Tracks its pending timers so a node can
 * prove on shutdown that it left none behind (`pending()`), and `cancelAll()` releases them.
 */
import type { Clock, ClockHandle, Millis } from "../../core/engine/engine.ts";

export class RealClock implements Clock {
  private seq = 0;
  private readonly timers = new Map<ClockHandle, ReturnType<typeof setTimeout>>();

  now(): Millis {
    return Date.now();
  }

  schedule(after: Millis, fn: () => void): ClockHandle {
    if (!(after >= 0) || !Number.isFinite(after))
      throw new RangeError(`after: expected a finite delay >= 0, got ${after}`);
    const id = ++this.seq;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, after);
    this.timers.set(id, t);
    return id;
  }

  cancel(handle: ClockHandle): void {
    const t = this.timers.get(handle);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(handle);
    }
  }

  /** Number of callbacks scheduled and not yet run or cancelled. */
  pending(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
