/**
 * bench/wan.ts — the WAN pipeline in the deterministic harness (issue #6): 16 nodes (3 farmer quorums of 3,
 * 4 harvesters, 3 miners), model crypto, a fixed number of rounds per case at several offered loads.
 * Figures per case: transfers finalized per wall second and per simulated second, simulated seconds per
 * wall second (the simulator-speed goal is >= 100 x real time), mean round length and submit-to-final
 * latency (p50, p99) in simulated ms. Each case runs `reps` times; the table shows medians.
 * Last line: one JSON object with every figure.
 *
 * Run: bun bench/wan.ts [--quick]
 */
import { toHex } from "../core/crypto/bytes.ts";
import { modelSuite } from "../core/crypto/suite.ts";
import { encodeTransfer, envelopeOf } from "../core/tx/transfer.ts";
import { CHAIN_ID, transfer } from "../core/wan/testing/fixtures.ts";
import { WanHarness } from "../core/wan/round/wan-harness.ts";
import { round4 } from "./harness.ts";

const quick = process.argv.includes("--quick");
const reps = quick ? 1 : 3;
const rounds = quick ? 20 : 60;
const loads = [0, 100, 400]; // offered transfers per simulated second

interface Sample {
  wall: number;
  sim: number;
  finalized: number;
  roundMs: number;
  p50: number;
  p99: number;
}

function runCase(tps: number, seed: number): Sample {
  const suite = modelSuite();
  const accounts = 64;
  const h = new WanHarness({
    suite,
    seed,
    farmerQuorums: 3,
    quorumSize: 3,
    harvesters: 4,
    miners: 3,
    accounts,
    balance: 1_000_000_000n,
    chainId: CHAIN_ID,
  });
  // Load for longer than the rounds can take, so the pipeline never runs dry.
  const horizonMs = rounds * 400;
  const count = Math.floor((tps * horizonMs) / 1000);
  const submittedAt = new Map<string, number>();
  const nonces = new Array<bigint>(accounts).fill(0n);
  const txs: { bytes: Uint8Array; id: string; at: number }[] = [];
  for (let i = 0; i < count; i++) {
    const a = i % accounts;
    const tx = transfer(
      suite.signer,
      h.accounts[a]!,
      h.accounts[(a + 7) % accounts]!.address,
      nonces[a]!,
      5n,
      1n,
    );
    nonces[a]!++;
    txs.push({ bytes: encodeTransfer(tx), id: toHex(envelopeOf(tx).id), at: Math.floor((i * 1000) / tps) });
  }
  const t0 = performance.now();
  h.start();
  for (const tx of txs) {
    submittedAt.set(tx.id, tx.at);
    h.submit(tx.bytes, tx.at);
  }
  const chain = h.engines()[0]!.chain;
  const latencies: number[] = [];
  let seen = 0;
  while (chain.head.round < rounds) {
    h.run(10);
    for (; seen < chain.history.length; seen++)
      for (const id of chain.history[seen]!.kept) latencies.push(h.clock.now() - submittedAt.get(toHex(id))!);
    if (h.clock.now() > rounds * 2000) throw new Error(`no progress: ${chain.head.round} rounds`);
  }
  const wall = (performance.now() - t0) / 1000;
  const sim = h.clock.now() / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return {
    wall,
    sim,
    finalized: latencies.length,
    roundMs: (sim * 1000) / rounds,
    p50: q(0.5),
    p99: q(0.99),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

runCase(50, 99); // warm-up
const figures: Record<string, number | string | boolean> = {
  quick,
  bun: Bun.version,
  nodes: 16,
  rounds,
  reps,
};
const header = `${"offered tx/s".padStart(12)}  ${"final tx".padStart(8)}  ${"tx/wall s".padStart(9)}  ${"tx/sim s".padStart(8)}  ${"sim x real".padStart(10)}  ${"round ms".padStart(8)}  ${"p50 ms".padStart(6)}  ${"p99 ms".padStart(6)}`;
const lines = [
  `WAN pipeline, 16 nodes (3 farmer quorums of 3, 4 harvesters, 3 miners), model crypto, ${rounds} rounds, median of ${reps}`,
  header,
  "-".repeat(header.length),
];
for (const tps of loads) {
  const s = Array.from({ length: reps }, (_, r) => runCase(tps, r + 1));
  const m = (f: (x: Sample) => number) => median(s.map(f));
  const row = {
    finalized: m((x) => x.finalized),
    perWall: m((x) => x.finalized / x.wall),
    perSim: m((x) => x.finalized / x.sim),
    speed: m((x) => x.sim / x.wall),
    roundMs: m((x) => x.roundMs),
    p50: m((x) => x.p50),
    p99: m((x) => x.p99),
  };
  lines.push(
    `${String(tps).padStart(12)}  ${String(row.finalized).padStart(8)}  ${row.perWall.toFixed(0).padStart(9)}  ${row.perSim.toFixed(0).padStart(8)}  ${row.speed.toFixed(1).padStart(10)}  ${row.roundMs.toFixed(0).padStart(8)}  ${String(row.p50).padStart(6)}  ${String(row.p99).padStart(6)}`,
  );
  for (const [k, v] of Object.entries(row)) figures[`load${tps}_${k}`] = round4(v);
}
figures.goalSimSpeed = 100;
figures.meetsSimSpeedGoal =
  (figures.load0_speed as number) >= 100 && (figures.load100_speed as number) >= 100;
console.log(lines.join("\n"));
console.log();
console.log(JSON.stringify(figures));
