import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { ids } from "../testing/fixtures.ts";
import { type Committee, elect, isRejection, requiredStake, type StakedNode, takeover } from "./election.ts";

const beacon = ids(1, "beacon")[0]!;
const nodes = (k: number, label = "node", stake = 1000n, reputation = 1000): StakedNode[] =>
  ids(k, label).map((id) => ({ id, stake, reputation }));
const params = { quorumSize: 10, maxFarmerQuorums: 8, baseStake: 1000n };

function committee(x: ReturnType<typeof elect>): Committee {
  if (isRejection(x)) throw new Error(x.code);
  return x;
}
const quorums = (c: Committee) => [c.harvester, c.backup, ...c.farmers];
const shape = (c: Committee) => quorums(c).map((q) => q.members.map(toHex));

describe("epoch elections", () => {
  test("deterministic from the beacon, independent of input order, different for another beacon", () => {
    const ns = nodes(57);
    const a = committee(elect(ns, beacon, 3, params));
    expect(shape(committee(elect([...ns].reverse(), beacon, 3, params)))).toEqual(shape(a));
    expect(shape(committee(elect(ns, ids(1, "other")[0]!, 3, params)))).not.toEqual(shape(a));
    expect(shape(committee(elect(ns, beacon, 4, params)))).not.toEqual(shape(a));
  });

  test("stake requirement adjusted by reputation", () => {
    expect(requiredStake(1000n, 1000)).toBe(1000n);
    expect(requiredStake(1000n, 0)).toBe(2000n);
    expect(requiredStake(1000n, 500)).toBe(1500n);
    expect(requiredStake(1000n, 333)).toBe(1667n); // rounded up
    const ns = [...nodes(30), ...nodes(5, "poor", 1400n, 500), ...nodes(5, "trusted", 1400n, 700)];
    const c = committee(elect(ns, beacon, 1, params));
    const placed = new Set(quorums(c).flatMap((q) => q.members.map(toHex)));
    expect(ids(5, "poor").some((id) => placed.has(toHex(id)))).toBe(false);
    expect(ids(5, "trusted").every((id) => placed.has(toHex(id)))).toBe(true);
  });

  test("no tiny tail quorum: everyone placed, sizes differ by at most one; surplus at the cap is standby", () => {
    const c = committee(elect(nodes(57), beacon, 1, params));
    expect(c.farmers.length).toBe(3);
    expect(quorums(c).map((q) => q.members.length)).toEqual([12, 12, 11, 11, 11]);
    const all = quorums(c).flatMap((q) => q.members.map(toHex));
    expect(new Set(all).size).toBe(57);
    const capped = committee(elect(nodes(133), beacon, 1, { ...params, maxFarmerQuorums: 3 }));
    expect(quorums(capped).map((q) => q.members.length)).toEqual([10, 10, 10, 10, 10]);
    expect(capped.standby.length).toBe(83);
    expect(new Set(quorums(capped).map((q) => toHex(q.id))).size).toBe(5);
    const few = elect(nodes(29), beacon, 1, params);
    expect(isRejection(few) && few.code === "WAN_ELECTION_TOO_FEW").toBe(true);
  });

  test("a Sybil cluster of look-alike keys is spread, not placed together (Versatus XOR ranking: §1.9 item 10)", () => {
    const honest = nodes(80);
    // 20 Sybil keys that share their first 30 bytes.
    const sybils = Array.from({ length: 20 }, (_, i) => {
      const id = new Uint8Array(32).fill(0xab);
      id[30] = i >> 8;
      id[31] = i & 0xff;
      return { id, stake: 1000n, reputation: 1000 };
    });
    const sybilSet = new Set(sybils.map((s) => toHex(s.id)));
    // Versatus's rule, for contrast: score = key XOR (one 64-bit seed in every limb); sort ascending.
    const xorRank = (seed: bigint) =>
      [...honest, ...sybils]
        .map((n) => {
          const v = new DataView(n.id.buffer, n.id.byteOffset, 32);
          const limbs = [0, 8, 16, 24].map((o) => v.getBigUint64(o, false) ^ seed);
          return { k: toHex(n.id), limbs };
        })
        .sort((a, b) => {
          for (let i = 0; i < 4; i++)
            if (a.limbs[i] !== b.limbs[i]) return a.limbs[i]! < b.limbs[i]! ? -1 : 1;
          return 0;
        })
        .map((x) => x.k);
    let xorMaxInOneQuorum = 0;
    const counts: number[] = [];
    for (let e = 0; e < 60; e++) {
      const order = xorRank((BigInt(e) * 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n));
      const positions = order.flatMap((k, i) => (sybilSet.has(k) ? [i] : []));
      expect(positions.at(-1)! - positions[0]!).toBe(19); // XOR: always one contiguous block
      for (let q = 0; q < 10; q++) {
        xorMaxInOneQuorum = Math.max(
          xorMaxInOneQuorum,
          order.slice(q * 10, q * 10 + 10).filter((k) => sybilSet.has(k)).length,
        );
      }
      const c = committee(elect([...honest, ...sybils], ids(1, `beacon${e}`)[0]!, 1, params));
      counts.push(c.harvester.members.filter((m) => sybilSet.has(toHex(m))).length);
    }
    // Under XOR ranking the cluster fills whole quorums; under the shuffle the harvester quorum gets a
    // hypergeometric share (mean 10 x 20/100 = 2) and never the whole cluster.
    expect(xorMaxInOneQuorum).toBe(10);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeGreaterThan(1.4);
    expect(mean).toBeLessThan(2.6);
    expect(Math.max(...counts)).toBeLessThan(7);
    expect(new Set(counts).size).toBeGreaterThanOrEqual(4);
  });

  test("takeover at epoch end only when every new quorum has its key", () => {
    const current = committee(elect(nodes(40), beacon, 1, params));
    const next = committee(elect(nodes(40), ids(1, "b2")[0]!, 2, params));
    expect(takeover(current, next, () => true)).toBe(next);
    const missing = toHex(next.farmers[0]!.id);
    expect(takeover(current, next, (q) => q !== missing)).toBe(current);
    expect(takeover(current, null, () => true)).toBe(current);
  });
});
