/**
 * The devnet orchestrator (issue #8 items 1-3): bring a cluster of `lattice node --config` processes up
 * on loopback, keep its state in `<dir>/devnet.json`, and drive it from any shell: status, down, restart,
 * kill, pause, resume. It speaks to nodes only through the contract of devnet/contract/node-process.ts:
 * files (genesis.json, node.json, ready.json) and the admin API, never through shared memory.
 *
 * Readiness of `up` (devnet-anchors §10.8, semantic and flake-proof): every node wrote ready.json, every
 * API answers, peers were announced, every /readyz answers 200 (peers connected and a first certified
 * round seen, per the contract), and dev account 0 is funded on every node. Each step is a condition
 * polled every few ms under one deadline, and each is timed. Peers are announced incrementally: each
 * node, once its API answers, gets every live peer (and they get it), so the first nodes connect and
 * start consensus while the last ones are still starting.
 *
 * Guarantees: ports are always 0 (the OS picks), one directory per devnet, a directory lock and a check
 * of live pids refuse a second `up`; a failed `up` stops every process it started; an existing
 * genesis.json is reused (resume) and never rewritten; `down` checks that every pid is gone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { toHex } from "../../core/crypto/bytes.ts";
import { LatticeClient } from "../../net/client/client.ts";
import type { ClusterGenesis, ClusterNodeConfig, PeersUpdate, ReadyInfo } from "../contract/node-process.ts";
import { buildDevnetGenesis, devnetNodeKeys, encodeGenesis, parseGenesis } from "../genesis/genesis.ts";
import { adminCall, tryJson } from "./admin-client.ts";
import { DevnetError } from "./devnet-error.ts";
import { type DevnetPaths, devnetPaths } from "./layout.ts";
import { acquireLock, isOurProcess, pidState, signalOurs, stopProcess, waitUntil } from "./processes.ts";
import { type DevnetState, type NodeState, readState, withNode, writeState } from "./state-file.ts";

export interface UpOptions {
  /** Devnet directory (default `.lattice/devnet` under the cwd). */
  readonly dir?: string;
  /** Validators; default 4 for a new devnet, the genesis's count on resume. */
  readonly nodes?: number;
  readonly seed?: string;
  readonly chainId?: number;
  readonly blockTimeMs?: number;
  readonly deltaMs?: number;
  /** argv prefix that runs `lattice` (then `node --config FILE` is appended). */
  readonly nodeCommand: readonly string[];
  /** Nodes in their own session, so they outlive this process (`--detach`). */
  readonly detach: boolean;
  /** Delete an existing chain in the directory first (only when nothing runs there). */
  readonly reset?: boolean;
  /** Deadline for the whole readiness sequence (default 60 s). */
  readonly timeoutMs?: number;
  readonly logLevel?: ClusterNodeConfig["logLevel"];
  /** Progress messages (stderr in the CLI). */
  readonly onProgress?: (message: string) => void;
  /** Record this pid as the supervisor (the foreground `up`). */
  readonly supervisorPid?: number | null;
}

/** Milliseconds from the start of `up` to each readiness step. */
export interface UpTimings {
  readonly spawnedMs: number;
  readonly readyFilesMs: number;
  readonly apiAnsweringMs: number;
  readonly peersAnnouncedMs: number;
  readonly firstFinalizedMs: number;
  readonly readyMs: number;
}

export interface UpResult {
  readonly state: DevnetState;
  readonly genesis: ClusterGenesis;
  readonly resumed: boolean;
  readonly timings: UpTimings;
  /** Round each node reported when it turned ready. */
  readonly rounds: readonly string[];
}

const POLL_MS = 10;

/** The node argv for a state's command and a node's config file. */
function nodeArgv(prefix: readonly string[], config: string): string[] {
  return [...prefix, "node", "--config", config];
}

