import { describe, expect, test } from "bun:test";
import { runSimulation } from "./run.ts";

describe("quorum keys in the simulator", () => {
  test("real crypto end to end: n = 4 runs its BLS DKG over Simplex and certifies its log", () => {
    const r = runSimulation({ seed: 4, nodes: 4, rounds: 6, faults: "none", suite: "real" });
    expect(r.violations).toEqual([]);
    expect(r.verdict).toBe("pass");
    const q = r.quorums[0]!;
    expect(q.key.status).toBe("ready");
    expect(q.key.readyMembers).toBe(4);
    expect(q.key.readyHeight).toBeGreaterThan(0);
    // Certificates were made (and verified with BLS by the harness), refusals came first.
    const certs = r.checks.find((c) => c.name === "no-certificate-before-key")!;
    expect(certs.status).toBe("pass");
    expect(certs.detail).toMatch(/^[1-9]\d* certificates/);
    expect(certs.detail).toContain("4 refused");
  }, 60_000);
});
