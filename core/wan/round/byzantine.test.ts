import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { envelopeOf } from "../../tx/transfer.ts";
import { finalizedIds, harness, load, safetyViolations } from "./wan-scenario.ts";
import type { WanByzantine } from "./wan-node.ts";

type Role = "farmer" | "harvester" | "miner";

function run(seed: number, byz: (role: Role, i: number, q: number) => WanByzantine | undefined, extra = {}) {
  const suite = modelSuite();
  const h = harness(suite, seed, { byzantine: byz, ...extra });
  h.start();
  const r = load(h, suite, { transfers: 150, spacingMs: 8, twinEvery: 10 });
  h.run(1500);
  h.run(3000); // drain
  const faults = new Map<string, number>();
  for (const e of h.engines())
    for (const [k, v] of Object.entries(e.faultCounts())) faults.set(k, (faults.get(k) ?? 0) + v);
  const evidence = h.emits
    .filter((e) => e.name === "wan/evidence")
    .map((e) => e.data as Record<string, unknown>);
  return { h, r, faults, evidence };
}

describe("WAN safety with byzantine members (model crypto, 2 farmer quorums of 5, 5 harvesters, 3 miners)", () => {
  test("two equivocating harvesters of 5 cannot certify two blocks for one round (agreement first)", () => {
    // Every top-3 miner mines at once, so most rounds have several valid blocks to equivocate over.
    const { h, r, faults } = run(
      11,
      (role, i) => (role === "harvester" && i < 2 ? { harvester: "equivocate" } : undefined),
      { params: { backupDelayMs: 0 } },
    );
    expect(safetyViolations(r)).toEqual([]);
    const rounds = h.engines()[0]!.chain.head.round;
    expect(rounds).toBeGreaterThanOrEqual(8);
    expect(h.certifiedBlocks.size).toBeGreaterThanOrEqual(rounds);
    // The attack was attempted: shares on blocks the agreement did not decide.
    expect(faults.get("harvester/equivocated-share") ?? 0).toBeGreaterThan(0);
  }, 30_000);

  test("equivocating farmers: a forked batch chain and two-verdict shares; evidence names both; ledger safe", () => {
    // In quorum 1, farmer 1 forks its batch chain with double-spend twins, farmer 0 signs two verdicts.
    const { h, r, faults, evidence } = run(21, (role, i, q) =>
      role === "farmer" && q === 1 && i === 1
        ? { farmer: "double-spend" }
        : role === "farmer" && q === 1 && i === 0
          ? { farmer: "equivocate" }
          : undefined,
    );
    expect(safetyViolations(r)).toEqual([]);
    expect(faults.get("farmer/forked-batch") ?? 0).toBeGreaterThan(0);
    expect(faults.get("farmer/equivocated-verdict") ?? 0).toBeGreaterThan(0);
    const engines = h.engines();
    const q0 = engines.filter((e) => e.faultCounts()["farmer/forked-batch"] !== undefined)[0]!;
    const q1 = engines.filter((e) => e.faultCounts()["farmer/equivocated-verdict"] !== undefined)[0]!;
    // Both forked batches were certified (the quorum validated each against the same pending view), and
    // every node that saw both names the batcher.
    const forks = evidence.filter((e) => e.kind === "batch-fork");
    expect(forks.length).toBeGreaterThan(0);
    expect(new Set(forks.map((e) => e.batcher))).toEqual(new Set([q0.id]));
    const equivocations = evidence.filter((e) => e.kind === "verdict-equivocation");
    expect(equivocations.length).toBeGreaterThan(0);
    expect(new Set(equivocations.map((e) => e.member))).toEqual(new Set([q1.id]));
    // Of two same-(sender, nonce) transfers at most one is final, whatever was certified.
    const final = finalizedIds(h);
    const slots = new Map<string, number>();
    for (const [id, tx] of r.submitted) {
      if (!final.has(id)) continue;
      const s = `${toHex(tx.from)}/${tx.nonce}`;
      slots.set(s, (slots.get(s) ?? 0) + 1);
    }
    for (const n of slots.values()) expect(n).toBe(1);
  }, 30_000);

  const mixes: [string, (role: Role, i: number, q: number) => WanByzantine | undefined, string[]][] = [
    [
      "wrong-verdict farmer, withholding harvester, invalid-block miner",
      (role, i, q) =>
        role === "farmer" && i === 2 && q === 0
          ? { farmer: "wrong-verdict" }
          : role === "harvester" && i === 3
            ? { harvester: "withhold" }
            : role === "miner" && i === 0
              ? { miner: "invalid-block" }
              : undefined,
      ["farmer/wrong-verdict", "harvester/withheld-proposal", "miner/invalid-block"],
    ],
    [
      "double-spend farmer, invalid-proposal harvester",
      (role, i, q) =>
        role === "farmer" && i === 1 && q === 1
          ? { farmer: "double-spend" }
          : role === "harvester" && i === 1
            ? { harvester: "invalid-proposal" }
            : undefined,
      ["farmer/forked-batch", "harvester/invalid-proposal"],
    ],
    [
      "equivocating farmer, equivocating harvester",
      (role, i, q) =>
        role === "farmer" && i === 4 && q === 1
          ? { farmer: "equivocate" }
          : role === "harvester" && i === 0
            ? { harvester: "equivocate" }
            : undefined,
      ["farmer/equivocated-verdict", "harvester/equivocated-proposal"],
    ],
  ];
  for (const [name, byz, acted] of mixes) {
    test(`one byzantine member per quorum keeps safety and liveness: ${name}`, () => {
      const { h, r, faults } = run(21, byz);
      expect(safetyViolations(r)).toEqual([]);
      for (const k of acted) expect(faults.get(k) ?? 0).toBeGreaterThan(0);
      // Liveness: every plain (twin-free) transfer is final after the drain.
      const final = finalizedIds(h);
      const lost = r.plain.filter((tx) => !final.has(toHex(envelopeOf(tx).id)));
      expect(lost.length).toBe(0);
    }, 30_000);
  }
});