/** The environment of node processes: ours, minus BUN_BE_BUN (it would make a compiled binary act as bun). */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_BE_BUN") env[k] = v;
  return env;
}

/** The last `lines` lines of a text file ("" if missing). */
export function tailFile(path: string, lines: number): string {
  try {
    const text = readFileSync(path, "utf8");
    return text
      .split("\n")
      .slice(-lines - 1)
      .join("\n")
      .trim();
  } catch {
    return "";
  }
}

interface Spawned {
  readonly pid: number;
  readonly child: ChildProcess;
  exitCode: number | null;
  exited: boolean;
}

function spawnNode(
  prefix: readonly string[],
  paths: ReturnType<DevnetPaths["node"]>,
  detach: boolean,
): Spawned {
  rmSync(paths.readyFile, { force: true });
  const fd = openSync(paths.processLog, "a", 0o600);
  const argv = nodeArgv(prefix, paths.config);
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: paths.dir,
      env: childEnv(),
      stdio: ["ignore", fd, fd],
      detached: detach,
    });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined)
    throw new DevnetError("DEVNET_NODE_EXITED", `could not start ${argv.join(" ")}`);
  const s: Spawned = { pid: child.pid, child, exitCode: null, exited: false };
  child.on("exit", (code, sig) => {
    s.exited = true;
    s.exitCode = code ?? (sig === null ? null : 128);
  });
  child.on("error", () => {
    s.exited = true;
  });
  if (detach) child.unref();
  return s;
}

function readReady(path: string): ReadyInfo | null {
  try {
    const r = JSON.parse(readFileSync(path, "utf8")) as ReadyInfo;
    return typeof r.apiUrl === "string" && typeof r.adminUrl === "string" ? r : null;
  } catch {
    return null;
  }
}

function exitedError(
  index: number,
  paths: ReturnType<DevnetPaths["node"]>,
  code: number | null,
): DevnetError {
  const log = tailFile(paths.processLog, 20);
  return new DevnetError(
    "DEVNET_NODE_EXITED",
    `node ${index} exited${code === null ? "" : ` with code ${code}`} while starting; its log (${paths.processLog}) ends with:\n${log}`,
    { details: { node: index, code, log } },
  );
}

