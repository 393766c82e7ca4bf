import { describe, expect, test } from "bun:test";
import { Prng } from "../../engine/prng.ts";
import { type Candidate, revenueAfterResolution, selectAll, selectForPosition } from "./mev-selection.ts";

// Fee-per-byte buckets from 0.000001 to 0.01 (seed: "10 buckets"), in micro-units per byte.
const BUCKETS = [1n, 2n, 5n, 10n, 50n, 100n, 500n, 1000n, 5000n, 10000n];
const MAX_BYTES = 25_000; // 25kb
const zero = () => 0n;
const fpb = (c: Candidate) => Number(c.fee) / c.size;
const bucketOf = (c: Candidate) => BUCKETS.findIndex((b) => b === c.fee / BigInt(c.size));

function pool(perBucket: readonly number[], size: (i: number) => number): Candidate[] {
  const out: Candidate[] = [];
  let i = 0;
  perBucket.forEach((count, b) => {
    for (let k = 0; k < count; k++, i++) {
      const s = size(i);
      const id = i.toString(16).padStart(6, "0");
      out.push({ id, sender: `s${id}`, nonce: 0n, size: s, fee: BUCKETS[b]! * BigInt(s) });
    }
  });
  return out;
}

/** Positions in the resolution order -> blocks, checked for the properties every scenario shares. */
function run(candidates: Candidate[], order: readonly number[]) {
  const blocks = selectAll(candidates, order.length, MAX_BYTES, zero);
  // Each harvester computing its own block alone gets the same block (the strategy is self-consistent).
  for (const p of [0, 1, order.length - 1]) {
    expect(selectForPosition(candidates, p, MAX_BYTES, zero).map((c) => c.id)).toEqual(
      blocks[p]!.map((c) => c.id),
    );
  }
  const ids = blocks.flat().map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length); // no transaction in two blocks: nothing wasted in resolution
  for (const b of blocks) expect(b.reduce((s, c) => s + c.size, 0)).toBeLessThanOrEqual(MAX_BYTES);
  const byHarvester = new Map(order.map((h, p) => [h, blocks[p]!]));
  return { blocks, byHarvester, included: new Set(ids) };
}

