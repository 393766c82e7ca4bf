/**
 * The structured logger the network layer writes to. Injected (STYLE.md "no global logger"); the default
 * discards everything so tests and benches pay nothing. Events are short kebab-case names with a flat
 * record of fields, e.g. `drop {reason: "replay", peer}`.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where network components report what happened. */
export interface NetLogger {
  log(level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>): void;
}

/** Discards everything. */
export const noopLogger: NetLogger = { log() {} };

/** Keeps every entry in memory; for tests that assert on log events. */
export class MemoryLogger implements NetLogger {
  readonly entries: { level: LogLevel; event: string; fields: Readonly<Record<string, unknown>> }[] = [];
  log(level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>): void {
    this.entries.push({ level, event, fields });
  }
  count(event: string, predicate: (f: Readonly<Record<string, unknown>>) => boolean = () => true): number {
    return this.entries.filter((e) => e.event === event && predicate(e.fields)).length;
  }
}
