/**
 * The orchestrator against fake-node.ts (a process honouring the node contract): up, lock, status, pause,
 * kill, restart, down, resume, a node that cannot start. Real processes; every pid is checked at the end.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { devnetPaths } from "./layout.ts";
import { down, kill, loadState, pause, restart, status, up } from "./orchestrator.ts";
import { pidState, stopProcess } from "./processes.ts";

const root = mkdtempSync(join(tmpdir(), "lattice-orch-"));
const fake = [process.execPath, join(import.meta.dir, "fake-node.ts")];
const started: { pid: number; config: string }[] = [];

afterAll(async () => {
  for (const s of started) await stopProcess(s.pid, s.config, { graceMs: 1_000 }).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

function track(dir: string): void {
  for (const n of loadState(dir).nodes) if (n.pid !== null) started.push({ pid: n.pid, config: n.config });
}

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    return isLatticeError(err) ? err.code : String(err);
  }
  return "no error";
}

describe("devnet orchestrator (fake nodes)", () => {
  test("up, lock, pause/resume, kill, restart, down, then up resumes the same chain", async () => {
    const dir = join(root, "a");
    const r = await up({ dir, nodes: 3, seed: "t", nodeCommand: fake, detach: true, timeoutMs: 20_000 });
    track(dir);
    expect(r.resumed).toBe(false);
    expect(r.state.nodes).toHaveLength(3);
    for (const n of r.state.nodes) {
      expect(n.apiUrl).toStartWith("http://127.0.0.1:");
      expect(pidState(n.pid!)).toBe("alive");
    }
    const t = r.timings;
    expect(t.readyFilesMs <= t.apiAnsweringMs && t.apiAnsweringMs <= t.firstFinalizedMs).toBe(true);
    expect(t.firstFinalizedMs <= t.readyMs).toBe(true);
    const paths = devnetPaths(dir);
    expect(statSync(paths.node(0).keyFile).mode & 0o777).toBe(0o600);
    const genesis = readFileSync(paths.genesis, "utf8");

    // A second `up` on the same directory is refused and changes nothing.
    expect(await code(up({ dir, nodeCommand: fake, detach: true }))).toBe("DEVNET_RUNNING");
    expect(loadState(dir).nodes.map((n) => n.pid)).toEqual(r.state.nodes.map((n) => n.pid));

    const paused = pause(dir, 1, true);
    expect(await waitFor(() => pidState(paused.pid) === "stopped")).toBe(true);
    expect((await status(loadState(dir)))[1]!.process).toBe("paused");
    pause(dir, 1, false);
    expect(await waitFor(() => pidState(paused.pid) === "alive")).toBe(true);

    const k = await kill(dir, 2);
    expect(k.killed).toBe(true);
    expect(pidState(k.pid!)).toBe("gone");
    expect((await status(loadState(dir)))[2]!.process).toBe("gone");
    const re = await restart(dir, 2, { timeoutMs: 20_000 });
    track(dir);
    expect(re.state.nodes[2]!.pid).not.toBe(k.pid);
    const st = await status(loadState(dir));
    expect(st.map((s) => s.ready)).toEqual([true, true, true]);
    const roundBefore = Number(st[0]!.round);
    expect(roundBefore).toBeGreaterThan(0);

    const pids = loadState(dir).nodes.map((n) => n.pid!);
    const d = await down(dir, { graceMs: 3_000 });
    expect(d.map((x) => x.outcome)).toEqual(["terminated", "terminated", "terminated"]);
    for (const pid of pids) expect(pidState(pid)).toBe("gone");
    expect(loadState(dir).nodes.every((n) => n.status === "stopped" && n.pid === null)).toBe(true);

    // Resume: same genesis bytes, the chain goes on from where it stopped.
    expect(await code(up({ dir, nodes: 5, nodeCommand: fake, detach: true }))).toBe("DEVNET_GENESIS");
    const again = await up({ dir, nodeCommand: fake, detach: true, timeoutMs: 20_000 });
    track(dir);
    expect(again.resumed).toBe(true);
    expect(readFileSync(paths.genesis, "utf8")).toBe(genesis);
    expect(Number(again.rounds[0])).toBeGreaterThanOrEqual(roundBefore);
    await down(dir);
    for (const n of again.state.nodes) expect(pidState(n.pid!)).toBe("gone");
  }, 60_000);

  test("a node that exits while starting fails `up` with its log, and nothing is left running", async () => {
    const dir = join(root, "b");
    process.env.FAKE_NODE_FAIL = "1";
    let err: unknown;
    try {
      await up({ dir, nodes: 2, nodeCommand: fake, detach: false, timeoutMs: 20_000 });
    } catch (e) {
      err = e;
    } finally {
      delete process.env.FAKE_NODE_FAIL;
    }
    expect(isLatticeError(err, "DEVNET_NODE_EXITED")).toBe(true);
    expect((err as Error).message).toContain("failing on purpose");
    const s = loadState(dir);
    expect(s.nodes.every((n) => n.pid === null && n.status === "stopped")).toBe(true);
  }, 30_000);

  test("commands on a directory without a devnet are DEVNET_NOT_FOUND", async () => {
    const dir = join(root, "none");
    expect(await code(down(dir))).toBe("DEVNET_NOT_FOUND");
    expect(await code(() => loadState(dir))).toBe("DEVNET_NOT_FOUND");
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