describe("the seed's MEV scenarios", () => {
  test("scenario 1, balanced: the first in order takes the top bucket, the next the next bucket, and so on", () => {
    const candidates = pool(new Array(10).fill(100), () => 180); // 1,000 txs, 180kb
    const order = [8, 3, 1, 9, 4, 2, 5, 6, 7, 10];
    const { blocks, byHarvester, included } = run(candidates, order);
    const h8 = byHarvester.get(8)!;
    // Harvester 8 holds the highest fee-per-byte transactions of the pool: every top-bucket one.
    expect(h8.filter((c) => bucketOf(c) === 9).length).toBe(100);
    expect(Math.min(...h8.map(fpb))).toBeGreaterThanOrEqual(
      Math.max(...candidates.filter((c) => !h8.includes(c)).map(fpb)),
    );
    // Harvester 3, next in line, starts where 8 stopped: the next highest bucket(s).
    const h3 = byHarvester.get(3)!;
    expect(Math.max(...h3.map(bucketOf))).toBe(8);
    // Descending fee bands, position by position.
    for (let p = 1; p < blocks.length; p++) {
      if (blocks[p]!.length === 0) continue;
      expect(Math.min(...blocks[p - 1]!.map(fpb))).toBeGreaterThanOrEqual(Math.max(...blocks[p]!.map(fpb)));
    }
    // Capacity (10 x 25kb) exceeds the pool (180kb): every transaction, every bucket, is included.
    expect(included.size).toBe(1000);
  });

  test("scenario 2, high-volume low-fee: the first harvester skips the low bucket, later ones take it", () => {
    const counts = [700, 34, 33, 33, 33, 33, 33, 33, 34, 34]; // 70% in the lowest bucket
    const candidates = pool(counts, () => 180);
    const order = [5, 2, 10, 7, 6, 1, 3, 4, 8, 9];
    const { byHarvester, included, blocks } = run(candidates, order);
    const h5 = byHarvester.get(5)!;
    // First in order, it fills its block from the top buckets down into the second and third highest...
    const h5Buckets = new Set(h5.map(bucketOf));
    expect(h5Buckets.has(9) && h5Buckets.has(8) && h5Buckets.has(7)).toBe(true);
    // ...leaving the lowest-fee transactions alone.
    expect(h5.some((c) => bucketOf(c) === 0)).toBe(false);
    // Later harvesters, knowing their place, take the abundant low-fee transactions: none is left out.
    const low = candidates.filter((c) => bucketOf(c) === 0);
    expect(low.every((c) => included.has(c.id))).toBe(true);
    const lastWithLow = blocks.filter((b) => b.some((c) => bucketOf(c) === 0)).length;
    expect(lastWithLow).toBeGreaterThanOrEqual(5);
  });

  test("scenario 3, near capacity: a mix of high and mid first, then mid and low, nearly all included", () => {
    const rng = new Prng(33);
    const sizes = Array.from({ length: 1000 }, () => rng.int(120, 360)); // ~240kb, uneven sizes
    const candidates = pool(new Array(10).fill(100), (i) => sizes[i]!);
    const total = candidates.reduce((s, c) => s + c.size, 0);
    expect(total).toBeGreaterThan(235_000);
    expect(total).toBeLessThan(245_000);
    const order = [4, 9, 2, 6, 1, 3, 5, 7, 8, 10];
    const { blocks, byHarvester, included } = run(candidates, order);
    const h4 = byHarvester.get(4)!;
    const h9 = byHarvester.get(9)!;
    // Harvester 4: high and mid buckets only; harvester 9: lower than everything 4 took.
    expect(Math.min(...h4.map(bucketOf))).toBeGreaterThanOrEqual(5);
    expect(new Set(h4.map(bucketOf)).size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...h9.map(bucketOf))).toBeLessThanOrEqual(Math.min(...h4.map(bucketOf)));
    // Mean fee per byte falls with the position: a diverse set of transactions is processed.
    const mean = (b: Candidate[]) => b.reduce((s, c) => s + fpb(c), 0) / b.length;
    for (let p = 1; p < 8; p++) expect(mean(blocks[p]!)).toBeLessThanOrEqual(mean(blocks[p - 1]!));
    // Blocks run nearly full, and nearly the whole pool fits this round (the rest waits for the next).
    for (let p = 0; p < 8; p++)
      expect(blocks[p]!.reduce((s, c) => s + c.size, 0)).toBeGreaterThan(0.98 * MAX_BYTES);
    const includedBytes = candidates.filter((c) => included.has(c.id)).reduce((s, c) => s + c.size, 0);
    expect(includedBytes / total).toBeGreaterThan(0.97);
  });

  test("knowing its place pays: position-aware selection beats everyone taking the top (post-resolution)", () => {
    const candidates = pool(new Array(10).fill(100), () => 180);
    const aware = revenueAfterResolution(selectAll(candidates, 10, MAX_BYTES, zero));
    const topBlock = selectForPosition(candidates, 0, MAX_BYTES, zero);
    const naive = revenueAfterResolution(new Array(10).fill(topBlock));
    expect(aware[0]).toBe(naive[0]!);
    for (let p = 1; p < 7; p++) {
      expect(naive[p]).toBe(0n); // duplicates of the first block are dropped in resolution
      expect(aware[p]!).toBeGreaterThan(0n);
    }
  });
});

describe("selection rules", () => {
  test("a sender's transfers are taken in nonce order, across positions, and a gap blocks the rest", () => {
    const mk = (sender: string, nonce: bigint, fee: bigint, size = 100): Candidate => ({
      id: `${sender}${nonce}`,
      sender,
      nonce,
      size,
      fee,
    });
    // b's nonce 1 pays the most but needs nonce 0 first; a's nonce 3 has no nonce 2: never selectable.
    const cands = [
      mk("b", 1n, 900n),
      mk("b", 0n, 100n),
      mk("a", 0n, 500n),
      mk("a", 3n, 5000n),
      mk("c", 7n, 50n),
    ];
    const state = (s: string) => (s === "c" ? 7n : 0n);
    const blocks = selectAll(cands, 2, 200, state);
    expect(blocks[0]!.map((c) => c.id)).toEqual(["a0", "b0"]);
    expect(blocks[1]!.map((c) => c.id)).toEqual(["b1", "c7"]);
    expect(blocks.flat().some((c) => c.id === "a3")).toBe(false);
  });

  test("empty pools and tiny blocks give empty selections", () => {
    expect(selectForPosition([], 3, MAX_BYTES, zero)).toEqual([]);
    expect(
      selectAll(
        pool([5], () => 180),
        2,
        100,
        zero,
      ),
    ).toEqual([[], []]);
    expect(() => selectForPosition([], -1, 1, zero)).toThrow(RangeError);
  });
});
