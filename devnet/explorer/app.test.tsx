/**
 * The explorer through ink at 80x24 (ink-testing-library) against a deterministic in-memory devnet:
 * every panel renders within the size, and every key binding does what the help says. Keys are written
 * only after the app reported its input handler attached.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ADDRESS, BAD_ADDRESS, fakeDevnet, T0, TX_ID } from "./fixtures.ts";
import type { MemorySource } from "./memory-source.ts";
import { KEYS, type Rendered, renderExplorer, waitFor } from "./test-kit.tsx";

let open: Rendered | null = null;
afterEach(() => {
  open?.unmount();
  open = null;
});

async function start(src: MemorySource = fakeDevnet()): Promise<{ r: Rendered; src: MemorySource }> {
  const r = await renderExplorer(src, () => T0);
  open = r;
  await r.see("4/4 up");
  return { r, src };
}

function fits(frame: string): void {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(24);
  for (const l of lines) expect(Bun.stringWidth(l)).toBeLessThanOrEqual(80);
}

describe("explorer views at 80x24", () => {
  test("overview: round, epoch, finality, tx/s sparkline, invariants", async () => {
    const { r, src } = await start();
    src.push({ type: "tx", phase: "accepted", id: "t1", time: T0 });
    src.push({ type: "tx", phase: "final", id: "t1", time: T0 + 420 });
    src.push({ type: "round", node: "n0", round: { round: 31, root: "ee".repeat(32), time: T0 + 1000, txCount: 4, rejectedCount: 0, note: null } });
    const f = await r.see("Round       31");
    expect(f).toContain("Epoch       2");
    expect(f).toContain("420 ms");
    expect(f).toMatch(/Tx\/s\s+▁+█ 4/);
    expect(f).toContain("agreement ok");
    fits(f);
  });

  test("nodes: health, round, lag, role, quorum, peers, latency, reputation, pid", async () => {
    const { r } = await start();
    await r.press("2");
    const f = await r.see("lag");
    expect(f).toMatch(/> n0\s+up\s+30\s+0\s+farmer\s+q0\s+3\/3\s+1\.5\s+0\.97\s+1000/);
    expect(f).toMatch(/n2\s+up\s+30\s+0\s+farmer\s+q0\s+3\/3\s+3\.5\s+0\.42\s+1002/);
    expect(f).toMatch(/n3\s+up\s+28\s+2/);
    fits(f);
  });

  test("quorums: epoch, members by name, threshold, key state", async () => {
    const { r } = await start();
    await r.press("3");
    const f = await r.see("Epoch 2, 2 quorums");
    expect(f).toMatch(/q0\s+farmer\s+3\/4\s+ready ffffffff\s+n0 n1 n2 n3/);
    expect(f).toMatch(/h0\s+harvester\s+2\/2\s+keying\/none\s+n0 n1/);
    fits(f);
  });

  test("rounds: newest first, the list windowed to the screen", async () => {
    const { r } = await start();
    await r.press("4");
    const f = await r.see("> 30");
    expect(f).toContain("29");
    expect(f).not.toMatch(/^\s+11\s/m);
    fits(f);
  });

  test("links: a matrix of every node pair", async () => {
    const { r } = await start();
    await r.press("6");
    const f = await r.see("from\\to");
    expect(f).toMatch(/n0\s+-\s+·\s+·\s+·/);
    expect(f).toContain("n0 -> n1: no fault");
    fits(f);
  });

  test("faults: the timeline shows node health changes", async () => {
    const { r, src } = await start();
    await r.press("7");
    await r.see("no faults yet");
    await src.control({ kind: "kill", node: "n2" });
    const f = await r.see("n2 up -> down");
    fits(f);
  });

  test("logs: the tail of the nodes' logs", async () => {
    const { r } = await start();
    await r.press("8");
    const f = await r.see("peer slow");
    expect(f).toMatch(/n0\s+info\s+round round=30/);
    fits(f);
  });

  test("lookup: a hint before any search", async () => {
    const { r } = await start();
    await r.press("5");
    fits(await r.see("Press / and type"));
  });
});

describe("explorer keys", () => {
  test("1..8 switch panels; 9 does nothing", async () => {
    const { r } = await start();
    const marks: [string, string][] = [["2", "lag"], ["3", "Epoch 2,"], ["4", "root"], ["5", "Press /"], ["6", "from\\to"], ["7", "no faults"], ["8", "peer slow"], ["1", "Invariants"]];
    for (const [k, text] of marks) {
      await r.press(k);
      await r.see(text);
    }
    await r.press("9");
    expect(r.store.get().panel).toBe("overview");
  });

  test("j/k and arrows move the cursor", async () => {
    const { r } = await start();
    await r.press("2", "j");
    await r.see("> n1");
    await r.press(KEYS.down);
    await r.see("> n2");
    await r.press("k");
    await r.see("> n1");
    await r.press(KEYS.up);
    await r.see("> n0");
  });

  test("enter drills into a block (transactions, certificate), enter on a tx looks it up, esc goes back", async () => {
    const { r, src } = await start();
    await r.press("4", KEYS.enter);
    let f = await r.see("certificate finalize view 41, quorum q0, 3 signers: n0 n1 n3");
    expect(f).toContain(`hash ${"7".repeat(64)}`.slice(0, 60));
    expect(f).toMatch(/sigs n0 99999999\S*\s+n1 88888888\S*\s+n3 66666666/);
    expect(f).toMatch(/> cccccccc\s+final/);
    expect(f).toMatch(/dddddddd\s+rejected.*NONCE_TOO_LOW/);
    expect(src.loaded).toEqual([30]);
    fits(f);
    await r.press("j", KEYS.enter);
    f = await r.see("status  rejected");
    await r.press("4");
    await r.see("> 30");
    await r.press(KEYS.enter);
    await r.see("certificate");
    await r.press(KEYS.escape);
    await waitFor(() => r.store.get().detail === null, "esc to close the block", r.frame);
    expect(r.frame()).toContain("> 30");
  });

  test("enter on a node shows its details; esc back", async () => {
    const { r } = await start();
    await r.press("2", "j", KEYS.enter);
    await r.see("id      bbbb");
    await r.press(KEYS.escape);
    await r.see("> n1");
  });

  test("/ searches a round, a transaction id, an address (proof verified or failed), and rejects garbage", async () => {
    const { r } = await start();
    await r.press("/", "3", "0");
    await r.see("/30█");
    await r.press(KEYS.enter);
    await r.see("certificate finalize view 41, quorum q0");
    await r.press("/", TX_ID, KEYS.enter);
    await r.see("status  final in round 30");
    await r.press("/", ADDRESS, KEYS.enter);
    let f = await r.see("proof   verified");
    expect(f).toContain("balance 1000");
    await r.press("/", BAD_ADDRESS, KEYS.enter);
    f = await r.see("proof   FAILED the proof does not verify");
    await r.press("/", "zz", KEYS.backspace, "x", KEYS.enter);
    await r.see('"zx" is not a round');
    await r.press("/", "abc", KEYS.escape);
    await waitFor(() => !r.store.get().search.editing, "esc to cancel the search", r.frame);
    fits(f);
  });

  test("f toggles following the head", async () => {
    const { r, src } = await start();
    await r.press("4", "j");
    await r.see("paused");
    src.push({ type: "round", node: "n0", round: { round: 31, root: "11".repeat(32), time: T0 + 9, txCount: 0, rejectedCount: 0, note: null } });
    await r.see("> 29");
    await r.press("f");
    await r.see("> 31");
    expect(r.frame()).toContain("follow");
  });

  test("? shows help, esc or ? closes it", async () => {
    const { r } = await start();
    await r.press("?");
    const f = await r.see("this help");
    fits(f);
    await r.press(KEYS.escape);
    await r.see("Invariants");
    await r.press("?");
    await r.see("this help");
    await r.press("?");
    await r.see("Invariants");
  });

  test("x kills the selected node after y; n cancels", async () => {
    const { r, src } = await start();
    await r.press("2", "j", "j", "x");
    await r.see("kill n2 (SIGKILL)? y/n");
    await r.press("n");
    await r.see("cancelled");
    expect(src.controls).toEqual([]);
    await r.press("x", "y");
    await r.see(/n2\s+down/);
    expect(src.controls).toEqual([{ kind: "kill", node: "n2" }]);
    await r.press("7");
    await r.see("kill n2 (SIGKILL)");
  });

  test("p pauses then resumes, r restarts, each confirmed", async () => {
    const { r, src } = await start();
    await r.press("2", "p");
    await r.see("pause n0 (SIGSTOP)? y/n");
    await r.press("y");
    await r.see(/n0\s+paused/);
    await r.press("p");
    await r.see("resume n0 (SIGCONT)? y/n");
    await r.press("y");
    await r.see(/> n0\s+up/);
    await r.press("r", "y");
    await waitFor(() => src.controls.length === 3, "restart", r.frame);
    expect(src.controls.map((c) => c.kind)).toEqual(["pause", "resume", "restart"]);
  });

  test("links: arrows pick a link, p toggles a partition, d latency, c clears; all confirmed", async () => {
    const { r, src } = await start();
    await r.press("6", KEYS.right, "p");
    await r.see("partition n0 <-> n2? y/n");
    await r.press("y");
    let f = await r.see(/n0\s+-\s+·\s+XX/);
    expect(f).toMatch(/n2\s+XX\s+·\s+-/);
    await r.press("j", "h", "h", "d");
    await r.see("add 200 ms latency on n1 <-> n0? y/n");
    await r.press("y");
    f = await r.see(/n1\s+~200\s+-/);
    await r.press("k", "l", "l", "p");
    await r.see("heal the partition n0 <-> n2? y/n");
    await r.press("y");
    await r.see("n0 -> n2: no fault");
    await r.press("c", "y");
    await waitFor(() => src.controls.at(-1)?.kind === "heal", "heal", r.frame);
    await r.see(/n1\s+·\s+-/);
    await r.press("h", "h", "h", "p");
    await r.see("pick a link between two nodes");
    expect(src.controls.map((c) => c.kind)).toEqual(["partition", "latency", "partition", "heal"]);
  });

  test("q quits (also from the help screen); not while typing a search", async () => {
    const { r } = await start();
    let quit = false;
    void r.exited.then(() => {
      quit = true;
    });
    await r.press("/", "q");
    await r.see("/q█");
    expect(quit).toBe(false);
    await r.press(KEYS.escape);
    await waitFor(() => !r.store.get().search.editing, "esc to end the search", r.frame);
    await r.press("?");
    await r.see("this help");
    await r.press("q");
    await waitFor(() => quit, "quit", r.frame);
  });
});
