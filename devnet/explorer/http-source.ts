/**
 * The DataSource of real nodes: a devnet directory (devnet.json from the orchestrator: several nodes, with
 * pids, admin URLs and token files) or one node URL. Polls every node each second (process table, /v1/node,
 * /v1/peers with each peer's reputation, the chaos rules and report from the admin API) and listens to every node's event stream through the SDK, re-subscribing
 * when a restarted node comes back on another port. Process faults go through the orchestrator's
 * functions (so devnet.json stays the truth for `lattice devnet status`); link faults go to the admin API
 * of both ends and are recorded in devnet.json, so a restarted node gets them again.
 */
import { join } from "node:path";
import { ProofError } from "../../net/client/client-error.ts";
import { LatticeClient, type Subscription } from "../../net/client/client.ts";
import type { ApiEvent, PeerJson, QuorumsJson, RoundDetailJson } from "../../net/api/wire.ts";
import type { ChaosRuleJson } from "../../net/api/admin-app.ts";
import type { LinkRule } from "../../net/chaos/chaos.ts";
import { adminCall } from "../orchestrator/admin-client.ts";
import type { LinkFault } from "../orchestrator/chaos-plan.ts";
import { devnetPaths } from "../orchestrator/layout.ts";
import { kill, pause, restart } from "../orchestrator/orchestrator.ts";
import { acquireLock, isOurProcess, pidState } from "../orchestrator/processes.ts";
import { type DevnetState, readState, writeState } from "../orchestrator/state-file.ts";
import type { DataSource, Dispatch } from "./data-source.ts";
import { parseQuery } from "./keymap.ts";
import { LogTail } from "./log-tail.ts";
import type { CertificateInfo, Control, Health, LinkInfo, LookupResult, NodeRow, QuorumRow, RoundDetail } from "./model.ts";

export type Target = { readonly kind: "dir"; readonly dir: string } | { readonly kind: "url"; readonly url: string };

export interface HttpSourceOptions {
  readonly pollMs?: number;
  /** Per-request timeout while polling (a paused node must not hold the poll up). */
  readonly requestTimeoutMs?: number;
  readonly now?: () => number;
}

interface Member {
  readonly index: number;
  readonly name: string;
  readonly apiUrl: string | null;
  readonly adminUrl: string | null;
  readonly tokenFile: string | null;
  readonly pid: number | null;
  readonly config: string | null;
  readonly logFile: string | null;
  readonly nodeId: string | null;
}

const nameOf = (index: number) => `n${index}`;

function indexOfName(name: string): number {
  const m = /^n([0-9]+)$/.exec(name);
  if (m === null) throw new Error(`no node ${name}`);
  return Number(m[1]);
}

