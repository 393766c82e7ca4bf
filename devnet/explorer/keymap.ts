/**
 * The one key dispatcher: a pure function from (state, key) to reducer actions and at most one command
 * for the outside world (load a round, look something up, drive a fault, quit). Modal layers first: a
 * pending confirmation, then the search line, then help, then the panel's own keys.
 */
import type { Control } from "./model.ts";
import { PANELS } from "./model.ts";
import { type Action, type ExplorerState, selectedRoundIndex } from "./store.ts";

/** The subset of ink's Key the explorer reads (so tests and the plain runner can build one). */
export interface KeyInfo {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
}

export type Command =
  | { readonly kind: "quit" }
  | { readonly kind: "loadRound"; readonly round: number }
  | { readonly kind: "lookup"; readonly query: string }
  | { readonly kind: "control"; readonly control: Control };

export interface KeyResult {
  readonly actions: readonly Action[];
  readonly command: Command | null;
}

/** Latency a link gets when toggled from the UI. */
export const TOGGLE_LATENCY_MS = 200;

const none: KeyResult = { actions: [], command: null };
const act = (...actions: Action[]): KeyResult => ({ actions, command: null });

export type Query =
  | { readonly kind: "round"; readonly round: number }
  | { readonly kind: "tx"; readonly id: string }
  | { readonly kind: "account"; readonly address: string };

/** What a search string names: a round number, a 64-hex transaction id, or a `lat1...` address. */
export function parseQuery(text: string): Query | null {
  const t = text.trim();
  if (/^[0-9]{1,15}$/.test(t)) return { kind: "round", round: Number(t) };
  const hex = t.toLowerCase().replace(/^0x/, "");
  if (/^[0-9a-f]{64}$/.test(hex)) return { kind: "tx", id: hex };
  if (/^lat1[0-9a-z]+$/i.test(t)) return { kind: "account", address: t.toLowerCase() };
  return null;
}

function submitSearch(text: string): KeyResult {
  const q = parseQuery(text);
  if (q === null) {
    return act(
      { type: "searchCancel" },
      { type: "message", text: `"${text.trim()}" is not a round, a transaction id or a lat1 address` },
    );
  }
  if (q.kind === "round") {
    return { actions: [{ type: "searchCancel" }, { type: "openRound", round: q.round }], command: { kind: "loadRound", round: q.round } };
  }
  const query = q.kind === "tx" ? q.id : q.address;
  return { actions: [{ type: "lookupStart", query }], command: { kind: "lookup", query } };
}

function nodeKeys(s: ExplorerState, input: string): KeyResult {
  const node = s.nodes[s.cursor.nodes];
  if (node === undefined) return none;
  let control: Control | null = null;
  if (input === "x") control = { kind: "kill", node: node.name };
  else if (input === "p") control = { kind: node.health === "paused" ? "resume" : "pause", node: node.name };
  else if (input === "r") control = { kind: "restart", node: node.name };
  return control === null ? none : act({ type: "confirm", control });
}

function linkKeys(s: ExplorerState, input: string): KeyResult {
  if (input === "c") return act({ type: "confirm", control: { kind: "heal" } });
  const a = s.nodes[s.cursor.links];
  const b = s.nodes[s.linkCol];
  if (a === undefined || b === undefined) return none;
  if (a.name === b.name) {
    return input === "p" || input === "d" ? act({ type: "message", text: "pick a link between two nodes" }) : none;
  }
  const link = s.links[`${a.name}>${b.name}`];
  if (input === "p") {
    return act({ type: "confirm", control: { kind: "partition", a: a.name, b: b.name, on: link?.partition !== true } });
  }
  if (input === "d") {
    const ms = link?.latencyMs === null || link?.latencyMs === undefined ? TOGGLE_LATENCY_MS : null;
    return act({ type: "confirm", control: { kind: "latency", a: a.name, b: b.name, ms } });
  }
  return none;
}

function enter(s: ExplorerState): KeyResult {
  if (s.detail?.kind === "round") {
    const tx = s.detail.data?.txs[s.detailCursor];
    if (tx === undefined) return none;
    return { actions: [{ type: "lookupStart", query: tx.id }], command: { kind: "lookup", query: tx.id } };
  }
  if (s.panel === "rounds") {
    const r = s.rounds[selectedRoundIndex(s)];
    if (r === undefined) return none;
    return { actions: [{ type: "openRound", round: r.round }], command: { kind: "loadRound", round: r.round } };
  }
  if (s.panel === "nodes") {
    const n = s.nodes[s.cursor.nodes];
    return n === undefined ? none : act({ type: "openNode", node: n.name });
  }
  return none;
}

export function dispatchKey(s: ExplorerState, input: string, key: KeyInfo): KeyResult {
  if (s.confirm !== null) {
    if (input === "y" || input === "Y") {
      return { actions: [{ type: "confirm", control: null }], command: { kind: "control", control: s.confirm } };
    }
    if (input === "n" || input === "N" || key.escape === true) {
      return act({ type: "confirm", control: null }, { type: "message", text: "cancelled" });
    }
    return none;
  }
  if (s.search.editing) {
    if (key.escape === true) return act({ type: "searchCancel" });
    if (key.return === true) return submitSearch(s.search.text);
    if (key.backspace === true || key.delete === true) {
      return act({ type: "searchText", text: s.search.text.slice(0, -1) });
    }
    if (key.ctrl === true || input === "") return none;
    return act({ type: "searchText", text: (s.search.text + input).slice(0, 120) });
  }
  if (s.help) {
    if (input === "q") return { actions: [], command: { kind: "quit" } };
    if (input === "?" || key.escape === true) return act({ type: "help", on: false });
    return none;
  }
  if (input === "q") return { actions: [], command: { kind: "quit" } };
  if (input === "?") return act({ type: "help", on: true });
  if (key.escape === true) return act({ type: "back" });
  if (input === "/") return act({ type: "searchStart" });
  if (input === "f") {
    return act({ type: "follow", on: !s.follow }, { type: "message", text: s.follow ? "follow off" : "following the head" });
  }
  if (/^[1-9]$/.test(input)) {
    const panel = PANELS[Number(input) - 1];
    return panel === undefined ? none : act({ type: "panel", panel });
  }
  if (key.upArrow === true || input === "k") return act({ type: "move", delta: -1 });
  if (key.downArrow === true || input === "j") return act({ type: "move", delta: 1 });
  if (s.panel === "links" && (key.leftArrow === true || input === "h")) return act({ type: "moveCol", delta: -1 });
  if (s.panel === "links" && (key.rightArrow === true || input === "l")) return act({ type: "moveCol", delta: 1 });
  if (key.return === true) return enter(s);
  if (s.panel === "nodes" && s.detail === null) return nodeKeys(s, input);
  if (s.panel === "links") return linkKeys(s, input);
  return none;
}
