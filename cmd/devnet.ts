/**
 * `lattice devnet ...`: real local clusters (issue #8). `up` starts N node processes of this same
 * executable on free loopback ports from a deterministic genesis and returns (or, in the foreground, shows
 * the explorer in a terminal, else a live summary, until q / Ctrl-C) once every node is ready; the other
 * commands find the devnet through `<dir>/devnet.json`, so they work from any shell. Chaos and cheats go through each node's admin API:
 * no root, no Docker.
 *
 * Default directory: `.lattice/devnet` under the current directory (`--dir` elsewhere; one directory per
 * devnet, so many devnets run side by side). LATTICE_DEVNET_NODE_COMMAND, a JSON array, replaces the argv
 * prefix that starts nodes (default: this executable, or `bun cmd/lattice.ts` from source), e.g. to run a
 * devnet of another build.
 */
import { existsSync, openSync, readSync, closeSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { fromHex } from "../core/crypto/bytes.ts";
import { parseAddress } from "../core/crypto/address.ts";
import { DEV_MNEMONIC } from "../fixtures/dev-keys.ts";
import {
  ChaosSpecError,
  type LinkFault,
  parseMs,
  parseNodeIndex,
  parsePartition,
  parseRate,
  partitionLinks,
  targetLinks,
} from "../devnet/orchestrator/chaos-plan.ts";
import {
  applyFaults,
  faultReports,
  healAll,
  setBalance,
  skewClock,
} from "../devnet/orchestrator/chaos-ops.ts";
import { DEFAULT_DEVNET_DIR, devnetPaths } from "../devnet/orchestrator/layout.ts";
import { runLoad } from "../devnet/orchestrator/load.ts";
import {
  anyAlive,
  down,
  fileSize,
  kill,
  loadState,
  pause,
  restart,
  status,
  tailFile,
  type UpResult,
  up,
} from "../devnet/orchestrator/orchestrator.ts";
import type { DevnetState } from "../devnet/orchestrator/state-file.ts";
import { redraw, summaryLines } from "../devnet/orchestrator/summary.ts";
import { devnetAccounts, MAX_NODES } from "../devnet/genesis/genesis.ts";
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";
import type { Output } from "./output.ts";
import { registerDevnetScenario } from "./devnet-scenario.ts";

/** Consensus kinds the cluster node accepts in genesis.json today (WAN mode arrives with issue #7). */
export const NODE_CONSENSUS_KINDS: readonly string[] = ["simplex"];

/** argv prefix that runs this `lattice` again: the compiled binary itself, or bun + cmd/lattice.ts. */
export function selfCommand(): string[] {
  const env = process.env.LATTICE_DEVNET_NODE_COMMAND;
  if (env !== undefined && env !== "") {
    let argv: unknown;
    try {
      argv = JSON.parse(env);
    } catch {
      argv = null;
    }
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string"))
      throw new UsageError(
        'LATTICE_DEVNET_NODE_COMMAND must be a JSON array of strings, e.g. ["/usr/bin/lattice"]',
      );
    return argv as string[];
  }
  const compiled = Bun.main.includes("$bunfs") || Bun.main.includes("~BUN");
  return compiled ? [process.execPath] : [process.execPath, resolve(import.meta.dir, "lattice.ts")];
}

export function parseIntArg(value: string, what: string, min: number, max: number): number {
  const n = /^[0-9]+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be an integer in ${min}..${max}, got "${value}"`);
  return n;
}

/** "30s", "2m", "500ms" or plain seconds. */
export function parseDuration(value: string, what: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/.exec(value.trim());
  if (m === null) throw new UsageError(`${what} must be a duration like 30s, 2m or 500ms, got "${value}"`);
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
  if (ms < 1 || ms > 3_600_000)
    throw new UsageError(`${what} must be between 1 ms and 1 hour, got "${value}"`);
  return Math.round(ms);
}

/** Chaos spec errors are usage errors (exit 2). */
function spec<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ChaosSpecError) throw new UsageError(err.message);
    throw err;
  }
}

interface DirFlag {
  dir?: string;
}

function upJson(r: UpResult) {
  return {
    dir: r.state.dir,
    chainId: r.state.chainId,
    seed: r.state.seed,
    resumed: r.resumed,
    consensus: r.genesis.consensus,
    nodes: r.state.nodes.map((n) => ({
      index: n.index,
      nodeId: n.nodeId,
      pid: n.pid,
      apiUrl: n.apiUrl,
      adminUrl: n.adminUrl,
      p2p: n.p2p,
      tokenFile: n.tokenFile,
      log: n.processLog,
    })),
    accounts: devnetAccounts(r.genesis.accounts.length).map((a, i) => ({
      index: a.index,
      address: a.address,
      secretKey: a.secretKey,
      balance: r.genesis.accounts[i]!.balance,
    })),
    mnemonic: DEV_MNEMONIC,
    timings: r.timings,
  };
}

function upHuman(r: UpResult, detach: boolean, view: ForegroundView): string {
  const j = upJson(r);
  const c = r.genesis.consensus;
  const lines = [
    "",
    `Lattice devnet: ${j.nodes.length} nodes, chain id ${j.chainId}, seed "${j.seed}"${r.resumed ? " (resumed)" : ""}`,
    `Consensus: ${c.kind === "simplex" ? `simplex, block time ${c.blockTimeMs} ms, delta ${c.deltaMs} ms` : c.kind}`,
    "",
    "Available accounts",
    "==================",
    ...j.accounts.map((a) => `(${a.index}) ${a.address} (${a.balance})`),
    "",
    "Secret keys",
    "==================",
    ...j.accounts.map((a) => `(${a.index}) ${a.secretKey}`),
    "",
    `Mnemonic:  ${DEV_MNEMONIC}`,
    "Path:      m/44'/7337'/0'/0'/<index>'",
    "",
    "Nodes",
    "==================",
    ...j.nodes.map(
      (n) => `(${n.index}) ${n.apiUrl}  admin ${n.adminUrl}  pid ${n.pid}  id ${n.nodeId.slice(0, 16)}`,
    ),
    "",
    `Dir:       ${j.dir}`,
    `Ready in ${r.timings.readyMs} ms (API answering ${r.timings.apiAnsweringMs} ms, first finalized round ${r.timings.firstFinalizedMs} ms)`,
  ];
  const dirArg = j.dir === devnetPaths().dir ? "" : ` --dir ${j.dir}`;
  lines.push(
    detach
      ? `Running in the background: \`lattice devnet status${dirArg}\`, \`lattice devnet down${dirArg}\``
      : view === "explorer"
        ? "Opening the explorer: q (or Ctrl-C) stops the devnet."
        : "Press Ctrl-C to stop the devnet.",
  );
  return lines.join("\n");
}

