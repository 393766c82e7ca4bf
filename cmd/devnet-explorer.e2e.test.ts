/**
 * `lattice devnet up` in a terminal opens the explorer, and `q` in it brings the devnet down: run from
 * source inside tmux (own socket, so cleanup never touches another tmux server), 2 nodes. The screen is
 * polled with deadlines; pass/fail depends only on what is shown and on the node pids being gone.
 * The choice itself (explorer only with a TTY on both ends, not with --json or --no-explorer) is tested
 * as a pure function; the non-TTY path is cmd/devnet.test.ts's.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devnetPaths } from "../devnet/orchestrator/layout.ts";
import { pidState } from "../devnet/orchestrator/processes.ts";
import { readState } from "../devnet/orchestrator/state-file.ts";
import { foregroundView } from "./devnet.ts";

const TMUX = "/usr/bin/tmux";
const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "lattice-up-explorer-"));
const dir = join(work, "devnet");
const socket = `lx-up-${process.pid}`;
const session = `up-${process.pid}`;

function run(argv: string[], timeoutMs = 10_000): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", timeout: timeoutMs, cwd: root });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}
const tmux = (...args: string[]) => run([TMUX, "-L", socket, ...args]);
const screen = () => tmux("capture-pane", "-p", "-t", session).stdout;

async function see(text: string | RegExp, limitMs = 30_000): Promise<string> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const s = screen();
    if (typeof text === "string" ? s.includes(text) : text.test(s)) return s;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${s}`);
    await Bun.sleep(100);
  }
}

afterAll(() => {
  tmux("kill-server");
  // Whatever the test left running (a failure before q): the devnet is brought down by pid file.
  if (existsSync(join(dir, "devnet.json")))
    run([process.execPath, join(root, "cmd", "lattice.ts"), "devnet", "down", "--dir", dir], 60_000);
  rmSync(work, { recursive: true, force: true });
}, 90_000);

test("the explorer only with a terminal on both ends, and not with --json or --no-explorer", () => {
  const tty = { stdinTty: true, stdoutTty: true, json: false, explorer: true };
  expect(foregroundView(tty)).toBe("explorer");
  expect(foregroundView({ ...tty, stdinTty: false })).toBe("summary");
  expect(foregroundView({ ...tty, stdoutTty: false })).toBe("summary");
  expect(foregroundView({ ...tty, json: true })).toBe("summary");
  expect(foregroundView({ ...tty, explorer: false })).toBe("summary");
});

test("devnet up in a terminal shows the explorer's overview; q stops every node", async () => {
  const cmd = `${process.execPath} cmd/lattice.ts devnet up --nodes 2 --dir ${dir}; echo "UP EXITED $?"; sleep 60`;
  const started = tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", root, cmd);
  expect(started.stderr).toBe("");
  const overview = await see(/2\/2 up/, 45_000);
  expect(overview).toContain("1 Overview");
  const state = readState(devnetPaths(dir).state);
  if (state === null) throw new Error("devnet.json is written before the explorer opens");
  const pids = state.nodes.map((n) => n.pid).filter((p): p is number => p !== null);
  expect(pids.length).toBe(2);
  for (const pid of pids) expect(pidState(pid)).toBe("alive");

  tmux("send-keys", "-t", session, "q");
  const after = await see("UP EXITED", 30_000);
  expect(after).toContain("UP EXITED 0");
  for (const pid of pids) expect(pidState(pid)).toBe("gone");
}, 90_000);
