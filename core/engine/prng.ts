/**
 * Seeded pseudo-random numbers for engines, the simulator, the chaos layer and tests (ARCHITECTURE.md
 * "The one design rule": randomness is given to engines by the runtime).
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128-bit state in four uint32 words, 32-bit output; fast
 * in JavaScript because every step is 32-bit integer arithmetic. The state is filled from a 64-bit seed
 * with splitmix64, which the authors recommend for seeding. Not cryptographic: never use it for keys
 * outside tests.
 *
 * Guarantees: the same seed gives the same sequence on every platform; `fork(label)` derives a child
 * stream from the seed and the label only, so drawing more numbers from one stream never shifts another
 * (a scenario stays reproducible when one component changes how much randomness it consumes).
 */
import type { Random } from "./engine.ts";

const MASK64 = (1n << 64n) - 1n;

function splitmix64(state: { s: bigint }): bigint {
  state.s = (state.s + 0x9e3779b97f4a7c15n) & MASK64;
  let z = state.s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

// FNV-1a 64 over the UTF-16 code units of a label: a stable, dependency-free way to name sub-streams.
function hashLabel(label: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < label.length; i++) {
    h ^= BigInt(label.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

/** Normalise a seed (any safe integer, negative allowed, or a bigint) to 64 bits. */
function toSeed64(seed: number | bigint): bigint {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected a safe integer, got ${seed}`);
    return BigInt.asUintN(64, BigInt(seed));
  }
  return BigInt.asUintN(64, seed);
}

/**
 * xoshiro128** over a 64-bit seed.
 *
 * @example
 * const rng = new Prng(42);
 * rng.int(1, 6); // a die roll, the same on every run
 * const chaos = rng.fork("chaos"); // independent of how many numbers `rng` draws later
 */
export class Prng implements Random {
  /** The 64-bit seed this stream was made from (children derive theirs from it). */
  readonly seed: bigint;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | bigint) {
    this.seed = toSeed64(seed);
    const st = { s: this.seed };
    const x = splitmix64(st);
    const y = splitmix64(st);
    this.a = Number(x & 0xffffffffn) >>> 0;
    this.b = Number(x >> 32n) >>> 0;
    this.c = Number(y & 0xffffffffn) >>> 0;
    this.d = Number(y >> 32n) >>> 0;
    // The all-zero state is a fixed point of xoshiro; splitmix64 cannot produce it twice in a row,
    // but guard anyway so the invariant is local.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  nextFloat(): number {
    // 21 + 32 bits: the full 53-bit mantissa, so every representable step in [0,1) is reachable.
    const hi = this.nextU32() >>> 11;
    const lo = this.nextU32();
    return (hi * 4294967296 + lo) / 9007199254740992;
  }

  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi))
      throw new RangeError("int: bounds must be safe integers");
    if (hi < lo) throw new RangeError(`int: empty range [${lo}, ${hi}]`);
    const span = hi - lo + 1;
    if (span > 4294967296) throw new RangeError(`int: range wider than 2^32 (${span})`);
    if (span === 4294967296) return lo + this.nextU32();
    // Rejection sampling removes the modulo bias of `nextU32() % span`.
    const limit = 4294967296 - (4294967296 % span);
    for (;;) {
      const r = this.nextU32();
      if (r < limit) return lo + (r % span);
    }
  }

  bytes(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bytes: invalid length ${n}`);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let r = this.nextU32();
      for (let j = i; j < Math.min(n, i + 4); j++) {
        out[j] = r & 0xff;
        r >>>= 8;
      }
    }
    return out;
  }

  fork(label: string): Prng {
    const st = { s: this.seed ^ hashLabel(label) };
    return new Prng(splitmix64(st));
  }

  /** Fisher-Yates shuffle of a copy of `items`. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
