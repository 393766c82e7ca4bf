import { expect, test } from "bun:test";
import { runCaptured } from "./cli-harness.ts";

test("doctor from source: every check passes and the exit code says so", async () => {
  const r = await runCaptured(["--json", "doctor"]);
  const out = JSON.parse(r.stdout) as {
    ok: boolean;
    checks: { name: string; ok: boolean; detail: string }[];
  };
  expect(out.checks.map((c) => [c.name, c.ok])).toEqual(out.checks.map((c) => [c.name, true]));
  expect(out.checks.length).toBe(6);
  expect(out.checks[0]!.detail).toContain("from source");
  expect(r.code).toBe(0);
}, 30_000);
