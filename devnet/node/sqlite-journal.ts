/**
 * The Simplex write-ahead journal of a cluster node, in SQLite (core/bft/simplex-journal.ts contract:
 * `append` returns only once the record is durable: a vote is on disk before the effect that sends it
 * exists).
 *
 * Durability, exactly (synchronous "full", the default):
 * - The database runs in WAL mode with `synchronous = NORMAL`: a commit writes its frames to the WAL
 *   file but does not fsync it. The journal adds its own fsync barrier: `fsync(consensus.db-wal)` after
 *   every commit that holds a VOTE. The WAL is append-only, so that fsync also makes every earlier
 *   commit durable. This is what `synchronous = FULL` would do, minus the fsyncs of commits without a
 *   vote (certificates formed or accepted, finalized blocks), which ride on the next vote's barrier.
 * - Votes: durable before they can be sent (the barrier runs inside `append`, or at the end of `batch`,
 *   both before the engine's effects are applied). A restarted replica never votes twice in a view.
 * - Certificates and finalized blocks: survive any process crash (committed to the WAL in the page
 *   cache); a power loss may drop the ones after the last vote barrier. Nothing acknowledged depends on
 *   them: they are the network's agreement, fetched again by start-up sync (hash chain + q signatures)
 *   and by Simplex catch-up; the ledger (its own FULL stores) may then be ahead of the chain table for a
 *   moment, and only applies heights above its round, so no block is applied twice.
 * - synchronous "normal": no barrier at all (survives process crashes only).
 *
 * Group commit: the consensus host runs each engine step (one event in, its effects out) inside
 * `batch`, so every record that step appends (a vote, the certificate it completed, the block it
 * finalized) is committed together, with at most one barrier, when `batch` returns, which is before the
 * node applies the step's effects (sends, emits). Outside `batch` each append commits on its own.
 *
 * File `consensus.db` in the node's data dir, three tables:
 *   journal  votes and certificates (the engine's restart state), compacted on open: views more than
 *            `keepViews` below the finalized one are deleted (the engine ignores them anyway);
 *   chain    every finalized block by height (body and hash): what the node serves to peers that sync,
 *            and what it replays into the ledger after a crash between the journal and the ledger;
 *   finals   finalization certificates by view (every one this replica formed, accepted or synced).
 * `records()` rebuilds the engine's view: the last `keepBlocks` finalized blocks, then the journal rows.
 */
import { Database, type Statement } from "bun:sqlite";
import { closeSync, fstatSync, fsyncSync, openSync } from "node:fs";
import type { JournalRecord, SimplexJournal } from "../../core/bft/simplex-journal.ts";
import { Block, Certificate, type VoteKind } from "../../core/bft/simplex-messages.ts";

export interface SqliteJournalOptions {
  readonly path: string;
  /** "full" (default): survives power loss; "normal": survives process crashes only. */
  readonly synchronous?: "full" | "normal";
  /** Called after each vote barrier (tests count fsyncs). */
  readonly onBarrier?: () => void;
  /** Journal rows kept below the finalized view (default 128: the engine retains 64). */
  readonly keepViews?: number;
  /** Finalized blocks handed back to the engine on restart, for its by-view catch-up answers (default 256). */
  readonly keepBlocks?: number;
}

/** A finalized block as stored. */
export interface ChainEntry {
  readonly height: number;
  readonly view: number;
  readonly hash: Uint8Array;
  readonly block: Block;
  /** Encoded size of the block. */
  readonly size: number;
}

interface JournalRow {
  kind: string;
  view: number;
  vote: string | null;
  block: Uint8Array | null;
  sig: Uint8Array | null;
  cert: Uint8Array | null;
}

interface ChainRow {
  height: number;
  view: number;
  hash: Uint8Array;
  block: Uint8Array;
}

