/**
 * `lattice devnet` end to end, with real cluster node processes started from source: up --detach --json,
 * a transfer through the SDK finalizes, kill/pause/resume/restart from the CLI, down leaves no process,
 * and up again resumes the same chain. Plus usage errors (exit 2, nothing started, nothing written).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devnetPaths } from "../devnet/orchestrator/layout.ts";
import { pidState, stopProcess } from "../devnet/orchestrator/processes.ts";
import { readState } from "../devnet/orchestrator/state-file.ts";
import { LatticeClient } from "../net/client/client.ts";
import { fromHex } from "../core/crypto/bytes.ts";
import { runCaptured } from "./cli-harness.ts";
import { parseDuration } from "./devnet.ts";

const root = mkdtempSync(join(tmpdir(), "lattice-devnet-cli-"));
const dir = join(root, "net");
const seen = new Map<number, string>();

function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== "BUN_BE_BUN" && k !== "LATTICE_DEVNET_NODE_COMMAND") e[k] = v;
  return e;
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn(
    [process.execPath, join(import.meta.dir, "lattice.ts"), "devnet", ...argv, "--dir", dir],
    {
      cwd: root,
      env: env(),
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  remember();
  return { code, stdout, stderr };
}

/** Every pid the state file ever named, so afterAll can stop whatever a failed test left. */
function remember(): void {
  const s = readState(devnetPaths(dir).state);
  for (const n of s?.nodes ?? []) if (n.pid !== null) seen.set(n.pid, n.config);
}

