/**
 * Faults on a scenario's devnet, through the orchestrator's public API only (process faults, link rules,
 * clock skew) plus the nodes' admin byzantine hook, each with its own proof that it FIRED
 * (reliability-anchors.md §7.6, Antithesis's `sometimes`): a SIGKILL that found a live process, a SIGSTOP
 * that left the process stopped, link faults counted by the nodes' fired-fault reports between the fault
 * and its heal, a skew or byzantine mode the node reports back while it runs. A fault with nothing to
 * show is recorded with fired = 0, which makes the run VACUOUS, never passed.
 */
import { adminCall } from "../orchestrator/admin-client.ts";
import { type LinkFault, partitionLinks, targetLinks } from "../orchestrator/chaos-plan.ts";
import { applyFaults, faultReports, healAll, skewClock } from "../orchestrator/chaos-ops.ts";
import { kill, loadState, pause, restart, up } from "../orchestrator/orchestrator.ts";
import { pidState, waitUntil } from "../orchestrator/processes.ts";
import type { DevnetState } from "../orchestrator/state-file.ts";
import type { LinkRule } from "../../net/chaos/chaos.ts";
import type { ByzantineModeName } from "./types.ts";

export interface FaultRecord {
  readonly step: number;
  readonly label: string;
  readonly kind: string;
  readonly targets: readonly number[];
  /** How many times it fired (frames hit, processes signalled, rounds in force). */
  fired: number;
  /** What was observed, in words. */
  evidence: string;
  readonly startedAt: number;
  endedAt?: number;
}

/** The report kinds a link rule fires as (net/chaos report; "partition-in" is the receiving side). */
function kindsOf(rule: LinkRule): string[] {
  if (rule.partition === true) return ["partition", "partition-in"];
  const k: string[] = [];
  if (rule.loss !== undefined) k.push("loss");
  if (rule.duplicate !== undefined) k.push("duplicate");
  if (rule.reorder !== undefined) k.push("reorder");
  if (rule.latencyMs !== undefined || rule.jitterMs !== undefined) k.push("latency");
  return k;
}

type Report = Record<string, Record<string, number>>;

interface OpenLinkFault {
  readonly record: FaultRecord;
  readonly links: readonly { from: string; to: string }[];
  readonly kinds: readonly string[];
  readonly before: Map<number, Report>;
}

interface OpenByzantine {
  readonly record: FaultRecord;
  readonly node: number;
  readonly fromRound: number;
  readonly since: number;
}

export class DevnetDriver {
  readonly faults: FaultRecord[] = [];
  #state: DevnetState;
  readonly #openLinks: OpenLinkFault[] = [];
  readonly #openByz = new Map<number, OpenByzantine>();
  readonly skewed = new Set<number>();

  constructor(
    readonly dir: string,
    readonly nodeCommand: readonly string[],
    private readonly now: () => number,
    private readonly clusterRound: () => number,
  ) {
    this.#state = loadState(dir);
  }

  get state(): DevnetState {
    return this.#state;
  }

  refresh(): DevnetState {
    this.#state = loadState(this.dir);
    return this.#state;
  }

  get size(): number {
    return this.#state.nodes.length;
  }

  /** Nodes whose process runs (not paused, not killed) with an API URL. */
  running(): { index: number; url: string }[] {
    return this.#state.nodes
      .filter((n) => n.status === "running" && n.apiUrl !== null)
      .map((n) => ({ index: n.index, url: n.apiUrl! }));
  }