/** SQLite-backed `SimplexJournal` plus the finalized chain it implies. */
export class SqliteJournal implements SimplexJournal {
  readonly #db: Database;
  readonly #keepViews: number;
  readonly #keepBlocks: number;
  readonly #insertJournal: Statement;
  readonly #insertChain: Statement;
  readonly #insertFinal: Statement;
  #height: number;
  #closed = false;
  readonly #barrierOn: boolean;
  readonly #walPath: string;
  readonly #onBarrier: (() => void) | undefined;
  #walFd = -1;
  /** A vote was appended in the current `batch` and needs the barrier. */
  #voteInBatch = false;

  constructor(options: SqliteJournalOptions) {
    this.#keepViews = options.keepViews ?? 128;
    this.#keepBlocks = options.keepBlocks ?? 256;
    const db = new Database(options.path, { create: true, strict: true });
    this.#db = db;
    db.run("PRAGMA journal_mode = WAL");
    // NORMAL + our own barrier after vote commits (see the header); "normal" means no barrier.
    db.run("PRAGMA synchronous = NORMAL");
    this.#barrierOn = options.synchronous !== "normal";
    this.#walPath = `${options.path}-wal`;
    this.#onBarrier = options.onBarrier;
    db.run("PRAGMA busy_timeout = 5000");
    db.run(
      "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, view INTEGER NOT NULL, " +
        "vote TEXT, block BLOB, sig BLOB, cert BLOB)",
    );
    db.run(
      "CREATE TABLE IF NOT EXISTS chain (height INTEGER PRIMARY KEY, view INTEGER NOT NULL, hash BLOB NOT NULL, block BLOB NOT NULL)",
    );
    db.run("CREATE INDEX IF NOT EXISTS chain_view ON chain (view)");
    db.run("CREATE TABLE IF NOT EXISTS finals (view INTEGER PRIMARY KEY, cert BLOB NOT NULL)");
    this.#insertJournal = db.query(
      "INSERT INTO journal (kind, view, vote, block, sig, cert) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#insertChain = db.query(
      "INSERT OR IGNORE INTO chain (height, view, hash, block) VALUES (?, ?, ?, ?)",
    );
    this.#insertFinal = db.query("INSERT OR IGNORE INTO finals (view, cert) VALUES (?, ?)");
    const top = db.query("SELECT height, view FROM chain ORDER BY height DESC LIMIT 1").get() as {
      height: number;
      view: number;
    } | null;
    this.#height = top?.height ?? 0;
    if (top !== null) db.run("DELETE FROM journal WHERE view <= ?", [top.view - this.#keepViews]);
  }

  /**
   * Run `fn` with every append inside one transaction, committed (fsync'd with synchronous = FULL)
   * before this returns; if `fn` throws, nothing it appended is kept. Nested calls join the outer one.
   */
  batch<T>(fn: () => T): T {
    if (this.#db.inTransaction) return fn();
    this.#voteInBatch = false;
    const out = this.#db.transaction(fn)();
    if (this.#voteInBatch) this.#barrier();
    this.#voteInBatch = false;
    return out;
  }

  /** fsync the WAL: every commit so far is durable when this returns. */
  #barrier(): void {
    if (!this.#barrierOn) return;
    // The WAL file is created by the first write and only unlinked on close; reopen if it was replaced.
    if (this.#walFd >= 0 && fstatSync(this.#walFd).nlink === 0) {
      closeSync(this.#walFd);
      this.#walFd = -1;
    }
    if (this.#walFd < 0) this.#walFd = openSync(this.#walPath, "r+");
    fsyncSync(this.#walFd);
    this.#onBarrier?.();
  }

  /** Height of the newest finalized block stored (0 = none). */
  get height(): number {
    return this.#height;
  }

  records(): readonly JournalRecord[] {
    const out: JournalRecord[] = [];
    const blocks = this.#db
      .query("SELECT height, view, hash, block FROM chain ORDER BY height DESC LIMIT ?")
      .all(this.#keepBlocks) as ChainRow[];
    for (const r of blocks.reverse()) {
      out.push({
        kind: "finalized",
        block: Block.decode(new Uint8Array(r.block)),
        hash: new Uint8Array(r.hash),
      });
    }
    const rows = this.#db
      .query("SELECT kind, view, vote, block, sig, cert FROM journal ORDER BY seq")
      .all() as JournalRow[];
    for (const r of rows) {
      if (r.kind === "vote") {
        out.push({
          kind: "vote",
          view: r.view,
          vote: r.vote as VoteKind,
          block: new Uint8Array(r.block!),
          sig: new Uint8Array(r.sig!),
        });
      } else {
        out.push({ kind: "certificate", cert: Certificate.decode(new Uint8Array(r.cert!)) });
      }
    }
    return out;
  }

  append(record: JournalRecord): void {
    switch (record.kind) {
      case "vote":
        this.#insertJournal.run("vote", record.view, record.vote, record.block, record.sig, null);
        if (this.#db.inTransaction) this.#voteInBatch = true;
        else this.#barrier();
        return;
      case "certificate": {
        const bytes = Certificate.encode(record.cert);
        if (record.cert.kind === "finalize") {
          // A finalization is what sync answers carry; the journal needs it too (restart state).
          const tx = this.#db.transaction(() => {
            this.#insertJournal.run("certificate", record.cert.view, null, null, null, bytes);
            this.#insertFinal.run(record.cert.view, bytes);
          });
          tx();
        } else {
          this.#insertJournal.run("certificate", record.cert.view, null, null, null, bytes);
        }
        return;
      }
      case "finalized":
        this.#appendBlock(record.block, record.hash);
        return;
    }
  }

  #appendBlock(block: Block, hash: Uint8Array): void {
    // Heights at or below the tip are already here (synced ahead of the engine): keep the first copy.
    if (block.height <= this.#height) return;
    this.#insertChain.run(block.height, block.view, hash, Block.encode(block));
    this.#height = block.height;
  }

  /**
   * Store blocks obtained by sync (already verified: consecutive heights above the tip, hash-chained,
   * the last one finalized by `cert`) in one transaction.
   */
  appendSynced(blocks: readonly { block: Block; hash: Uint8Array }[], cert: Certificate): void {
    const tx = this.#db.transaction(() => {
      for (const b of blocks) this.#appendBlock(b.block, b.hash);
      const bytes = Certificate.encode(cert);
      this.#insertFinal.run(cert.view, bytes);
      this.#insertJournal.run("certificate", cert.view, null, null, null, bytes);
    });
    tx();
  }

  /** The finalized block at `height`, or null. */
  entry(height: number): ChainEntry | null {
    const r = this.#db
      .query("SELECT height, view, hash, block FROM chain WHERE height = ?")
      .get(height) as ChainRow | null;
    if (r === null) return null;
    const raw = new Uint8Array(r.block);
    return {
      height: r.height,
      view: r.view,
      hash: new Uint8Array(r.hash),
      block: Block.decode(raw),
      size: raw.length,
    };
  }

  /** Finalized blocks from `from`, ascending, at most `max` of them. */
  entries(from: number, max: number): ChainEntry[] {
    const rows = this.#db
      .query("SELECT height, view, hash, block FROM chain WHERE height >= ? ORDER BY height LIMIT ?")
      .all(from, max) as ChainRow[];
    return rows.map((r) => {
      const raw = new Uint8Array(r.block);
      return {
        height: r.height,
        view: r.view,
        hash: new Uint8Array(r.hash),
        block: Block.decode(raw),
        size: raw.length,
      };
    });
  }

  /** The finalization certificate of `view`, or null. */
  finalization(view: number): Certificate | null {
    const r = this.#db.query("SELECT cert FROM finals WHERE view = ?").get(view) as {
      cert: Uint8Array;
    } | null;
    return r === null ? null : Certificate.decode(new Uint8Array(r.cert));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#walFd >= 0) closeSync(this.#walFd);
    this.#walFd = -1;
    this.#db.close();
  }
}
