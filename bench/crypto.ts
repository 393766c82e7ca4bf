/**
 * bench/crypto.ts — the cost of every primitive the protocol's budget rests on, in one table:
 * Ed25519 sign and verify (native node:crypto vs the noble reference, interleaved), SHA-256 of
 * 128 B and 1 MiB (native vs noble), and, from bench/threshold.ts, threshold BLS (share sign,
 * share verify, combine t of n and verify, for n = 5 and 25) and the DKG for n = 4, 7, 16, 25.
 * Last line: one JSON object with every figure.
 *
 * Run: bun bench/crypto.ts [--quick]   (--quick: fewer iterations, skips the n = 25 DKG)
 */
import { nativeEd25519, nobleEd25519 } from "../core/crypto/ed25519.ts";
import { sha256, sha256Reference } from "../core/crypto/sha256.ts";
import { type Case, formatTable, measureInterleaved, type Row, round4 } from "./harness.ts";
import { runThresholdBench } from "./threshold.ts";

const quick = process.argv.includes("--quick");

function ed25519Rows(): Row[] {
  const sk = new Uint8Array(32).fill(7);
  const pk = nativeEd25519.publicKey(sk);
  const msg = new Uint8Array(128).fill(1);
  const sig = nativeEd25519.sign(sk, msg);
  const batch = quick ? 50 : 200;
  const nobleBatch = quick ? 5 : 20;
  const cases: Case[] = [
    {
      name: "ed25519 sign (native)",
      opsPerRun: batch,
      run: () => {
        for (let i = 0; i < batch; i++) nativeEd25519.sign(sk, msg);
      },
    },
    {
      name: "ed25519 sign (noble)",
      opsPerRun: nobleBatch,
      run: () => {
        for (let i = 0; i < nobleBatch; i++) nobleEd25519.sign(sk, msg);
      },
    },
    {
      name: "ed25519 verify (native)",
      opsPerRun: batch,
      run: () => {
        for (let i = 0; i < batch; i++) nativeEd25519.verify(pk, msg, sig);
      },
    },
    {
      name: "ed25519 verify (noble)",
      opsPerRun: nobleBatch,
      run: () => {
        for (let i = 0; i < nobleBatch; i++) nobleEd25519.verify(pk, msg, sig);
      },
    },
  ];
  return measureInterleaved(cases, quick ? 5 : 15);
}

function sha256Rows(): Row[] {
  const small = new Uint8Array(128).fill(3);
  const big = new Uint8Array(1 << 20).fill(5);
  const n = quick ? 500 : 2000;
  const cases: Case[] = [
    {
      name: "sha256 128 B (native)",
      opsPerRun: n,
      run: () => {
        for (let i = 0; i < n; i++) sha256(small);
      },
    },
    {
      name: "sha256 128 B (noble)",
      opsPerRun: n,
      run: () => {
        for (let i = 0; i < n; i++) sha256Reference(small);
      },
    },
    { name: "sha256 1 MiB (native)", run: () => sha256(big) },
    { name: "sha256 1 MiB (noble)", run: () => sha256Reference(big) },
  ];
  return measureInterleaved(cases, quick ? 5 : 15);
}

const ed = ed25519Rows();
const sha = sha256Rows();
const threshold = await runThresholdBench({ quick });

console.log(formatTable("Ed25519 (per operation; 128-byte message)", ed));
console.log();
console.log(formatTable("SHA-256 (per hash)", sha));
console.log();
console.log(formatTable("Threshold BLS12-381 and DKG (per operation or per full run)", threshold));
console.log();

const byName = (rows: readonly Row[], name: string) => rows.find((r) => r.name === name)!;
const figures: Record<string, number | boolean | string> = { quick, bun: Bun.version };
for (const r of [...ed, ...sha, ...threshold]) {
  const key = r.name.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_|_$/g, "");
  figures[`${key}_medianMs`] = round4(r.medianMs);
  figures[`${key}_minMs`] = round4(r.minMs);
}
figures.ed25519VerifyNativeSpeedup = round4(
  byName(ed, "ed25519 verify (noble)").medianMs / byName(ed, "ed25519 verify (native)").medianMs,
);
figures.ed25519VerifyNativeUs = round4(byName(ed, "ed25519 verify (native)").medianMs * 1000);
console.log(JSON.stringify(figures));
