/**
 * `lattice explorer` as a command: usage errors exit 2; --once prints one text snapshot, --json one JSON
 * document; without a TTY it prints a plain live summary (no raw mode) and stops cleanly on SIGTERM.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SoloNode, startSoloNode } from "../net/api/solo-node.ts";
import { runCaptured } from "./cli-harness.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-explorer-cmd-"));
let node: SoloNode;
let child: Bun.Subprocess<"ignore", "pipe", "pipe"> | null = null;

beforeAll(async () => {
  node = await startSoloNode({ dataDir: join(dir, "node"), chainId: 4444, genesis: [], version: "test", blockTimeMs: 0, synchronous: "normal" });
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("usage errors exit 2", async () => {
  expect((await runCaptured(["explorer", "--url", "http://x", "--dir", "d"])).code).toBe(2);
  expect((await runCaptured(["explorer", "--url", "ftp://x"])).code).toBe(2);
  expect((await runCaptured(["explorer", "--bogus"])).code).toBe(2);
});

test("--once prints a snapshot; --json one JSON document", async () => {
  const once = await runCaptured(["explorer", "--url", node.apiUrl, "--once"]);
  expect(once.code).toBe(0);
  expect(once.stdout).toMatch(/n0\s+up\s+0\s+solo/);
  expect(once.stdout).toContain("invariants: ok");
  const json = await runCaptured(["--json", "explorer", "--url", node.apiUrl]);
  expect(json.code).toBe(0);
  const doc = JSON.parse(json.stdout) as { nodes: { health: string; nodeId: string }[]; head: number };
  expect(doc.nodes[0]).toMatchObject({ health: "up", nodeId: node.nodeId });
  expect(doc.head).toBe(0);
});

test("--once on a directory without a devnet fails and says so", async () => {
  const r = await runCaptured(["explorer", "--dir", join(dir, "none"), "--once"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(`no devnet in ${join(dir, "none")}`);
});

test("without a TTY: a plain summary line, no raw mode, exit 0 on SIGTERM", async () => {
  child = Bun.spawn([process.execPath, join(import.meta.dir, "lattice.ts"), "explorer", "--url", node.apiUrl], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  let text = "";
  const deadline = performance.now() + 15_000;
  while (!text.includes("\n")) {
    if (performance.now() > deadline) throw new Error(`no summary line: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited: ${await new Response(child.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  expect(text).toMatch(/round 0 .*nodes 1\/1 up .*invariants ok/);
  expect(text).not.toContain("\u001B[");
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);
  expect(await new Response(child.stderr).text()).not.toContain("Raw mode");
  child = null;
}, 30_000);
