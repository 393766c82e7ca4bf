/**
 * A token bucket for per-peer rate limits: `rate` tokens per second refill up to `burst`. Time comes from
 * the caller (a clock reading), so the bucket is deterministic under a virtual clock.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    if (!(rate > 0) || !(burst > 0)) throw new RangeError("rate and burst must be positive");
    this.tokens = burst;
    this.last = now;
  }

  /** Take `n` tokens at time `now` (ms); false (and nothing taken) when not enough are left. */
  take(now: number, n = 1): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}
