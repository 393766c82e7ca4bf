/**
 * Epoch elections (seed 001, "Masternode Eligibility": staking eligibility, "a fair, randomized and
 * unpredictable election or assignment of nodes to quorums", "dynamic staking requirements derived from
 * their reputation"; ARCHITECTURE.md "WAN consensus" step 8).
 *
 * - Eligibility: stake >= baseStake x (2 - reputation), reputation in thousandths (0..1000): a node with a
 *   perfect record needs the base stake, an unknown or bad one up to twice it (integer arithmetic, rounded up).
 * - Shuffle: the eligible keys, sorted, then a Fisher-Yates shuffle driven by SHA-256 in counter mode
 *   seeded by taggedHash("lattice/wan/election", beacon, epoch), with rejection sampling (no modulo bias).
 *   Every identity's place is independent of its key's bits, so a Sybil cluster of similar keys is spread
 *   like any other nodes (Versatus ranked by `hash XOR seed`, which keeps keys with equal high bits
 *   together: core-anchors.md §1.9 item 10). The beacon comes from a threshold certificate: not grindable.
 * - Split: F = min(maxFarmerQuorums, floor(E / n) - 2) farmer quorums plus a harvester and a backup harvester
 *   quorum. Below the cap every eligible node is placed and the remainder is spread so quorum sizes differ
 *   by at most one (no tiny tail quorum: Versatus's last farmer quorum could hold one node); at the cap the
 *   shuffled surplus waits as standby. Fewer than 3n eligible nodes: no election (the old quorums continue).
 * - Handover: quorums elected in epoch e key themselves (DKG) during e and take over at its end only if
 *   every one of them has its key; otherwise the current committee carries on.
 */
import { hexOf } from "../encoding/hex.ts";
import { compareBytes } from "../../crypto/bytes.ts";
import { sha256, taggedHash } from "../../crypto/sha256.ts";
import { type Rejection, reject } from "../rejection/rejection.ts";

export interface StakedNode {
  /** Ed25519 public key (32 bytes). */
  readonly id: Uint8Array;
  readonly stake: bigint;
  /** 0..1000 (thousandths). */
  readonly reputation: number;
}

export interface ElectionParams {
  readonly quorumSize: number;
  readonly maxFarmerQuorums: number;
  readonly baseStake: bigint;
}

export interface Quorum {
  /** 32-byte quorum id (the Maglev name of a farmer quorum). */
  readonly id: Uint8Array;
  readonly role: "farmer" | "harvester" | "backup";
  /** Members in canonical (byte) order: member i has threshold index i + 1. */
  readonly members: readonly Uint8Array[];
}

export interface Committee {
  readonly epoch: number;
  readonly farmers: readonly Quorum[];
  readonly harvester: Quorum;
  readonly backup: Quorum;
  readonly standby: readonly Uint8Array[];
}

/** Stake a node with `reputation` (0..1000) must hold: ceil(base x (2000 - reputation) / 1000). */
export function requiredStake(baseStake: bigint, reputation: number): bigint {
  const r = BigInt(Math.max(0, Math.min(1000, Math.floor(reputation))));
  return (baseStake * (2000n - r) + 999n) / 1000n;
}

/** A deterministic stream of uniform integers from a 32-byte seed (SHA-256 counter mode). */
export class HashStream {
  private counter = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private at = 0;

  constructor(private readonly seed: Uint8Array) {}

  private u64(): bigint {
    if (this.at + 8 > this.buf.length) {
      const c = new Uint8Array(8);
      new DataView(c.buffer).setBigUint64(0, BigInt(this.counter++), false);
      this.buf = sha256(this.seed, c);
      this.at = 0;
    }
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 8).getBigUint64(0, false);
    this.at += 8;
    return v;
  }

  /** Uniform in [0, bound), bound >= 1, by rejection sampling. */
  below(bound: number): number {
    const b = BigInt(bound);
    const limit = (1n << 64n) - ((1n << 64n) % b);
    for (;;) {
      const v = this.u64();
      if (v < limit) return Number(v % b);
    }
  }
}

/** Fisher-Yates shuffle of a copy of `xs`, driven by `stream`. */
export function shuffle<T>(xs: readonly T[], stream: HashStream): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = stream.below(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

function quorumId(beacon: Uint8Array, epoch: number, role: Quorum["role"], index: number): Uint8Array {
  return taggedHash(`lattice/wan/quorum/${role}`, beacon, u64(epoch), u64(index));
}

/** Elect the committee of `epoch` from `beacon`. Returns a rejection when too few nodes are eligible. */
export function elect(
  nodes: readonly StakedNode[],
  beacon: Uint8Array,
  epoch: number,
  params: ElectionParams,
): Committee | Rejection {
  const n = params.quorumSize;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`quorumSize: ${n}`);
  const byId = new Map<string, Uint8Array>();
  for (const node of nodes) {
    if (node.stake >= requiredStake(params.baseStake, node.reputation)) byId.set(hexOf(node.id), node.id);
  }
  const eligible = [...byId.values()].sort(compareBytes);
  const f = Math.min(params.maxFarmerQuorums, Math.floor(eligible.length / n) - 2);
  if (f < 1) {
    return reject("WAN_ELECTION_TOO_FEW", "ignore", { eligible: eligible.length, needed: 3 * n });
  }
  const shuffled = shuffle(eligible, new HashStream(taggedHash("lattice/wan/election", beacon, u64(epoch))));
  const quorums = f + 2;
  const placed = f < params.maxFarmerQuorums ? shuffled.length : quorums * n;
  const base = Math.floor(placed / quorums);
  const extra = placed % quorums;
  const chunks: Uint8Array[][] = [];
  let at = 0;
  for (let i = 0; i < quorums; i++) {
    const size = base + (i < extra ? 1 : 0);
    chunks.push(shuffled.slice(at, at + size).sort(compareBytes));
    at += size;
  }
  const make = (role: Quorum["role"], index: number, members: Uint8Array[]): Quorum => ({
    id: quorumId(beacon, epoch, role, index),
    role,
    members,
  });
  return {
    epoch,
    harvester: make("harvester", 0, chunks[0]!),
    backup: make("backup", 0, chunks[1]!),
    farmers: chunks.slice(2).map((c, i) => make("farmer", i, c)),
    standby: shuffled.slice(placed),
  };
}

/** True if `x` is a rejection rather than a committee. */
export function isRejection(x: Committee | Rejection): x is Rejection {
  return "code" in x;
}

/**
 * Who governs the next epoch: the elected committee if every one of its quorums has its threshold key
 * (`keyed(quorumId hex)`), else the current committee carries on.
 */
export function takeover(
  current: Committee,
  elected: Committee | null,
  keyed: (quorumIdHex: string) => boolean,
): Committee {
  if (elected === null) return current;
  const all = [elected.harvester, elected.backup, ...elected.farmers];
  return all.every((q) => keyed(hexOf(q.id))) ? elected : current;
}
