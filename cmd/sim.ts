/**
 * `lattice sim`: run the deterministic simulator (devnet/sim) and check its invariants. Prints the
 * derived plan up front, then heights (or WAN rounds), violations, speed and the event-log hash; exits 1
 * on any violation (or a vacuous run) with the one-line replay command.
 *
 * Two layers: `--layer wan` (the default from 16 nodes) runs the full WAN pipeline (devnet/sim/wan:
 * farmer quorums, harvesters agreeing through Simplex, miners, finality, beacon) under a client load,
 * with DEALER-MADE quorum keys; `--layer simplex` (the default below 16 nodes) runs the Simplex quorums
 * that key themselves live with the DKG (devnet/sim/run.ts), and Twins scenarios.
 */
import type { Command } from "commander";
import { runTwins } from "../devnet/sim/twins.ts";
import { parseFaultSpec } from "../devnet/sim/faults.ts";
import { runSimulation } from "../devnet/sim/run.ts";
import { WAN_SWARM_EXCLUDED } from "../devnet/sim/wan/wan-faults.ts";
import { runWanSimulation, WAN_ROUND_MS, type WanSimReport } from "../devnet/sim/wan/wan-run.ts";
import { EXIT_FAILURE, UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";

function int(name: string, value: string, lo: number, hi: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < lo || n > hi)
    throw new UsageError(`--${name} must be an integer in ${lo}..${hi}, got ${value}`);
  return n;
}

interface SimOpts {
  seed: string;
  nodes: string;
  rounds: string;
  faults: string;
  suite?: string;
  crypto: string;
  twins?: string;
  split?: string;
  views: string;
  layer?: string;
  load?: string;
}

