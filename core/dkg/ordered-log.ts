/**
 * An in-memory ordered log that drives a set of DKG engines the way a quorum's BFT log will:
 * every engine sees every entry in one order, appends go to the tail, and the log itself appends
 * the phase markers. For tests, benchmarks and the simulator; the node replaces it with Simplex.
 *
 * Marker rule used here (a stand-in for "at an agreed height or deadline"): the log appends the
 * next marker when every engine has processed every entry and none has anything left to append,
 * which is the earliest position a live honest member could rely on.
 */
import type { DkgEffect, DkgResult } from "./contract.ts";
import type { DkgEngine } from "./engine.ts";
import type { DkgMessage, DkgPhaseKind } from "./messages.ts";

export interface OrderedLogOptions<E> {
  /**
   * What actually reaches the log when engine `author` (1-based member index) asks to append
   * `entry`: return it, replace it, add to it, or return [] to drop it. The byzantine hook.
   */
  readonly tamper?: (author: number, entry: DkgMessage<E>) => readonly DkgMessage<E>[];
  /** Entries (from anyone, e.g. forged or garbage) appended right after the start-up Deals. */
  readonly inject?: readonly DkgMessage<E>[];
  /** Stop and throw past this many entries (a runaway guard; default 100k). */
  readonly maxEntries?: number;
}

export interface OrderedLogRun<E> {
  /** The complete log, markers included, in order. */
  readonly log: readonly DkgMessage<E>[];
  /** Each engine's result (index i - 1 for member i). */
  readonly results: readonly (DkgResult<E> | undefined)[];
  /** Each engine's fault effects, in the order it emitted them. */
  readonly faults: readonly Extract<DkgEffect<E>, { kind: "fault" }>[][];
}

const MARKERS: readonly DkgPhaseKind[] = ["end-dealing", "end-complaints", "end-justifications"];

/** Run a whole DKG over one shared log. `engines` must be ordered by member index. */
export function runOrderedLog<E>(
  engines: readonly DkgEngine<E>[],
  opts: OrderedLogOptions<E> = {},
): OrderedLogRun<E> {
  const log: DkgMessage<E>[] = [];
  const faults = engines.map(() => [] as Extract<DkgEffect<E>, { kind: "fault" }>[]);
  const max = opts.maxEntries ?? 100_000;
  const session = sessionOf(engines);
  const collect = (author: number, effects: readonly DkgEffect<E>[]): void => {
    for (const e of effects) {
      if (e.kind === "fault") faults[author - 1]!.push(e);
      else if (e.kind === "append") log.push(...(opts.tamper ? opts.tamper(author, e.entry) : [e.entry]));
    }
  };
  for (const e of engines) collect(e.index, e.start());
  log.push(...(opts.inject ?? []));
  let cursor = 0;
  let marker = 0;
  while (cursor < log.length || marker < MARKERS.length) {
    if (cursor === log.length) log.push({ kind: MARKERS[marker++]!, session });
    if (log.length > max) throw new RangeError(`ordered log exceeded ${max} entries`);
    const entry = log[cursor++]!;
    for (const e of engines) collect(e.index, e.onLogEntry(entry));
  }
  return { log, results: engines.map((e) => e.result()), faults };
}

/** Replay an existing log into one engine (a late joiner, or a divergence test). */
export function replayLog<E>(engine: DkgEngine<E>, log: readonly DkgMessage<E>[]): DkgEffect<E>[] {
  const effects: DkgEffect<E>[] = [];
  for (const entry of log) effects.push(...engine.onLogEntry(entry));
  return effects;
}

function sessionOf<E>(engines: readonly DkgEngine<E>[]): Uint8Array {
  const first = engines[0];
  if (first === undefined) throw new RangeError("runOrderedLog: no engines");
  return first.sessionId;
}
