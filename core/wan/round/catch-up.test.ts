import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { convergenceHash } from "../convergence/convergence-block.ts";
import { harness, load, safetyViolations } from "./wan-scenario.ts";

describe("catch-up", () => {
  test("a node cut off for several rounds fetches them from peers and rejoins the same chain", () => {
    const suite = modelSuite();
    const h = harness(suite, 31);
    // The cut-off node: a farmer (it also holds a pending view that must be rebuilt on the new state).
    const victim = h.engines()[0]!;
    h.filter = (from, to, now) => !(now >= 300 && now < 1500 && (from === victim.id || to === victim.id));
    h.start();
    const r = load(h, suite, { transfers: 120, spacingMs: 12 });
    h.run(1500);
    const others = h.engines().filter((e) => e !== victim);
    const missed = others[0]!.chain.head.round - victim.chain.head.round;
    expect(missed).toBeGreaterThanOrEqual(3); // it really fell behind
    h.run(2500);
    expect(safetyViolations(r)).toEqual([]);
    const ref = others[0]!.chain;
    expect(victim.chain.head.round).toBe(ref.head.round);
    expect(victim.chain.history.map((x) => toHex(convergenceHash(x.block)))).toEqual(
      ref.history.map((x) => toHex(convergenceHash(x.block))),
    );
    expect(toHex(victim.chain.head.stateRoot)).toBe(toHex(ref.head.stateRoot));
  }, 30_000);
});
