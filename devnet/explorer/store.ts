/**
 * The explorer's state and its one reducer. Data sources and the key dispatcher only produce actions;
 * the reducer is pure (time comes in with the actions), so every screen can be reached in a test by
 * feeding actions, without a node or a terminal.
 */
import type {
  Control,
  FaultEntry,
  LinkInfo,
  LogLine,
  LookupResult,
  NodeRow,
  PanelId,
  QuorumRow,
  RoundDetail,
  RoundRow,
} from "./model.ts";

const MAX_ROUNDS = 200;
const MAX_FAULTS = 200;
const MAX_LOGS = 500;
/** Seconds of transactions/s history kept for the sparkline. */
export const RATE_WINDOW = 40;
/** Rounds of per-node roots kept for the agreement check. */
const ROOT_WINDOW = 256;

export type Detail =
  | { readonly kind: "round"; readonly round: number; readonly data: RoundDetail | null; readonly error: string | null }
  | { readonly kind: "node"; readonly node: string };

export interface Invariants {
  /** Rounds for which at least two nodes reported a root (compared). */
  readonly compared: number;
  readonly violation: string | null;
}

export interface ExplorerState {
  readonly source: string;
  readonly panel: PanelId;
  readonly nodes: readonly NodeRow[];
  readonly epoch: string | null;
  readonly quorums: readonly QuorumRow[];
  readonly rounds: readonly RoundRow[];
  readonly head: number | null;
  readonly lastRoundAt: number | null;
  readonly now: number;
  /** Transactions per second, oldest first, the last RATE_WINDOW seconds ending at `rateEnd`. */
  readonly rate: readonly number[];
  readonly rateEnd: number | null;
  readonly finalityMs: number | null;
  readonly accepted: Readonly<Record<string, number>>;
  /** round -> node -> root */
  readonly roots: Readonly<Record<number, Readonly<Record<string, string>>>>;
  readonly invariants: Invariants;
  readonly links: Readonly<Record<string, LinkInfo>>;
  readonly faults: readonly FaultEntry[];
  readonly logs: readonly LogLine[];
  /** Cursor per panel (row index); the links panel also has a column. */
  readonly cursor: Readonly<Record<PanelId, number>>;
  readonly linkCol: number;
  readonly detailCursor: number;
  readonly follow: boolean;
  readonly selectedRound: number | null;
  readonly detail: Detail | null;
  readonly search: { readonly editing: boolean; readonly text: string };
  readonly lookup: { readonly query: string; readonly pending: boolean; readonly result: LookupResult | null } | null;
  readonly confirm: Control | null;
  readonly help: boolean;
  readonly message: string | null;
  readonly connected: boolean;
}

export type Action =
  // from data sources
  | { readonly type: "nodes"; readonly nodes: readonly NodeRow[]; readonly now: number }
  | { readonly type: "quorums"; readonly epoch: string; readonly quorums: readonly QuorumRow[] }
  | { readonly type: "rounds"; readonly rounds: readonly RoundRow[] }
  | { readonly type: "round"; readonly node: string; readonly round: RoundRow }
  | { readonly type: "tx"; readonly phase: "accepted" | "final" | "rejected"; readonly id: string; readonly time: number }
  | { readonly type: "links"; readonly links: Readonly<Record<string, LinkInfo>> }
  | { readonly type: "fault"; readonly entry: FaultEntry }
  | { readonly type: "logs"; readonly lines: readonly LogLine[] }
  | { readonly type: "tick"; readonly now: number }
  | { readonly type: "connected"; readonly connected: boolean }
  | { readonly type: "roundDetail"; readonly round: number; readonly data: RoundDetail | null; readonly error: string | null }
  | { readonly type: "lookupResult"; readonly query: string; readonly result: LookupResult }
  | { readonly type: "message"; readonly text: string | null }
  // from the key dispatcher
  | { readonly type: "panel"; readonly panel: PanelId }
  | { readonly type: "move"; readonly delta: number }
  | { readonly type: "moveCol"; readonly delta: number }
  | { readonly type: "follow"; readonly on: boolean }
  | { readonly type: "openRound"; readonly round: number }
  | { readonly type: "openNode"; readonly node: string }
  | { readonly type: "back" }
  | { readonly type: "searchStart" }
  | { readonly type: "searchText"; readonly text: string }
  | { readonly type: "searchCancel" }
  | { readonly type: "lookupStart"; readonly query: string }
  | { readonly type: "confirm"; readonly control: Control | null }
  | { readonly type: "help"; readonly on: boolean };

