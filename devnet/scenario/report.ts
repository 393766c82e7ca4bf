/**
 * What a scenario run leaves behind (reliability-anchors.md §7.3, §7.5): `results.json` (a stable
 * schema, version 1), `junit.xml` (one testcase per check and per fault-fired assertion; a failure's
 * message names the invariant and the replay command, its body holds the first failing event) and
 * `history.jsonl` (every client operation with its ternary outcome, then the timeline).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FaultRecord } from "./driver.ts";
import type { LoadOp, LoadSummary } from "./load.ts";

export type CheckStatus = "pass" | "fail" | "unknown";

export interface CheckOutcome {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** The first observation that broke the invariant (when `fail`). */
  readonly firstFailure?: unknown;
}

export interface TimelineEvent {
  /** Milliseconds since the scenario start. */
  readonly at: number;
  /** Highest honest round at the time. */
  readonly round: number;
  readonly kind: "phase" | "step" | "fault" | "check" | "note";
  readonly text: string;
}

/** pass / fail / vacuous (a fault never fired) / unknown (a check could not decide) / error (harness). */
export type ScenarioVerdict = "pass" | "fail" | "vacuous" | "unknown" | "error";

export interface ScenarioResult {
  readonly version: 1;
  readonly scenario: string;
  readonly file: string | null;
  readonly seed: number;
  readonly short: boolean;
  readonly verdict: ScenarioVerdict;
  /** The checks that did not pass, by name (what a human reads first). */
  readonly broken: readonly string[];
  readonly replay: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly checks: readonly CheckOutcome[];
  readonly faults: readonly FaultRecord[];
  readonly load: LoadSummary | null;
  readonly rounds: { readonly start: number; readonly end: number };
  readonly timeline: readonly TimelineEvent[];
  readonly devnetDir: string;
  readonly reportDir: string | null;
  readonly error: string | null;
}

const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // Control characters are not allowed in XML 1.0.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/** The fault-fired testcases' names. */
export function faultCaseName(f: FaultRecord): string {
  return `fault fired: step ${f.step} ${f.label}`;
}

export function junitXml(r: ScenarioResult): string {
  const cls = `lattice.scenario.${r.scenario}`;
  const cases: string[] = [];
  const secs = (r.durationMs / 1000).toFixed(3);
  for (const c of r.checks) {
    const head = `    <testcase classname="${xml(cls)}" name="${xml(c.name)}" time="0">`;
    if (c.status === "pass") {
      cases.push(`${head}</testcase>`);
      continue;
    }
    const msg = `${c.status === "fail" ? "invariant broken" : "undecided"}: ${c.name}: ${c.detail}; replay: ${r.replay}`;
    const body = c.firstFailure === undefined ? c.detail : JSON.stringify(c.firstFailure, null, 2);
    cases.push(
      `${head}\n      <failure type="${c.status}" message="${xml(msg)}">${xml(body)}</failure>\n    </testcase>`,
    );
  }
  for (const f of r.faults) {
    const head = `    <testcase classname="${xml(cls)}" name="${xml(faultCaseName(f))}" time="0">`;
    if (f.fired > 0) cases.push(`${head}</testcase>`);
    else
      cases.push(
        `${head}\n      <failure type="vacuous" message="${xml(`vacuous: ${f.label} never fired; replay: ${r.replay}`)}">${xml(f.evidence)}</failure>\n    </testcase>`,
      );
  }
  if (r.error !== null)
    cases.push(
      `    <testcase classname="${xml(cls)}" name="harness" time="0">\n      <error message="${xml(r.error)}">${xml(r.error)}</error>\n    </testcase>`,
    );
  const failures =
    r.checks.filter((c) => c.status !== "pass").length + r.faults.filter((f) => f.fired <= 0).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lattice devnet scenarios" tests="${cases.length}" failures="${failures}" errors="${r.error === null ? 0 : 1}" time="${secs}">`,
    `  <testsuite name="${xml(r.scenario)}" tests="${cases.length}" failures="${failures}" errors="${r.error === null ? 0 : 1}" skipped="0" time="${secs}" timestamp="${xml(r.startedAt)}">`,
    "    <properties>",
    `      <property name="seed" value="${r.seed}"/>`,
    `      <property name="verdict" value="${r.verdict}"/>`,
    `      <property name="replay" value="${xml(r.replay)}"/>`,
    "    </properties>",
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/** Write results.json, junit.xml and history.jsonl into `dir`. */
export function writeReports(dir: string, r: ScenarioResult, ops: readonly LoadOp[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, "junit.xml"), junitXml(r));
  const lines = [
    ...ops.map((o) => JSON.stringify({ type: "op", ...o })),
    ...r.timeline.map((e) => JSON.stringify({ type: "event", ...e })),
  ];
  writeFileSync(join(dir, "history.jsonl"), lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}