async function getJson<T>(url: string, timeoutMs: number): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    return (await res.json()) as T;
  } catch {
    return null;
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A round as the API shows it; certificate signers by UI name when `names` (node id -> name) knows them. */
export function roundDetailOf(j: RoundDetailJson, names: ReadonlyMap<string, string> = new Map()): RoundDetail {
  const c = j.certificate ?? null;
  const certificate: CertificateInfo | null =
    c === null
      ? null
      : {
          kind: c.kind,
          view: c.view,
          quorum: c.quorum,
          signers: c.signers.map((id) => names.get(id) ?? id.slice(0, 8)),
          signatures: [...c.signatures],
        };
  return {
    round: Number(j.round),
    root: j.root,
    time: j.time,
    txCount: j.txCount,
    rejectedCount: j.rejectedCount,
    note: j.note,
    hash: j.hash ?? null,
    certificate,
    txs: j.txs.map((t) => ({
      id: t.id,
      status: t.status,
      error: t.error?.code ?? null,
      from: t.tx?.from ?? null,
      to: t.tx?.to ?? null,
      amount: t.tx?.amount ?? null,
    })),
  };
}

/**
 * Each node's reputation as its peers see it: the mean score the other nodes give it (a node's own
 * /v1/peers rates its peers, not itself). Null for a node nobody rated.
 */
export function reputationsOf(peerLists: readonly (readonly PeerJson[] | null)[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const list of peerLists) {
    for (const p of list ?? []) {
      if (p.self || p.reputation === null || p.reputation === undefined) continue;
      const cur = sums.get(p.nodeId) ?? { sum: 0, n: 0 };
      sums.set(p.nodeId, { sum: cur.sum + p.reputation.score, n: cur.n + 1 });
    }
  }
  return new Map([...sums].map(([id, { sum, n }]) => [id, sum / n]));
}

/** What a node's admin API says about chaos: the rules in force (newer nodes) and the fired faults. */
export interface ChaosView {
  readonly rules: readonly ChaosRuleJson[] | null;
  readonly report: Record<string, Record<string, number>>;
}

/**
 * The link matrix: rules in force from the nodes' admin API when any node answered with them (the truth
 * of what is applied), else the rules recorded in devnet.json; fired counts from the nodes' reports.
 * Keyed by node names; links between unknown node ids are left out.
 */
export function linkInfosOf(
  views: readonly (ChaosView | null)[],
  recorded: readonly LinkFault[],
  ids: ReadonlyMap<string, string>,
): Record<string, LinkInfo> {
  const out: Record<string, LinkInfo> = {};
  const empty: LinkInfo = { partition: false, latencyMs: null, loss: null, fired: {} };
  const info = (rule: LinkRule): LinkInfo => ({
    partition: rule.partition === true,
    latencyMs: rule.latencyMs ?? null,
    loss: rule.loss ?? null,
    fired: {},
  });
  const fromNodes = views.some((v) => v?.rules != null);
  if (fromNodes) {
    for (const v of views) {
      for (const r of v?.rules ?? []) {
        const a = ids.get(r.from);
        const b = ids.get(r.to);
        if (a === undefined || b === undefined || !ruleActive(r.rule)) continue;
        out[`${a}>${b}`] = info(r.rule);
      }
    }
  } else {
    for (const f of recorded) {
      if (!ruleActive(f.rule)) continue;
      out[`${nameOf(f.from)}>${nameOf(f.to)}`] = info(f.rule);
    }
  }
  for (const v of views) {
    for (const [key, counts] of Object.entries(v?.report ?? {})) {
      const [from, to] = key.split(">");
      const a = from === undefined ? undefined : ids.get(from);
      const b = to === undefined ? undefined : ids.get(to);
      if (a === undefined || b === undefined) continue;
      const k = `${a}>${b}`;
      const cur = out[k] ?? empty;
      const fired = { ...cur.fired };
      for (const [kind, n] of Object.entries(counts)) fired[kind] = (fired[kind] ?? 0) + n;
      out[k] = { ...cur, fired };
    }
  }
  return out;
}

function ruleActive(r: LinkRule): boolean {
  return Object.entries(r).some(([k, v]) => (k === "partition" ? v === true : v !== undefined && v !== 0));
}

export class HttpSource implements DataSource {
  readonly label: string;
  readonly #target: Target;
  readonly #pollMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #dispatch: Dispatch | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #polling: Promise<void> | null = null;
  #members: Member[] = [];
  #state: DevnetState | null = null;
  readonly #subs = new Map<string, { url: string; sub: Subscription }>();
  readonly #noChaosReport = new Set<string>();
  readonly #tail = new LogTail();
  #quorumsAt = 0;
  #stopped = false;

  constructor(target: Target, options: HttpSourceOptions = {}) {
    this.#target = target;
    this.label = target.kind === "dir" ? `devnet ${target.dir}` : target.url;
    this.#pollMs = options.pollMs ?? 1000;
    this.#timeoutMs = options.requestTimeoutMs ?? 700;
    this.#now = options.now ?? Date.now;
  }

  async start(dispatch: Dispatch): Promise<void> {
    this.#dispatch = dispatch;
    this.#stopped = false;
    await this.#poll();
    const first = this.#members.find((m) => m.apiUrl !== null);
    if (first?.apiUrl) {
      try {
        const page = await new LatticeClient({ url: first.apiUrl, timeoutMs: 2000 }).rounds({ limit: 50 });
        dispatch({
          type: "rounds",
          rounds: page.rounds.map((r) => ({ ...r, round: Number(r.round) })),
        });
      } catch {
        // the node is down: rounds arrive with events once one answers
      }
    }
    const loop = () => {
      if (this.#stopped) return;
      this.#timer = setTimeout(async () => {
        await this.#poll();
        loop();
      }, this.#pollMs);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    for (const { sub } of this.#subs.values()) sub.close();
    this.#subs.clear();
    await this.#polling;
    this.#dispatch = null;
  }

  /** Resolves once the event streams of the nodes seen so far are subscribed (events after it are seen). */
  async eventsReady(): Promise<void> {
    await Promise.all([...this.#subs.values()].map((x) => x.sub.ready));
  }

  #emit: Dispatch = (a) => {
    if (!this.#stopped) this.#dispatch?.(a);
  };

  #readMembers(): Member[] {
    if (this.#target.kind === "url") {
      const old = this.#members[0];
      return [
        {
          index: 0,
          name: "n0",
          apiUrl: this.#target.url.replace(/\/+$/, ""),
          adminUrl: null,
          tokenFile: null,
          pid: null,
          config: null,
          logFile: null,
          nodeId: old?.nodeId ?? null,
        },
      ];
    }
    const paths = devnetPaths(this.#target.dir);
    const s = readState(paths.state);
    if (s === null) throw new Error(`no devnet in ${paths.dir} (devnet.json not found)`);
    this.#state = s;
    return s.nodes.map((n) => ({
      index: n.index,
      name: nameOf(n.index),
      apiUrl: n.apiUrl,
      adminUrl: n.adminUrl,
      tokenFile: n.tokenFile,
      pid: n.pid,
      config: n.config,
      logFile: join(n.dataDir, "node.log"),
      nodeId: n.nodeId,
    }));
  }

  #poll(): Promise<void> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = null;
    });
    return this.#polling;
  }

  async #pollOnce(): Promise<void> {
    const now = this.#now();
    let members: Member[];
    try {
      members = this.#readMembers();
    } catch (err) {
      this.#emit({ type: "message", text: message(err) });
      this.#emit({ type: "connected", connected: false });
      return;
    }
    this.#members = members;
    const ids = new Map(members.filter((m) => m.nodeId !== null).map((m) => [m.nodeId!, m.name]));
    const rows = await Promise.all(members.map((m) => this.#probe(m)));
    let quorums: QuorumsJson | null = null;
    const firstUp = members.find((_, i) => rows[i]!.row.health === "up");
    if (firstUp !== undefined && now - this.#quorumsAt > 4000) {
      quorums = await getJson<QuorumsJson>(`${firstUp.apiUrl}/v1/quorums`, this.#timeoutMs);
      if (quorums !== null) this.#quorumsAt = now;
    }
    const reputation = reputationsOf(rows.map((r) => r.peers));
    const withRoles = rows.map(({ row: r0 }) => {
      const row = r0.nodeId === null ? r0 : { ...r0, reputation: reputation.get(r0.nodeId) ?? null };
      const nodeId = row.nodeId;
      if (nodeId === null || quorums === null) return row;
      const mine = quorums.quorums.filter((q) => q.members.includes(nodeId));
      if (mine.length === 0) return row;
      return { ...row, role: [...new Set(mine.map((q) => q.kind))].join(","), quorum: mine.map((q) => q.id).join(",") };
    });
    if (this.#stopped) return;
    // Roles only arrive with the (slower) quorum poll: keep the last known ones in between.
    this.#lastRoles = quorums === null ? this.#lastRoles : new Map(withRoles.map((r) => [r.name, { role: r.role, quorum: r.quorum }]));
    const final = withRoles.map((r) => {
      const known = this.#lastRoles.get(r.name);
      return quorums === null && known !== undefined ? { ...r, role: known.role, quorum: known.quorum } : r;
    });
    this.#emit({ type: "connected", connected: final.some((r) => r.health === "up") });
    this.#emit({ type: "nodes", nodes: final, now });
    if (quorums !== null) {
      const qs: QuorumRow[] = quorums.quorums.map((q) => ({ ...q }));
      this.#emit({ type: "quorums", epoch: quorums.epoch, quorums: qs });
    }
    this.#emit({ type: "links", links: linkInfosOf(rows.map((r) => r.chaos), this.#state?.chaos ?? [], ids) });
    for (const m of members) {
      if (m.logFile !== null) {
        const lines = this.#tail.read(m.logFile, m.name, now);
        if (lines.length > 0) this.#emit({ type: "logs", lines: lines.slice(-200) });
      }
    }
    for (let i = 0; i < members.length; i++) this.#subscribe(members[i]!, rows[i]!.row.health);
    this.#emit({ type: "tick", now });
  }

  #lastRoles = new Map<string, { role: string | null; quorum: string | null }>();

  async #probe(m: Member): Promise<{ row: NodeRow; chaos: ChaosView | null; peers: PeerJson[] | null }> {
    let health: Health = "unknown";
    let pid = m.pid;
    if (m.pid !== null && m.config !== null) {
      const st = isOurProcess(m.pid, m.config) ? pidState(m.pid) : "gone";
      health = st === "gone" ? "down" : st === "stopped" ? "paused" : "unknown";
      if (st === "gone") pid = null;
    } else if (this.#target.kind === "dir") {
      health = "down";
    }
    const base: NodeRow = {
      name: m.name,
      nodeId: m.nodeId,
      apiUrl: m.apiUrl ?? "-",
      health,
      round: null,
      root: null,
      mode: null,
      role: null,
      quorum: null,
      peers: null,
      latencyMs: null,
      reputation: null,
      pid,
      admin: m.adminUrl !== null && m.tokenFile !== null && health !== "down",
      error: null,
    };
    if (health === "down" || health === "paused" || m.apiUrl === null) return { row: base, chaos: null, peers: null };
    const [info, peers, chaos] = await Promise.all([
      getJson<{ nodeId: string; round: string; root: string; mode: string }>(`${m.apiUrl}/v1/node`, this.#timeoutMs),
      getJson<{ peers: PeerJson[] }>(`${m.apiUrl}/v1/peers`, this.#timeoutMs),
      this.#chaos(m),
    ]);
    if (info === null) return { row: { ...base, health: "down", error: "API does not answer" }, chaos, peers: null };
    const others = peers?.peers.filter((p) => !p.self) ?? null;
    const lat = others?.map((p) => p.latencyMs).filter((v): v is number => v !== null) ?? [];
    return {
      row: {
        ...base,
        health: "up",
        nodeId: info.nodeId,
        round: Number(info.round),
        root: info.root,
        mode: info.mode,
        peers: others === null ? null : { connected: others.filter((p) => p.connected).length, total: others.length },
        latencyMs: lat.length === 0 ? null : lat.reduce((a, b) => a + b, 0) / lat.length,
      },
      chaos,
      peers: peers?.peers ?? null,
    };
  }

  async #chaos(m: Member): Promise<ChaosView | null> {
    if (m.adminUrl === null || m.tokenFile === null || this.#noChaosReport.has(m.adminUrl)) return null;
    try {
      const r = (await adminCall(m, "GET", "/admin/v1/chaos", undefined, this.#timeoutMs)) as {
        rules?: ChaosRuleJson[];
        report?: Record<string, Record<string, number>>;
      };
      // Older nodes answer the report only: their rules come from devnet.json.
      return { rules: Array.isArray(r.rules) ? r.rules : null, report: r.report ?? {} };
    } catch (err) {
      // A node without the report route (404/501) is not asked again.
      if ((err as { code?: string }).code === "DEVNET_UNSUPPORTED") this.#noChaosReport.add(m.adminUrl);
      return null;
    }
  }

  #subscribe(m: Member, health: Health): void {
    const cur = this.#subs.get(m.name);
    if (health !== "up" || m.apiUrl === null) return;
    if (cur !== undefined && cur.url === m.apiUrl) return;
    cur?.sub.close();
    const client = new LatticeClient({ url: m.apiUrl });
    const sub = client.subscribe((e) => this.#onEvent(m.name, e), { onError: () => {} });
    this.#subs.set(m.name, { url: m.apiUrl, sub });
  }

  #onEvent(node: string, e: ApiEvent): void {
    switch (e.type) {
      case "round":
        this.#emit({
          type: "round",
          node,
          round: { round: Number(e.round), root: e.root, time: e.time, txCount: e.txCount, rejectedCount: e.rejectedCount, note: e.note },
        });
        return;
      case "tx.accepted":
        this.#emit({ type: "tx", phase: "accepted", id: e.id, time: e.time });
        return;
      case "tx.final":
        this.#emit({ type: "tx", phase: "final", id: e.id, time: e.time });
        return;
      case "tx.rejected":
        this.#emit({ type: "tx", phase: "rejected", id: e.id, time: e.time });
        return;
      case "fault":
        this.#emit({ type: "fault", entry: { time: e.time, kind: "node", node, text: `${e.code}: ${e.message}` } });
        return;
      default:
        return;
    }
  }

  #client(): LatticeClient {
    const m = this.#members.find((x) => x.apiUrl !== null && this.#subs.has(x.name)) ?? this.#members.find((x) => x.apiUrl !== null);
    if (m?.apiUrl == null) throw new Error("no node answers");
    return new LatticeClient({ url: m.apiUrl, timeoutMs: 3000 });
  }

  async loadRound(round: number): Promise<RoundDetail> {
    const names = new Map(this.#members.filter((m) => m.nodeId !== null).map((m) => [m.nodeId!, m.name]));
    return roundDetailOf(await this.#client().round(BigInt(round)), names);
  }

  async lookup(query: string): Promise<LookupResult> {
    const q = parseQuery(query);
    const client = this.#client();
    if (q?.kind === "tx") {
      const s = await client.status(q.id);
      if (s === null) return { kind: "not-found", query, message: `no transaction ${q.id}` };
      return {
        kind: "tx",
        id: s.id,
        status: s.status,
        round: s.round,
        error: s.error === null ? null : `${s.error.code}: ${s.error.message}`,
        from: s.tx?.from ?? null,
        to: s.tx?.to ?? null,
        amount: s.tx?.amount ?? null,
      };
    }
    if (q?.kind === "account") {
      try {
        const a = await client.getAccount(q.address, { proof: true });
        return {
          kind: "account",
          address: a.address,
          exists: a.exists,
          balance: a.balance.toString(),
          nonce: a.nonce.toString(),
          round: a.round.toString(),
          proof: "verified",
          proofError: null,
        };
      } catch (err) {
        if (!(err instanceof ProofError)) throw err;
        // The proof failed: still show what the node claims, marked as unverified.
        const a = await client.getAccount(q.address);
        return {
          kind: "account",
          address: a.address,
          exists: a.exists,
          balance: a.balance.toString(),
          nonce: a.nonce.toString(),
          round: a.round.toString(),
          proof: "failed",
          proofError: err.message,
        };
      }
    }
    return { kind: "not-found", query, message: `"${query}" is not a transaction id or an address` };
  }

  async control(c: Control): Promise<string> {
    if (this.#target.kind !== "dir") throw new Error("faults need a devnet directory (--dir): one --url has no process or admin access");
    const dir = this.#target.dir;
    switch (c.kind) {
      case "kill": {
        const r = await kill(dir, indexOfName(c.node));
        return r.pid === null ? `${c.node} was not running` : `killed ${c.node} (pid ${r.pid})`;
      }
      case "pause":
      case "resume": {
        const r = pause(dir, indexOfName(c.node), c.kind === "pause");
        return `${c.kind === "pause" ? "paused" : "resumed"} ${c.node} (pid ${r.pid})`;
      }
      case "restart": {
        const r = await restart(dir, indexOfName(c.node), { timeoutMs: 30_000 });
        return `restarted ${c.node}, ready in ${r.readyMs} ms`;
      }
      case "partition":
      case "latency":
        return this.#toggleLink(dir, c);
      case "heal":
        return this.#heal(dir);
    }
  }

  /** Change devnet.json's chaos list under the orchestrator's lock (it re-applies it on restart). */
  async #recordChaos(dir: string, change: (chaos: readonly LinkFault[]) => LinkFault[]): Promise<DevnetState> {
    const paths = devnetPaths(dir);
    let release: (() => void) | null = null;
    const deadline = performance.now() + 5000;
    while (release === null) {
      try {
        release = acquireLock(paths.lock, paths.dir);
      } catch (err) {
        if (performance.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      const s = readState(paths.state);
      if (s === null) throw new Error(`no devnet in ${paths.dir}`);
      const next = { ...s, chaos: change(s.chaos) };
      writeState(paths.state, next);
      return next;
    } finally {
      release();
    }
  }

  async #toggleLink(
    dir: string,
    c: Extract<Control, { kind: "partition" } | { kind: "latency" }>,
  ): Promise<string> {
    const a = indexOfName(c.a);
    const b = indexOfName(c.b);
    const edit = (r: LinkRule): LinkRule => {
      const { partition: _p, latencyMs: _l, ...rest } = r;
      if (c.kind === "partition") {
        const keep = r.latencyMs === undefined ? rest : { ...rest, latencyMs: r.latencyMs };
        return c.on ? { ...keep, partition: true } : keep;
      }
      const keep = r.partition === true ? { ...rest, partition: true } : rest;
      return c.ms === null ? keep : { ...keep, latencyMs: c.ms };
    };
    const state = await this.#recordChaos(dir, (chaos) => {
      const rest = chaos.filter((f) => !((f.from === a && f.to === b) || (f.from === b && f.to === a)));
      const old = (x: number, y: number) => chaos.find((f) => f.from === x && f.to === y)?.rule ?? {};
      const added = [
        { from: a, to: b, rule: edit(old(a, b)) },
        { from: b, to: a, rule: edit(old(b, a)) },
      ].filter((f) => ruleActive(f.rule));
      return [...rest, ...added].sort((x, y) => x.from - y.from || x.to - y.to);
    });
    this.#state = state;
    const failures: string[] = [];
    // Each end enforces the rule of the frames it sends; an empty rule clears the link.
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const from = state.nodes[x];
      const to = state.nodes[y];
      if (from === undefined || to === undefined) throw new Error(`no node n${x} or n${y}`);
      const rule = state.chaos.find((f) => f.from === x && f.to === y)?.rule ?? {};
      try {
        await adminCall(from, "PUT", "/admin/v1/chaos", { rules: [{ from: from.nodeId, to: to.nodeId, rule }] });
      } catch (err) {
        failures.push(`${nameOf(x)}: ${message(err)}`);
      }
    }
    const what = c.kind === "partition" ? (c.on ? "partitioned" : "healed") : c.ms === null ? "latency removed on" : `${c.ms} ms latency on`;
    const done = `${what} ${c.a} <-> ${c.b}`;
    if (failures.length === 2) throw new Error(failures.join("; "));
    return failures.length === 0 ? done : `${done} (recorded; ${failures.join("; ")})`;
  }

  async #heal(dir: string): Promise<string> {
    const state = await this.#recordChaos(dir, () => []);
    this.#state = state;
    const results = await Promise.allSettled(
      state.nodes.filter((n) => n.pid !== null).map((n) => adminCall(n, "DELETE", "/admin/v1/chaos")),
    );
    const failed = results.filter((r) => r.status === "rejected").length;
    return failed === 0 ? "healed every link" : `healed; ${failed} node(s) did not answer`;
  }
}
