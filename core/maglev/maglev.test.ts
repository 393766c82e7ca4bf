import { describe, expect, test } from "bun:test";
import { toHex, utf8 } from "../crypto/bytes.ts";
import { sha256 } from "../crypto/sha256.ts";
import { isLatticeError } from "../errors/lattice-error.ts";
import { buildMaglevTable, isPrime, nextPrime, tableSizeFor } from "./maglev.ts";

const ids = (n: number, salt = "q") => Array.from({ length: n }, (_, i) => sha256(utf8(`${salt}${i}`)));
// Deterministic sender addresses (20 bytes each).
const senders = (n: number) => Array.from({ length: n }, (_, i) => sha256(utf8(`sender-${i}`)).slice(0, 20));

describe("maglev", () => {
  test("primes and table sizes", () => {
    expect([2, 3, 5, 65537].every(isPrime)).toBe(true);
    expect([0, 1, 4, 65535, 65539 * 3].some(isPrime)).toBe(false);
    expect(nextPrime(1600)).toBe(1601);
    expect(tableSizeFor(16)).toBe(65537);
    expect(tableSizeFor(1000)).toBe(nextPrime(100_000));
  });

  test("balance: every quorum's share is within 1% of M/N when M >= 100 N", () => {
    for (const n of [3, 8, 16, 64, 100]) {
      const size = nextPrime(100 * n);
      const counts = buildMaglevTable(ids(n), size).slotCounts();
      const fair = size / n;
      for (const c of counts) expect(Math.abs(c - fair) / fair).toBeLessThanOrEqual(0.01);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(size);
    }
  });

  test("disruption: when one of N quorums leaves, about 1/N of senders move", () => {
    const n = 16;
    const all = ids(n);
    const before = buildMaglevTable(all);
    const after = buildMaglevTable(all.slice(1));
    const keys = senders(20_000);
    let moved = 0;
    let movedOffLeaver = 0;
    const leaver = toHex(all[0]!);
    for (const k of keys) {
      const a = toHex(before.quorums[before.lookup(k)]!);
      const b = toHex(after.quorums[after.lookup(k)]!);
      if (a !== b) {
        moved++;
        if (a === leaver) movedOffLeaver++;
      }
    }
    const share = moved / keys.length;
    // Ideal is exactly 1/N (6.25%); Maglev trades a little extra churn for balance (measured ~6.6%).
    expect(share).toBeGreaterThanOrEqual(1 / n - 0.005);
    expect(share).toBeLessThanOrEqual((1 / n) * 1.2);
    // Everything the leaver owned had to move.
    expect(movedOffLeaver).toBeGreaterThan(0);
    expect(movedOffLeaver / moved).toBeGreaterThan(0.8);
  });

  test("the table does not depend on the order quorum ids are given in", () => {
    const a = buildMaglevTable(ids(10), 1009);
    const b = buildMaglevTable(ids(10).reverse(), 1009);
    expect(Buffer.from(a.entries.buffer).equals(Buffer.from(b.entries.buffer))).toBe(true);
    expect(a.quorums.map(toHex)).toEqual(b.quorums.map(toHex));
  });

  test("same sender, same quorum; keyed by sender, not by transaction", () => {
    const t = buildMaglevTable(ids(8));
    const sender = senders(1)[0]!;
    expect(t.lookup(sender)).toBe(t.lookup(sender.slice()));
  });

  test("lookupLive probes forward past dead quorums, deterministically", () => {
    const t = buildMaglevTable(ids(5), 503);
    for (const k of senders(200)) {
      const home = t.lookup(k);
      expect(t.lookupLive(k, () => true)).toBe(home);
      const alt = t.lookupLive(k, (q) => q !== home);
      expect(alt).not.toBe(home);
      expect(alt).toBeGreaterThanOrEqual(0);
      expect(t.lookupLive(k, (q) => q !== home)).toBe(alt);
    }
    expect(t.lookupLive(senders(1)[0]!, () => false)).toBe(-1);
  });

  test("bad configurations are typed errors", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isLatticeError(e) ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => buildMaglevTable([]))).toBe("MAGLEV_EMPTY");
    expect(code(() => buildMaglevTable(ids(3), 1000))).toBe("MAGLEV_SIZE");
    expect(code(() => buildMaglevTable([...ids(2), ids(1)[0]!], 101))).toBe("MAGLEV_DUPLICATE");
    expect(code(() => buildMaglevTable(ids(5), 3))).toBe("MAGLEV_SIZE");
  });
});
