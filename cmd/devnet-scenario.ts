/**
 * `lattice devnet scenario run FILE | list` and `lattice devnet byzantine NODE MODE` (issue #8 item 5
 * and the byzantine admin hook of item 3), registered under `lattice devnet` by cmd/devnet.ts.
 *
 * `scenario run` starts its own devnet (a temp dir unless --dir), runs the scenario with live invariant
 * checks, tears the devnet down, writes results.json, junit.xml and history.jsonl (into --report, default
 * `<devnet dir>/report`) and exits 0 only on `pass`; on anything else it prints the broken invariants and
 * the one-line replay command and exits 1. `--json` prints the results document alone on stdout.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { setByzantineMode } from "../devnet/scenario/driver.ts";
import { loadScenarioFile, ScenarioFileError } from "../devnet/scenario/parse.ts";
import type { ScenarioResult } from "../devnet/scenario/report.ts";
import { runScenario } from "../devnet/scenario/runner.ts";
import type { ByzantineModeName } from "../devnet/scenario/types.ts";
import { parseNodeIndex } from "../devnet/orchestrator/chaos-plan.ts";
import { loadState } from "../devnet/orchestrator/orchestrator.ts";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";

const MODES: readonly ByzantineModeName[] = ["honest", "equivocate", "vote-wrong", "withhold"];

/** Where the fixture scenarios live: the repository's, else ./fixtures/scenarios (compiled binary). */
export function fixturesDir(): string {
  const here = resolve(import.meta.dir, "..", "fixtures", "scenarios");
  return existsSync(here) ? here : resolve("fixtures", "scenarios");
}

/** The fixture scenario files (not the test-only ones), sorted. */
export function fixtureFiles(dir = fixturesDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(json|ya?ml)$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function humanResult(r: ScenarioResult): string {
  const lines = [
    `scenario ${r.scenario} (seed ${r.seed}${r.short ? ", short" : ""}): ${r.verdict.toUpperCase()} in ${(r.durationMs / 1000).toFixed(1)} s`,
    ...r.checks.map(
      (c) => `  ${c.status === "pass" ? "ok  " : c.status.toUpperCase().padEnd(4)} ${c.name}: ${c.detail}`,
    ),
    ...r.faults.map(
      (f) =>
        `  ${f.fired > 0 ? "ok  " : "VAC "} fault fired: step ${f.step} ${f.label} (${f.fired}x; ${f.evidence})`,
    ),
  ];
  if (r.load !== null)
    lines.push(
      `  load: ${r.load.sent} sent, ${r.load.acked} acknowledged: ${r.load.ok} ok, ${r.load.fail} fail, ${r.load.info} indeterminate; finality p50 ${r.load.finalityMsP50 ?? "-"} ms, p99 ${r.load.finalityMsP99 ?? "-"} ms`,
    );
  if (r.error !== null) lines.push(`  harness error: ${r.error}`);
  if (r.reportDir !== null) lines.push(`  reports: ${r.reportDir}`);
  if (r.verdict !== "pass") {
    for (const c of r.checks.filter((x) => x.status === "fail"))
      lines.push(`broken invariant: ${c.name}: ${c.detail}`);
    if (r.broken.length > 0) lines.push(`not passed: ${r.broken.join(", ")}`);
    lines.push(`replay: ${r.replay}`);
  }
  return lines.join("\n");
}

/** `selfCommand` comes from cmd/devnet.ts (passed in: importing it here would be an import cycle). */
export function registerDevnetScenario(
  devnet: Command,
  outputFor: OutputFor,
  selfCommand: () => string[],
): void {
  const scenario = devnet
    .command("scenario")
    .description("run chaos scenarios with live invariant checks and CI reports (results.json, JUnit)");

  scenario
    .command("run")
    .description("start a devnet, run FILE's load, faults and checks, tear it down; exit 0 only on pass")
    .argument("<file>", "scenario file (.json, .yaml)")
    .option("--seed <s>", "seed (node keys and every seeded choice); default: the file's, else random")
    .option(
      "--report <dir>",
      "where results.json, junit.xml and history.jsonl go (default <devnet dir>/report)",
    )
    .option("--dir <dir>", "devnet directory (default: a new temp dir)")
    .option("--short", "CI form: step times, round counts and repeats halved")
    .action(
      async (
        file: string,
        flags: { seed?: string; report?: string; dir?: string; short?: boolean },
        cmd: Command,
      ) => {
        const out = outputFor(cmd);
        let seed: number | undefined;
        if (flags.seed !== undefined) {
          if (!/^[0-9]{1,10}$/.test(flags.seed) || Number(flags.seed) > 0xffff_ffff)
            throw new UsageError(`--seed must be an integer in 0..4294967295, got "${flags.seed}"`);
          seed = Number(flags.seed);
        }
        let sc: ReturnType<typeof loadScenarioFile>;
        try {
          sc = loadScenarioFile(file);
        } catch (err) {
          if (err instanceof ScenarioFileError) throw new UsageError(err.message);
          throw err;
        }
        const r = await runScenario({
          scenario: sc,
          file: relative(process.cwd(), resolve(file)) || file,
          ...(seed === undefined ? {} : { seed }),
          short: flags.short === true,
          ...(flags.dir === undefined ? {} : { dir: flags.dir }),
          ...(flags.report === undefined ? {} : { reportDir: flags.report }),
          nodeCommand: selfCommand(),
          onEvent: (line) => out.info(line),
        });
        out.result(r, () => humanResult(r));
        process.exitCode = r.verdict === "pass" ? EXIT_OK : EXIT_FAILURE;
      },
    );

  scenario
    .command("list")
    .description("the fixture scenarios (fixtures/scenarios): name, what they cover, steps")
    .action((_flags: unknown, cmd: Command) => {
      const out = outputFor(cmd);
      const list = fixtureFiles().map((f) => {
        const s = loadScenarioFile(f);
        return {
          file: relative(process.cwd(), f) || f,
          name: s.name,
          covers: s.covers ?? [],
          nodes: s.topology.nodes,
          steps: s.steps.length,
          description: s.description ?? "",
        };
      });
      out.result({ scenarios: list }, () =>
        list.length === 0
          ? "no fixture scenarios found"
          : list
              .map(
                (s) =>
                  `${s.name.padEnd(24)} §8 #${s.covers.join(",#").padEnd(6)} ${s.nodes} nodes, ${s.steps} steps  ${s.file}`,
              )
              .join("\n"),
      );
    });

  devnet
    .command("byzantine")
    .description(`set a node's byzantine mode (${MODES.join(", ")}) through its admin API`)
    .argument("<node>", "node number")
    .argument("<mode>", MODES.join(" | "))
    .option("--dir <dir>", "devnet directory (default .lattice/devnet under the current directory)")
    .action(async (nodeSpec: string, mode: string, flags: { dir?: string }, cmd: Command) => {
      if (!MODES.includes(mode as ByzantineModeName))
        throw new UsageError(`mode must be one of ${MODES.join(", ")}, got "${mode}"`);
      const state = loadState(flags.dir);
      let index: number;
      try {
        index = parseNodeIndex(nodeSpec, state.nodes.length);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
      const got = await setByzantineMode(state, index, mode as ByzantineModeName);
      outputFor(cmd).result({ index, mode: got }, () => `node ${index}: byzantine mode ${got}`);
    });
}
