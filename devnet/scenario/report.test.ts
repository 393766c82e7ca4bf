/** JUnit rendering: one testcase per check and per fault; failures carry the invariant, the replay and the event. */
import { describe, expect, test } from "bun:test";
import { junitXml, type ScenarioResult } from "./report.ts";

const base: ScenarioResult = {
  version: 1,
  scenario: "s",
  file: "f.json",
  seed: 9,
  short: false,
  verdict: "fail",
  broken: ["agreement"],
  replay: "lattice devnet scenario run f.json --seed 9",
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 1234,
  config: {},
  checks: [
    {
      name: "agreement",
      status: "fail",
      detail: "height 7 differs",
      firstFailure: { node: "node2", height: 7 },
    },
    { name: "supply", status: "pass", detail: "ok" },
    { name: "liveness", status: "unknown", detail: "ended early" },
  ],
  faults: [
    { step: 1, label: "kill <1>", kind: "kill", targets: [1], fired: 1, evidence: "pid 5", startedAt: 0 },
    { step: 2, label: "loss 0", kind: "loss", targets: [], fired: 0, evidence: "fired 0", startedAt: 0 },
  ],
  load: null,
  rounds: { start: 1, end: 9 },
  timeline: [],
  devnetDir: "/tmp/x",
  reportDir: null,
  error: null,
};

describe("junitXml", () => {
  test("counts, failure messages with the invariant and replay, escaped text", () => {
    const x = junitXml(base);
    expect(x).toContain('tests="5" failures="3" errors="0"');
    expect(x.match(/<testcase /g)?.length).toBe(5);
    expect(x).toContain(
      'message="invariant broken: agreement: height 7 differs; replay: lattice devnet scenario run f.json --seed 9"',
    );
    expect(x).toContain("&quot;node&quot;: &quot;node2&quot;");
    expect(x).toContain('<failure type="unknown"');
    expect(x).toContain('name="fault fired: step 1 kill &lt;1&gt;" time="0"></testcase>');
    expect(x).toContain('<failure type="vacuous" message="vacuous: loss 0 never fired');
  });

  test("a passing run has no failure element; a harness error is an <error>", () => {
    const pass = junitXml({ ...base, checks: [base.checks[1]!], faults: [base.faults[0]!], verdict: "pass" });
    expect(pass).not.toContain("<failure");
    expect(pass).toContain('failures="0"');
    const err = junitXml({ ...base, checks: [], faults: [], error: "DevnetError: boom" });
    expect(err).toContain('<error message="DevnetError: boom"');
    expect(err).toContain('errors="1"');
  });
});