/** Wait for SIGINT or SIGTERM (or `stop()`); resolves with the exit code. */
function untilSignal(): { done: Promise<number>; stop: () => void } {
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((r) => {
    finish = r;
  });
  const onInt = () => finish(EXIT_INTERRUPTED);
  const onTerm = () => finish(EXIT_OK);
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onTerm);
  void done.then(() => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.off("SIGHUP", onTerm);
  });
  return { done, stop: () => finish(EXIT_OK) };
}

/** What a foreground `devnet up` shows while it runs. */
export type ForegroundView = "explorer" | "summary";

/**
 * The explorer needs a terminal on both ends (raw keys in, a screen out); --json keeps stdout one JSON
 * document and --no-explorer asks for the summary. Everything else gets the live summary as before.
 */
export function foregroundView(o: {
  readonly stdinTty: boolean;
  readonly stdoutTty: boolean;
  readonly json: boolean;
  readonly explorer: boolean;
}): ForegroundView {
  return o.stdinTty && o.stdoutTty && !o.json && o.explorer ? "explorer" : "summary";
}

/**
 * Foreground: show the explorer (or redraw the summary) until a signal, `q` in the explorer, or every
 * node gone, then bring the devnet down.
 */
async function supervise(
  out: Output,
  dir: string | undefined,
  view: ForegroundView,
  devnetDir: string,
): Promise<number> {
  const tty = view === "summary" && process.stdout.isTTY === true && !out.options.json;
  const signal = untilSignal();
  let drawn = 0;
  let last = 0;
  let stopped = false;
  // `npm start` killed alone leaves us orphaned (its `sh -c` does not pass the signal on): a foreground
  // devnet whose launcher is gone stops itself rather than leave nodes behind.
  const parent = process.ppid;
  const closeUi = new AbortController();
  const ui =
    view === "explorer"
      ? (async () => {
          const { HttpSource } = await import("../devnet/explorer/http-source.ts");
          const { runExplorer } = await import("../devnet/explorer/run.ts");
          await runExplorer({
            source: new HttpSource({ kind: "dir", dir: devnetDir }),
            mode: "tui",
            write: (text) => process.stdout.write(text),
            signal: closeUi.signal,
          });
          // q (or Ctrl-C inside the UI, which takes the keys raw) ends the devnet like Ctrl-C here.
          signal.stop();
        })()
      : null;
  const loop = (async () => {
    while (!stopped) {
      if (process.ppid !== parent) {
        out.info(`the parent process (${parent}) is gone`);
        signal.stop();
        break;
      }
      let state: DevnetState;
      try {
        state = loadState(dir);
      } catch {
        break;
      }
      if (!anyAlive(state)) {
        out.info("every node has stopped (devnet brought down from elsewhere?)");
        signal.stop();
        break;
      }
      if (view === "explorer") {
        await Promise.race([signal.done, new Promise((r) => setTimeout(r, 1_000))]);
        continue;
      }
      const lines = summaryLines(await status(state, 400));
      if (tty) {
        process.stdout.write(redraw(lines, drawn));
        drawn = lines.length;
      } else if (!out.options.json && performance.now() - last >= 5_000) {
        last = performance.now();
        const at = new Date().toISOString().slice(11, 19);
        process.stdout.write(lines.map((l) => `${at} ${l}\n`).join(""));
      }
      await Promise.race([signal.done, new Promise((r) => setTimeout(r, tty ? 500 : 1_000))]);
    }
  })();
  const code = await signal.done;
  stopped = true;
  closeUi.abort();
  await Promise.all([loop, ui]);
  out.info("stopping the devnet...");
  try {
    const r = await down(dir);
    out.info(`stopped ${r.filter((x) => x.outcome !== "not-running").length} node(s); no process left`);
  } catch (err) {
    // Already brought down from another shell: nothing left to do.
    if (!(err instanceof Error && "code" in err && err.code === "DEVNET_NOT_FOUND")) throw err;
  }
  return code;
}

