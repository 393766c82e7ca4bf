import { describe, expect, test } from "bun:test";
import { type FinalizedRecord, InvariantChecker, unfiredFaults, verdictOf } from "./checker.ts";

let seq = 0;
function rec(
  node: string,
  height: number,
  block: string,
  parent: string,
  at = height * 100,
): FinalizedRecord {
  return { seq: ++seq, at, node, chain: "c", height, block, parent, payload: `p-${block}` };
}

describe("InvariantChecker", () => {
  test("agreement and validity pass on consistent logs", () => {
    const c = new InvariantChecker();
    for (const node of ["a", "b"]) {
      c.recordFinalized(rec(node, 1, "b1", "g"), "s1");
      c.recordFinalized(rec(node, 2, "b2", "b1"), "s2");
    }
    expect(c.agreement().status).toBe("pass");
    expect(c.validity(() => true).status).toBe("pass");
    expect(c.stateAgreement().status).toBe("pass");
  });

  test("agreement fails with the first conflicting observation", () => {
    const c = new InvariantChecker();
    c.recordFinalized(rec("a", 1, "x", "g"));
    const bad = rec("b", 1, "y", "g");
    c.recordFinalized(bad);
    c.recordFinalized(rec("c", 1, "z", "g"));
    const r = c.agreement();
    expect(r.status).toBe("fail");
    expect(r.firstFailure).toEqual(bad);
  });

  test("validity fails on gaps, repeats, broken parent links and unproposed payloads", () => {
    const gap = new InvariantChecker();
    gap.recordFinalized(rec("a", 1, "b1", "g"));
    gap.recordFinalized(rec("a", 3, "b3", "b2"));
    expect(gap.validity(() => true).status).toBe("fail");
    const again = new InvariantChecker();
    again.recordFinalized(rec("a", 1, "b1", "g"));
    again.recordFinalized(rec("a", 1, "b1", "g"));
    expect(again.validity(() => true).status).toBe("fail");
    const link = new InvariantChecker();
    link.recordFinalized(rec("a", 1, "b1", "g"));
    link.recordFinalized(rec("a", 2, "b2", "zz"));
    expect(link.validity(() => true).status).toBe("fail");
    const forged = new InvariantChecker();
    forged.recordFinalized(rec("a", 1, "b1", "g"));
    expect(forged.validity((_c, p) => p !== "p-b1").status).toBe("fail");
  });

  test("state agreement fails on diverging digests, is unknown without any", () => {
    const c = new InvariantChecker();
    c.recordFinalized(rec("a", 1, "b1", "g"), "s1");
    c.recordFinalized(rec("b", 1, "b1", "g"), "other");
    expect(c.stateAgreement().status).toBe("fail");
    expect(new InvariantChecker().stateAgreement().status).toBe("unknown");
  });

  test("liveness: pass, fail after the bound, unknown before it", () => {
    const c = new InvariantChecker();
    c.recordFinalized(rec("a", 1, "b1", "g", 100));
    c.recordFinalized(rec("a", 2, "b2", "b1", 1500));
    c.recordFinalized(rec("a", 3, "b3", "b2", 1600));
    const base = { healedAt: 1000, bound: 1000, minHeights: 2, expected: [{ node: "a", chain: "c" }] };
    expect(c.liveness({ ...base, endedAt: 2000 }).status).toBe("pass");
    expect(c.liveness({ ...base, minHeights: 3, endedAt: 2000 }).status).toBe("fail");
    expect(c.liveness({ ...base, minHeights: 3, endedAt: 1500 }).status).toBe("unknown");
  });

  test("a run whose faults never fired is vacuous, not passed", () => {
    const pass = [{ name: "agreement", status: "pass" as const, detail: "" }];
    expect(
      unfiredFaults([
        { fault: "crash", fired: 0 },
        { fault: "loss", fired: 3 },
      ]),
    ).toEqual(["crash"]);
    expect(verdictOf(pass, ["crash"])).toBe("vacuous");
    expect(verdictOf(pass, [])).toBe("pass");
    expect(verdictOf([{ name: "agreement", status: "fail", detail: "" }], [])).toBe("fail");
  });
});
