/**
 * The simulator's event queue and clock: the `Clock` of core/engine/virtual-clock.ts (same ordering rule:
 * by time, ties in the order scheduled), tuned for the one process that pushes ~40,000 messages and
 * timers through it per simulated 2 minutes of a 16-node world (ARCHITECTURE.md performance budget:
 * simulator >= 100x real time).
 *
 * What differs from `VirtualClock`, and why:
 * - entries carry a `cancelled` flag instead of living in a handle map: only timers are ever cancelled,
 *   so `post` (messages) skips the map entirely and `schedule` keeps one for its handles;
 * - the binary heap sifts with a hole (one write per level) instead of swapping pairs.
 * Everything else (time only moves in `advanceTo`, callbacks scheduled at `now()` run in the same call
 * after those already due) is the same, so engines cannot tell the two apart.
 */
import type { Clock, ClockHandle, Millis } from "../../core/engine/engine.ts";

interface Entry {
  readonly at: Millis;
  readonly seq: number;
  readonly fn: (arg: unknown) => void;
  /** Passed to `fn`: lets every message share one handler instead of a closure each. */
  readonly arg: unknown;
  cancelled: boolean;
}

export class SimClock implements Clock {
  private current: Millis = 0;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private readonly handles = new Map<ClockHandle, Entry>();

  now(): Millis {
    return this.current;
  }

  /** A cancellable callback at `now() + after`. */
  schedule(after: Millis, fn: () => void): ClockHandle {
    const e = this.add(after, fn, undefined);
    this.handles.set(e.seq, e);
    return e.seq;
  }

  /** `fn(arg)` at `now() + after`, never cancelled (a message copy on the wire): no handle is kept. */
  post<A>(after: Millis, fn: (arg: A) => void, arg: A): void {
    this.add(after, fn as (arg: unknown) => void, arg);
  }

  cancel(handle: ClockHandle): void {
    const e = this.handles.get(handle);
    if (e === undefined) return;
    e.cancelled = true;
    this.handles.delete(handle);
  }

  /** Number of callbacks still pending (cancelled ones excluded). */
  pending(): number {
    let n = 0;
    for (const e of this.heap) if (!e.cancelled) n++;
    return n;
  }

  /** Run everything due up to `now() + ms`, then set the time to exactly that. */
  advance(ms: Millis): void {
    if (!(ms >= 0)) throw new RangeError(`ms: expected >= 0, got ${ms}`);
    this.advanceTo(this.current + ms);
  }

  /** Run everything due up to `t` (in order), then set the time to `t`. */
  advanceTo(t: Millis): void {
    if (t < this.current) throw new RangeError(`advanceTo: ${t} is in the past (now ${this.current})`);
    const h = this.heap;
    for (;;) {
      const top = h[0];
      if (top === undefined || top.at > t) break;
      this.pop();
      if (top.cancelled) continue;
      this.handles.delete(top.seq);
      this.current = top.at;
      top.fn(top.arg);
    }
    this.current = t;
  }

  private add(after: Millis, fn: (arg: unknown) => void, arg: unknown): Entry {
    if (!(after >= 0) || !Number.isFinite(after))
      throw new RangeError(`after: expected a finite delay >= 0, got ${after}`);
    const e: Entry = { at: this.current + after, seq: ++this.seq, fn, arg, cancelled: false };
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (q.at < e.at || (q.at === e.at && q.seq < e.seq)) break;
      h[i] = q;
      i = p;
    }
    h[i] = e;
    return e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      let c = h[l]!;
      const r = l + 1;
      if (r < n) {
        const rc = h[r]!;
        if (rc.at < c.at || (rc.at === c.at && rc.seq < c.seq)) {
          m = r;
          c = rc;
        }
      }
      if (last.at < c.at || (last.at === c.at && last.seq < c.seq)) break;
      h[i] = c;
      i = m;
    }
    h[i] = last;
  }
}