/** Human-readable lines of a WAN run (the JSON form is the report itself). */
function wanLines(r: WanSimReport): string[] {
  const t = r.transactions;
  return [
    ...r.progress.map(
      (p) =>
        `t=${(p.at / 1000).toFixed(1).padStart(6)} s  rounds ${String(p.rounds).padStart(4)}  transfers final ${String(p.finalized).padStart(6)}  client-open ${p.open}`,
    ),
    `rounds finalized ${r.roundsFinalized} (honest nodes ${r.nodeRounds.min}..${r.nodeRounds.max})`,
    `transfers: ${t.submitted} submitted (${t.twins} double-spend twins, ${t.overspends} overspends), ${t.acknowledged} acknowledged, ${t.finalized} finalized, ${t.retries} client retries`,
    ...r.checks.map((c) => `${c.status.padEnd(7)} ${c.name}: ${c.detail}`),
    `faults fired: ${
      Object.entries(r.faultsFired)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") || "none"
    }${
      Object.keys(r.engineFaults).length > 0
        ? `; byzantine acts: ${Object.entries(r.engineFaults)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : ""
    }`,
    `verdict ${r.verdict}; ${r.violations.length} violations${r.unfired.length > 0 ? `; never fired: ${r.unfired.join(", ")}` : ""}; evidence ${r.evidence}`,
    `${r.simSeconds} s simulated in ${r.wallSeconds} s wall (${r.speed}x), ${r.cpuSeconds} s CPU (${r.speedCpu}x); event-log ${r.eventLogHash}`,
  ];
}

export function registerSim(program: Command, outputFor: OutputFor): void {
  program
    .command("sim")
    .description(
      "run the deterministic simulator under faults, then a healed liveness phase; exit 1 on any violation. " +
        "--layer wan (default from 16 nodes): the full WAN pipeline (2 farmer quorums of 5, 4 harvesters, 2 miners " +
        "at 16 nodes) with a client load, dealer-made quorum keys. --layer simplex (default below 16): Simplex " +
        "quorums (farmer quorums of 4, plus a harvester quorum of 7 drawn by the seed when nodes >= 7) that first " +
        "run their DKG over their own log",
    )
    .option("--seed <n>", "seed: the same seed replays the same run exactly", "1")
    .option(
      "--nodes <n>",
      "number of nodes (wan at 16: farmers 5+5, 4 harvesters, 2 miners; simplex at 16: quorums 4+4+4+4 and 7)",
      "4",
    )
    .option("--rounds <n>", "rounds of the safety phase (600 ms of virtual time each, both layers)", "100")
    .option(
      "--faults <spec>",
      "none | swarm | comma list of loss,duplicate,reorder,partition,crash,withhold,equivocate,vote-wrong,invalid,twin",
      "none",
    )
    .option(
      "--crypto <suite>",
      "crypto suite: model (model threshold scheme and share box, fast) or real (BLS12-381, X25519, Ed25519)",
      "model",
    )
    .option("--suite <name>", "alias of --crypto")
    .option("--twins <hosts>", "Twins scenario (4 nodes): hosts to duplicate, e.g. n0,n1")
    .option("--split <hosts>", "Twins scenario: one side of the partition, e.g. n0,n1,n2")
    .option("--views <n>", "Twins scenario: views the partition lasts", "3")
    .option(
      "--layer <layer>",
      "wan (full WAN pipeline, dealer-made quorum keys; default from 16 nodes) or simplex (DKG-keyed Simplex quorums; default below 16)",
    )
    .option("--load <n>", "wan layer: client transfers offered per simulated second (default 40)")
    .action((opts: SimOpts, cmd: Command) => {
      const out = outputFor(cmd);
      const seed = int("seed", opts.seed, 0, Number.MAX_SAFE_INTEGER);
      if (opts.twins !== undefined) {
        const twins = opts.twins.split(",").filter((h) => h !== "");
        const side = (opts.split ?? "").split(",").filter((h) => h !== "");
        const hosts = new Set(["n0", "n1", "n2", "n3", ...twins.map((t) => `${t}'`)]);
        if (twins.length === 0 || twins.some((t) => !["n0", "n1", "n2", "n3"].includes(t)))
          throw new UsageError("--twins takes hosts among n0..n3");
        if (side.length === 0 || side.some((h) => !hosts.has(h)))
          throw new UsageError("--split takes hosts of the scenario");
        const r = runTwins({ seed, twins, side, views: int("views", opts.views, 1, 100) });
        out.result(r, () =>
          [
            `twins ${twins.join(",")} split ${side.join(",")} for ${opts.views} views (seed ${seed})`,
            ...r.checks.map((c) => `${c.status.padEnd(7)} ${c.name}: ${c.detail}`),
            `finalized ${r.finalized}, evidence ${r.evidence}, event-log ${r.eventLogHash}`,
          ].join("\n"),
        );
        if (r.violations.length > 0) {
          out.warn(`replay: ${r.replay}`);
          process.exitCode = EXIT_FAILURE;
        }
        return;
      }
      try {
        parseFaultSpec(opts.faults);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const nodes = int("nodes", opts.nodes, 1, 256);
      const layer = opts.layer ?? (nodes >= 16 ? "wan" : "simplex");
      if (layer !== "wan" && layer !== "simplex") throw new UsageError("--layer must be wan or simplex");
      if (layer === "wan") {
        if (nodes < 4) throw new UsageError("--layer wan needs --nodes >= 4");
        if ((opts.suite ?? opts.crypto) !== "model")
          throw new UsageError("--layer wan runs the model suite only");
        const config = {
          seed,
          nodes,
          rounds: int("rounds", opts.rounds, 1, 1_000_000),
          faults: opts.faults,
          ...(opts.load === undefined ? {} : { load: int("load", opts.load, 0, 100_000) }),
        };
        out.info(
          `simulating the WAN layer: ${config.nodes} nodes, ${config.rounds} rounds (${WAN_ROUND_MS} ms each) then a healed liveness phase, faults ${config.faults}, seed ${seed}`,
        );
        out.info(
          "quorum keys: DEALER-MADE in this mode (seeded t-of-n keys; live DKG keying runs in --layer simplex)",
        );
        if (config.faults.trim() === "swarm")
          out.info(
            `swarm: ${WAN_SWARM_EXCLUDED.join(" and ")} are not drawn (the WAN engine does not re-send lost messages yet); farmers are never crashed, one harvester and one miner may be`,
          );
        const r = runWanSimulation(config);
        out.info(
          `layout: farmers ${r.layout.farmerQuorums.map((q) => `[${q.join(",")}]`).join(" ")} harvesters [${r.layout.harvesters.join(",")}] miners [${r.layout.miners.join(",")}]`,
        );
        out.info(`plan: ${JSON.stringify(r.plan)}`);
        if (r.byzantine.length > 0)
          out.info(`byzantine: ${r.byzantine.map((b) => `${b.host}=${b.mode}`).join(" ")}`);
        out.result(r, () => wanLines(r).join("\n"));
        if (r.verdict === "fail" || r.verdict === "vacuous") {
          out.warn(`replay: ${r.replay}`);
          process.exitCode = EXIT_FAILURE;
        }
        return;
      }
      const crypto = opts.suite ?? opts.crypto;
      if (crypto !== "model" && crypto !== "real") throw new UsageError("--crypto must be model or real");
      const config = {
        seed,
        nodes,
        rounds: int("rounds", opts.rounds, 1, 1_000_000),
        faults: opts.faults,
        suite: crypto,
      } as const;
      out.info(
        `simulating: ${config.nodes} nodes, ${config.rounds} rounds, faults ${config.faults}, seed ${seed}`,
      );
      const r = runSimulation(config);
      out.info(`plan: ${JSON.stringify(r.plan)}`);
      if (r.byzantine.length > 0)
        out.info(`byzantine: ${r.byzantine.map((b) => `${b.host}=${b.kind}`).join(" ")}`);
      out.result(
        {
          seed: r.seed,
          nodes: r.nodes,
          rounds: r.rounds,
          faults: r.faults,
          suite: r.suite,
          plan: r.plan,
          byzantine: r.byzantine,
          quorums: r.quorums.map((q) => ({
            name: q.name,
            n: q.n,
            f: q.f,
            hosts: q.hosts,
            minHeight: q.minHeight,
            maxHeight: q.maxHeight,
            key: q.key,
          })),
          finalized: r.finalized,
          verdict: r.verdict,
          violations: r.violations,
          unfired: r.unfired,
          checks: r.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail })),
          faultsFired: r.faultsFired,
          network: r.network,
          evidence: r.evidence,
          simSeconds: r.simSeconds,
          wallSeconds: r.wallSeconds,
          simSecondsPerWallSecond: r.speed,
          eventLogHash: r.eventLogHash,
          replay: r.replay,
        },
        () =>
          [
            ...r.quorums.map(
              (q) =>
                `${q.name.padEnd(10)} n=${q.n} f=${q.f}  heights ${q.minHeight}..${q.maxHeight}  key ${q.key.status}` +
                (q.key.readyHeight === null ? "" : ` at height ${q.key.readyHeight} (${q.key.groupKey}…)`) +
                ` ${q.key.readyMembers}/${q.key.honestMembers} honest members`,
            ),
            ...r.checks.map((c) => `${c.status.padEnd(7)} ${c.name}: ${c.detail}`),
            `faults fired: ${
              Object.entries(r.faultsFired)
                .filter(([, v]) => v > 0)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ") || "none"
            }`,
            `verdict ${r.verdict}; ${r.violations.length} violations; evidence ${r.evidence}`,
            `${r.simSeconds} s simulated in ${r.wallSeconds} s (${r.speed}x); event-log ${r.eventLogHash}`,
          ].join("\n"),
      );
      if (r.verdict === "fail" || r.verdict === "vacuous") {
        out.warn(`replay: ${r.replay}`);
        process.exitCode = EXIT_FAILURE;
      }
    });
}
