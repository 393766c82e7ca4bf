/**
 * MEV-aware transaction selection (seed 001, "Using MEV for Positive Network Outcomes" and its three
 * scenarios). Each harvester knows its place in the round's conflict-resolution order and that the merge
 * keeps a transaction only in the first block (in that order) that includes it. So a fee-maximising
 * harvester predicts what the harvesters ahead of it will take and fills its block from what remains.
 *
 * The model: every harvester is assumed to play the same strategy, so position p replays positions
 * 0..p-1 (each greedily taking the highest fee-per-byte transactions that fit in `maxBytes`) and then does
 * the same on what is left. With a shared view of the certified pool this is an equilibrium: no harvester
 * earns more by deviating, and together they include the pool's transactions in descending fee bands,
 * low-fee ones included as soon as capacity allows (the seed's "low-fee transactions receive the same
 * priority as high-fee transactions").
 *
 * Nonce order is respected: a sender's transfer is selectable only once all its lower pending nonces are
 * taken, here or by a harvester ahead; if one does not fit, that sender's later transfers wait.
 * Pure and deterministic: ties break on transaction id.
 */

/** What selection needs to know about a certified transaction. */
export interface Candidate {
  /** Transaction id (hex): unique. */
  readonly id: string;
  /** Sender (hex). */
  readonly sender: string;
  readonly nonce: bigint;
  /** Encoded size in bytes (> 0). */
  readonly size: number;
  readonly fee: bigint;
}

/** a before b: higher fee per byte first (exact, by cross-multiplication), then smaller id. */
function better(a: Candidate, b: Candidate): boolean {
  const l = a.fee * BigInt(b.size);
  const r = b.fee * BigInt(a.size);
  if (l !== r) return l > r;
  return a.id < b.id;
}

/** A binary max-heap on `better`. */
class Heap {
  private readonly xs: Candidate[] = [];
  get size(): number {
    return this.xs.length;
  }
  push(c: Candidate): void {
    const xs = this.xs;
    xs.push(c);
    let i = xs.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!better(xs[i]!, xs[p]!)) break;
      [xs[i], xs[p]] = [xs[p]!, xs[i]!];
      i = p;
    }
  }
  pop(): Candidate {
    const xs = this.xs;
    const top = xs[0]!;
    const last = xs.pop()!;
    if (xs.length > 0) {
      xs[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < xs.length && better(xs[l]!, xs[m]!)) m = l;
        if (r < xs.length && better(xs[r]!, xs[m]!)) m = r;
        if (m === i) break;
        [xs[i], xs[m]] = [xs[m]!, xs[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** The pool organised per sender, each sender's candidates by nonce. */
class Pool {
  readonly chains = new Map<string, Map<bigint, Candidate>>();
  /** Next nonce each sender needs (its state nonce, then advanced by what earlier blocks took). */
  readonly next = new Map<string, bigint>();
  readonly taken = new Set<string>();

  constructor(candidates: readonly Candidate[], stateNonce: (sender: string) => bigint) {
    for (const c of candidates) {
      if (!(c.size > 0)) throw new RangeError(`candidate ${c.id}: size must be positive`);
      let m = this.chains.get(c.sender);
      if (m === undefined) {
        m = new Map();
        this.chains.set(c.sender, m);
        this.next.set(c.sender, stateNonce(c.sender));
      }
      // Two certified transfers with one (sender, nonce) can only come from a faulty quorum; keep the better.
      const old = m.get(c.nonce);
      if (old === undefined || better(c, old)) m.set(c.nonce, c);
    }
  }

  head(sender: string): Candidate | undefined {
    return this.chains.get(sender)?.get(this.next.get(sender)!);
  }

  /** One greedy block: best fee per byte first, within `maxBytes`. */
  fill(maxBytes: number): Candidate[] {
    const heap = new Heap();
    for (const s of [...this.chains.keys()].sort()) {
      const h = this.head(s);
      if (h !== undefined) heap.push(h);
    }
    const out: Candidate[] = [];
    let room = maxBytes;
    while (heap.size > 0) {
      const c = heap.pop();
      if (c.size > room) continue; // this sender waits for the next block
      out.push(c);
      room -= c.size;
      this.taken.add(c.id);
      this.next.set(c.sender, c.nonce + 1n);
      const h = this.head(c.sender);
      if (h !== undefined) heap.push(h);
    }
    return out;
  }
}

/**
 * The block of the harvester at `position` (0 = first in the resolution order), in merge order (each
 * sender's transfers in nonce order). `stateNonce` = each sender's finalized nonce.
 */
export function selectForPosition(
  candidates: readonly Candidate[],
  position: number,
  maxBytes: number,
  stateNonce: (sender: string) => bigint,
): Candidate[] {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`position: ${position}`);
  const pool = new Pool(candidates, stateNonce);
  for (let p = 0; p < position; p++) pool.fill(maxBytes);
  return pool.fill(maxBytes);
}

/** Every position's block at once (what all harvesters together propose when they follow the strategy). */
export function selectAll(
  candidates: readonly Candidate[],
  harvesters: number,
  maxBytes: number,
  stateNonce: (sender: string) => bigint,
): Candidate[][] {
  const pool = new Pool(candidates, stateNonce);
  return Array.from({ length: harvesters }, () => pool.fill(maxBytes));
}

/**
 * Fees each block keeps after resolution when only duplicates are considered (a transaction stays in the
 * first block, in resolution order, that includes it): the harvester's revenue model.
 */
export function revenueAfterResolution(blocks: readonly (readonly Candidate[])[]): bigint[] {
  const seen = new Set<string>();
  return blocks.map((b) => {
    let fees = 0n;
    for (const c of b) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      fees += c.fee;
    }
    return fees;
  });
}