function nodeArg(value: string, state: DevnetState): number {
  return spec(() => parseNodeIndex(value, state.nodes.length));
}

export function registerDevnet(program: Command, outputFor: OutputFor): void {
  const devnet = program
    .command("devnet")
    .description("local multi-node clusters: up, status, down, logs, restart, chaos, cheats, load");
  registerDevnetScenario(devnet, outputFor, selfCommand);
  const dirOption = (c: Command) =>
    c.option("--dir <dir>", `devnet directory (default ${DEFAULT_DEVNET_DIR} under the current directory)`);

  dirOption(
    devnet
      .command("up")
      .description("start a devnet (or resume the one in --dir) and wait until it is ready")
      .option("-n, --nodes <n>", "number of validator nodes (default 4)")
      .option("--seed <seed>", 'seed of the node keys (default "lattice"); dev accounts are always the same')
      .option("--block-time <ms>", "simplex block time in ms (default 100)")
      .option("--chain-id <n>", "chain id (default 31337)")
      .option("--farmer-quorums <f>", "WAN mode: number of farmer quorums")
      .option("--quorum-size <q>", "WAN mode: validators per quorum")
      .option("--detach", "return once ready and leave the nodes running")
      .option("--no-explorer", "in a terminal, show the live summary instead of the explorer")
      .option("--reset", "delete the chain already in --dir first (refused while it runs)")
      .option("--timeout <duration>", "readiness deadline (default 60s)"),
  ).action(
    async (
      flags: DirFlag & {
        nodes?: string;
        seed?: string;
        blockTime?: string;
        chainId?: string;
        farmerQuorums?: string;
        quorumSize?: string;
        detach?: boolean;
        explorer?: boolean;
        reset?: boolean;
        timeout?: string;
      },
      cmd: Command,
    ) => {
      const out = outputFor(cmd);
      if (flags.farmerQuorums !== undefined || flags.quorumSize !== undefined) {
        if (!NODE_CONSENSUS_KINDS.includes("wan"))
          throw new UsageError(
            "WAN mode (--farmer-quorums, --quorum-size) is not available yet: the cluster node accepts only simplex consensus today",
          );
      }
      const nodes = flags.nodes === undefined ? undefined : parseIntArg(flags.nodes, "--nodes", 1, MAX_NODES);
      const blockTimeMs =
        flags.blockTime === undefined ? undefined : parseIntArg(flags.blockTime, "--block-time", 1, 60_000);
      const chainId =
        flags.chainId === undefined ? undefined : parseIntArg(flags.chainId, "--chain-id", 0, 0xffff_ffff);
      if (flags.seed !== undefined && flags.seed.length > 256)
        throw new UsageError("--seed: at most 256 characters");
      const timeoutMs = flags.timeout === undefined ? 60_000 : parseDuration(flags.timeout, "--timeout");
      const detach = flags.detach === true;
      const nodeCommand = selfCommand();
      const r = await up({
        ...(flags.dir === undefined ? {} : { dir: flags.dir }),
        ...(nodes === undefined ? {} : { nodes }),
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
        ...(blockTimeMs === undefined ? {} : { blockTimeMs }),
        ...(chainId === undefined ? {} : { chainId }),
        nodeCommand,
        detach,
        reset: flags.reset === true,
        timeoutMs,
        supervisorPid: detach ? null : process.pid,
        onProgress: (m) => out.info(m),
      });
      const view = foregroundView({
        stdinTty: process.stdin.isTTY === true,
        stdoutTty: process.stdout.isTTY === true,
        json: out.options.json,
        explorer: flags.explorer !== false,
      });
      out.result(upJson(r), () => upHuman(r, detach, view));
      if (!detach) process.exitCode = await supervise(out, flags.dir, view, upJson(r).dir);
    },
  );

  dirOption(
    devnet.command("status").description("every node: process, readiness, round, peers, URLs"),
  ).action(async (flags: DirFlag, cmd: Command) => {
    const out = outputFor(cmd);
    const state = loadState(flags.dir);
    const nodes = await status(state);
    out.result(
      {
        dir: state.dir,
        chainId: state.chainId,
        seed: state.seed,
        startedAt: state.startedAt,
        nodes,
        chaos: state.chaos,
        skewMs: state.skewMs,
      },
      () =>
        [
          `devnet ${state.dir} (chain id ${state.chainId}, ${nodes.filter((n) => n.process !== "gone").length}/${nodes.length} nodes up)`,
          ...summaryLines(nodes),
          ...(state.chaos.length > 0
            ? [`chaos: ${state.chaos.length} link rule(s) in force (lattice devnet heal)`]
            : []),
        ].join("\n"),
    );
  });

  dirOption(
    devnet
      .command("down")
      .description("stop every node (SIGTERM, then SIGKILL) and check no process is left; the chain stays")
      .option("--grace <duration>", "time to wait after SIGTERM before SIGKILL (default 5s)"),
  ).action(async (flags: DirFlag & { grace?: string }, cmd: Command) => {
    const out = outputFor(cmd);
    const graceMs = flags.grace === undefined ? 5_000 : parseDuration(flags.grace, "--grace");
    const r = await down(flags.dir, { graceMs });
    out.result({ dir: devnetPaths(flags.dir).dir, nodes: r }, () =>
      [
        ...r.map((n) => `node ${n.index}: ${n.outcome}${n.pid === null ? "" : ` (pid ${n.pid})`}`),
        `no process left; \`lattice devnet up${flags.dir === undefined ? "" : ` --dir ${flags.dir}`}\` resumes the chain`,
      ].join("\n"),
    );
  });

  dirOption(
    devnet
      .command("logs")
      .description("print a node's log (all nodes, prefixed, without NODE); -f follows")
      .argument("[node]", "node number")
      .option("-f, --follow", "keep printing new lines until Ctrl-C")
      .option("-n, --lines <n>", "lines from the end of each log (default 50)"),
  ).action(async (nodeSpec: string | undefined, flags: DirFlag & { follow?: boolean; lines?: string }) => {
    const state = loadState(flags.dir);
    const lines = flags.lines === undefined ? 50 : parseIntArg(flags.lines, "--lines", 0, 1_000_000);
    const nodes = nodeSpec === undefined ? state.nodes : [state.nodes[nodeArg(nodeSpec, state)]!];
    const prefix = (i: number) => (nodes.length > 1 ? `[${i}] ` : "");
    const files = nodes.map((n) => {
      const structured = `${n.dataDir}/node.log`;
      return { index: n.index, path: existsSync(structured) ? structured : n.processLog };
    });
    for (const f of files) {
      const text = tailFile(f.path, lines);
      if (text !== "")
        process.stdout.write(
          `${text
            .split("\n")
            .map((l) => prefix(f.index) + l)
            .join("\n")}\n`,
        );
    }
    if (flags.follow !== true) return;
    const signal = untilSignal();
    const offsets = files.map((f) => fileSize(f.path));
    let stopped = false;
    void signal.done.then(() => {
      stopped = true;
    });
    while (!stopped) {
      files.forEach((f, i) => {
        const size = fileSize(f.path);
        if (size < offsets[i]!) offsets[i] = 0; // truncated or replaced
        if (size === offsets[i]) return;
        const fd = openSync(f.path, "r");
        const buf = Buffer.alloc(size - offsets[i]!);
        readSync(fd, buf, 0, buf.length, offsets[i]!);
        closeSync(fd);
        offsets[i] = size;
        const text = buf.toString("utf8").replace(/\n$/, "");
        process.stdout.write(
          `${text
            .split("\n")
            .map((l) => prefix(f.index) + l)
            .join("\n")}\n`,
        );
      });
      await Promise.race([signal.done, new Promise((r) => setTimeout(r, 200))]);
    }
  });

  dirOption(
    devnet
      .command("restart")
      .description("stop a node (if running) and start it again on its data dir; waits until it is ready")
      .argument("<node>", "node number"),
  ).action(async (nodeSpec: string, flags: DirFlag, cmd: Command) => {
    const out = outputFor(cmd);
    const index = nodeArg(nodeSpec, loadState(flags.dir));
    const r = await restart(flags.dir, index);
    const n = r.state.nodes[index]!;
    out.result(
      { index, pid: n.pid, apiUrl: n.apiUrl, readyMs: r.readyMs },
      () => `node ${index} restarted (pid ${n.pid}, ${n.apiUrl}), ready in ${r.readyMs} ms`,
    );
  });

  dirOption(
    devnet
      .command("kill")
      .description("SIGKILL a node (a crash); `restart` brings it back")
      .argument("<node>", "node number"),
  ).action(async (nodeSpec: string, flags: DirFlag, cmd: Command) => {
    const out = outputFor(cmd);
    const index = nodeArg(nodeSpec, loadState(flags.dir));
    const r = await kill(flags.dir, index);
    out.result({ index, ...r }, () =>
      r.killed ? `node ${index} killed (pid ${r.pid})` : `node ${index} was not running`,
    );
  });

  for (const [name, paused, what] of [
    ["pause", true, "freeze a node's process (SIGSTOP): it holds its sockets but answers nothing"],
    ["resume", false, "let a paused node run again (SIGCONT)"],
  ] as const) {
    dirOption(devnet.command(name).description(what).argument("<node>", "node number")).action(
      (nodeSpec: string, flags: DirFlag, cmd: Command) => {
        const out = outputFor(cmd);
        const index = nodeArg(nodeSpec, loadState(flags.dir));
        const r = pause(flags.dir, index, paused);
        out.result(
          { index, pid: r.pid, paused },
          () => `node ${index} ${paused ? "paused" : "resumed"} (pid ${r.pid})`,
        );
      },
    );
  }

  const chaosResult = (out: Output, what: string, r: Awaited<ReturnType<typeof applyFaults>>) =>
    out.result(r, () =>
      [
        `${what}: ${r.applied.length} node(s) updated, ${r.rules.length} link rule(s) in force`,
        ...(r.skipped.length > 0
          ? [`not running (rules apply when restarted): ${r.skipped.join(", ")}`]
          : []),
      ].join("\n"),
    );

  dirOption(
    devnet
      .command("partition")
      .description(
        "cut links between groups of nodes, e.g. 0,1/2,3 (both ways; --one-way: first -> second only)",
      )
      .argument("<groups>", "groups of node numbers separated by /")
      .option("--one-way", "drop only frames from the first group to the second"),
  ).action(async (groups: string, flags: DirFlag & { oneWay?: boolean }, cmd: Command) => {
    const state = loadState(flags.dir);
    const faults = spec(() =>
      partitionLinks(parsePartition(groups, state.nodes.length), flags.oneWay === true),
    );
    chaosResult(outputFor(cmd), `partition ${groups}`, await applyFaults(flags.dir, faults));
  });

  dirOption(devnet.command("heal").description("remove every link fault on every node")).action(
    async (flags: DirFlag, cmd: Command) => {
      const r = await healAll(flags.dir);
      outputFor(cmd).result(r, () => `healed ${r.healed.length} node(s)`);
    },
  );

  const linkCommand = (
    name: string,
    description: string,
    options: [string, string][],
    rule: (flags: Record<string, string | undefined>) => LinkFault["rule"],
  ) => {
    const c = devnet
      .command(name)
      .description(description)
      .argument("<target>", "a node (all its links), A-B (both ways) or A>B");
    for (const [flag, help] of options) c.option(flag, help);
    dirOption(c).action(
      async (target: string, flags: DirFlag & Record<string, string | undefined>, cmd: Command) => {
        const state = loadState(flags.dir);
        const r = spec(() => rule(flags));
        const faults = spec(() => targetLinks(target, state.nodes.length)).map((l) => ({ ...l, rule: r }));
        chaosResult(outputFor(cmd), `${name} ${target}`, await applyFaults(flags.dir, faults));
      },
    );
  };
  linkCommand(
    "latency",
    "add one-way delay (and jitter) to links",
    [
      ["--ms <ms>", "delay added to every frame, ms"],
      ["--jitter <ms>", "uniform jitter +- ms (default 0)"],
    ],
    (f) => {
      if (f.ms === undefined) throw new UsageError("latency: --ms is required");
      return {
        latencyMs: parseMs(f.ms, "--ms"),
        jitterMs: f.jitter === undefined ? 0 : parseMs(f.jitter, "--jitter"),
      };
    },
  );
  linkCommand(
    "loss",
    "drop frames on links with a probability",
    [["--rate <p>", "probability 0..1"]],
    (f) => {
      if (f.rate === undefined) throw new UsageError("loss: --rate is required");
      return { loss: parseRate(f.rate, "--rate") };
    },
  );
  linkCommand(
    "dup",
    "duplicate frames on links with a probability",
    [["--rate <p>", "probability 0..1"]],
    (f) => {
      if (f.rate === undefined) throw new UsageError("dup: --rate is required");
      return { duplicate: parseRate(f.rate, "--rate") };
    },
  );

  dirOption(
    devnet
      .command("skew")
      .description("shift a node's clock by MS milliseconds (negative: behind; 0 resets)")
      .argument("<node>", "node number")
      .requiredOption("--ms <ms>", "skew in ms, -60000..60000"),
  ).action(async (nodeSpec: string, flags: DirFlag & { ms: string }, cmd: Command) => {
    const index = nodeArg(nodeSpec, loadState(flags.dir));
    const ms = spec(() => parseMs(flags.ms, "--ms", true));
    const r = await skewClock(flags.dir, index, ms);
    outputFor(cmd).result({ index, skewMs: ms, node: r }, () => `node ${index}: clock skew ${ms} ms`);
  });

  dirOption(
    devnet.command("faults").description("the faults that actually fired, per node, link and kind"),
  ).action(async (flags: DirFlag, cmd: Command) => {
    const state = loadState(flags.dir);
    const r = await faultReports(flags.dir);
    const idx = new Map(state.nodes.map((n) => [n.nodeId, String(n.index)]));
    outputFor(cmd).result(r, () => {
      const lines: string[] = [];
      for (const [node, answer] of Object.entries(r)) {
        const report = (answer as { report?: Record<string, Record<string, number>> }).report;
        if (report === undefined) {
          lines.push(`node ${node}: ${JSON.stringify(answer)}`);
          continue;
        }
        for (const [link, kinds] of Object.entries(report)) {
          const [from, to] = link.split(">");
          const name = `${idx.get(from ?? "") ?? from}>${idx.get(to ?? "") ?? to}`;
          const fired = Object.entries(kinds).map(([k, v]) => `${k} ${v}`);
          lines.push(`node ${node}  link ${name}  ${fired.join(", ")}`);
        }
      }
      return lines.length === 0 ? "no fault has fired" : lines.join("\n");
    });
  });

  dirOption(
    devnet
      .command("set-balance")
      .description("set an account's balance on the running devnet (like anvil_setBalance)")
      .argument("<address>", "lat1... address")
      .argument("<amount>", "new balance (u64)"),
  ).action(async (address: string, amount: string, flags: DirFlag, cmd: Command) => {
    try {
      parseAddress(address);
    } catch (err) {
      throw new UsageError(`address: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!/^(0|[1-9][0-9]{0,19})$/.test(amount) || BigInt(amount) >= 1n << 64n)
      throw new UsageError(`amount must be a u64 decimal, got "${amount}"`);
    const r = await setBalance(flags.dir, address, BigInt(amount));
    outputFor(cmd).result(r, () => `balance of ${address} set to ${amount}`);
  });

  dirOption(
    devnet
      .command("load")
      .description(
        "signed transfers from dev accounts to every node; reports throughput and finality latency",
      )
      .requiredOption("--tps <r>", "target transfers per second")
      .requiredOption("--duration <t>", "how long to send, e.g. 10s")
      .option("--senders <k>", "dev accounts sending (default 10)")
      .option("--wait <t>", "how long to wait for each outcome after sending (default 15s)"),
  ).action(
    async (
      flags: DirFlag & { tps: string; duration: string; senders?: string; wait?: string },
      cmd: Command,
    ) => {
      const out = outputFor(cmd);
      const tps = parseIntArg(flags.tps, "--tps", 1, 100_000);
      const durationMs = parseDuration(flags.duration, "--duration");
      const k = flags.senders === undefined ? 10 : parseIntArg(flags.senders, "--senders", 1, 1000);
      const finalityTimeoutMs = flags.wait === undefined ? 15_000 : parseDuration(flags.wait, "--wait");
      const state = loadState(flags.dir);
      const urls = state.nodes
        .filter((n) => n.status === "running" && n.apiUrl !== null)
        .map((n) => n.apiUrl!);
      if (urls.length === 0) throw new UsageError("no node of the devnet is running");
      const senders = devnetAccounts(Math.max(k, 2))
        .slice(0, Math.max(k, 2))
        .map((a) => ({
          address: a.address,
          secretKey: fromHex(a.secretKey),
        }));
      out.info(
        `load: ${tps} transfers/s for ${durationMs} ms from ${senders.length} dev accounts to ${urls.length} nodes`,
      );
      const r = await runLoad({ urls, tps, durationMs, senders, finalityTimeoutMs });
      out.result(r, () => {
        const f = r.finalityMs;
        return [
          `sent ${r.sent}: ${r.final} final, ${r.rejected} rejected, ${r.indeterminate} indeterminate`,
          `throughput ${r.throughputTps} final transfers/s (target ${r.targetTps}/s, ${r.elapsedMs} ms)`,
          f === null
            ? "finality: nothing went final"
            : `finality ms: p50 ${f.p50}, p95 ${f.p95}, p99 ${f.p99}, max ${f.max}`,
          ...Object.entries(r.rejectedCodes).map(([c, n]) => `rejected ${c}: ${n}`),
        ].join("\n");
      });
    },
  );
}
