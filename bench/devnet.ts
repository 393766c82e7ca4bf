/**
 * bench/devnet.ts: how fast `lattice devnet up` gets a real cluster ready (ARCHITECTURE.md performance
 * budget: 4 nodes `up` to API answering < 1 s, 7 nodes `up` to first certified round < 2 s, 16 devnets
 * started at once all ready). Nodes run as the compiled binary (built into a temp dir first, as
 * `npm run build` would) and from source (`bun cmd/lattice.ts node ...`), through the orchestrator's `up`
 * exactly as the CLI calls it. Times are from the start of `up` (genesis written, processes spawned) to:
 * every API answering /healthz, and every /readyz 200 (peers connected, first certified round).
 *
 * Sustained load (issue #8): for 4 and 7 nodes (binary), `lattice devnet load` as the CLI runs it
 * (runLoad: 10 dev accounts, each sending to one node) at two fixed offered rates for a fixed duration:
 * a moderate one for finality p50/p99 (submit to final), and one above capacity for the sustained final
 * transfers/s. Alongside: node CPU per final transfer (all nodes' utime+stime from /proc), the machine's
 * load average, and the verify ceiling of the budget (cores x native Ed25519 verifies/s measured here /
 * verifies per transfer, which is one per node: each node checks each transfer's signature once).
 *
 * Usage: bun bench/devnet.ts [--runs N] [--parallel K] [--load-runs M] [--load-ms T] [--no-startup]
 *        [--no-parallel] [--no-load]   (defaults 3 runs, 16 devnets at once, 2 load runs of 8000 ms)
 * Prints tables, then one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { keyPairFromSeed, nativeEd25519 } from "../core/crypto/ed25519.ts";
import { fromHex } from "../core/crypto/bytes.ts";
import { devnetAccounts } from "../devnet/genesis/genesis.ts";
import { runLoad } from "../devnet/orchestrator/load.ts";
import { join, resolve } from "node:path";
import { down, up } from "../devnet/orchestrator/orchestrator.ts";

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const runs = opt("--runs", 3);
const parallel = opt("--parallel", 16);
const loadRuns = opt("--load-runs", 2);
const loadMs = opt("--load-ms", 8000);
const flag = (name: string) => args.includes(name);
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
for (let r = 0; r < (flag("--no-startup") ? 0 : runs); r++) {
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

// Sustained load on a real devnet (compiled binary).
const cpuMsOf = (pids: readonly number[]) =>
  pids.reduce((sum, pid) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return sum + (Number(f[11]) + Number(f[12])) * (1000 / 100);
    } catch {
      return sum;
    }
  }, 0);
function verifiesPerSecond(): number {
  const kp = keyPairFromSeed(new Uint8Array(32).fill(7));
  const msg = new Uint8Array(200).fill(1);
  const sig = nativeEd25519.sign(kp.secretKey, msg);
  for (let i = 0; i < 200; i++) nativeEd25519.verify(kp.publicKey, msg, sig);
  const n = 3000;
  const t = performance.now();
  for (let i = 0; i < n; i++) nativeEd25519.verify(kp.publicKey, msg, sig);
  return n / ((performance.now() - t) / 1000);
}
interface LoadRow {
  nodes: number;
  offeredTps: number;
  finalTps: { min: number; median: number };
  p50Ms: { min: number; median: number };
  p99Ms: { min: number; median: number };
  cpuUsPerTx: { min: number; median: number };
  lost: number;
  load1: number;
}
const loadRows: LoadRow[] = [];
const senders = devnetAccounts(10).map((a) => ({ address: a.address, secretKey: fromHex(a.secretKey) }));
const cores = navigator.hardwareConcurrency;
const vps = flag("--no-load") ? 0 : verifiesPerSecond();
for (const nodes of flag("--no-load") ? [] : [4, 7]) {
  for (const offeredTps of [200, 1500]) {
    const xs = { tps: [] as number[], p50: [] as number[], p99: [] as number[], cpu: [] as number[] };
    let lost = 0;
    const load1: number[] = [];
    for (let r = 0; r < loadRuns; r++) {
      const dir = join(root, `l${seq++}`);
      try {
        const u = await up({ dir, nodes, nodeCommand: commands.binary, detach: true, timeoutMs: 120_000 });
        const pids = u.state.nodes.map((n) => n.pid!);
        const urls = u.state.nodes.map((n) => n.apiUrl!);
        const c0 = cpuMsOf(pids);
        load1.push(loadavg()[0]!);
        const rep = await runLoad({ urls, tps: offeredTps, durationMs: loadMs, senders, finalityTimeoutMs: 20_000 });
        const cpu = cpuMsOf(pids) - c0;
        xs.tps.push(rep.throughputTps);
        xs.p50.push(rep.finalityMs?.p50 ?? Number.NaN);
        xs.p99.push(rep.finalityMs?.p99 ?? Number.NaN);
        xs.cpu.push(rep.final === 0 ? Number.NaN : Math.round((cpu * 1000) / rep.final));
        lost += rep.indeterminate;
      } finally {
        await down(dir).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    }
    loadRows.push({
      nodes,
      offeredTps,
      finalTps: stats(xs.tps),
      p50Ms: stats(xs.p50),
      p99Ms: stats(xs.p99),
      cpuUsPerTx: stats(xs.cpu),
      lost,
      load1: Math.round(Math.max(...load1) * 10) / 10,
    });
  }
}

// Many devnets at once (compiled binary, 4 nodes each): how many get ready, and how long the last takes.
const t0 = performance.now();
const dirs = Array.from({ length: flag("--no-parallel") ? 0 : parallel }, (_, i) => join(root, `p${i}`));
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
console.log(`${dirs.length} devnets x 4 nodes at once (binary): ${ready}/${dirs.length} ready in ${allReadyMs} ms`);
if (loadRows.length > 0) {
  console.log(
    `\nload (binary, ${loadMs} ms, ${senders.length} senders; min/med of ${loadRuns}); native verifies/s ${Math.round(vps)}`,
  );
  console.log("nodes  offered/s  final/s (min/med)  p50 ms (min/med)  p99 ms (min/med)  node CPU us/tx  ceiling %  indet.  load1");
  for (const r of loadRows) {
    const ceiling = (cores * vps) / r.nodes;
    console.log(
      `${String(r.nodes).padEnd(6)} ${String(r.offeredTps).padEnd(10)} ${`${r.finalTps.min} / ${r.finalTps.median}`.padEnd(18)} ${`${r.p50Ms.min} / ${r.p50Ms.median}`.padEnd(17)} ${`${r.p99Ms.min} / ${r.p99Ms.median}`.padEnd(17)} ${String(r.cpuUsPerTx.median).padEnd(15)} ${((100 * r.finalTps.median) / ceiling).toFixed(1).padEnd(10)} ${String(r.lost).padEnd(7)} ${r.load1}`,
    );
  }
}
for (const f of failures) console.log(`  failure: ${f}`);
console.log(
  JSON.stringify({
    bench: "devnet",
    runs,
    cores: navigator.hardwareConcurrency,
    rows,
    parallel: { devnets: dirs.length, nodesEach: 4, ready, allReadyMs },
    load: {
      durationMs: loadMs,
      nativeVerifiesPerSec: Math.round(vps),
      rows: loadRows.map((r) => ({
        ...r,
        ceilingTps: Math.round((cores * vps) / r.nodes),
        ceilingPct: Math.round((1000 * r.finalTps.median) / ((cores * vps) / r.nodes)) / 10,
      })),
    },
    loadAvg: loadavg().map((x) => Math.round(x * 10) / 10),
  }),
);
