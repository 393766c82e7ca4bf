/**
 * SQLite (bun:sqlite, WAL, strict, safeIntegers) implementation of the ledger store; a node keeps it in
 * `ledger.db` beside the state store's database in its data directory.
 *
 * Schema (user_version 1):
 *   txs(id BLOB PK, seq, bytes, status 0 pending|1 certified|2 final|3 rejected, round, code, message,
 *       accepted_at, updated_at)
 *   blocks(round PK, root, time, tx_count, rejected, note)
 *   block_txs(round, idx, id, code)  PK (round, idx)
 * With `synchronous: "full"` (default) a returned write survives power loss; "normal" survives process
 * crashes (SIGKILL) only, which is enough for a devnet and much faster.
 */

import type { Database } from "bun:sqlite";
import { openWalDatabase } from "../state/open-wal-database.ts";
import { LedgerError } from "./ledger-error.ts";
import type {
  AcceptedTx,
  BlockEntry,
  BlockRecord,
  BlockTxRecord,
  LedgerStore,
  TxRecord,
  TxStatusName,
} from "./ledger-store.ts";
import type { RejectionCode } from "./rejection.ts";

const SCHEMA_VERSION = 1n;
const STATUS: readonly TxStatusName[] = ["pending", "certified", "final", "rejected"];
const PENDING = 0;
const CERTIFIED = 1;
const FINAL = 2;
const REJECTED = 3;

export interface SqliteLedgerStoreOptions {
  /** Database file, or ":memory:". */
  readonly path: string;
  readonly synchronous?: "full" | "normal";
}

interface TxRow {
  id: Uint8Array;
  bytes: Uint8Array;
  status: bigint;
  round: bigint | null;
  code: string | null;
  message: string | null;
  accepted_at: bigint;
  updated_at: bigint;
}

interface BlockRow {
  round: bigint;
  root: Uint8Array;
  time: bigint;
  tx_count: bigint;
  rejected: bigint;
  note: string | null;
}

function txOf(r: TxRow): TxRecord {
  return {
    id: new Uint8Array(r.id),
    bytes: new Uint8Array(r.bytes),
    status: STATUS[Number(r.status)] ?? "pending",
    round: r.round,
    code: r.code as RejectionCode | null,
    message: r.message,
    acceptedAt: Number(r.accepted_at),
    updatedAt: Number(r.updated_at),
  };
}

function blockOf(r: BlockRow): BlockRecord {
  return {
    round: r.round,
    root: new Uint8Array(r.root),
    time: Number(r.time),
    txCount: Number(r.tx_count),
    rejectedCount: Number(r.rejected),
    note: r.note,
  };
}

