/**
 * Opening a node's SQLite file the one way every store needs it: strict binding, bigint integers (heights
 * and amounts must not lose precision), WAL, a busy timeout, and the chosen durability ("full" survives
 * power loss; "normal" survives process crashes only). Returns the schema version (`PRAGMA user_version`)
 * so each store can create or check its own tables.
 */
import { Database } from "bun:sqlite";

export function openWalDatabase(
  path: string,
  synchronous: "full" | "normal" | undefined,
  onOpenError: (cause: unknown) => Error,
): { readonly db: Database; readonly version: bigint } {
  let db: Database;
  try {
    db = new Database(path, { create: true, strict: true, safeIntegers: true });
  } catch (cause) {
    throw onOpenError(cause);
  }
  db.run("PRAGMA journal_mode = WAL");
  db.run(`PRAGMA synchronous = ${synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.run("PRAGMA busy_timeout = 5000");
  const version = (db.query("PRAGMA user_version").get() as { user_version: bigint }).user_version;
  return { db, version };
}
