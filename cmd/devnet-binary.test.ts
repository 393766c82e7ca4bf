/**
 * One binary (issue #8 item 7): the compiled `lattice` runs `devnet up`, whose nodes are the same binary
 * run again (`lattice node --config ...`), and `devnet down` leaves no process behind.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devnetPaths } from "../devnet/orchestrator/layout.ts";
import { pidState, stopProcess } from "../devnet/orchestrator/processes.ts";
import { readState } from "../devnet/orchestrator/state-file.ts";

let root = "";
let bin = "";

function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== "BUN_BE_BUN" && k !== "LATTICE_DEVNET_NODE_COMMAND") e[k] = v;
  return e;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([bin, ...argv], { cwd: root, env: env(), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "lattice-devnet-bin-"));
  bin = join(root, "lattice");
  const build = Bun.spawn([process.execPath, join(import.meta.dir, "build.ts"), "--outfile", bin], {
    stdout: "pipe",
    stderr: "pipe",
    env: env(),
  });
  const [err, code] = await Promise.all([new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`build failed (${code}): ${err}`);
}, 120_000);

afterAll(async () => {
  const s = readState(devnetPaths(".lattice/devnet", root).state);
  for (const n of s?.nodes ?? [])
    if (n.pid !== null) await stopProcess(n.pid, n.config, { graceMs: 2_000 }).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

test("the compiled binary brings a 4-node devnet up (nodes are the binary itself) and down", async () => {
  const u = await run(["devnet", "up", "--nodes", "4", "--detach", "--json"]);
  expect(u.code).toBe(0);
  const j = JSON.parse(u.stdout) as { dir: string; nodes: { pid: number; apiUrl: string }[] };
  expect(j.dir).toBe(join(root, ".lattice", "devnet"));
  for (const n of j.nodes) {
    expect((await fetch(`${n.apiUrl}/readyz`)).status).toBe(200);
    // The node process is the compiled binary, not bun running a script.
    expect(readFileSync(`/proc/${n.pid}/cmdline`, "utf8").split("\0")[0]).toBe(bin);
  }
  const d = await run(["devnet", "down", "--json"]);
  expect(d.code).toBe(0);
  for (const n of j.nodes) expect(pidState(n.pid)).toBe("gone");
}, 60_000);
