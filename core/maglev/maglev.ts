/**
 * Maglev lookup table (Eisenbud et al., NSDI 2016): the entry-quorum map of seed 001 ("Maglev's
 * Hash Ring: a consistent account-based entrypoint"). Every node builds the same table from the
 * epoch's quorum ids and maps a transaction's SENDER address (never its hash: research/core-anchors.md
 * §1.9 item 4) to its entry quorum, so one account's transactions are sequenced in one place.
 *
 * Consensus-critical, so every step is spelled out and bit-identical across nodes:
 * - the table size M is prime (fixed in the protocol config; default 65537, which keeps each quorum's
 *   share within 1% for up to ~650 quorums);
 * - quorum ids (byte strings) are sorted by (SHA-256 of the id, then the id), because population
 *   depends on the order;
 * - offset = H("lattice/maglev/offset", id) mod M and skip = H("lattice/maglev/skip", id) mod (M-1) + 1,
 *   with H = the first 8 bytes of a tagged SHA-256 read as a big-endian u64;
 * - population is the paper's round robin: each quorum in turn claims the next free slot of its
 *   permutation (offset + j·skip) mod M, until all M slots are filled;
 * - a key maps to slot H("lattice/maglev/key", key) mod M.
 * Rebuild only at epoch change; within an epoch a dead quorum is skipped by probing forward.
 */
import { compareBytes, toHex } from "../crypto/bytes.ts";
import { taggedHash } from "../crypto/sha256.ts";
import { LatticeError } from "../errors/lattice-error.ts";

export const DEFAULT_TABLE_SIZE = 65537;

function hashU64(tag: string, data: Uint8Array): bigint {
  const h = taggedHash(tag, data);
  return new DataView(h.buffer, h.byteOffset, 8).getBigUint64(0, false);
}

/** Deterministic primality by trial division: table sizes are small (< 2^31). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** The smallest prime >= n. */
export function nextPrime(n: number): number {
  let p = Math.max(2, Math.ceil(n));
  while (!isPrime(p)) p++;
  return p;
}

/** A table size for `quorums` quorums: at least 100 slots per quorum, prime, never below `min`. */
export function tableSizeFor(quorums: number, min = DEFAULT_TABLE_SIZE): number {
  return nextPrime(Math.max(min, 100 * quorums));
}

export interface MaglevTable {
  /** Table size (prime). */
  readonly size: number;
  /** Quorum ids in canonical order; `entries` holds indices into this list. */
  readonly quorums: readonly Uint8Array[];
  /** `entries[slot]` = index into `quorums`. */
  readonly entries: Int32Array;
  /** Entry quorum index of `key` (a sender address). */
  lookup(key: Uint8Array): number;
  /** The first quorum at or after the key's slot for which `isLive` holds, or -1 if none. */
  lookupLive(key: Uint8Array, isLive: (quorumIndex: number) => boolean): number;
  /** Slots owned by each quorum (same order as `quorums`). */
  slotCounts(): number[];
}

/** Canonical order of quorum ids: by SHA-256 of the id, then by the id itself. */
export function canonicalQuorumOrder(ids: readonly Uint8Array[]): Uint8Array[] {
  const keyed = ids.map((id) => ({ id, h: taggedHash("lattice/maglev/order", id) }));
  keyed.sort((a, b) => compareBytes(a.h, b.h) || compareBytes(a.id, b.id));
  return keyed.map((k) => k.id);
}

/** Build the table for `quorumIds` with prime size `size`. */
export function buildMaglevTable(quorumIds: readonly Uint8Array[], size = DEFAULT_TABLE_SIZE): MaglevTable {
  if (quorumIds.length === 0)
    throw new LatticeError("MAGLEV_EMPTY", "a Maglev table needs at least one quorum");
  if (!isPrime(size)) throw new LatticeError("MAGLEV_SIZE", `table size ${size} is not prime`);
  if (size < quorumIds.length) {
    throw new LatticeError(
      "MAGLEV_SIZE",
      `table size ${size} is smaller than the ${quorumIds.length} quorums`,
    );
  }
  const seen = new Set<string>();
  for (const id of quorumIds) {
    const k = toHex(id);
    if (seen.has(k)) throw new LatticeError("MAGLEV_DUPLICATE", `quorum id ${k} appears twice`);
    seen.add(k);
  }
  const quorums = canonicalQuorumOrder(quorumIds);
  const m = BigInt(size);
  const offset = quorums.map((id) => Number(hashU64("lattice/maglev/offset", id) % m));
  const skip = quorums.map((id) => Number(hashU64("lattice/maglev/skip", id) % (m - 1n)) + 1);
  const next = new Array<number>(quorums.length).fill(0);
  const entries = new Int32Array(size).fill(-1);
  let filled = 0;
  // Round robin until full; each quorum walks its own permutation past claimed slots.
  while (filled < size) {
    for (let i = 0; i < quorums.length && filled < size; i++) {
      let slot = (offset[i]! + next[i]! * skip[i]!) % size;
      while (entries[slot] !== -1) {
        next[i]!++;
        slot = (offset[i]! + next[i]! * skip[i]!) % size;
      }
      entries[slot] = i;
      next[i]!++;
      filled++;
    }
  }
  const slotOf = (key: Uint8Array) => Number(hashU64("lattice/maglev/key", key) % m);
  return {
    size,
    quorums,
    entries,
    lookup(key) {
      return entries[slotOf(key)]!;
    },
    lookupLive(key, isLive) {
      const start = slotOf(key);
      const tried = new Set<number>();
      for (let i = 0; i < size && tried.size < quorums.length; i++) {
        const q = entries[(start + i) % size]!;
        if (tried.has(q)) continue;
        if (isLive(q)) return q;
        tried.add(q);
      }
      return -1;
    },
    slotCounts() {
      const counts = new Array<number>(quorums.length).fill(0);
      for (const e of entries) counts[e]!++;
      return counts;
    },
  };
}
