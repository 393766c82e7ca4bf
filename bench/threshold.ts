/**
 * bench/threshold.ts — what threshold BLS12-381 and the DKG cost on this machine, next to the
 * insecure model the simulator uses (ARCHITECTURE.md "Cost rule", "Crypto is an injected suite").
 *
 * Rows (fixed iterations, min and median in ms):
 * - BLS hash-to-G2, share sign (fresh message, so hashing included), share verify (message hash
 *   cached, as when a collector checks several shares of one batch), combine t of n (Lagrange
 *   weights plus one multi-scalar multiplication over t G2 points) and verify of the combined
 *   signature, for n = 5 (t = 3) and n = 25 (t = 15); point decoding with subgroup checks;
 * - the same core operations with the model scheme;
 * - a full DKG run with every member in one process (honest, over the ordered-log driver) for
 *   n = 4, 7, 16, 25 with the BLS group and with the model group (model share box), reported as
 *   the total and per member; and, for BLS, the per-member cost of decoding the whole log from
 *   bytes (point decompression and subgroup checks), which the in-process run shares.
 *
 * Run: bun bench/threshold.ts [--quick]   (--quick: fewer iterations, skips n = 25 DKG)
 * Last line: one JSON object with every figure. `runThresholdBench()` is reused by bench/crypto.ts.
 */
import { utf8 } from "../core/crypto/bytes.ts";
import { dkgMessageFromBytes, dkgMessageToBytes } from "../core/dkg/codec.ts";
import { quorumThreshold } from "../core/dkg/engine.ts";
import { dkgFixture } from "../core/dkg/fixture.ts";
import { runOrderedLog } from "../core/dkg/ordered-log.ts";
import { modelShareBox, type ShareBox, x25519ShareBox } from "../core/dkg/share-box.ts";
import { blsGroup, blsHashToG2, blsScheme } from "../core/threshold/bls.ts";
import { dealKeys } from "../core/threshold/dealer.ts";
import type { Group } from "../core/threshold/group.ts";
import { modelGroup, modelScheme } from "../core/threshold/model.ts";
import type { ThresholdScheme } from "../core/threshold/scheme.ts";
import { seededRandom } from "../core/threshold/seeded-random.ts";

/** One measured figure. Same shape as bench/harness.ts rows, so bench/crypto.ts can print it. */
export interface Row {
  readonly name: string;
  readonly iterations: number;
  readonly minMs: number;
  readonly medianMs: number;
  /** Operations per second at the median. */
  readonly opsPerSec: number;
}

export interface ThresholdBenchOptions {
  /** Fewer iterations and no n = 25 DKG: for smoke runs. */
  readonly quick?: boolean;
}

let sink: unknown;

function row(name: string, samples: number[]): Row {
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length >> 1;
  const medianMs = s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return {
    name,
    iterations: s.length,
    minMs: s[0]!,
    medianMs,
    opsPerSec: medianMs > 0 ? 1000 / medianMs : Number.POSITIVE_INFINITY,
  };
}

/** Time `fn` `iterations` times after `warmup` untimed calls; `fn` gets the iteration number. */
function measure(name: string, iterations: number, fn: (i: number) => unknown, warmup = 1): Row {
  for (let w = 0; w < warmup; w++) sink = fn(-1 - w);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    sink = fn(i);
    samples.push(performance.now() - t0);
  }
  return row(name, samples);
}

function signatureRows<P, S>(label: string, scheme: ThresholdScheme<P, S>, iters: number, n: number): Row[] {
  const t = quorumThreshold(n);
  const keys = dealKeys(scheme, n, t, seededRandom(`bench/${label}/${n}`));
  const tag = "lattice/batch-verdict/v1";
  const msg = utf8("batch digest ‖ verdict bitmap");
  const shares = keys.shares.map((s) => scheme.signShare(s, tag, msg));
  const combined = scheme.combine(shares.slice(0, t), t);
  if (!scheme.verify(keys.groupKey, tag, msg, combined))
    throw new Error(`${label}: combined signature fails`);
  const rows: Row[] = [];
  if (n === 5) {
    // A fresh message per call, so the hash-to-curve memo never hits: the cost of a first signature.
    let fresh = 0;
    rows.push(
      measure(`${label} share sign (fresh msg)`, iters, () =>
        scheme.signShare(keys.shares[0]!, tag, utf8(`fresh ${label} ${fresh++}`)),
      ),
      measure(`${label} share verify`, iters, () =>
        scheme.verifyShare(keys.publicShares[0]!, tag, msg, shares[0]!.sig),
      ),
    );
  }
  rows.push(
    measure(`${label} combine ${t} of ${n}`, iters, (i) => {
      // Rotate the subset so the Lagrange weights change between calls.
      const k = Math.max(0, i) % (n - t + 1);
      return scheme.combine(shares.slice(k, k + t), t);
    }),
    measure(`${label} verify combined (${t} of ${n})`, iters, () =>
      scheme.verify(keys.groupKey, tag, msg, combined),
    ),
  );
  return rows;
}

