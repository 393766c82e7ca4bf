/**
 * Follow log files by byte offset (no watchers: the explorer polls anyway). A first read starts near the
 * end, so an old devnet's megabytes of history are not replayed; a file that shrank (rotated, recreated
 * by a restart) is read again from its start. pino JSON lines become LogLine; anything else is kept raw.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { LogLine } from "./model.ts";

const PINO_LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const FIRST_READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 256 * 1024;

export function parseLogLine(node: string, text: string, fallbackTime: number): LogLine {
  try {
    const o = JSON.parse(text) as { time?: unknown; level?: unknown; msg?: unknown; [k: string]: unknown };
    if (typeof o === "object" && o !== null) {
      const level = typeof o.level === "number" ? (PINO_LEVELS[o.level] ?? String(o.level)) : String(o.level ?? "");
      const { time, level: _l, msg, pid: _p, hostname: _h, node: _n, ...rest } = o;
      const extra = Object.entries(rest)
        .filter(([, v]) => typeof v !== "object" || v === null)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(" ");
      return {
        node,
        time: typeof time === "number" ? time : fallbackTime,
        level,
        msg: `${typeof msg === "string" ? msg : ""}${extra === "" ? "" : ` ${extra}`}`,
      };
    }
  } catch {
    // not JSON: shown as it is
  }
  return { node, time: fallbackTime, level: "", msg: text };
}

export class LogTail {
  readonly #offsets = new Map<string, number>();
  readonly #partial = new Map<string, string>();

  /** New complete lines of `path` since the last call (none when the file does not exist). */
  read(path: string, node: string, now: number): LogLine[] {
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return [];
    }
    let from = this.#offsets.get(path);
    // Starting mid-file, the first line is cut: it is dropped.
    const cut = from === undefined && size > FIRST_READ_BYTES;
    if (from === undefined) from = Math.max(0, size - FIRST_READ_BYTES);
    if (size < from) {
      from = 0;
      this.#partial.delete(path);
    }
    if (size === from) return [];
    const len = Math.min(MAX_READ_BYTES, size - from);
    const buf = Buffer.alloc(len);
    const fd = openSync(path, "r");
    try {
      readSync(fd, buf, 0, len, from);
    } finally {
      closeSync(fd);
    }
    this.#offsets.set(path, from + len);
    const text = (this.#partial.get(path) ?? "") + buf.toString("utf8");
    const parts = text.split("\n");
    this.#partial.set(path, parts.pop() ?? "");
    if (cut) parts.shift();
    return parts.filter((l) => l.trim() !== "").map((l) => parseLogLine(node, l, now));
  }
}
