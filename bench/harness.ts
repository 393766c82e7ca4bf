/**
 * The shared shape of every benchmark: fixed iteration counts, A/B cases interleaved in one run
 * (so a busy neighbour or thermal drift hits both sides alike), minimum and median per case,
 * a readable table, and as the very last line one JSON object with every figure.
 */

export interface Case {
  readonly name: string;
  /** Operations performed by one call of `run` (for per-op figures). */
  readonly opsPerRun?: number;
  readonly run: () => unknown;
}

export interface Row {
  readonly name: string;
  readonly iterations: number;
  readonly minMs: number;
  readonly medianMs: number;
  /** Operations per second at the median. */
  readonly opsPerSec: number;
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** A sink that keeps results alive so the optimiser cannot drop the measured work. */
export let blackhole: unknown;

/**
 * Run `cases` round-robin for `iterations` rounds after `warmup` rounds, timing each call.
 * Figures are per operation (a call's time divided by its opsPerRun).
 */
export function measureInterleaved(cases: readonly Case[], iterations: number, warmup = 2): Row[] {
  for (let w = 0; w < warmup; w++) for (const c of cases) blackhole = c.run();
  const samples = cases.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (let j = 0; j < cases.length; j++) {
      const c = cases[j]!;
      const t0 = performance.now();
      blackhole = c.run();
      samples[j]!.push((performance.now() - t0) / (c.opsPerRun ?? 1));
    }
  }
  return cases.map((c, j) => {
    const s = samples[j]!.sort((a, b) => a - b);
    const med = median(s);
    return {
      name: c.name,
      iterations,
      minMs: s[0]!,
      medianMs: med,
      opsPerSec: med > 0 ? 1000 / med : Number.POSITIVE_INFINITY,
    };
  });
}

function fmtMs(ms: number): string {
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} us`;
  if (ms < 1) return `${(ms * 1000).toFixed(1)} us`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function fmtRate(r: number): string {
  if (!Number.isFinite(r)) return "-";
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M/s`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)} k/s`;
  return `${r.toFixed(1)} /s`;
}

/** A fixed-width table of rows. */
export function formatTable(title: string, rows: readonly Row[]): string {
  const w = Math.max(10, ...rows.map((r) => r.name.length));
  const lines = [
    title,
    `${"case".padEnd(w)}  ${"iters".padStart(6)}  ${"min".padStart(10)}  ${"median".padStart(10)}  ${"rate".padStart(11)}`,
  ];
  lines.push("-".repeat(lines[1]!.length));
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(w)}  ${String(r.iterations).padStart(6)}  ${fmtMs(r.minMs).padStart(10)}  ${fmtMs(r.medianMs).padStart(10)}  ${fmtRate(r.opsPerSec).padStart(11)}`,
    );
  }
  return lines.join("\n");
}

/** Round to 4 significant digits for the JSON line. */
export function round4(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(4));
}
