/**
 * Named counters for drops and events (ARCHITECTURE.md "Network": every rejected frame is a counted drop).
 * One `Counters` object per component; `/metrics` (later) and tests read `snapshot()`. Counting is a Map
 * increment, cheap enough for the per-frame path.
 */

/** A bag of monotonically increasing counters keyed by reason. */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(reason: string, by = 1): void {
    this.values.set(reason, (this.values.get(reason) ?? 0) + by);
  }

  get(reason: string): number {
    return this.values.get(reason) ?? 0;
  }

  /** Sum of all counters. */
  total(): number {
    let t = 0;
    for (const v of this.values.values()) t += v;
    return t;
  }

  /** A plain copy, sorted by key so printed output is stable. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.values.keys()].sort()) out[k] = this.values.get(k)!;
    return out;
  }
}