afterAll(async () => {
  remember();
  for (const [pid, config] of seen) await stopProcess(pid, config, { graceMs: 2_000 }).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

async function until(cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

interface UpJson {
  dir: string;
  chainId: number;
  nodes: { index: number; nodeId: string; apiUrl: string; adminUrl: string; pid: number }[];
  accounts: { address: string; secretKey: string; balance: string }[];
  timings: Record<string, number>;
}

describe("lattice devnet (real nodes)", () => {
  test("up --detach --json, a transfer finalizes, kill/pause/resume/restart, down leaves nothing, up resumes", async () => {
    const u = await cli("up", "--nodes", "4", "--detach", "--json", "--seed", "cli-test");
    expect(u.code).toBe(0);
    const j = JSON.parse(u.stdout) as UpJson;
    expect(j.nodes).toHaveLength(4);
    expect(j.accounts).toHaveLength(10);
    for (const n of j.nodes) {
      expect(n.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(pidState(n.pid)).toBe("alive");
    }
    expect(j.timings.readyMs).toBeGreaterThanOrEqual(j.timings.firstFinalizedMs!);

    // A transfer sent to one node finalizes and is seen by another.
    const a0 = j.accounts[0]!;
    const a1 = j.accounts[1]!;
    const c0 = new LatticeClient({ url: j.nodes[0]!.apiUrl });
    const before = (await c0.getAccount(a1.address)).balance;
    const tx = await c0.transfer({ secretKey: fromHex(a0.secretKey), to: a1.address, amount: 7n });
    const outcome = await c0.waitForFinality(tx.id, { timeoutMs: 20_000 });
    c0.close();
    expect(outcome.outcome).toBe("final");
    const c3 = new LatticeClient({ url: j.nodes[3]!.apiUrl });
    expect(await until(async () => (await c3.getAccount(a1.address)).balance === before + 7n, 10_000)).toBe(
      true,
    );

    // A second up on the same directory is refused.
    const again = await cli("up", "--detach", "--json");
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error.code).toBe("DEVNET_RUNNING");

    // kill -> gone; restart -> back and ready.
    const k = await cli("kill", "2", "--json");
    expect(k.code).toBe(0);
    expect(pidState(j.nodes[2]!.pid)).toBe("gone");
    const r = await cli("restart", "2", "--json");
    expect(r.code).toBe(0);
    const restarted = JSON.parse(r.stdout) as { pid: number; apiUrl: string };
    expect(restarted.pid).not.toBe(j.nodes[2]!.pid);
    expect(pidState(restarted.pid)).toBe("alive");
    expect((await fetch(`${restarted.apiUrl}/readyz`)).status).toBe(200);

    // pause -> stopped process; resume -> it makes progress again.
    expect((await cli("pause", "1")).code).toBe(0);
    // SIGSTOP takes effect when the target is next scheduled, not when kill() returns: poll for it.
    expect(await until(() => pidState(j.nodes[1]!.pid) === "stopped", 5_000)).toBe(true);
    expect((await cli("resume", "1")).code).toBe(0);
    const c1 = new LatticeClient({ url: j.nodes[1]!.apiUrl });
    const r1 = BigInt((await c1.node()).round);
    expect(await until(async () => BigInt((await c1.node()).round) > r1, 15_000)).toBe(true);

    const st = await cli("status", "--json");
    const sj = JSON.parse(st.stdout) as { nodes: { ready: boolean; round: string | null }[] };
    expect(sj.nodes.map((n) => n.ready)).toEqual([true, true, true, true]);
    const height = Math.max(...sj.nodes.map((n) => Number(n.round)));

    // down: every pid gone.
    const pids = readState(devnetPaths(dir).state)!.nodes.map((n) => n.pid!);
    const genesis = readFileSync(devnetPaths(dir).genesis, "utf8");
    const d = await cli("down");
    expect(d.code).toBe(0);
    for (const pid of pids) expect(pidState(pid)).toBe("gone");

    // up again: same genesis, the chain continues past the height it had.
    const u2 = await cli("up", "--detach", "--json");
    expect(u2.code).toBe(0);
    const j2 = JSON.parse(u2.stdout) as UpJson & { resumed: boolean };
    expect(j2.resumed).toBe(true);
    expect(readFileSync(devnetPaths(dir).genesis, "utf8")).toBe(genesis);
    const c = new LatticeClient({ url: j2.nodes[0]!.apiUrl });
    expect(BigInt((await c.node()).round)).toBeGreaterThanOrEqual(BigInt(height));
    expect((await c.getAccount(a1.address)).balance).toBe(before + 7n);
    expect((await cli("down")).code).toBe(0);
    for (const n of j2.nodes) expect(pidState(n.pid)).toBe("gone");
  }, 90_000);
});

describe("lattice devnet usage errors", () => {
  test("bad arguments exit 2 with the reason on stderr, nothing on stdout, nothing started", async () => {
    const d = join(root, "untouched");
    for (const argv of [
      ["devnet", "up", "--nodes", "0", "--dir", d],
      ["devnet", "up", "--nodes", "x", "--dir", d],
      ["devnet", "up", "--block-time", "-5", "--dir", d],
      ["devnet", "up", "--timeout", "forever", "--dir", d],
      ["devnet", "up", "--farmer-quorums", "2", "--quorum-size", "4", "--dir", d],
      ["devnet", "load", "--tps", "0", "--duration", "1s", "--dir", d],
      ["devnet", "bogus"],
    ]) {
      const r = await runCaptured(argv);
      expect({ argv, code: r.code, stdout: r.stdout }).toEqual({ argv, code: 2, stdout: "" });
      expect(r.stderr).toContain("error");
    }
    const wan = await runCaptured(["devnet", "up", "--farmer-quorums", "2", "--dir", d]);
    expect(wan.stderr).toContain("WAN mode");
    expect(existsSync(d)).toBe(false);
  });

  test("commands on a directory without a devnet fail with DEVNET_NOT_FOUND (exit 1)", async () => {
    const r = await runCaptured(["--json", "devnet", "status", "--dir", join(root, "nothing")]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe("DEVNET_NOT_FOUND");
  });

  test("durations: fractional seconds, minutes, milliseconds, plain seconds", () => {
    expect(parseDuration("1.5s", "--x")).toBe(1500);
    expect(parseDuration("2m", "--x")).toBe(120_000);
    expect(parseDuration("250ms", "--x")).toBe(250);
    expect(parseDuration("3", "--x")).toBe(3000);
  });
});