export function initialState(source: string, now = 0): ExplorerState {
  return {
    source,
    panel: "overview",
    nodes: [],
    epoch: null,
    quorums: [],
    rounds: [],
    head: null,
    lastRoundAt: null,
    now,
    rate: new Array<number>(RATE_WINDOW).fill(0),
    rateEnd: null,
    finalityMs: null,
    accepted: {},
    roots: {},
    invariants: { compared: 0, violation: null },
    links: {},
    faults: [],
    logs: [],
    cursor: { overview: 0, nodes: 0, quorums: 0, rounds: 0, lookup: 0, links: 0, faults: 0, logs: 0 },
    linkCol: 1,
    detailCursor: 0,
    follow: true,
    selectedRound: null,
    detail: null,
    search: { editing: false, text: "" },
    lookup: null,
    confirm: null,
    help: false,
    message: null,
    connected: false,
  };
}

/** How many rows the panel's cursor can move over. */
export function rowCount(s: ExplorerState): number {
  switch (s.panel) {
    case "nodes":
    case "links":
      return s.nodes.length;
    case "quorums":
      return s.quorums.length;
    case "rounds":
      return s.rounds.length;
    case "faults":
      return s.faults.length;
    case "logs":
      return s.logs.length;
    default:
      return 0;
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

function addRate(s: ExplorerState, time: number, count: number): Pick<ExplorerState, "rate" | "rateEnd"> {
  const sec = Math.floor(time / 1000);
  if (s.rateEnd === null) {
    const rate = new Array<number>(RATE_WINDOW).fill(0);
    rate[RATE_WINDOW - 1] = count;
    return { rate, rateEnd: sec };
  }
  if (sec <= s.rateEnd) {
    const idx = RATE_WINDOW - 1 - (s.rateEnd - sec);
    if (idx < 0) return { rate: s.rate, rateEnd: s.rateEnd };
    const rate = [...s.rate];
    rate[idx] = (rate[idx] ?? 0) + count;
    return { rate, rateEnd: s.rateEnd };
  }
  const shift = Math.min(RATE_WINDOW, sec - s.rateEnd);
  const rate = [...s.rate.slice(shift), ...new Array<number>(shift).fill(0)];
  rate[RATE_WINDOW - 1] = (rate[RATE_WINDOW - 1] ?? 0) + count;
  return { rate, rateEnd: sec };
}

/** Agreement: no two nodes report different roots for one round. */
function checkRoots(
  s: ExplorerState,
  node: string,
  r: RoundRow,
): Pick<ExplorerState, "roots" | "invariants"> & { fault: FaultEntry | null } {
  const at = s.roots[r.round] ?? {};
  if (at[node] === r.root) return { roots: s.roots, invariants: s.invariants, fault: null };
  const others = Object.entries(at).filter(([n]) => n !== node);
  const roots: Record<number, Readonly<Record<string, string>>> = { ...s.roots, [r.round]: { ...at, [node]: r.root } };
  const keys = Object.keys(roots).map(Number);
  if (keys.length > ROOT_WINDOW) {
    keys.sort((a, b) => a - b);
    for (const k of keys.slice(0, keys.length - ROOT_WINDOW)) delete roots[k];
  }
  const compared = s.invariants.compared + (others.length === 1 && Object.keys(at).length === 1 ? 1 : 0);
  const differing = others.find(([, root]) => root !== r.root);
  if (differing === undefined || s.invariants.violation !== null) {
    return { roots, invariants: { ...s.invariants, compared }, fault: null };
  }
  const violation = `agreement: round ${r.round} root ${r.root.slice(0, 8)} at ${node}, ${differing[1].slice(0, 8)} at ${differing[0]}`;
  return {
    roots,
    invariants: { compared, violation },
    fault: { time: r.time, kind: "invariant", node, text: violation },
  };
}

function healthFaults(before: readonly NodeRow[], after: readonly NodeRow[], now: number): FaultEntry[] {
  const out: FaultEntry[] = [];
  for (const n of after) {
    const old = before.find((b) => b.name === n.name);
    if (old === undefined || old.health === n.health || old.health === "unknown") continue;
    out.push({ time: now, kind: "node", node: n.name, text: `${n.name} ${old.health} -> ${n.health}` });
  }
  return out;
}

function selectedIndex(s: ExplorerState): number {
  if (s.selectedRound === null) return 0;
  return Math.max(0, s.rounds.findIndex((r) => r.round === s.selectedRound));
}

export function reduce(s: ExplorerState, a: Action): ExplorerState {
  switch (a.type) {
    case "nodes": {
      const faults = healthFaults(s.nodes, a.nodes, a.now);
      let head = s.head;
      for (const n of a.nodes) if (n.round !== null && (head === null || n.round > head)) head = n.round;
      return {
        ...s,
        nodes: a.nodes,
        now: Math.max(s.now, a.now),
        head,
        faults: faults.length === 0 ? s.faults : [...faults.reverse(), ...s.faults].slice(0, MAX_FAULTS),
      };
    }
    case "quorums":
      return { ...s, epoch: a.epoch, quorums: a.quorums };
    case "rounds": {
      const merged = new Map<number, RoundRow>();
      for (const r of [...a.rounds, ...s.rounds]) if (!merged.has(r.round)) merged.set(r.round, r);
      const rounds = [...merged.values()].sort((x, y) => y.round - x.round).slice(0, MAX_ROUNDS);
      const top = rounds[0]?.round ?? null;
      const head = top !== null && (s.head === null || top > s.head) ? top : s.head;
      return { ...s, rounds, head, selectedRound: s.follow ? (rounds[0]?.round ?? null) : s.selectedRound };
    }
    case "round": {
      const r = a.round;
      const checked = checkRoots(s, a.node, r);
      const known = s.rounds.some((x) => x.round === r.round);
      let next: ExplorerState = { ...s, roots: checked.roots, invariants: checked.invariants };
      if (checked.fault !== null) next = { ...next, faults: [checked.fault, ...next.faults].slice(0, MAX_FAULTS) };
      if (known) return next;
      const rounds = [r, ...s.rounds].sort((x, y) => y.round - x.round).slice(0, MAX_ROUNDS);
      const isHead = s.head === null || r.round > s.head;
      return {
        ...next,
        rounds,
        ...addRate(next, r.time, r.txCount + r.rejectedCount),
        head: isHead ? r.round : s.head,
        lastRoundAt: isHead ? r.time : s.lastRoundAt,
        now: Math.max(s.now, r.time),
        selectedRound: s.follow ? (rounds[0]?.round ?? null) : s.selectedRound,
      };
    }
    case "tx": {
      if (a.phase === "accepted") {
        if (s.accepted[a.id] !== undefined) return s;
        const accepted = { ...s.accepted, [a.id]: a.time };
        const ids = Object.keys(accepted);
        if (ids.length > 5000) for (const id of ids.slice(0, ids.length - 5000)) delete accepted[id];
        return { ...s, accepted };
      }
      const t0 = s.accepted[a.id];
      if (t0 === undefined) return s;
      const { [a.id]: _, ...accepted } = s.accepted;
      const sample = Math.max(0, a.time - t0);
      // A moving average: one slow transaction should not make the figure jump around.
      const finalityMs = s.finalityMs === null ? sample : Math.round(s.finalityMs * 0.8 + sample * 0.2);
      return { ...s, accepted, finalityMs: a.phase === "final" ? finalityMs : s.finalityMs };
    }
    case "links":
      return { ...s, links: a.links };
    case "fault":
      return { ...s, faults: [a.entry, ...s.faults].slice(0, MAX_FAULTS) };
    case "logs":
      return a.lines.length === 0 ? s : { ...s, logs: [...s.logs, ...a.lines].slice(-MAX_LOGS) };
    case "tick":
      return a.now === s.now ? s : { ...s, now: a.now };
    case "connected":
      return { ...s, connected: a.connected };
    case "roundDetail":
      if (s.detail?.kind !== "round" || s.detail.round !== a.round) return s;
      return { ...s, detail: { kind: "round", round: a.round, data: a.data, error: a.error } };
    case "lookupResult":
      if (s.lookup?.query !== a.query) return s;
      return { ...s, lookup: { query: a.query, pending: false, result: a.result } };
    case "message":
      return { ...s, message: a.text };
    case "panel":
      return { ...s, panel: a.panel, detail: null, help: false };
    case "move": {
      if (s.detail?.kind === "round") {
        const n = s.detail.data?.txs.length ?? 0;
        return { ...s, detailCursor: clamp(s.detailCursor + a.delta, 0, Math.max(0, n - 1)) };
      }
      if (s.panel === "rounds") {
        const i = clamp(selectedIndex(s) + a.delta, 0, Math.max(0, s.rounds.length - 1));
        return { ...s, follow: false, selectedRound: s.rounds[i]?.round ?? null };
      }
      const n = rowCount(s);
      // The logs cursor counts lines back from the newest, so "down" means newer.
      const delta = s.panel === "logs" ? -a.delta : a.delta;
      const cur = clamp(s.cursor[s.panel] + delta, 0, Math.max(0, n - 1));
      return { ...s, cursor: { ...s.cursor, [s.panel]: cur } };
    }
    case "moveCol":
      return { ...s, linkCol: clamp(s.linkCol + a.delta, 0, Math.max(0, s.nodes.length - 1)) };
    case "follow":
      return { ...s, follow: a.on, selectedRound: a.on ? (s.rounds[0]?.round ?? null) : s.selectedRound };
    case "openRound":
      return {
        ...s,
        panel: "rounds",
        follow: false,
        selectedRound: a.round,
        detail: { kind: "round", round: a.round, data: null, error: null },
        detailCursor: 0,
      };
    case "openNode":
      return { ...s, detail: { kind: "node", node: a.node } };
    case "back":
      if (s.help) return { ...s, help: false };
      if (s.detail !== null) return { ...s, detail: null };
      return { ...s, message: null };
    case "searchStart":
      return { ...s, search: { editing: true, text: "" } };
    case "searchText":
      return { ...s, search: { editing: true, text: a.text } };
    case "searchCancel":
      return { ...s, search: { editing: false, text: "" } };
    case "lookupStart":
      return {
        ...s,
        search: { editing: false, text: "" },
        panel: "lookup",
        detail: null,
        lookup: { query: a.query, pending: true, result: null },
      };
    case "confirm":
      return { ...s, confirm: a.control };
    case "help":
      return { ...s, help: a.on };
  }
}

/** The round under the cursor in the rounds panel. */
export function selectedRoundIndex(s: ExplorerState): number {
  return selectedIndex(s);
}

/** A tiny external store: key handling reads the state synchronously, React subscribes to changes. */
export interface Store {
  get(): ExplorerState;
  dispatch(action: Action): void;
  subscribe(listener: () => void): () => void;
}

export function createStore(initial: ExplorerState): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    dispatch(action) {
      const next = reduce(state, action);
      if (next === state) return;
      state = next;
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
