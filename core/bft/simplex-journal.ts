/**
 * The write-ahead journal of a Simplex replica (research/core-anchors.md §7.2 "Write-ahead log";
 * reliability-anchors.md §6 "a persisted last-signed ... checked before signing").
 *
 * The engine appends a vote here *before* it returns the effect that sends it, appends each
 * finalized block before it emits it, and appends the certificates it forms or accepts. A restarted engine rebuilds from `records()`, so it never votes
 * differently in a view it already voted in and never emits a finalized height twice.
 *
 * The interface is synchronous on purpose: `append` returns only once the record is durable. The
 * simulator keeps a `MemoryJournal` across crash and restart (memory of the engine is lost, the
 * journal is not); a node backs it with SQLite in WAL mode and a synchronous commit.
 */
import type { Block, Certificate, VoteKind } from "./simplex-messages.ts";

/** One durable record. */
export type JournalRecord =
  | {
      readonly kind: "vote";
      readonly view: number;
      readonly vote: VoteKind;
      /** Block hash (32 zero bytes for nullify). */
      readonly block: Uint8Array;
      /** The signature that was (or is about to be) sent, so a restart re-sends the same bytes. */
      readonly sig: Uint8Array;
    }
  | { readonly kind: "finalized"; readonly block: Block; readonly hash: Uint8Array }
  /** A certificate this replica formed or accepted: restarts keep what the chain needs to move on. */
  | { readonly kind: "certificate"; readonly cert: Certificate };

/** Durable, append-only storage of a replica's votes and finalized blocks. */
export interface SimplexJournal {
  /** Every record appended so far, in append order. */
  records(): readonly JournalRecord[];
  /** Append durably: when this returns, the record survives a crash. */
  append(record: JournalRecord): void;
}

/** An in-memory journal: survives an engine restart in the simulator (not a process restart). */
export class MemoryJournal implements SimplexJournal {
  private readonly log: JournalRecord[] = [];

  records(): readonly JournalRecord[] {
    return this.log;
  }

  append(record: JournalRecord): void {
    this.log.push(record);
  }

  /** Number of records (tests and the simulator's counters). */
  get size(): number {
    return this.log.length;
  }
}
