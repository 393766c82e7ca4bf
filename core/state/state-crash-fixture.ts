/**
 * Child process for the crash-recovery test: opens the SQLite-backed state store at argv[2] (genesis on
 * first run), then commits rounds forever, printing each round number after it is committed, until it
 * is killed. Rounds are a deterministic function of the state before them (`nextRound`), so the test can
 * replay them and know exactly what any recovered round must contain.
 */
import { sha256 } from "../crypto/sha256.ts";
import type { AccountChange } from "./round-store.ts";
import { SqliteRoundStore } from "./sqlite-round-store.ts";
import { StateStore } from "./state-store.ts";

export const CRASH_ACCOUNTS = 64;
export const CRASH_CAPACITY = 128;

export function crashAddress(i: number): Uint8Array {
  return sha256(Uint8Array.of(0xc7, i)).slice(0, 20);
}

export function crashGenesis(): AccountChange[] {
  return Array.from({ length: CRASH_ACCOUNTS }, (_, i) => ({
    address: crashAddress(i),
    balance: 10_000n,
    nonce: 0n,
  }));
}

/** The changes of `round`, given the accounts before it: 6 transfers chosen by a hash of the round. */
export function nextRound(
  round: bigint,
  get: (address: Uint8Array) => { balance: bigint; nonce: bigint },
): AccountChange[] {
  const seed = sha256(new TextEncoder().encode(`crash-round-${round}`));
  const touched = new Map<number, { balance: bigint; nonce: bigint }>();
  const cur = (i: number) => touched.get(i) ?? get(crashAddress(i));
  for (let t = 0; t < 6; t++) {
    const from = seed[t * 3]! % CRASH_ACCOUNTS;
    const to = seed[t * 3 + 1]! % CRASH_ACCOUNTS;
    const a = cur(from);
    const amount = BigInt(seed[t * 3 + 2]!) % (a.balance + 1n);
    touched.set(from, { balance: a.balance - amount, nonce: a.nonce + 1n });
    const b = cur(to);
    touched.set(to, { balance: b.balance + amount, nonce: b.nonce });
  }
  return [...touched].map(([i, v]) => ({ address: crashAddress(i), ...v }));
}

if (import.meta.main) {
  const path = process.argv[2];
  if (path === undefined) throw new Error("usage: state-crash-fixture.ts DB");
  const store = StateStore.open({
    capacity: CRASH_CAPACITY,
    genesis: crashGenesis(),
    roundStore: new SqliteRoundStore({ path }),
  });
  const get = (address: Uint8Array) => store.getAccount(address) ?? { balance: 0n, nonce: 0n };
  for (;;) {
    const round = store.round + 1n;
    store.commitRound(round, nextRound(round, get));
    process.stdout.write(`${round}\n`);
  }
}
