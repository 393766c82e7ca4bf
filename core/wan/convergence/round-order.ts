/**
 * Per-round orders drawn from the round beacon (seed 001: the "conflict resolution order" of the MEV section
 * and the miner election; ARCHITECTURE.md "WAN consensus" step 6: "miners, chosen by a lottery on the
 * round's randomness (lowest ticket wins)").
 *
 * - Resolution order of harvesters: ascending H("lattice/wan/resolution-order" ‖ beacon ‖ round ‖ pk).
 * - Miner ticket: H("lattice/wan/miner-ticket" ‖ beacon ‖ round ‖ pk); the lowest wins, the next k-1 are
 *   backups whose blocks are accepted too (Versatus accepted its top 5: core-anchors.md §1.2).
 * Each identity gets an independent uniform rank per round (a hash, not an XOR with one seed, which keeps
 * identities with equal high bits clustered: §1.9 item 10). The beacon is the hash of the previous round's
 * threshold certificate, so nobody can grind it.
 */
import { hexOf } from "../encoding/hex.ts";
import { compareBytes } from "../../crypto/bytes.ts";
import { taggedHash } from "../../crypto/sha256.ts";

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

/** The ranking hash of `pk` for `purpose` in a round. */
function rank(purpose: string, beacon: Uint8Array, round: number, pk: Uint8Array): Uint8Array {
  return taggedHash(purpose, beacon, u64(round), pk);
}

/** Recent orders (every node asks for the same few per round; a pure function of its inputs). */
const recent = new Map<string, Uint8Array[]>();

/** Sort identities by their rank (ties, i.e. equal keys, by key bytes); duplicates are removed. */
function ordered(
  purpose: string,
  beacon: Uint8Array,
  round: number,
  pks: readonly Uint8Array[],
): Uint8Array[] {
  const key = `${purpose}/${hexOf(beacon)}/${round}/${pks.map(hexOf).join(",")}`;
  const hit = recent.get(key);
  if (hit !== undefined) return hit.slice();
  const r = orderedUncached(purpose, beacon, round, pks);
  if (recent.size >= 256) recent.delete(recent.keys().next().value!);
  recent.set(key, r);
  return r.slice();
}

function orderedUncached(
  purpose: string,
  beacon: Uint8Array,
  round: number,
  pks: readonly Uint8Array[],
): Uint8Array[] {
  const seen = new Set<string>();
  const xs: { pk: Uint8Array; r: Uint8Array }[] = [];
  for (const pk of pks) {
    const k = hexOf(pk);
    if (seen.has(k)) continue;
    seen.add(k);
    xs.push({ pk, r: rank(purpose, beacon, round, pk) });
  }
  xs.sort((a, b) => compareBytes(a.r, b.r) || compareBytes(a.pk, b.pk));
  return xs.map((x) => x.pk);
}

/** The round's conflict-resolution order of the harvesters' keys: position 0 merges first. */
export function resolutionOrder(
  beacon: Uint8Array,
  round: number,
  harvesters: readonly Uint8Array[],
): Uint8Array[] {
  return ordered("lattice/wan/resolution-order", beacon, round, harvesters);
}

/** A miner's lottery ticket for the round: lower is better. */
export function minerTicket(beacon: Uint8Array, round: number, miner: Uint8Array): Uint8Array {
  return rank("lattice/wan/miner-ticket", beacon, round, miner);
}

/** Miners by ticket, winner first. */
export function minerOrder(beacon: Uint8Array, round: number, miners: readonly Uint8Array[]): Uint8Array[] {
  return ordered("lattice/wan/miner-ticket", beacon, round, miners);
}

/** The miner's place in the round's lottery (0 = winner), or -1 if it is not an eligible miner. */
export function minerRank(
  beacon: Uint8Array,
  round: number,
  miners: readonly Uint8Array[],
  miner: Uint8Array,
): number {
  const k = hexOf(miner);
  return minerOrder(beacon, round, miners).findIndex((m) => hexOf(m) === k);
}
