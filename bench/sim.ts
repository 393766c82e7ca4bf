/**
 * bench/sim.ts — simulator speed (ARCHITECTURE.md performance budget: "simulator speed, 16 nodes (model
 * crypto) >= 100 x real time"): simulated seconds per wall second and finalized heights per wall second,
 * for 4 and 16 nodes, without faults and with swarm faults, on the model suite (and one real-suite row
 * for 4 nodes as the reference cost). Each case runs once untimed (JIT warm-up), then the runs are
 * interleaved and repeated; the table shows min and median. The budget figure is wall time; the
 * process's CPU time is shown too (sim seconds per CPU second, GC threads included), because on a
 * busy machine it moves far less than wall time does. Last line: one JSON object with every figure.
 *
 * Run: bun bench/sim.ts [--quick]
 */
import { runSimulation, type SimConfig } from "../devnet/sim/run.ts";
import { round4 } from "./harness.ts";

const quick = process.argv.includes("--quick");
const reps = quick ? 2 : 5;
const rounds = quick ? 50 : 150;

interface Case {
  readonly name: string;
  readonly config: SimConfig;
}

const cases: Case[] = [
  { name: "4 nodes, no faults, model", config: { seed: 1, nodes: 4, rounds, faults: "none" } },
  { name: "16 nodes, no faults, model", config: { seed: 1, nodes: 16, rounds, faults: "none" } },
  { name: "16 nodes, swarm, model", config: { seed: 1, nodes: 16, rounds, faults: "swarm" } },
  {
    name: "4 nodes, no faults, real",
    config: { seed: 1, nodes: 4, rounds: Math.ceil(rounds / 3), faults: "none", suite: "real" },
  },
];

interface Sample {
  speed: number;
  cpuSpeed: number;
  heightsPerSec: number;
  simSeconds: number;
  heights: number;
}

const samples = cases.map(() => [] as Sample[]);
// Warm-up: every case once, untimed, so no timed run pays for compiling its code paths.
for (const c of cases) runSimulation({ ...c.config, seed: c.config.seed + 1000 });
for (let r = 0; r < reps; r++) {
  cases.forEach((c, i) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const rep = runSimulation(c.config);
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    if (rep.verdict !== "pass")
      throw new Error(`${c.name}: ${rep.verdict} ${rep.violations.join("; ")}; ${rep.replay}`);
    // Quorum heights (each quorum's block counted once), not replica finalizations.
    const heights = rep.quorums.reduce((s, q) => s + q.minHeight, 0);
    samples[i]!.push({
      speed: rep.simSeconds / wall,
      cpuSpeed: rep.simSeconds / cpu,
      heightsPerSec: heights / wall,
      simSeconds: rep.simSeconds,
      heights,
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const figures: Record<string, number | string | boolean> = { quick, bun: Bun.version, rounds, reps };
const lines = [
  "Simulator speed (simulated seconds per wall second; quorum heights finalized per wall second)",
  `${"case".padEnd(28)}  ${"sim s".padStart(6)}  ${"heights".padStart(7)}  ${"speed min".padStart(9)}  ${"speed med".padStart(9)}  ${"cpu med".padStart(8)}  ${"heights/s".padStart(9)}`,
];
lines.push("-".repeat(lines[1]!.length));
cases.forEach((c, i) => {
  const s = samples[i]!;
  const speeds = s.map((x) => x.speed);
  const cpuMed = median(s.map((x) => x.cpuSpeed));
  const hps = median(s.map((x) => x.heightsPerSec));
  const cols = [
    c.name.padEnd(28),
    String(s[0]!.simSeconds).padStart(6),
    String(s[0]!.heights).padStart(7),
    Math.min(...speeds)
      .toFixed(1)
      .padStart(9),
    median(speeds).toFixed(1).padStart(9),
    cpuMed.toFixed(1).padStart(8),
    hps.toFixed(1).padStart(9),
  ];
  lines.push(cols.join("  "));
  const key = c.name.replace(/[^a-zA-Z0-9]+/g, "_");
  figures[`${key}_speedMedian`] = round4(median(speeds));
  figures[`${key}_speedMin`] = round4(Math.min(...speeds));
  figures[`${key}_cpuSpeedMedian`] = round4(cpuMed);
  figures[`${key}_heightsPerWallSecond`] = round4(hps);
});
figures.goal16NodesModel = 100;
figures.meets16NodesGoal = (figures["16_nodes_no_faults_model_speedMedian"] as number) >= 100;
console.log(lines.join("\n"));
console.log();
console.log(JSON.stringify(figures));