function blsExtraRows(iters: number): Row[] {
  const keys = dealKeys(blsScheme, 5, 3, seededRandom("bench/bls/decode"));
  const sig = blsScheme.signShare(keys.shares[0]!, "lattice/bench/v1", utf8("m")).sig;
  const sigBytes = blsScheme.signatureToBytes(sig);
  const pkBytes = blsScheme.publicKeyToBytes(keys.groupKey);
  let fresh = 0;
  return [
    measure("bls hash-to-G2 (fresh msg)", iters, () =>
      blsHashToG2("lattice/bench/v1", utf8(`hash ${fresh++}`)),
    ),
    measure("bls signature decode (96 B)", iters, () => blsScheme.signatureFromBytes(sigBytes)),
    measure("bls public key decode (48 B)", iters, () => blsScheme.publicKeyFromBytes(pkBytes)),
  ];
}

function dkgRows<E>(label: string, group: Group<E>, box: ShareBox, n: number, iters: number): Row[] {
  const total: number[] = [];
  let log: ReturnType<typeof runOrderedLog<E>>["log"] = [];
  for (let i = 0; i < iters; i++) {
    // Fixture construction (key pairs, ids) is setup, not DKG work: keep it out of the timing.
    const fx = dkgFixture(group, n, `bench/${label}/${n}/${i}`, box);
    const t0 = performance.now();
    const run = runOrderedLog(fx.engines);
    total.push(performance.now() - t0);
    if (!run.results.every((r) => r?.ok)) throw new Error(`${label} n=${n}: DKG failed`);
    log = run.log;
  }
  const rows = [
    row(`dkg ${label} n=${n} full run (all members)`, total),
    row(
      `dkg ${label} n=${n} per member`,
      total.map((ms) => ms / n),
    ),
  ];
  if (group.secure) {
    const bytes = log.map((e) => dkgMessageToBytes(group, e));
    rows.push(
      measure(
        `dkg ${label} n=${n} decode log (per member)`,
        1,
        () => bytes.map((b) => dkgMessageFromBytes(group, b)),
        0,
      ),
    );
  }
  return rows;
}

/** Run every threshold and DKG figure; returns the rows (also used by bench/crypto.ts). */
export async function runThresholdBench(options: ThresholdBenchOptions = {}): Promise<Row[]> {
  const quick = options.quick ?? false;
  const blsIters = quick ? 3 : 9;
  const modelIters = quick ? 200 : 2000;
  const rows: Row[] = [];
  rows.push(...blsExtraRows(blsIters));
  for (const n of [5, 25]) rows.push(...signatureRows("bls", blsScheme, blsIters, n));
  for (const n of [5, 25]) rows.push(...signatureRows("model", modelScheme, modelIters, n));
  const sizes = quick ? [4, 7, 16] : [4, 7, 16, 25];
  // Warm the JIT and noble's precomputed tables once, untimed.
  runOrderedLog(dkgFixture(blsGroup, 4, "bench/warmup").engines);
  for (const n of sizes) rows.push(...dkgRows("bls", blsGroup, x25519ShareBox, n, quick || n >= 16 ? 1 : 3));
  for (const n of sizes) rows.push(...dkgRows("model", modelGroup, modelShareBox, n, quick ? 2 : 5));
  // The model group with the real X25519 box: how much of a model DKG is the box.
  rows.push(...dkgRows("model+x25519", modelGroup, x25519ShareBox, 16, quick ? 1 : 3));
  return rows;
}

function fmtMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(1)} us`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  const t0 = performance.now();
  const rows = await runThresholdBench({ quick });
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(
    `Threshold BLS12-381 (min-pk) and DKG; model = insecure simulator stand-in${quick ? " (quick)" : ""}`,
  );
  console.log(`${"case".padEnd(w)}  ${"iters".padStart(5)}  ${"min".padStart(10)}  ${"median".padStart(10)}`);
  console.log("-".repeat(w + 31));
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${String(r.iterations).padStart(5)}  ${fmtMs(r.minMs).padStart(10)}  ${fmtMs(r.medianMs).padStart(10)}`,
    );
  }
  const figures: Record<string, number | boolean | string> = { quick, bun: Bun.version };
  for (const r of rows) {
    const key = r.name.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_|_$/g, "");
    figures[`${key}_minMs`] = Number(r.minMs.toPrecision(4));
    figures[`${key}_medianMs`] = Number(r.medianMs.toPrecision(4));
    figures[`${key}_iterations`] = r.iterations;
  }
  figures.totalSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  void sink;
  console.log(JSON.stringify(figures));
}