export class SqliteLedgerStore implements LedgerStore {
  readonly #db: Database;
  #seq: bigint;
  readonly #accept: (txs: readonly AcceptedTx[]) => void;
  readonly #reject: (
    rows: readonly { id: Uint8Array; code: RejectionCode; message: string }[],
    at: number,
  ) => void;
  readonly #certify: (ids: readonly Uint8Array[], at: number) => void;
  readonly #block: (block: BlockRecord, entries: readonly BlockEntry[]) => void;
  readonly #revert: (round: bigint) => number;

  constructor(options: SqliteLedgerStoreOptions) {
    const { db, version } = openWalDatabase(
      options.path,
      options.synchronous,
      (cause) => new LedgerError("LEDGER_PERSIST", `cannot open ledger database ${options.path}`, { cause }),
    );
    this.#db = db;
    if (version === 0n) {
      db.transaction(() => {
        db.run(`CREATE TABLE txs (
          id BLOB PRIMARY KEY CHECK (length(id) = 32), seq INTEGER NOT NULL, bytes BLOB NOT NULL,
          status INTEGER NOT NULL, round INTEGER, code TEXT, message TEXT,
          accepted_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT`);
        db.run("CREATE INDEX txs_open ON txs (status, seq) WHERE status < 2");
        db.run("CREATE INDEX txs_round ON txs (round) WHERE round IS NOT NULL");
        db.run(`CREATE TABLE blocks (
          round INTEGER PRIMARY KEY, root BLOB NOT NULL CHECK (length(root) = 32), time INTEGER NOT NULL,
          tx_count INTEGER NOT NULL, rejected INTEGER NOT NULL, note TEXT) STRICT`);
        db.run(`CREATE TABLE block_txs (
          round INTEGER NOT NULL, idx INTEGER NOT NULL, id BLOB NOT NULL, code TEXT,
          PRIMARY KEY (round, idx)) STRICT`);
        db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      })();
    } else if (version !== SCHEMA_VERSION) {
      db.close();
      throw new LedgerError("LEDGER_CORRUPT", `ledger database schema ${version} is not ${SCHEMA_VERSION}`);
    }
    this.#seq = (db.query("SELECT coalesce(max(seq), 0) AS s FROM txs").get() as { s: bigint }).s;

    const insertTx = db.query(
      `INSERT INTO txs (id, seq, bytes, status, round, code, message, accepted_at, updated_at)
       VALUES (?1, ?2, ?3, ${PENDING}, NULL, NULL, NULL, ?4, ?4)
       ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, status = ${PENDING}, round = NULL, code = NULL,
         message = NULL, accepted_at = excluded.accepted_at, updated_at = excluded.updated_at`,
    );
    this.#accept = db.transaction((txs: readonly AcceptedTx[]) => {
      for (const t of txs) insertTx.run(t.id, ++this.#seq, t.bytes, t.at);
    });
    const rejectTx = db.query(
      `UPDATE txs SET status = ${REJECTED}, code = ?2, message = ?3, updated_at = ?4 WHERE id = ?1 AND status < ${FINAL}`,
    );
    this.#reject = db.transaction((rows, at: number) => {
      for (const r of rows) rejectTx.run(r.id, r.code, r.message, at);
    });
    const certifyTx = db.query(
      `UPDATE txs SET status = ${CERTIFIED}, updated_at = ?2 WHERE id = ?1 AND status = ${PENDING}`,
    );
    this.#certify = db.transaction((ids: readonly Uint8Array[], at: number) => {
      for (const id of ids) certifyTx.run(id, at);
    });
    const insertBlock = db.query(
      "INSERT INTO blocks (round, root, time, tx_count, rejected, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    );
    const insertBlockTx = db.query("INSERT INTO block_txs (round, idx, id, code) VALUES (?1, ?2, ?3, ?4)");
    const settleTx = db.query(
      `INSERT INTO txs (id, seq, bytes, status, round, code, message, accepted_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, round = excluded.round, code = excluded.code,
         message = excluded.message, updated_at = excluded.updated_at`,
    );
    this.#block = db.transaction((block: BlockRecord, entries: readonly BlockEntry[]) => {
      insertBlock.run(
        block.round,
        block.root,
        block.time,
        BigInt(block.txCount),
        BigInt(block.rejectedCount),
        block.note,
      );
      for (const [i, e] of entries.entries()) {
        insertBlockTx.run(block.round, BigInt(i), e.id, e.code);
        if (e.keepIndex) continue;
        const status = e.code === null ? FINAL : REJECTED;
        settleTx.run(e.id, ++this.#seq, e.bytes, status, block.round, e.code, e.message, block.time);
      }
    });
    const reopen = db.query(
      `UPDATE txs SET status = ${PENDING}, round = NULL, code = NULL, message = NULL WHERE round > ?1`,
    );
    const dropBlockTxs = db.query("DELETE FROM block_txs WHERE round > ?1");
    const dropBlocks = db.query("DELETE FROM blocks WHERE round > ?1");
    this.#revert = db.transaction((round: bigint) => {
      reopen.run(round);
      dropBlockTxs.run(round);
      return Number(dropBlocks.run(round).changes);
    });
  }

  #write<A extends unknown[], R>(what: string, fn: (...args: A) => R, ...args: A): R {
    try {
      return fn(...args);
    } catch (cause) {
      throw new LedgerError("LEDGER_PERSIST", `ledger: ${what} failed`, { cause });
    }
  }

  recordAccepted(txs: readonly AcceptedTx[]): void {
    if (txs.length > 0) this.#write("recording accepted transactions", this.#accept, txs);
  }

  recordRejected(
    rows: readonly { id: Uint8Array; code: RejectionCode; message: string }[],
    at: number,
  ): void {
    if (rows.length > 0) this.#write("recording rejections", this.#reject, rows, at);
  }

  recordCertified(ids: readonly Uint8Array[], at: number): void {
    if (ids.length > 0) this.#write("recording certifications", this.#certify, ids, at);
  }

  recordBlock(block: BlockRecord, entries: readonly BlockEntry[]): void {
    this.#write(`recording round ${block.round}`, this.#block, block, entries);
  }

  setRoot(round: bigint, root: Uint8Array): void {
    this.#write(`setting the root of round ${round}`, () => {
      this.#db.query("UPDATE blocks SET root = ?2 WHERE round = ?1").run(round, root);
    });
  }

  revertAfter(round: bigint): number {
    return this.#write(`reverting rounds after ${round}`, this.#revert, round);
  }

  get(id: Uint8Array): TxRecord | null {
    const row = this.#db.query("SELECT * FROM txs WHERE id = ?1").get(id) as TxRow | null;
    return row === null ? null : txOf(row);
  }

  pending(): TxRecord[] {
    const rows = this.#db.query(`SELECT * FROM txs WHERE status < ${FINAL} ORDER BY seq`).all() as TxRow[];
    return rows.map(txOf);
  }

  lastRound(): bigint | null {
    const row = this.#db.query("SELECT max(round) AS r FROM blocks").get() as { r: bigint | null };
    return row.r;
  }

  block(round: bigint): BlockRecord | null {
    const row = this.#db.query("SELECT * FROM blocks WHERE round = ?1").get(round) as BlockRow | null;
    return row === null ? null : blockOf(row);
  }

  blockTxs(round: bigint): BlockTxRecord[] {
    const rows = this.#db
      .query(
        `SELECT b.id AS id, b.code AS code, t.bytes AS bytes FROM block_txs b
         LEFT JOIN txs t ON t.id = b.id WHERE b.round = ?1 ORDER BY b.idx`,
      )
      .all(round) as { id: Uint8Array; code: string | null; bytes: Uint8Array | null }[];
    return rows.map((r) => ({
      id: new Uint8Array(r.id),
      bytes: r.bytes === null ? new Uint8Array(0) : new Uint8Array(r.bytes),
      code: r.code as RejectionCode | null,
    }));
  }

  blocks(limit: number, before?: bigint): BlockRecord[] {
    const rows = (
      before === undefined
        ? this.#db.query("SELECT * FROM blocks ORDER BY round DESC LIMIT ?1").all(BigInt(limit))
        : this.#db
            .query("SELECT * FROM blocks WHERE round < ?2 ORDER BY round DESC LIMIT ?1")
            .all(BigInt(limit), before)
    ) as BlockRow[];
    return rows.map(blockOf);
  }

  counts(): Record<TxStatusName, number> {
    const out: Record<TxStatusName, number> = { pending: 0, certified: 0, final: 0, rejected: 0 };
    const rows = this.#db.query("SELECT status, count(*) AS n FROM txs GROUP BY status").all() as {
      status: bigint;
      n: bigint;
    }[];
    for (const r of rows) {
      const name = STATUS[Number(r.status)];
      if (name !== undefined) out[name] = Number(r.n);
    }
    return out;
  }

  close(): void {
    this.#db.close();
  }
}