/** Poll until `cond` holds, a node exits, or the deadline passes. */
async function until(
  what: string,
  deadline: number,
  cond: () => boolean | Promise<boolean>,
  check: () => void,
): Promise<void> {
  for (;;) {
    check();
    if (await cond()) return;
    if (performance.now() > deadline)
      throw new DevnetError("DEVNET_TIMEOUT", `timed out waiting for ${what}`, {
        details: { waiting: what },
      });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Announce to every running node the p2p addresses of all the others. */
export async function announcePeers(state: DevnetState): Promise<void> {
  const live = state.nodes.filter((n) => n.status === "running" && n.p2p !== null);
  await Promise.all(
    live.map((n) => {
      const update: PeersUpdate = {
        peers: live.filter((o) => o.index !== n.index).map((o) => ({ nodeId: o.nodeId, addr: o.p2p! })),
      };
      return adminCall(n, "POST", "/admin/v1/peers", update);
    }),
  );
}

function loadOrCreateGenesis(paths: DevnetPaths, o: UpOptions, say: (m: string) => void) {
  if (existsSync(paths.genesis)) {
    const genesis = parseGenesis(readFileSync(paths.genesis, "utf8"));
    const c = genesis.consensus;
    const mismatch: string[] = [];
    if (o.nodes !== undefined && o.nodes !== genesis.validators.length)
      mismatch.push(`--nodes ${o.nodes} (it has ${genesis.validators.length})`);
    if (o.seed !== undefined && o.seed !== genesis.seed)
      mismatch.push(`--seed ${o.seed} (it has ${genesis.seed})`);
    if (o.chainId !== undefined && o.chainId !== genesis.chainId)
      mismatch.push(`--chain-id ${o.chainId} (it has ${genesis.chainId})`);
    if (o.blockTimeMs !== undefined && (c.kind !== "simplex" || c.blockTimeMs !== o.blockTimeMs))
      mismatch.push(`--block-time ${o.blockTimeMs}`);
    if (mismatch.length > 0) {
      throw new DevnetError(
        "DEVNET_GENESIS",
        `${paths.dir} already holds a chain that differs: ${mismatch.join(", ")}. Run without these options to resume it, use another --dir, or pass --reset to delete it.`,
        { details: { dir: paths.dir, mismatch } },
      );
    }
    say(`resuming the chain in ${paths.dir} (genesis.json kept)`);
    return { genesis, resumed: true, keys: devnetNodeKeys(genesis.seed, genesis.validators.length) };
  }
  const built = buildDevnetGenesis({
    nodes: o.nodes ?? 4,
    ...(o.seed === undefined ? {} : { seed: o.seed }),
    ...(o.chainId === undefined ? {} : { chainId: o.chainId }),
    ...(o.blockTimeMs === undefined ? {} : { blockTimeMs: o.blockTimeMs }),
    ...(o.deltaMs === undefined ? {} : { deltaMs: o.deltaMs }),
  });
  writeFileSync(paths.genesis, encodeGenesis(built.genesis), { flag: "wx" });
  return { genesis: built.genesis, resumed: false, keys: built.nodeKeys };
}

/** Live node pids of the state in `paths` (our processes only). */
function livePids(state: DevnetState | null): number[] {
  if (state === null) return [];
  return state.nodes.filter((n) => n.pid !== null && isOurProcess(n.pid, n.config)).map((n) => n.pid!);
}

/** Bring a devnet up (or resume the one in the directory) and wait until it is ready. */
export async function up(o: UpOptions): Promise<UpResult> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const say = o.onProgress ?? (() => {});
  const paths = devnetPaths(o.dir);
  mkdirSync(paths.dir, { recursive: true });
  const release = acquireLock(paths.lock, paths.dir);
  const spawned: Spawned[] = [];
  let state: DevnetState | null = null;
  try {
    const old = readState(paths.state);
    const running = livePids(old);
    if (running.length > 0)
      throw new DevnetError(
        "DEVNET_RUNNING",
        `a devnet is already running in ${paths.dir} (pids ${running.join(", ")}); stop it with \`lattice devnet down --dir ${paths.dir}\``,
        { details: { dir: paths.dir, pids: running } },
      );
    if (o.reset === true) {
      rmSync(paths.genesis, { force: true });
      rmSync(paths.state, { force: true });
      rmSync(`${paths.dir}/nodes`, { recursive: true, force: true });
    }
    const { genesis, resumed, keys } = loadOrCreateGenesis(paths, o, say);
    const n = genesis.validators.length;

    const nodes: NodeState[] = [];
    for (let i = 0; i < n; i++) {
      const p = paths.node(i);
      mkdirSync(p.dataDir, { recursive: true, mode: 0o700 });
      const key = keys[i]!;
      const nodeId = toHex(key.publicKey);
      if (nodeId !== genesis.validators[i]!.nodeId)
        throw new DevnetError(
          "DEVNET_GENESIS",
          `genesis.json validator ${i} is not the key of seed "${genesis.seed}"`,
        );
      if (existsSync(p.keyFile)) {
        if (readFileSync(p.keyFile, "utf8").trim() !== toHex(key.secretKey))
          throw new DevnetError(
            "DEVNET_GENESIS",
            `${p.keyFile} does not hold validator ${i}'s key of this genesis`,
          );
      } else {
        writeFileSync(p.keyFile, `${toHex(key.secretKey)}\n`, { mode: 0o600 });
      }
      chmodSync(p.keyFile, 0o600);
      const config: ClusterNodeConfig = {
        dataDir: p.dataDir,
        genesis: paths.genesis,
        keyFile: p.keyFile,
        listen: { p2p: "127.0.0.1:0", api: "127.0.0.1:0", admin: "127.0.0.1:0" },
        logLevel: o.logLevel ?? "info",
      };
      writeFileSync(p.config, `${JSON.stringify(config, null, 2)}\n`);
      nodes.push({
        index: i,
        nodeId,
        pid: null,
        status: "stopped",
        apiUrl: null,
        adminUrl: null,
        p2p: null,
        tokenFile: null,
        config: p.config,
        dataDir: p.dataDir,
        processLog: p.processLog,
        startedAt: null,
      });
    }

    say(`starting ${n} nodes in ${paths.dir}`);
    const startedAt = Date.now();
    for (let i = 0; i < n; i++) spawned.push(spawnNode(o.nodeCommand, paths.node(i), o.detach));
    state = {
      version: 1,
      dir: paths.dir,
      chainId: genesis.chainId,
      seed: genesis.seed,
      startedAt,
      supervisorPid: o.supervisorPid ?? null,
      nodeCommand: [...o.nodeCommand],
      nodes: nodes.map((s, i) => ({ ...s, pid: spawned[i]!.pid, status: "running" as const, startedAt })),
      chaos: [],
      skewMs: {},
    };
    // Written before waiting, so a `down` from another shell can stop a devnet that never gets ready.
    writeState(paths.state, state);
    const spawnedMs = ms();

    const deadline = t0 + (o.timeoutMs ?? 60_000);
    const check = () => {
      for (let i = 0; i < spawned.length; i++)
        if (spawned[i]!.exited) throw exitedError(i, paths.node(i), spawned[i]!.exitCode);
    };
    // Nodes come up one by one: each is announced (with every live peer, and to every live peer) as
    // soon as its API answers, so early nodes connect and agree on "nothing to sync" while later ones
    // still start, instead of everyone waiting for the slowest node before the first connection.
    const ready: (ReadyInfo | null)[] = Array.from({ length: n }, () => null);
    const answered = new Set<number>();
    const checking = new Set<number>();
    let readyFilesMs = -1;
    let apiAnsweringMs = -1;
    /** Size of the live set last announced successfully. */
    let announced = 0;
    let announcing: Promise<void> | null = null;
    let retryAt = 0;
    let lastAnnounceError: unknown = null;
    const nodeWith = (s: NodeState, r: ReadyInfo): NodeState => ({
      ...s,
      apiUrl: r.apiUrl,
      adminUrl: r.adminUrl,
      p2p: r.p2p,
      tokenFile: r.tokenFile,
    });
    const liveState = (): DevnetState => ({
      ...state!,
      nodes: state!.nodes.map((s, i) => (answered.has(i) ? nodeWith(s, ready[i]!) : s)),
    });
    // One announcement at a time, each with the whole live set (taken when it starts, so nodes that
    // came up meanwhile join it); a failed one (a node too busy to answer in time, e.g. 16 devnets
    // starting at once) is retried after a pause until the deadline.
    const announce = () => {
      if (announcing !== null || performance.now() < retryAt) return;
      if (answered.size <= announced || (answered.size < 2 && answered.size < n)) return;
      const snapshot = liveState();
      const live = snapshot.nodes.filter((x) => answered.has(x.index));
      announcing = announcePeers({ ...snapshot, nodes: live })
        .then(
          () => {
            announced = Math.max(announced, live.length);
          },
          (err: unknown) => {
            lastAnnounceError = err;
            retryAt = performance.now() + 250;
          },
        )
        .finally(() => {
          announcing = null;
        });
    };
    try {
      await until(
        "every node's ready.json, API and peer announcement",
        deadline,
        async () => {
          for (let i = 0; i < n; i++) {
            if (ready[i] === null) ready[i] = readReady(paths.node(i).readyFile);
            const r = ready[i];
            if (r === null || r === undefined || answered.has(i) || checking.has(i)) continue;
            checking.add(i);
            void tryJson(`${r.apiUrl}/healthz`, 1_000).then((res) => {
              checking.delete(i);
              if (res?.status === 200) answered.add(i);
            });
          }
          if (readyFilesMs < 0 && ready.every((r) => r !== null)) readyFilesMs = ms();
          announce();
          if (answered.size < n) return false;
          if (apiAnsweringMs < 0) apiAnsweringMs = ms();
          return announced === n;
        },
        check,
      );
    } catch (err) {
      // A timeout while announcing says why the announcement did not go through.
      if (lastAnnounceError !== null && announced < n && answered.size === n) throw lastAnnounceError;
      throw err;
    }
    state = liveState();
    writeState(paths.state, state);
    const current = state;
    const peersAnnouncedMs = ms();

    const rounds: string[] = Array.from({ length: n }, () => "");
    const readyz = new Set<number>();
    await until(
      "every node's /readyz (peers connected, first certified round)",
      deadline,
      async () => {
        await Promise.all(
          current.nodes.map(async (s) => {
            if (readyz.has(s.index)) return;
            const r = await tryJson(`${s.apiUrl}/readyz`, 1_000);
            if (r?.status === 200) {
              readyz.add(s.index);
              rounds[s.index] = String((r.body as { round?: unknown } | null)?.round ?? "");
            }
          }),
        );
        return readyz.size === n;
      },
      check,
    );
    const firstFinalizedMs = ms();

    const first = genesis.accounts[0];
    if (first !== undefined && BigInt(first.balance) > 0n) {
      const funded = new Set<number>();
      await until(
        "dev account 0 to be funded on every node",
        deadline,
        async () => {
          await Promise.all(
            current.nodes.map(async (s) => {
              if (funded.has(s.index)) return;
              try {
                const a = await new LatticeClient({ url: s.apiUrl!, timeoutMs: 1_000 }).getAccount(
                  first.address,
                );
                if (a.balance > 0n) funded.add(s.index);
              } catch {
                // Not answering yet: the next poll decides.
              }
            }),
          );
          return funded.size === n;
        },
        check,
      );
    }
    const readyMs = ms();
    say(`ready in ${readyMs} ms`);
    return {
      state: current,
      genesis,
      resumed,
      rounds,
      timings: { spawnedMs, readyFilesMs, apiAnsweringMs, peersAnnouncedMs, firstFinalizedMs, readyMs },
    };
  } catch (err) {
    // A failed `up` leaves nothing running.
    await Promise.all(
      spawned.map((s, i) => stopProcess(s.pid, paths.node(i).config, { graceMs: 2_000 }).catch(() => {})),
    );
    if (state !== null) {
      writeState(paths.state, {
        ...state,
        supervisorPid: null,
        nodes: state.nodes.map((s) => ({ ...s, pid: null, status: "stopped" as const })),
      });
    }
    throw err;
  } finally {
    release();
  }
}

/** The lock of an existing devnet (DEVNET_NOT_FOUND first when there is none). */
function lockExisting(dir: string | undefined): () => void {
  const paths = devnetPaths(dir);
  loadState(dir);
  return acquireLock(paths.lock, paths.dir);
}

/** The state of the devnet in `dir`; DEVNET_NOT_FOUND when there is none. */
export function loadState(dir?: string): DevnetState {
  const paths = devnetPaths(dir);
  const s = readState(paths.state);
  if (s === null)
    throw new DevnetError(
      "DEVNET_NOT_FOUND",
      `no devnet in ${paths.dir} (start one with \`lattice devnet up\`)`,
      {
        details: { dir: paths.dir },
      },
    );
  return s;
}

export interface DownNode {
  readonly index: number;
  readonly pid: number | null;
  readonly outcome: "not-running" | "terminated" | "killed";
}

/** Stop every node (SIGTERM, then SIGKILL after `graceMs`) and check that each pid is gone. */
export async function down(dir?: string, options: { graceMs?: number } = {}): Promise<DownNode[]> {
  const paths = devnetPaths(dir);
  const release = lockExisting(dir);
  try {
    const state = loadState(dir);
    const result = await Promise.all(
      state.nodes.map(async (n): Promise<DownNode> => {
        if (n.pid === null) return { index: n.index, pid: null, outcome: "not-running" };
        const outcome = await stopProcess(n.pid, n.config, { graceMs: options.graceMs ?? 5_000 });
        return { index: n.index, pid: n.pid, outcome };
      }),
    );
    const left = state.nodes.filter(
      (n) => n.pid !== null && pidState(n.pid) !== "gone" && isOurProcess(n.pid, n.config),
    );
    if (left.length > 0)
      throw new DevnetError("DEVNET_STOP_FAILED", `processes left: ${left.map((n) => n.pid).join(", ")}`);
    writeState(paths.state, {
      ...state,
      supervisorPid: null,
      chaos: [],
      skewMs: {},
      nodes: state.nodes.map((n) => ({ ...n, pid: null, status: "stopped" as const })),
    });
    return result;
  } finally {
    release();
  }
}

function nodeOf(state: DevnetState, index: number): NodeState {
  const n = state.nodes[index];
  if (n === undefined)
    throw new DevnetError(
      "DEVNET_NOT_FOUND",
      `node ${index} does not exist (nodes are 0..${state.nodes.length - 1})`,
    );
  return n;
}

/** Stop node `index` if it runs, start it again on its data dir, re-announce peers, wait for /readyz. */
export async function restart(
  dir: string | undefined,
  index: number,
  options: { timeoutMs?: number; graceMs?: number } = {},
): Promise<{ state: DevnetState; readyMs: number }> {
  const t0 = performance.now();
  const paths = devnetPaths(dir);
  const release = lockExisting(dir);
  try {
    let state = loadState(dir);
    const n = nodeOf(state, index);
    if (n.pid !== null) await stopProcess(n.pid, n.config, { graceMs: options.graceMs ?? 5_000 });
    const p = paths.node(index);
    // Always in its own session: the shell that restarts a node may be gone long before the node.
    const s = spawnNode(state.nodeCommand, p, true);
    state = withNode(state, index, { pid: s.pid, status: "running", startedAt: Date.now() });
    writeState(paths.state, state);
    const deadline = t0 + (options.timeoutMs ?? 30_000);
    const check = () => {
      if (s.exited || pidState(s.pid) === "gone") throw exitedError(index, p, s.exitCode);
    };
    const found: ReadyInfo[] = [];
    await until(
      `node ${index}'s ready.json`,
      deadline,
      () => {
        const info = readReady(p.readyFile);
        if (info !== null) found.push(info);
        return info !== null;
      },
      check,
    );
    const r = found[0]!;
    state = withNode(state, index, {
      apiUrl: r.apiUrl,
      adminUrl: r.adminUrl,
      p2p: r.p2p,
      tokenFile: r.tokenFile,
    });
    writeState(paths.state, state);
    await announcePeers(state);
    await reapplyChaos(state, index);
    await until(
      `node ${index}'s /readyz`,
      deadline,
      async () => (await tryJson(`${r.apiUrl}/readyz`))?.status === 200,
      check,
    );
    return { state, readyMs: Math.round(performance.now() - t0) };
  } finally {
    release();
  }
}

/** A restarted node forgot its chaos rules and skew: send them again. */
async function reapplyChaos(state: DevnetState, index: number): Promise<void> {
  const n = state.nodes[index]!;
  const mine = state.chaos.filter((f) => f.from === index);
  if (mine.length > 0) {
    const rules = mine.map((f) => ({ from: n.nodeId, to: state.nodes[f.to]!.nodeId, rule: f.rule }));
    await adminCall(n, "PUT", "/admin/v1/chaos", { rules }).catch(() => {});
  }
}

/** SIGKILL node `index` (a crash: no graceful stop). */
export async function kill(
  dir: string | undefined,
  index: number,
): Promise<{ pid: number | null; killed: boolean }> {
  const paths = devnetPaths(dir);
  const release = lockExisting(dir);
  try {
    const state = loadState(dir);
    const n = nodeOf(state, index);
    let killed = false;
    if (n.pid !== null) killed = (await stopProcess(n.pid, n.config, { hard: true })) === "killed";
    writeState(paths.state, withNode(state, index, { pid: null, status: "killed" }));
    return { pid: n.pid, killed };
  } finally {
    release();
  }
}

/** SIGSTOP (pause) or SIGCONT (resume) node `index`. */
export function pause(dir: string | undefined, index: number, paused: boolean): { pid: number } {
  const paths = devnetPaths(dir);
  const release = lockExisting(dir);
  try {
    const state = loadState(dir);
    const n = nodeOf(state, index);
    if (n.pid === null || !signalOurs(n.pid, n.config, paused ? "SIGSTOP" : "SIGCONT"))
      throw new DevnetError(
        "DEVNET_NOT_FOUND",
        `node ${index} is not running (restart it with \`lattice devnet restart ${index}\`)`,
      );
    writeState(paths.state, withNode(state, index, { status: paused ? "paused" : "running" }));
    return { pid: n.pid };
  } finally {
    release();
  }
}

export interface NodeStatusReport {
  readonly index: number;
  readonly nodeId: string;
  readonly pid: number | null;
  /** What the process table says, whatever the state file claims. */
  readonly process: "running" | "paused" | "gone";
  readonly ready: boolean;
  readonly round: string | null;
  readonly peers: number | null;
  readonly apiUrl: string | null;
  readonly adminUrl: string | null;
  readonly uptimeMs: number | null;
}

/** Ask every node (process table, /readyz, /v1/peers) how it is, in parallel; 2 s per node so a busy machine is not reported as "not ready" (a paused node costs that wait). */
export async function status(state: DevnetState, timeoutMs = 2000): Promise<NodeStatusReport[]> {
  return Promise.all(
    state.nodes.map(async (n): Promise<NodeStatusReport> => {
      const ps = n.pid !== null && isOurProcess(n.pid, n.config) ? pidState(n.pid) : "gone";
      const proc = ps === "alive" ? "running" : ps === "stopped" ? "paused" : "gone";
      let ready = false;
      let round: string | null = null;
      let peers: number | null = null;
      if (proc === "running" && n.apiUrl !== null) {
        const [rz, pe] = await Promise.all([
          tryJson(`${n.apiUrl}/readyz`, timeoutMs),
          tryJson(`${n.apiUrl}/v1/peers`, timeoutMs),
        ]);
        ready = rz?.status === 200;
        const r = (rz?.body as { round?: unknown } | null)?.round;
        if (typeof r === "string") round = r;
        const list = (pe?.body as { peers?: { self?: boolean; connected?: boolean }[] } | null)?.peers;
        if (Array.isArray(list)) peers = list.filter((p) => p.self !== true && p.connected === true).length;
      }
      return {
        index: n.index,
        nodeId: n.nodeId,
        pid: proc === "gone" ? null : n.pid,
        process: proc,
        ready,
        round,
        peers,
        apiUrl: n.apiUrl,
        adminUrl: n.adminUrl,
        uptimeMs: proc === "gone" || n.startedAt === null ? null : Date.now() - n.startedAt,
      };
    }),
  );
}

/** Whether any node of the state is still one of our live processes. */
export function anyAlive(state: DevnetState): boolean {
  return livePids(state).length > 0;
}

/** Size of a file (0 if missing), for `logs -f`. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export { waitUntil };
