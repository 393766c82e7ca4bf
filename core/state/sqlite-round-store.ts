/**
 * SQLite persistence of finalized rounds (seed 001, "Integral DB - a Left-Right Wrapped Persistent
 * Database"; ARCHITECTURE "Stores": "SQLite persistence of every finalized round so a crash loses nothing
 * certified"). bun:sqlite in WAL mode, `strict` and `safeIntegers`, one transaction per round.
 *
 * Schema (user_version 1):
 *   rounds(round INTEGER PRIMARY KEY, root BLOB(32), accounts INTEGER, changed INTEGER)  one row per round
 *   accounts(address BLOB(20) PRIMARY KEY, balance BLOB(8), nonce BLOB(8), round INTEGER) latest values
 * u64 amounts are 8-byte big-endian BLOBs, because SQLite integers are signed 64-bit.
 *
 * Guarantee: after a kill -9 at any moment, `load()` returns exactly the last committed round: its
 * account rows and its root row commit in one transaction. With `synchronous: "full"` (default) a
 * committed round also survives power loss; `"normal"` survives process crashes only.
 */

import type { Database } from "bun:sqlite";
import { openWalDatabase } from "./open-wal-database.ts";
import type { AccountChange, PersistedState, RoundStore } from "./round-store.ts";
import { StateError } from "./state-error.ts";

const SCHEMA_VERSION = 1n;
const MAX_ROUND = (1n << 63n) - 1n;

export interface SqliteRoundStoreOptions {
  /** Database file; created if missing. */
  readonly path: string;
  readonly synchronous?: "full" | "normal";
}

function u64Blob(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, false);
  return out;
}

function blobU64(b: Uint8Array, what: string): bigint {
  if (!(b instanceof Uint8Array) || b.length !== 8)
    throw new StateError("STATE_CORRUPT", `${what}: 8-byte blob expected`);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
}

interface AccountRow {
  address: Uint8Array;
  balance: Uint8Array;
  nonce: Uint8Array;
}

export class SqliteRoundStore implements RoundStore {
  readonly #db: Database;
  readonly #commitTx: (round: bigint, root: Uint8Array, changes: readonly AccountChange[]) => void;

  constructor(options: SqliteRoundStoreOptions) {
    const { db, version } = openWalDatabase(
      options.path,
      options.synchronous,
      (cause) => new StateError("STATE_PERSIST", `cannot open state database ${options.path}`, { cause }),
    );
    this.#db = db;
    if (version === 0n) {
      db.transaction(() => {
        db.run(`CREATE TABLE rounds (
          round INTEGER PRIMARY KEY, root BLOB NOT NULL CHECK (length(root) = 32),
          accounts INTEGER NOT NULL, changed INTEGER NOT NULL) STRICT`);
        db.run(`CREATE TABLE accounts (
          address BLOB PRIMARY KEY CHECK (length(address) = 20),
          balance BLOB NOT NULL CHECK (length(balance) = 8),
          nonce BLOB NOT NULL CHECK (length(nonce) = 8),
          round INTEGER NOT NULL) STRICT`);
        db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      })();
    } else if (version !== SCHEMA_VERSION) {
      db.close();
      throw new StateError("STATE_CORRUPT", `state database schema ${version} is not ${SCHEMA_VERSION}`);
    }
    const upsert = db.query(
      `INSERT INTO accounts (address, balance, nonce, round) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (address) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce, round = excluded.round`,
    );
    const count = db.query("SELECT count(*) AS n FROM accounts");
    const insertRound = db.query(
      "INSERT INTO rounds (round, root, accounts, changed) VALUES (?1, ?2, ?3, ?4)",
    );
    this.#commitTx = db.transaction((round: bigint, root: Uint8Array, changes: readonly AccountChange[]) => {
      for (const c of changes) upsert.run(c.address, u64Blob(c.balance), u64Blob(c.nonce), round);
      const n = (count.get() as { n: bigint }).n;
      insertRound.run(round, root, n, BigInt(changes.length));
    });
  }

  load(): PersistedState | null {
    const last = this.#db.query("SELECT round, root FROM rounds ORDER BY round DESC LIMIT 1").get() as {
      round: bigint;
      root: Uint8Array;
    } | null;
    if (last === null) return null;
    const rows = this.#db.query("SELECT address, balance, nonce FROM accounts").all() as AccountRow[];
    const accounts = rows.map((r) => ({
      address: new Uint8Array(r.address),
      balance: blobU64(r.balance, "accounts.balance"),
      nonce: blobU64(r.nonce, "accounts.nonce"),
    }));
    return { round: last.round, root: new Uint8Array(last.root), accounts };
  }

  commit(round: bigint, root: Uint8Array, changes: readonly AccountChange[]): void {
    if (round < 0n || round > MAX_ROUND)
      throw new StateError("STATE_BAD_ARGUMENT", `round ${round} out of range`);
    try {
      this.#commitTx(round, root, changes);
    } catch (cause) {
      throw new StateError("STATE_PERSIST", `persisting round ${round} failed`, { cause });
    }
  }

  close(): void {
    this.#db.close();
  }
}
