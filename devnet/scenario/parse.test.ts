/** Scenario files: every fixture decodes, typos and bad references are refused, YAML works, --short halves. */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadScenarioFile, ScenarioFileError, scenarioFromObject, shortened } from "./parse.ts";
import { defineScenario } from "./types.ts";

const fixtures = join(import.meta.dir, "..", "..", "fixtures", "scenarios");
const files = [
  ...readdirSync(fixtures).map((f) => join(fixtures, f)),
  ...readdirSync(join(fixtures, "test-only")).map((f) => join(fixtures, "test-only", f)),
].filter((f) => /\.(json|ya?ml)$/.test(f));

const minimal = { name: "x", topology: { nodes: 4 }, steps: [] };

describe("scenario files", () => {
  test("every fixture decodes, with load, faults and a unique name", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    const names = new Set<string>();
    for (const f of files) {
      const s = loadScenarioFile(f);
      expect(names.has(s.name)).toBe(false);
      names.add(s.name);
      expect(s.load).toBeDefined();
    }
  });

  test("YAML and JSON give the same objects", () => {
    const s = loadScenarioFile(join(fixtures, "clock-skew.yaml"));
    expect(s.steps[0]).toEqual({ at: { round: 5 }, do: "skew", node: 1, ms: 2000 });
    expect(s.steps[2]).toEqual({ do: "assert", check: "progress", rounds: 5, withinMs: 10_000 });
  });

  test("unknown fields, unknown steps and bad values are refused with the path", () => {
    expect(() => scenarioFromObject({ ...minimal, stepz: [] })).toThrow(ScenarioFileError);
    expect(() => scenarioFromObject({ ...minimal, steps: [{ do: "explode" }] })).toThrow(/steps\.0/);
    expect(() => scenarioFromObject({ ...minimal, steps: [{ do: "kill", node: 1, nod: 2 }] })).toThrow(
      ScenarioFileError,
    );
    expect(() => scenarioFromObject({ ...minimal, steps: [{ do: "loss", target: "all", rate: 2 }] })).toThrow(
      ScenarioFileError,
    );
    expect(() => scenarioFromObject({ ...minimal, name: "Not Kebab" })).toThrow(ScenarioFileError);
  });

  test("node references must exist; partition needs groups xor isolate", () => {
    expect(() => scenarioFromObject({ ...minimal, steps: [{ do: "kill", node: 4 }] })).toThrow(/node 4/);
    expect(() =>
      scenarioFromObject({ ...minimal, steps: [{ do: "loss", target: "1>7", rate: 0.1 }] }),
    ).toThrow(/node 7/);
    expect(() => scenarioFromObject({ ...minimal, steps: [{ do: "partition" }] })).toThrow(/exactly one/);
    expect(() =>
      scenarioFromObject({ ...minimal, steps: [{ do: "partition", groups: [[0], [1], [2]], oneWay: true }] }),
    ).toThrow(/two groups/);
  });

  test("durations accept ms numbers and strings", () => {
    const s = scenarioFromObject({
      ...minimal,
      load: { tps: 5, senders: 2, duration: "1.5s" },
      steps: [{ at: { afterMs: "250ms" }, do: "wait", ms: "1m" }],
      liveness: { bound: "8s" },
    });
    expect(s.load?.durationMs).toBe(1500);
    expect(s.steps[0]).toEqual({ at: { afterMs: 250 }, do: "wait", ms: 60_000 });
    expect(s.liveness).toEqual({ boundMs: 8000 });
  });

  test("--short halves times, rounds and repeats (at least 1) and keeps rates", () => {
    const s = defineScenario({
      name: "t",
      topology: { nodes: 4 },
      load: { tps: 10, senders: 2, durationMs: 5000 },
      steps: [
        { at: { round: 5 }, do: "loss", target: "all", rate: 0.3 },
        { at: { afterMs: 3000 }, do: "heal" },
        { do: "repeat", times: 3, steps: [{ at: { afterRounds: 1 }, do: "wait", rounds: 4 }] },
      ],
    });
    const t = shortened(s);
    expect(t.load?.durationMs).toBe(2500);
    expect(t.steps[0]).toEqual({ at: { round: 3 }, do: "loss", target: "all", rate: 0.3 });
    expect(t.steps[1]).toEqual({ at: { afterMs: 1500 }, do: "heal" });
    expect(t.steps[2]).toEqual({
      do: "repeat",
      times: 2,
      steps: [{ at: { afterRounds: 1 }, do: "wait", rounds: 2 }],
    });
  });
});
