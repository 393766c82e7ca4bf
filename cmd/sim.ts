/**
 * `lattice sim`: run the deterministic simulator (devnet/sim) and check its invariants. Prints the
 * derived plan up front, then heights, violations, speed and the event-log hash; exits 1 on any
 * violation (or a vacuous run) with the one-line replay command.
 */
import type { Command } from "commander";
import { runTwins } from "../devnet/sim/twins.ts";
import { parseFaultSpec } from "../devnet/sim/faults.ts";
import { runSimulation } from "../devnet/sim/run.ts";
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
}

export function registerSim(program: Command, outputFor: OutputFor): void {
  program
    .command("sim")
    .description(
      "run the deterministic simulator: Simplex quorums (farmer quorums of 4, plus a harvester quorum of 7 " +
        "drawn by the seed when nodes >= 7) that first run their DKG over their own log, under faults, then " +
        "a healed liveness phase; exit 1 on any violation",
    )
    .option("--seed <n>", "seed: the same seed replays the same run exactly", "1")
    .option("--nodes <n>", "number of nodes (16 gives quorums 4+4+4+4 and 7)", "4")
    .option("--rounds <n>", "rounds of the safety phase (600 ms of virtual time each)", "100")
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
      const crypto = opts.suite ?? opts.crypto;
      if (crypto !== "model" && crypto !== "real") throw new UsageError("--crypto must be model or real");
      const config = {
        seed,
        nodes: int("nodes", opts.nodes, 1, 256),
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
