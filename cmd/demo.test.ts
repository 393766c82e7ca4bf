import { expect, test } from "bun:test";
import { runCaptured } from "./cli-harness.ts";

test("the demo's checks all hold: dev keys, addresses, Ed25519, a 7-member BLS DKG with a bad dealer, 5-of-7 signing", async () => {
  const r = await runCaptured(["--json", "demo"]);
  const out = JSON.parse(r.stdout) as { ok: boolean; steps: { name: string; ok: boolean; detail: string }[] };
  for (const s of out.steps) expect({ name: s.name, ok: s.ok }).toEqual({ name: s.name, ok: true });
  expect(out.steps.length).toBe(5);
  expect(out.steps.find((s) => s.name.startsWith("dealerless DKG"))?.detail).toContain(
    "QUAL = {1,2,3,5,6,7}",
  );
  expect(out.ok).toBe(true);
  expect(r.code).toBe(0);
}, 30_000);
