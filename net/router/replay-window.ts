/**
 * Sliding-window replay filter over per-sender sequence numbers (ARCHITECTURE.md "Network": the router
 * drops replays with a per-peer sequence window; the same shape as IPsec's anti-replay window, RFC 4303
 * §3.4.3).
 *
 * The window remembers the highest sequence number accepted and a bitmap of the `size` numbers below
 * it. A number is accepted once: above the highest (the window slides), or inside the window and not
 * yet seen. Anything older than the window is rejected, since we can no longer tell whether it was seen.
 * Gaps are fine: the transport is unordered and lossy.
 */

/** Outcome of `check`. */
export type ReplayVerdict = "ok" | "duplicate" | "too-old";

/** One sender's window. `size` is a multiple of 32. */
export class ReplayWindow {
  readonly size: number;
  private highest = -1;
  // bit i set <=> (highest - i) was accepted; word 0 bit 0 is `highest` itself.
  private readonly bits: Uint32Array;

  constructor(size = 1024) {
    if (!Number.isSafeInteger(size) || size <= 0 || size % 32 !== 0) {
      throw new RangeError(`size: expected a positive multiple of 32, got ${size}`);
    }
    this.size = size;
    this.bits = new Uint32Array(size / 32);
  }

  /** Classify `seq` without recording it (so a frame that later fails other checks is not remembered). */
  check(seq: number): ReplayVerdict {
    if (seq > this.highest) return "ok";
    const back = this.highest - seq;
    if (back >= this.size) return "too-old";
    return (this.bits[back >>> 5]! >>> (back & 31)) & 1 ? "duplicate" : "ok";
  }

  /** Record `seq` as accepted; call only after `check(seq) === "ok"`. */
  accept(seq: number): void {
    if (seq > this.highest) {
      this.shift(this.highest < 0 ? this.size : seq - this.highest);
      this.highest = seq;
      this.bits[0]! |= 1;
      return;
    }
    const back = this.highest - seq;
    this.bits[back >>> 5]! |= 1 << (back & 31);
  }

  /** Highest accepted sequence number, or -1. */
  get top(): number {
    return this.highest;
  }

  // Move every bit `n` places towards older (higher index); bits past the end fall off.
  private shift(n: number): void {
    const words = this.bits.length;
    if (n >= this.size) {
      this.bits.fill(0);
      return;
    }
    const w = n >>> 5;
    const b = n & 31;
    for (let i = words - 1; i >= 0; i--) {
      const src = i - w;
      let v = 0;
      if (src >= 0) {
        v = b === 0 ? this.bits[src]! : (this.bits[src]! << b) >>> 0;
        if (b !== 0 && src - 1 >= 0) v |= this.bits[src - 1]! >>> (32 - b);
      }
      this.bits[i] = v >>> 0;
    }
  }
}
