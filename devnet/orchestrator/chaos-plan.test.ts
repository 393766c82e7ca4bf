import { describe, expect, test } from "bun:test";
import {
  ChaosSpecError,
  mergeFaults,
  parseMs,
  parsePartition,
  parseRate,
  partitionLinks,
  rulesByNode,
  targetLinks,
} from "./chaos-plan.ts";

const links = (fs: { from: number; to: number }[]) => fs.map((f) => `${f.from}>${f.to}`).sort();

describe("chaos specs", () => {
  test("a symmetric partition cuts every link between groups, both ways", () => {
    const g = parsePartition("0,1/2,3", 4);
    expect(g).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(links(partitionLinks(g, false))).toEqual(
      ["0>2", "0>3", "1>2", "1>3", "2>0", "2>1", "3>0", "3>1"].sort(),
    );
  });

  test("--one-way cuts only frames from the first group to the second", () => {
    expect(links(partitionLinks(parsePartition("0/1,2", 3), true))).toEqual(["0>1", "0>2"]);
    expect(() => partitionLinks(parsePartition("0/1/2", 3), true)).toThrow(ChaosSpecError);
  });

  test("malformed partitions are refused with the reason", () => {
    for (const [spec, msg] of [
      ["0,1", "two non-empty groups"],
      ["0/", "two non-empty groups"],
      ["0,1/1,2", "in two groups"],
      ["0/9", "does not exist"],
      ["a/b", "node number"],
    ] as const) {
      expect(() => parsePartition(spec, 4)).toThrow(msg);
    }
  });

  test("targets: a node (all its links), a link both ways, one direction", () => {
    expect(links(targetLinks("1", 3))).toEqual(["0>1", "1>0", "1>2", "2>1"]);
    expect(links(targetLinks("0-2", 3))).toEqual(["0>2", "2>0"]);
    expect(links(targetLinks("2>0", 3))).toEqual(["2>0"]);
    expect(() => targetLinks("1-1", 3)).toThrow("itself");
    expect(() => targetLinks("0", 1)).toThrow("no links");
  });

  test("merging: new fields override old ones per link, other fields stay; each node gets its outgoing rules", () => {
    const a = mergeFaults([], [{ from: 0, to: 1, rule: { latencyMs: 50 } }]);
    const b = mergeFaults(a, [
      { from: 0, to: 1, rule: { loss: 0.1 } },
      { from: 1, to: 0, rule: { partition: true } },
    ]);
    expect(b).toEqual([
      { from: 0, to: 1, rule: { latencyMs: 50, loss: 0.1 } },
      { from: 1, to: 0, rule: { partition: true } },
    ]);
    const by = rulesByNode(b, 3);
    expect(by.map((r) => r.length)).toEqual([1, 1, 0]);
  });

  test("rates and durations are range-checked", () => {
    expect(parseRate("0.25", "--rate")).toBe(0.25);
    for (const bad of ["", "-0.1", "1.5", "x"])
      expect(() => parseRate(bad, "--rate")).toThrow(ChaosSpecError);
    expect(parseMs("200", "--ms")).toBe(200);
    expect(parseMs("-200", "--ms", true)).toBe(-200);
    for (const bad of ["-1", "1.5", "60001", ""]) expect(() => parseMs(bad, "--ms")).toThrow(ChaosSpecError);
  });
});
