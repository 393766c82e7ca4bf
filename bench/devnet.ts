/**
 * bench/devnet.ts: how fast `lattice devnet up` gets a real cluster ready (ARCHITECTURE.md performance
 * budget: 4 nodes `up` to API answering < 1 s, 7 nodes `up` to first certified round < 2 s, 16 devnets
 * started at once all ready). Nodes run as the compiled binary (built into a temp dir first, as
 * `npm run build` would) and from source (`bun cmd/lattice.ts node ...`), through the orchestrator's `up`
 * exactly as the CLI calls it. Times are from the start of `up` (genesis written, processes spawned) to:
 * every API answering /healthz, and every /readyz 200 (peers connected, first certified round).
 *
 * Usage: bun bench/devnet.ts [--runs N] [--parallel K]     (defaults 3 runs, 16 devnets at once)
 * Prints a table, then one JSON line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { down, up } from "../devnet/orchestrator/orchestrator.ts";

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const runs = opt("--runs", 3);
const parallel = opt("--parallel", 16);
const root = mkdtempSync(join(tmpdir(), "lattice-bench-devnet-"));
const repo = resolve(import.meta.dir, "..");

const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_BE_BUN") env[k] = v;
const bin = join(root, "lattice");
const build = Bun.spawn([process.execPath, join(repo, "cmd", "build.ts"), "--outfile", bin], {
  stdout: "ignore",
  stderr: "pipe",
  env,
});
if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`);

const commands = { binary: [bin], source: [process.execPath, join(repo, "cmd", "lattice.ts")] };
let seq = 0;

async function once(cmd: readonly string[], nodes: number) {
  const dir = join(root, `d${seq++}`);
  try {
    const r = await up({ dir, nodes, nodeCommand: cmd, detach: true, timeoutMs: 120_000 });
    return r.timings;
  } finally {
    await down(dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
};

interface Row {
  mode: string;
  nodes: number;
  apiMs: { min: number; median: number };
  firstFinalizedMs: { min: number; median: number };
  readyMs: { min: number; median: number };
}
const rows: Row[] = [];
// Interleaved: each run does every configuration once, so machine load drifts evenly over them.
const samples = new Map<string, { api: number[]; fin: number[]; ready: number[] }>();
for (let r = 0; r < runs; r++) {
  for (const mode of ["binary", "source"] as const) {
    for (const nodes of [4, 7]) {
      const t = await once(commands[mode], nodes);
      const key = `${mode}/${nodes}`;
      const s = samples.get(key) ?? { api: [], fin: [], ready: [] };
      s.api.push(t.apiAnsweringMs);
      s.fin.push(t.firstFinalizedMs);
      s.ready.push(t.readyMs);
      samples.set(key, s);
    }
  }
}
for (const [key, s] of samples) {
  const [mode, nodes] = key.split("/");
  rows.push({
    mode: mode!,
    nodes: Number(nodes),
    apiMs: stats(s.api),
    firstFinalizedMs: stats(s.fin),
    readyMs: stats(s.ready),
  });
}

// Many devnets at once (compiled binary, 4 nodes each): how many get ready, and how long the last takes.
const t0 = performance.now();
const dirs = Array.from({ length: parallel }, (_, i) => join(root, `p${i}`));
const results = await Promise.allSettled(
  dirs.map((dir) => up({ dir, nodes: 4, nodeCommand: commands.binary, detach: true, timeoutMs: 180_000 })),
);
const allReadyMs = Math.round(performance.now() - t0);
const ready = results.filter((r) => r.status === "fulfilled").length;
const failures = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason).slice(0, 200)] : []));
await Promise.all(dirs.map((d) => down(d).catch(() => {})));
rmSync(root, { recursive: true, force: true });

console.log("mode    nodes  API answering ms (min/med)  first certified ms (min/med)  ready ms (min/med)");
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(7)} ${String(r.nodes).padEnd(6)} ${`${r.apiMs.min} / ${r.apiMs.median}`.padEnd(27)} ${`${r.firstFinalizedMs.min} / ${r.firstFinalizedMs.median}`.padEnd(29)} ${r.readyMs.min} / ${r.readyMs.median}`,
  );
}
console.log(`${parallel} devnets x 4 nodes at once (binary): ${ready}/${parallel} ready in ${allReadyMs} ms`);
for (const f of failures) console.log(`  failure: ${f}`);
console.log(
  JSON.stringify({
    bench: "devnet",
    runs,
    cores: navigator.hardwareConcurrency,
    rows,
    parallel: { devnets: parallel, nodesEach: 4, ready, allReadyMs },
  }),
);
