/** Small text helpers for fixed-width terminal columns. */

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** A sparkline of the values, scaled to their maximum (all zeros: a flat baseline). */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return BARS[0]!.repeat(values.length);
  return values.map((v) => BARS[Math.min(7, Math.round((v / max) * 7))]!).join("");
}

export function pad(text: string, width: number): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
  return text + " ".repeat(width - text.length);
}

export function padLeft(text: string, width: number): string {
  if (text.length >= width) return text.slice(0, width);
  return " ".repeat(width - text.length) + text;
}

/** First characters of a hex string (ids, roots, node keys). */
export function short(hex: string | null | undefined, n = 8): string {
  if (hex === null || hex === undefined) return "-";
  return hex.length <= n ? hex : hex.slice(0, n);
}

/** Elapsed time, coarse: "0.4s", "12s", "3m", "2h". */
export function ago(ms: number): string {
  if (ms < 0) return "0s";
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

/** Wall-clock time of day, UTC, HH:MM:SS (deterministic in tests regardless of the machine's zone). */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** The rows of a list that fit `height`, keeping `cursor` in view. */
export function windowOf<T>(rows: readonly T[], cursor: number, height: number): { start: number; rows: readonly T[] } {
  if (rows.length <= height) return { start: 0, rows };
  const start = Math.max(0, Math.min(cursor - Math.floor(height / 2), rows.length - height));
  return { start, rows: rows.slice(start, start + height) };
}