  #record(step: number, label: string, kind: string, targets: readonly number[]): FaultRecord {
    const r: FaultRecord = { step, label, kind, targets, fired: 0, evidence: "", startedAt: this.now() };
    this.faults.push(r);
    return r;
  }

  async kill(step: number, label: string, nodes: readonly number[]): Promise<void> {
    const r = this.#record(step, label, "kill", nodes);
    const ev: string[] = [];
    for (const i of nodes) {
      const k = await kill(this.dir, i);
      if (k.killed) {
        r.fired++;
        ev.push(`node ${i} pid ${k.pid} SIGKILLed`);
      } else ev.push(`node ${i} was not running`);
    }
    r.evidence = ev.join("; ");
    r.endedAt = this.now();
    this.refresh();
  }

  /** Start stopped nodes again: all of them through `up` (it resumes the chain) when none runs. */
  async restart(step: number, label: string, nodes: readonly number[]): Promise<void> {
    const r = this.#record(step, label, "restart", nodes);
    this.refresh();
    const ev: string[] = [];
    const anyRunning = this.#state.nodes.some((n) => n.pid !== null && pidState(n.pid) !== "gone");
    if (!anyRunning && nodes.length === this.size) {
      const u = await up({ dir: this.dir, nodeCommand: this.nodeCommand, detach: true, timeoutMs: 60_000 });
      r.fired = u.state.nodes.length;
      ev.push(
        `all ${u.state.nodes.length} nodes started from their data dirs, ready in ${u.timings.readyMs} ms`,
      );
    } else {
      for (const i of nodes) {
        try {
          const x = await restart(this.dir, i, { timeoutMs: 30_000, graceMs: 2_000 });
          r.fired++;
          ev.push(`node ${i} ready in ${x.readyMs} ms`);
        } catch (err) {
          const pid = loadState(this.dir).nodes[i]?.pid ?? null;
          if (pid !== null && pidState(pid) !== "gone") r.fired++;
          ev.push(`node ${i}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
        }
      }
    }
    r.evidence = ev.join("; ");
    r.endedAt = this.now();
    this.refresh();
  }

  async pause(step: number, label: string, nodes: readonly number[], paused: boolean): Promise<void> {
    const r = this.#record(step, label, paused ? "pause" : "resume", nodes);
    const ev: string[] = [];
    for (const i of nodes) {
      try {
        const pidBefore = this.#state.nodes[i]?.pid ?? null;
        const wasStopped = pidBefore !== null && pidState(pidBefore) === "stopped";
        const { pid } = pause(this.dir, i, paused);
        // The kernel applies the signal asynchronously: wait (briefly) for /proc to show it.
        const want = paused ? "stopped" : "alive";
        await waitUntil(() => pidState(pid) === want, 1_000, 5);
        const st = pidState(pid);
        // Resuming a node that was not paused is no fault.
        if (st === want && (paused || wasStopped)) {
          r.fired++;
          ev.push(`node ${i} pid ${pid} ${st}`);
        } else ev.push(`node ${i} pid ${pid} is ${st}`);
      } catch (err) {
        ev.push(`node ${i}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    r.evidence = ev.join("; ");
    r.endedAt = this.now();
    this.refresh();
  }

  /** Fired-fault reports of the running nodes (by index). */
  async #reports(): Promise<Map<number, Report>> {
    const out = new Map<number, Report>();
    const all = await faultReports(this.dir);
    for (const [k, v] of Object.entries(all)) {
      const rep = (v as { report?: Report }).report;
      if (rep !== undefined) out.set(Number(k), rep);
    }
    return out;
  }

  /** Apply link rules; they count as fired by the frames the nodes report hit before the next heal. */
  async links(step: number, label: string, kind: string, faults: readonly LinkFault[]): Promise<void> {
    const targets = [...new Set(faults.flatMap((f) => [f.from, f.to]))].sort((a, b) => a - b);
    const r = this.#record(step, label, kind, targets);
    const before = await this.#reports();
    const res = await applyFaults(this.dir, faults);
    const ids = this.#state.nodes.map((n) => n.nodeId);
    this.#openLinks.push({
      record: r,
      links: faults.map((f) => ({ from: ids[f.from]!, to: ids[f.to]! })),
      kinds: kindsOf(faults[0]?.rule ?? {}),
      before,
    });
    r.evidence = `${res.rules.length} link rule(s) in force; told nodes ${res.applied.join(",") || "none"}${
      res.skipped.length > 0 ? `; not running: ${res.skipped.join(",")}` : ""
    }`;
  }

  partitionFaults(groups: readonly (readonly number[])[], oneWay: boolean): LinkFault[] {
    return partitionLinks(groups, oneWay);
  }

  targetFaults(target: string | number, rule: LinkRule): LinkFault[] {
    if (target === "all") {
      const out: LinkFault[] = [];
      for (let a = 0; a < this.size; a++)
        for (let b = 0; b < this.size; b++) if (a !== b) out.push({ from: a, to: b, rule });
      return out;
    }
    return targetLinks(String(target), this.size).map((l) => ({ ...l, rule }));
  }

  /** Close every open link fault (count what fired), then remove every rule. */
  async heal(): Promise<void> {
    if (this.#openLinks.length > 0) {
      const after = await this.#reports();
      for (const o of this.#openLinks.splice(0)) {
        let n = 0;
        for (const l of o.links) {
          for (const [node, rep] of after) {
            const key = `${l.from}>${l.to}`;
            const now = rep[key];
            if (now === undefined) continue;
            const was = o.before.get(node)?.[key] ?? {};
            for (const k of o.kinds) {
              const a = now[k] ?? 0;
              const b = was[k] ?? 0;
              // A restarted node starts counting from zero again.
              n += a >= b ? a - b : a;
            }
          }
        }
        o.record.fired = n;
        o.record.evidence += `; fired ${n} time(s) (${o.kinds.join("/")})`;
        o.record.endedAt = this.now();
      }
    }
    await healAll(this.dir);
  }

  async skew(step: number, label: string, node: number, ms: number): Promise<void> {
    const r = this.#record(step, label, "skew", [node]);
    try {
      await skewClock(this.dir, node, ms);
      const got = (await adminCall(this.#state.nodes[node]!, "GET", "/admin/v1/clock")) as {
        offsetMs?: number;
      };
      if (ms !== 0 && got.offsetMs === ms) {
        r.fired = 1;
        this.skewed.add(node);
      }
      r.evidence = `node ${node} reports clock offset ${got.offsetMs} ms`;
    } catch (err) {
      r.evidence = `node ${node}: ${err instanceof Error ? err.message : String(err)}`;
    }
    r.endedAt = this.now();
  }

  async resetSkews(): Promise<void> {
    for (const i of this.skewed) await skewClock(this.dir, i, 0).catch(() => undefined);
    this.skewed.clear();
  }

  /**
   * Set a byzantine mode. Its misbehaving messages go out whenever the node takes part in consensus, so it
   * counts as fired by the whole seconds it was in force with the node's process running (closed at the
   * next mode change or at the end); the rounds the cluster finalized meanwhile are noted as evidence (a
   * byzantine majority may stop them altogether, which must not make the fault look unfired).
   */
  async byzantine(step: number, label: string, node: number, mode: ByzantineModeName): Promise<void> {
    this.#closeByzantine(node);
    if (mode === "honest") {
      await setByzantineMode(this.#state, node, mode);
      return;
    }
    const r = this.#record(step, label, `byzantine:${mode}`, [node]);
    try {
      const got = await setByzantineMode(this.#state, node, mode);
      if (got === mode)
        this.#openByz.set(node, { record: r, node, fromRound: this.clusterRound(), since: this.now() });
      r.evidence = `node ${node} reports mode ${got}`;
    } catch (err) {
      r.evidence = `node ${node}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  #closeByzantine(node: number): void {
    const o = this.#openByz.get(node);
    if (o === undefined) return;
    this.#openByz.delete(node);
    const n = this.#state.nodes[node];
    const alive = n?.pid !== null && n?.pid !== undefined && pidState(n.pid) === "alive";
    const rounds = Math.max(0, this.clusterRound() - o.fromRound);
    const secs = Math.floor((this.now() - o.since) / 1000);
    o.record.fired = alive ? secs : 0;
    o.record.evidence += `; in force for ${secs} s and ${rounds} cluster round(s), process ${alive ? "running" : "not running"} at the end`;
    o.record.endedAt = this.now();
  }

  /** Close what is still open (byzantine modes) at the end of the run. */
  closeAll(): void {
    for (const node of [...this.#openByz.keys()]) this.#closeByzantine(node);
  }

  /** A record for a fault with its own fired count (replay-txs). */
  note(step: number, label: string, kind: string, fired: number, evidence: string): void {
    const r = this.#record(step, label, kind, []);
    r.fired = fired;
    r.evidence = evidence;
    r.endedAt = this.now();
  }
}

/** PUT a node's byzantine mode through its admin API; resolves with the mode the node reports. */
export async function setByzantineMode(
  state: DevnetState,
  node: number,
  mode: ByzantineModeName,
): Promise<string> {
  const n = state.nodes[node];
  if (n === undefined)
    throw new RangeError(`node ${node} does not exist (nodes are 0..${state.nodes.length - 1})`);
  await adminCall(n, "PUT", "/admin/v1/byzantine", { mode });
  const got = (await adminCall(n, "GET", "/admin/v1/byzantine")) as { mode?: string };
  return String(got.mode);
}
