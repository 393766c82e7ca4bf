/**
 * Crash recovery with a real process: a child commits rounds to SQLite in a loop and is killed with
 * SIGKILL mid-write, three times at different points; each reopen must give exactly a complete round.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CRASH_CAPACITY, crashGenesis, nextRound } from "./state-crash-fixture.ts";
import { SqliteRoundStore } from "./sqlite-round-store.ts";
import { StateStore } from "./state-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Spawn the fixture and kill it once it has reported `rounds` more committed rounds; returns the last seen. */
async function runAndKill(path: string, rounds: number): Promise<bigint> {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "state-crash-fixture.ts"), path], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let seen: bigint[] = [];
  while (seen.length < rounds) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const lines = text.split("\n");
    text = lines.pop() ?? "";
    seen = seen.concat(lines.filter((l) => l.length > 0).map((l) => BigInt(l)));
  }
  child.kill("SIGKILL");
  const code = await child.exited;
  reader.releaseLock();
  const stderr = await new Response(child.stderr).text();
  expect(stderr).toBe("");
  expect(child.signalCode).toBe("SIGKILL");
  expect(code).not.toBe(0);
  expect(seen.length).toBeGreaterThanOrEqual(rounds);
  return seen[seen.length - 1]!;
}

/** The state after `round`, by replaying the deterministic rounds in memory. */
function replay(round: bigint): StateStore {
  const model = StateStore.open({ capacity: CRASH_CAPACITY, genesis: crashGenesis() });
  const get = (a: Uint8Array) => model.getAccount(a) ?? { balance: 0n, nonce: 0n };
  for (let r = 1n; r <= round; r++) model.commitRound(r, nextRound(r, get));
  return model;
}

test("after SIGKILL while writing, a reopen recovers exactly the last committed round", async () => {
  const path = join(dir, "state.db");
  const supply = crashGenesis().reduce((s, a) => s + a.balance, 0n);
  let previous = 0n;
  for (const rounds of [5, 37, 111]) {
    const lastSeen = await runAndKill(path, rounds);
    const store = StateStore.open({ capacity: CRASH_CAPACITY, roundStore: new SqliteRoundStore({ path }) });
    // Everything the child reported is durable; at most the round in flight may or may not be there.
    expect(store.round).toBeGreaterThanOrEqual(lastSeen);
    expect(store.round).toBeGreaterThan(previous);
    const model = replay(store.round);
    expect(store.root).toEqual(model.root);
    const got = store.accounts().sort((a, b) => Buffer.compare(a.address, b.address));
    const want = model.accounts().sort((a, b) => Buffer.compare(a.address, b.address));
    expect(got).toEqual(want);
    expect(got.reduce((s, a) => s + a.balance, 0n)).toBe(supply);
    previous = store.round;
    store.close();
  }
}, 30_000);
