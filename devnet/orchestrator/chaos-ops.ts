/**
 * Chaos and cheat controls on a running devnet, through each node's admin API (net/api/admin-app.ts):
 * link faults (partition, latency/jitter, loss, duplication) as rules on directed links, merged with the
 * rules in force and kept in devnet.json so a restarted node gets its rules back; heal; clock skew; the
 * fired-fault report of every node; set-balance. Nothing here needs root: net/chaos applies the rules
 * inside the node processes.
 */
import { DevnetError } from "./devnet-error.ts";
import { type LinkFault, mergeFaults, rulesByNode } from "./chaos-plan.ts";
import { adminCall } from "./admin-client.ts";
import { devnetPaths } from "./layout.ts";
import { acquireLock } from "./processes.ts";
import { type DevnetState, readState, writeState } from "./state-file.ts";

function locked<T>(
  dir: string | undefined,
  f: (state: DevnetState, save: (s: DevnetState) => void) => Promise<T>,
) {
  const paths = devnetPaths(dir);
  const state = readState(paths.state);
  if (state === null)
    throw new DevnetError(
      "DEVNET_NOT_FOUND",
      `no devnet in ${paths.dir} (start one with \`lattice devnet up\`)`,
    );
  const release = acquireLock(paths.lock, paths.dir);
  return f(state, (s) => writeState(paths.state, s)).finally(release);
}

function running(state: DevnetState) {
  return state.nodes.filter((n) => n.status === "running" && n.adminUrl !== null);
}

/** The admin body of node `from`'s outgoing rules: node ids instead of indices. */
function rulesJson(state: DevnetState, faults: readonly LinkFault[]) {
  return faults.map((f) => ({
    from: state.nodes[f.from]!.nodeId,
    to: state.nodes[f.to]!.nodeId,
    rule: f.rule,
  }));
}

export interface ChaosResult {
  /** Rules in force after the change, by node index. */
  readonly rules: readonly LinkFault[];
  /** Nodes that were told (their outgoing rules changed). */
  readonly applied: readonly number[];
  /** Nodes that could not be told (not running): they get their rules when restarted. */
  readonly skipped: readonly number[];
}

/** Add link faults and push each affected node's full outgoing rule set to it. */
export function applyFaults(dir: string | undefined, add: readonly LinkFault[]): Promise<ChaosResult> {
  return locked(dir, async (state, save) => {
    const merged = mergeFaults(state.chaos, add);
    const touched = [...new Set(add.map((f) => f.from))].sort((a, b) => a - b);
    const by = rulesByNode(merged, state.nodes.length);
    const live = new Set(running(state).map((n) => n.index));
    const applied = touched.filter((i) => live.has(i));
    await Promise.all(
      applied.map((i) =>
        adminCall(state.nodes[i]!, "PUT", "/admin/v1/chaos", { rules: rulesJson(state, by[i]!) }),
      ),
    );
    save({ ...state, chaos: merged });
    return { rules: merged, applied, skipped: touched.filter((i) => !live.has(i)) };
  });
}

/** Heal every link of every running node (DELETE /admin/v1/chaos) and forget the rules. */
export function healAll(dir: string | undefined): Promise<{ healed: number[] }> {
  return locked(dir, async (state, save) => {
    const live = running(state);
    await Promise.all(live.map((n) => adminCall(n, "DELETE", "/admin/v1/chaos")));
    save({ ...state, chaos: [] });
    return { healed: live.map((n) => n.index) };
  });
}

/** Fired-fault report of every running node: {index: {link: {kind: count}}}. */
export function faultReports(dir: string | undefined): Promise<Record<string, unknown>> {
  return locked(dir, async (state) => {
    const out: Record<string, unknown> = {};
    await Promise.all(
      running(state).map(async (n) => {
        try {
          out[String(n.index)] = await adminCall(n, "GET", "/admin/v1/chaos");
        } catch (err) {
          out[String(n.index)] = { error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
  });
}

/** Skew node `index`'s clock by `ms` (0 resets it). */
export function skewClock(dir: string | undefined, index: number, ms: number): Promise<unknown> {
  return locked(dir, async (state, save) => {
    const n = state.nodes[index];
    if (n === undefined) throw new DevnetError("DEVNET_NOT_FOUND", `node ${index} does not exist`);
    const answer = await adminCall(n, "PUT", "/admin/v1/clock", { offsetMs: ms });
    const skewMs = { ...state.skewMs };
    if (ms === 0) delete skewMs[String(index)];
    else skewMs[String(index)] = ms;
    save({ ...state, skewMs });
    return answer;
  });
}

/** Set an account's balance (anvil_setBalance) through the first running node. */
export function setBalance(dir: string | undefined, address: string, amount: bigint): Promise<unknown> {
  return locked(dir, async (state) => {
    const n = running(state)[0];
    if (n === undefined) throw new DevnetError("DEVNET_NOT_FOUND", "no node is running");
    return adminCall(n, "PUT", `/admin/v1/accounts/${address}/balance`, { balance: amount.toString() });
  });
}
