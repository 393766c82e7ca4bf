/**
 * `lattice devnet scenario` end to end with real node processes started from source, in --short mode:
 * every fixture scenario passes and writes its JUnit report (SCENARIOS=all; by default a representative
 * subset, see FULL below), the test-only byzantine-majority scenario fails naming the broken invariant
 * and printing its replay command, and a run whose faults cannot fire is vacuous with a non-zero exit.
 * Each run gets its own --dir under one temp root; afterAll stops whatever a failed run left (only pids
 * the devnets' state files list).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { devnetPaths } from "../devnet/orchestrator/layout.ts";
import { pidState, stopProcess } from "../devnet/orchestrator/processes.ts";
import { readState } from "../devnet/orchestrator/state-file.ts";
import { fixtureFiles } from "./devnet-scenario.ts";

const root = mkdtempSync(join(tmpdir(), "lattice-scenario-cli-"));
const fixtures = join(import.meta.dir, "..", "fixtures", "scenarios");
const dirs: string[] = [];

function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== "BUN_BE_BUN" && k !== "LATTICE_DEVNET_NODE_COMMAND") e[k] = v;
  return e;
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([process.execPath, join(import.meta.dir, "lattice.ts"), "devnet", ...argv], {
    cwd: join(import.meta.dir, ".."),
    env: env(),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, stdout, stderr };
}

interface Results {
  verdict: string;
  broken: string[];
  replay: string;
  seed: number;
  durationMs: number;
  checks: { name: string; status: string }[];
  faults: { label: string; fired: number }[];
}

async function run(file: string, ...extra: string[]) {
  const name = basename(file).replace(/\.(json|ya?ml)$/, "");
  const dir = join(root, name);
  const report = join(root, `${name}-report`);
  dirs.push(dir);
  const r = await cli("scenario", "run", file, "--short", "--dir", dir, "--report", report, ...extra);
  const results = existsSync(join(report, "results.json"))
    ? (JSON.parse(readFileSync(join(report, "results.json"), "utf8")) as Results)
    : null;
  const junit = existsSync(join(report, "junit.xml")) ? readFileSync(join(report, "junit.xml"), "utf8") : "";
  // No node of the run may be left: the runner tears its devnet down whatever the verdict.
  const state = readState(devnetPaths(dir).state);
  const alive = (state?.nodes ?? []).filter((n) => n.pid !== null && pidState(n.pid) !== "gone");
  return { ...r, results, junit, alive };
}

afterAll(async () => {
  for (const dir of dirs) {
    const state = readState(devnetPaths(dir).state);
    for (const n of state?.nodes ?? [])
      if (n.pid !== null) await stopProcess(n.pid, n.config, { hard: true }).catch(() => undefined);
  }
  rmSync(root, { recursive: true, force: true });
});

// The whole set takes about 2-3 minutes on 2 busy cores; CI runs this subset (one of each fault family:
// link, process, crash-all, byzantine, YAML). The full set: `SCENARIOS=all bun test cmd/devnet-scenario`
// or `for f in fixtures/scenarios/*.json fixtures/scenarios/*.yaml; do lattice devnet scenario run $f --short || exit 1; done`.
const SUBSET = [
  "leader-isolation.json",
  "minority-partition.json",
  "kill-all-restart.json",
  "equivocating-node.json",
  "duplication-replay.json",
  "clock-skew.yaml",
];
const FULL = process.env.SCENARIOS === "all";
const chosen = fixtureFiles(fixtures).filter((f) => FULL || SUBSET.includes(basename(f)));

describe("lattice devnet scenario", () => {
  test("list names every fixture (at least ten), as JSON", async () => {
    const r = await cli("scenario", "list", "--json");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { scenarios: { name: string; covers: number[] }[] };
    expect(list.scenarios.length).toBeGreaterThanOrEqual(10);
    expect(list.scenarios.map((s) => s.name)).toContain("unresponsive-harvester");
    expect(chosen.length).toBe(FULL ? list.scenarios.length : SUBSET.length);
  });

  for (const file of chosen) {
    test(`${basename(file)} passes (--short) and writes its JUnit report`, async () => {
      const r = await run(file, "--json");
      expect(r.alive).toEqual([]);
      expect(r.results).not.toBeNull();
      if (r.results!.verdict !== "pass") console.error(r.stderr.slice(-3000));
      expect({ verdict: r.results!.verdict, broken: r.results!.broken }).toEqual({
        verdict: "pass",
        broken: [],
      });
      expect(r.code).toBe(0);
      // --json: one document on stdout, the same results.
      expect((JSON.parse(r.stdout) as Results).verdict).toBe("pass");
      expect(r.results!.faults.every((f) => f.fired > 0)).toBe(true);
      expect(r.junit).toContain('failures="0" errors="0"');
      expect(r.junit.match(/<testcase /g)?.length).toBe(r.results!.checks.length + r.results!.faults.length);
    }, 120_000);
  }

  test("a byzantine majority (3 of 4 vote-wrong) fails, names the broken invariant, prints the replay command", async () => {
    const file = join("fixtures", "scenarios", "test-only", "byzantine-majority.json");
    const r = await run(file);
    expect(r.alive).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.results?.verdict).toBe("fail");
    expect(r.results?.checks.find((c) => c.name === "liveness")?.status).toBe("fail");
    expect(r.stdout).toContain("broken invariant: liveness");
    expect(r.stdout).toContain(`replay: lattice devnet scenario run ${file} --seed 4242 --short`);
    expect(r.junit).toContain('message="invariant broken: liveness');
    // The byzantine modes themselves fired: the failure is the invariant, not vacuity.
    expect(r.results?.faults.every((f) => f.fired > 0)).toBe(true);
  }, 120_000);

  test("faults that cannot fire (pause of a dead node, zero-rate loss) make the run vacuous, exit 1", async () => {
    const r = await run(join("fixtures", "scenarios", "test-only", "vacuous-faults.json"), "--json");
    expect(r.alive).toEqual([]);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout) as Results;
    expect(res.verdict).toBe("vacuous");
    expect(res.checks.every((c) => c.status === "pass")).toBe(true);
    expect(res.broken).toEqual(["vacuous: pause the dead node 1", "vacuous: zero-rate loss"]);
    expect(r.junit).toContain('<failure type="vacuous" message="vacuous: zero-rate loss never fired');
  }, 120_000);

  test("usage errors exit 2 and start nothing", async () => {
    const bad = await cli("scenario", "run", join(fixtures, "baseline.json"), "--seed", "x");
    expect(bad.code).toBe(2);
    const missing = await cli("scenario", "run", join(root, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.json");
    const mode = await cli("byzantine", "0", "evil", "--dir", join(root, "none"));
    expect(mode.code).toBe(2);
    expect(readdirSync(root).filter((d) => d === "none")).toEqual([]);
  });
});
