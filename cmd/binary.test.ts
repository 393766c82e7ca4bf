/**
 * The compiled binary, not only `bun run`: build dist-style into a temp dir and run it as a user would.
 * Other suites that need the binary (workers, explorer) add their own checks against the same build.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import golden from "../fixtures/vectors/dev-accounts.json" with { type: "json" };
import { VERSION } from "./version.ts";

let dir = "";
let bin = "";

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_BE_BUN") env[k] = v;
  return env;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([bin, ...argv], { stdout: "pipe", stderr: "pipe", env: cleanEnv(), cwd: dir });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lattice-bin-"));
  bin = join(dir, "lattice");
  const build = Bun.spawn([process.execPath, join(import.meta.dir, "build.ts"), "--outfile", bin], {
    stdout: "pipe",
    stderr: "pipe",
    env: cleanEnv(),
  });
  const [err, code] = await Promise.all([new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`build failed (${code}): ${err}`);
}, 120_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

test("the compiled binary prints its version", async () => {
  expect(await run(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
});

test("the compiled binary runs a command with --json and keeps the exit-code contract", async () => {
  const r = await run(["keys", "dev", "--json", "-n", String(golden.accounts.length)]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual(golden);
  expect((await run(["no-such-command"])).code).toBe(2);
});

test("the compiled binary runs the demo (BLS DKG and threshold signing) with every check passing", async () => {
  const r = await run(["--json", "demo"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).ok).toBe(true);
}, 30_000);

test("doctor in the compiled binary: worker cores, SQLite, BLS and loopback all work", async () => {
  const r = await run(["--json", "doctor"]);
  const out = JSON.parse(r.stdout) as {
    ok: boolean;
    checks: { name: string; ok: boolean; detail: string }[];
  };
  for (const c of out.checks)
    expect({ name: c.name, ok: c.ok, detail: c.detail }).toMatchObject({ name: c.name, ok: true });
  expect(out.checks.find((c) => c.name === "runtime")?.detail).toContain("compiled binary");
  expect(out.checks.find((c) => c.name.startsWith("validator unit"))?.detail).toContain(
    "forged signature caught",
  );
  expect(r.code).toBe(0);
}, 30_000);

test("a .env or bunfig.toml in the working directory does not reconfigure the binary", async () => {
  await Bun.write(join(dir, ".env"), "BUN_BE_BUN=1\n");
  await Bun.write(join(dir, "bunfig.toml"), 'preload = ["./nope.ts"]\n');
  expect((await run(["--version"])).stdout).toBe(`${VERSION}\n`);
});
