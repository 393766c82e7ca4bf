/**
 * End to end: the COMPILED binary's `lattice explorer` against a real 4-node devnet (started by the same
 * binary), driven inside tmux like a user would: the round advances on screen, a node killed from the UI
 * (keys + confirmation) shows as down, a partition set from the UI shows in the link matrix and then
 * heals. Every wait polls the captured screen with a deadline; nothing passes or fails on timing.
 * tmux runs on its own socket, so cleaning up never touches another tmux server.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TMUX = "/usr/bin/tmux";
const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "lattice-explorer-e2e-"));
const bin = join(work, "lattice");
const dir = join(work, "devnet");
const socket = `lx-e2e-${process.pid}`;
const session = `explorer-${process.pid}`;

function run(argv: string[], timeoutMs = 60_000): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", timeout: timeoutMs, cwd: root });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const tmux = (...args: string[]) => run([TMUX, "-L", socket, ...args], 10_000);
const screen = () => tmux("capture-pane", "-p", "-t", session).stdout;

async function waitScreen(check: (s: string) => boolean, what: string, limitMs = 20_000): Promise<string> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const s = screen();
    if (check(s)) return s;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await Bun.sleep(100);
  }
}

const see = (text: string | RegExp, limitMs?: number) =>
  waitScreen((s) => (typeof text === "string" ? s.includes(text) : text.test(s)), String(text), limitMs);

/** One key, then wait for its effect: keys sent in one burst can be merged into one read by the terminal. */
async function key(k: string, effect: string | RegExp): Promise<string> {
  tmux("send-keys", "-t", session, k);
  return see(effect);
}

const headRound = (s: string) => Number(/lattice explorer round (\d+)/.exec(s)?.[1] ?? Number.NaN);

beforeAll(() => {
  const built = run([process.execPath, join(root, "cmd", "build.ts"), "--outfile", bin], 180_000);
  if (built.code !== 0) throw new Error(`build failed: ${built.stderr}`);
  const up = run([bin, "devnet", "up", "--dir", dir, "--detach", "--json"], 90_000);
  if (up.code !== 0) throw new Error(`devnet up failed: ${up.stderr}`);
  const started = tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", `${bin} explorer --dir ${dir}`);
  if (started.code !== 0) throw new Error(`tmux: ${started.stderr}`);
}, 300_000);

afterAll(() => {
  tmux("kill-session", "-t", session);
  tmux("kill-server");
  if (existsSync(join(dir, "devnet.json"))) run([bin, "devnet", "down", "--dir", dir], 60_000);
  rmSync(work, { recursive: true, force: true });
}, 90_000);

test(
  "compiled explorer in tmux: round advances, kill from the UI shows down, a partition shows and heals",
  async () => {
    const first = await see(/4\/4 up/, 30_000);
    const r0 = headRound(await waitScreen((s) => Number.isFinite(headRound(s)), "a round in the header"));
    expect(first).toContain("1 Overview");
    const later = await waitScreen((s) => headRound(s) > r0, `the round to advance past ${r0}`);
    expect(headRound(later)).toBeGreaterThan(r0);

    // Kill n2 from the nodes panel, with confirmation.
    await key("2", "lag");
    await key("j", /> n1\s/);
    await key("j", /> n2\s/);
    await key("x", "kill n2 (SIGKILL)? y/n");
    const killed = await key("y", /> n2\s+down/);
    expect(killed).toContain("3/4 up");

    // Partition n0 <-> n1 from the link matrix (the cursor starts on n0 -> n1), then heal it.
    await key("6", "from\\to");
    await key("p", "partition n0 <-> n1? y/n");
    // The two ends get their rule one after the other (n0, then n1), and the matrix is polled from the
    // nodes: wait for both rows on one screen, not for n0's row alone.
    tmux("send-keys", "-t", session, "y");
    const cut = await waitScreen(
      (s) => /n0\s+-\s+XX\s/.test(s) && /n1\s+XX\s+-/.test(s),
      "both ends of the n0 <-> n1 partition",
    );
    expect(cut).toMatch(/n1\s+XX\s+-/);
    await key("p", "heal the partition n0 <-> n1? y/n");
    tmux("send-keys", "-t", session, "y");
    const healed = await waitScreen(
      (s) => s.includes("n0 -> n1: no fault") && /n0\s+-\s+·\s/.test(s) && /n1\s+·\s+-/.test(s),
      "both ends of n0 <-> n1 healed",
    );
    expect(healed).toMatch(/n0\s+-\s+·\s/);
    expect(healed).toMatch(/n1\s+·\s+-/);

    // The chain still advances with n2 down and the partition healed, and q quits.
    const r1 = headRound(healed);
    await waitScreen((s) => headRound(s) > r1, `the round to advance past ${r1} after the heal`);
    tmux("send-keys", "-t", session, "q");
    const deadline = performance.now() + 10_000;
    while (tmux("has-session", "-t", session).code === 0) {
      if (performance.now() > deadline) throw new Error("the explorer did not quit on q");
      await Bun.sleep(50);
    }
  },
  180_000,
);
