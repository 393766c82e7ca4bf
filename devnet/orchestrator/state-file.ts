/**
 * `<dir>/devnet.json`: what a running (or stopped) devnet is made of, so that `status`, `down`, `logs`,
 * `restart` and the chaos commands work from any shell. Written atomically (temp file + rename), so a
 * reader sees the old or the new state, never half of one. Validated on read: a damaged file is a typed
 * DEVNET_BAD_STATE error, not a crash halfway through a `down`.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { LinkFault } from "./chaos-plan.ts";
import { DevnetError } from "./devnet-error.ts";

export type NodeStatus = "running" | "paused" | "stopped" | "killed";

export interface NodeState {
  readonly index: number;
  readonly nodeId: string;
  /** Process id while running or paused; null once stopped. */
  readonly pid: number | null;
  readonly status: NodeStatus;
  readonly apiUrl: string | null;
  readonly adminUrl: string | null;
  readonly p2p: string | null;
  readonly tokenFile: string | null;
  readonly config: string;
  readonly dataDir: string;
  readonly processLog: string;
  /** Milliseconds since the epoch when this process was spawned. */
  readonly startedAt: number | null;
}

export interface DevnetState {
  readonly version: 1;
  readonly dir: string;
  readonly chainId: number;
  readonly seed: string;
  /** Milliseconds since the epoch of the last `up`. */
  readonly startedAt: number;
  /** The foreground `up` that supervises the nodes, or null when detached. */
  readonly supervisorPid: number | null;
  /** argv prefix that starts a node (then `node --config <file>`). */
  readonly nodeCommand: readonly string[];
  readonly nodes: readonly NodeState[];
  /** Chaos rules the orchestrator has applied, per directed link (node indices), merged. */
  readonly chaos: readonly LinkFault[];
  /** Clock skew applied per node index (ms). */
  readonly skewMs: Readonly<Record<string, number>>;
}

/** Write `state` to `path` atomically. */
export function writeState(path: string, state: DevnetState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

function bad(path: string, what: string): never {
  throw new DevnetError("DEVNET_BAD_STATE", `${path}: ${what}`, { details: { path } });
}

const STATUSES: readonly NodeStatus[] = ["running", "paused", "stopped", "killed"];
const strOrNull = (v: unknown) => v === null || typeof v === "string";

/** Read and validate the state file; null when there is none. */
export function readState(path: string): DevnetState | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new DevnetError("DEVNET_BAD_STATE", `${path}: ${err instanceof Error ? err.message : err}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    bad(path, "not JSON");
  }
  const s = raw as Partial<DevnetState> | null;
  if (typeof s !== "object" || s === null || s.version !== 1) bad(path, "version 1 expected");
  if (typeof s.dir !== "string" || typeof s.seed !== "string") bad(path, "dir and seed expected");
  if (typeof s.chainId !== "number" || typeof s.startedAt !== "number")
    bad(path, "chainId, startedAt expected");
  if (!(s.supervisorPid === null || Number.isInteger(s.supervisorPid))) bad(path, "supervisorPid");
  if (!Array.isArray(s.nodeCommand) || !s.nodeCommand.every((a) => typeof a === "string"))
    bad(path, "nodeCommand expected");
  if (!Array.isArray(s.nodes) || s.nodes.length === 0) bad(path, "nodes expected");
  s.nodes.forEach((n: Partial<NodeState>, i) => {
    const ok =
      typeof n === "object" &&
      n !== null &&
      n.index === i &&
      typeof n.nodeId === "string" &&
      (n.pid === null || (Number.isInteger(n.pid) && (n.pid as number) > 0)) &&
      STATUSES.includes(n.status as NodeStatus) &&
      strOrNull(n.apiUrl) &&
      strOrNull(n.adminUrl) &&
      strOrNull(n.p2p) &&
      strOrNull(n.tokenFile) &&
      typeof n.config === "string" &&
      typeof n.dataDir === "string" &&
      typeof n.processLog === "string" &&
      (n.startedAt === null || typeof n.startedAt === "number");
    if (!ok) bad(path, `nodes[${i}] is malformed`);
  });
  if (!Array.isArray(s.chaos)) bad(path, "chaos expected");
  if (typeof s.skewMs !== "object" || s.skewMs === null) bad(path, "skewMs expected");
  return s as DevnetState;
}

/** A copy of `state` with node `index` replaced by `patch` applied to it. */
export function withNode(state: DevnetState, index: number, patch: Partial<NodeState>): DevnetState {
  return { ...state, nodes: state.nodes.map((n) => (n.index === index ? { ...n, ...patch } : n)) };
}
