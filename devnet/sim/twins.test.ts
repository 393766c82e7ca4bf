import { describe, expect, test } from "bun:test";
import { runTwins, twinsHosts, twoWayPartitions } from "./twins.ts";

describe("Twins", () => {
  test("two-way partitions of 5 hosts: 15 distinct splits", () => {
    const splits = twoWayPartitions(twinsHosts(["n1"]));
    expect(splits.length).toBe(15);
    expect(new Set(splits.map((s) => s.join())).size).toBe(15);
  });

  // n = 4, f = 1. Twin the leader of view 1 (n1, round robin) and a non-leader (n0), across every split.
  for (const twin of ["n1", "n0"]) {
    test(`one twinned replica (${twin}) across all two-way partitions for 3 views: 0 agreement violations`, () => {
      let finalized = 0;
      let evidence = 0;
      for (const side of twoWayPartitions(twinsHosts([twin]))) {
        const r = runTwins({ seed: 11, twins: [twin], side, views: 3 }, 4000);
        if (r.violations.length > 0) throw new Error(`${r.violations.join("; ")}\nreplay: ${r.replay}`);
        finalized += r.finalized;
        evidence += r.evidence;
      }
      // Not vacuous: the honest replicas did finalize, and the twins were caught equivocating somewhere.
      expect(finalized).toBeGreaterThan(15 * 10);
      expect(evidence).toBeGreaterThan(0);
    }, 60_000);
  }

  test("f+1 twinned replicas break agreement and the checker reports it with a replay command", () => {
    const r = runTwins({ seed: 11, twins: ["n0", "n1"], side: ["n0", "n1", "n2"], views: 3 });
    const agreement = r.checks.find((c) => c.name === "agreement")!;
    expect(agreement.status).toBe("fail");
    expect(agreement.firstFailure?.height).toBe(1);
    expect(r.violations[0]).toContain("agreement");
    expect(r.replay).toBe("lattice sim --seed 11 --nodes 4 --twins n0,n1 --split n0,n1,n2 --views 3");
  });
});
