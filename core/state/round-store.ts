/**
 * Where the state store persists finalized rounds: an interface with an in-memory implementation (the
 * simulator, tests) beside the SQLite one (`sqlite-round-store.ts`, the node). Injected into the store.
 *
 * Contract: `commit` is atomic (all of a round or nothing, also across a crash) and durable when it
 * returns; `load` returns exactly the last committed round, or null before the first.
 */
import type { Account } from "./account-table.ts";

/** One account's value after a round. */
export interface AccountChange extends Account {
  readonly address: Uint8Array;
}

/** The persisted state: the last committed round, its root, and every account. */
export interface PersistedState {
  readonly round: bigint;
  readonly root: Uint8Array;
  readonly accounts: readonly AccountChange[];
}

export interface RoundStore {
  load(): PersistedState | null;
  commit(round: bigint, root: Uint8Array, changes: readonly AccountChange[]): void;
  close(): void;
}

/** Keeps everything in memory; survives nothing, for the simulator and tests. */
export class MemoryRoundStore implements RoundStore {
  #round: bigint | null = null;
  #root: Uint8Array = new Uint8Array(32);
  readonly #accounts = new Map<string, AccountChange>();

  load(): PersistedState | null {
    if (this.#round === null) return null;
    return { round: this.#round, root: this.#root.slice(), accounts: [...this.#accounts.values()] };
  }

  commit(round: bigint, root: Uint8Array, changes: readonly AccountChange[]): void {
    for (const c of changes) {
      this.#accounts.set(Buffer.from(c.address).toString("hex"), {
        address: c.address.slice(),
        balance: c.balance,
        nonce: c.nonce,
      });
    }
    this.#round = round;
    this.#root = root.slice();
  }

  close(): void {}
}
