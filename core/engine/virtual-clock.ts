/**
 * A manual clock for the simulator and deterministic tests (ARCHITECTURE.md "The one design rule": time
 * is given to engines by the runtime).
 *
 * Time only moves when the owner calls `advance`, `advanceTo` or `runUntilIdle`. Callbacks due at the
 * same instant run in the order they were scheduled (ties broken by a sequence number), so a run is a
 * pure function of the schedule. Callbacks may schedule further callbacks, including at `now()`; those
 * run in the same `advance` call, after the ones already due.
 */
import type { Clock, ClockHandle, Millis } from "./engine.ts";

interface Entry {
  at: Millis;
  seq: number;
  fn: () => void;
}

/**
 * @example
 * const clock = new VirtualClock();
 * clock.schedule(10, () => console.log("fired"));
 * clock.advance(10); // prints "fired"
 */
export class VirtualClock implements Clock {
  private current: Millis;
  private seq = 0;
  // A binary min-heap ordered by (at, seq); cancelled entries are removed from `live` and skipped lazily.
  private readonly heap: Entry[] = [];
  private readonly live = new Map<ClockHandle, Entry>();

  constructor(start: Millis = 0) {
    this.current = start;
  }

  now(): Millis {
    return this.current;
  }

  schedule(after: Millis, fn: () => void): ClockHandle {
    if (!(after >= 0) || !Number.isFinite(after))
      throw new RangeError(`after: expected a finite delay >= 0, got ${after}`);
    const entry: Entry = { at: this.current + after, seq: ++this.seq, fn };
    this.live.set(entry.seq, entry);
    this.push(entry);
    return entry.seq;
  }

  cancel(handle: ClockHandle): void {
    this.live.delete(handle);
  }

  /** Number of callbacks still pending. */
  pending(): number {
    return this.live.size;
  }

  /** Time of the next pending callback, or undefined when none is pending. */
  nextAt(): Millis | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.at;
  }

  /** Run everything due up to `now() + ms`, then set the time to exactly that. */
  advance(ms: Millis): void {
    if (!(ms >= 0)) throw new RangeError(`ms: expected >= 0, got ${ms}`);
    this.advanceTo(this.current + ms);
  }

  /** Run everything due up to `t` (in order), then set the time to `t`. */
  advanceTo(t: Millis): void {
    if (t < this.current) throw new RangeError(`advanceTo: ${t} is in the past (now ${this.current})`);
    for (;;) {
      this.dropCancelledTop();
      const top = this.heap[0];
      if (top === undefined || top.at > t) break;
      this.pop();
      this.live.delete(top.seq);
      this.current = top.at;
      top.fn();
    }
    this.current = t;
  }

  /**
   * Run callbacks one instant at a time until nothing is pending, `until()` is true, or `maxSteps`
   * callbacks have run (a guard against engines that re-arm timers forever). Returns the callbacks run.
   */
  runUntilIdle(options: { until?: () => boolean; maxSteps?: number; maxTime?: Millis } = {}): number {
    const maxSteps = options.maxSteps ?? 1_000_000;
    let steps = 0;
    while (steps < maxSteps) {
      if (options.until?.()) break;
      this.dropCancelledTop();
      const top = this.heap[0];
      if (top === undefined) break;
      if (options.maxTime !== undefined && top.at > options.maxTime) break;
      this.pop();
      this.live.delete(top.seq);
      this.current = Math.max(this.current, top.at);
      top.fn();
      steps++;
    }
    return steps;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0]!.seq)) this.pop();
  }

  private less(x: Entry, y: Entry): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
