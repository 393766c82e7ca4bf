/**
 * What the explorer shows, as plain data: the state the reducer (store.ts) keeps and the updates a data
 * source (data-source.ts) pushes. Views only read this; nothing here talks to a node.
 */

export const PANELS = ["overview", "nodes", "quorums", "rounds", "lookup", "links", "faults", "logs"] as const;
export type PanelId = (typeof PANELS)[number];

export const PANEL_TITLES: Record<PanelId, string> = {
  overview: "Overview",
  nodes: "Nodes",
  quorums: "Quorums",
  rounds: "Rounds",
  lookup: "Lookup",
  links: "Links",
  faults: "Faults",
  logs: "Logs",
};

/** up: API answers; down: no answer (or the process is gone); paused: the process is stopped (SIGSTOP). */
export type Health = "up" | "down" | "paused" | "unknown";

export interface NodeRow {
  /** Short label used everywhere in the UI ("n0", "n1", ...). */
  readonly name: string;
  /** Identity public key, hex; null until the node answered once. */
  readonly nodeId: string | null;
  readonly apiUrl: string;
  readonly health: Health;
  readonly round: number | null;
  readonly root: string | null;
  readonly mode: string | null;
  /** Roles from the quorums it is a member of ("farmer", "harvester", "solo", ...). */
  readonly role: string | null;
  readonly quorum: string | null;
  readonly peers: { readonly connected: number; readonly total: number } | null;
  /** Mean latency to its peers as the node measures it (the API's reputation input), ms. */
  readonly latencyMs: number | null;
  /** Reputation score, when the node exposes one. */
  readonly reputation: number | null;
  readonly pid: number | null;
  /** The admin API is reachable with a token: faults can be driven on this node. */
  readonly admin: boolean;
  readonly error: string | null;
}

export interface QuorumRow {
  readonly id: string;
  readonly kind: string;
  readonly members: readonly string[];
  readonly threshold: number;
  readonly publicKey: string | null;
}

export interface RoundRow {
  readonly round: number;
  readonly root: string;
  readonly time: number;
  readonly txCount: number;
  readonly rejectedCount: number;
  readonly note: string | null;
}

export interface RoundTxRow {
  readonly id: string;
  readonly status: string;
  readonly error: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly amount: string | null;
}

/** A round's finalization certificate as the node's API shows it (docs/API.md "Rounds"). */
export interface CertificateInfo {
  readonly kind: string;
  readonly view: number | null;
  readonly quorum: string;
  /** Signers by UI name (n0, n1, ...) when the node is known, else a short node id. */
  readonly signers: readonly string[];
  /** Their signatures, hex, in the order of `signers`. */
  readonly signatures: readonly string[];
}

export interface RoundDetail extends RoundRow {
  /** The consensus block hash; null on a solo node. */
  readonly hash: string | null;
  readonly txs: readonly RoundTxRow[];
  /** The round's certificate; null when the node's API does not expose it. */
  readonly certificate: CertificateInfo | null;
}

/** The configured faults on one directed link, and how many fired (from the node's chaos report). */
export interface LinkInfo {
  readonly partition: boolean;
  readonly latencyMs: number | null;
  readonly loss: number | null;
  readonly fired: Readonly<Record<string, number>>;
}

export type FaultKind = "process" | "link" | "node" | "invariant";

export interface FaultEntry {
  readonly time: number;
  readonly kind: FaultKind;
  readonly node: string | null;
  readonly text: string;
}

export interface LogLine {
  readonly node: string;
  readonly time: number;
  readonly level: string;
  readonly msg: string;
}

export type LookupResult =
  | { readonly kind: "tx"; readonly id: string; readonly status: string; readonly round: string | null; readonly error: string | null; readonly from: string | null; readonly to: string | null; readonly amount: string | null }
  | { readonly kind: "account"; readonly address: string; readonly exists: boolean; readonly balance: string; readonly nonce: string; readonly round: string; readonly proof: "verified" | "failed"; readonly proofError: string | null }
  | { readonly kind: "not-found"; readonly query: string; readonly message: string };

/** A process or link fault the user can drive from the UI. */
export type Control =
  | { readonly kind: "kill"; readonly node: string }
  | { readonly kind: "pause"; readonly node: string }
  | { readonly kind: "resume"; readonly node: string }
  | { readonly kind: "restart"; readonly node: string }
  | { readonly kind: "partition"; readonly a: string; readonly b: string; readonly on: boolean }
  | { readonly kind: "latency"; readonly a: string; readonly b: string; readonly ms: number | null }
  | { readonly kind: "heal" };

export function linkKey(from: string, to: string): string {
  return `${from}>${to}`;
}

export function describeControl(c: Control): string {
  switch (c.kind) {
    case "kill":
      return `kill ${c.node} (SIGKILL)`;
    case "pause":
      return `pause ${c.node} (SIGSTOP)`;
    case "resume":
      return `resume ${c.node} (SIGCONT)`;
    case "restart":
      return `restart ${c.node}`;
    case "partition":
      return c.on ? `partition ${c.a} <-> ${c.b}` : `heal the partition ${c.a} <-> ${c.b}`;
    case "latency":
      return c.ms === null ? `remove latency on ${c.a} <-> ${c.b}` : `add ${c.ms} ms latency on ${c.a} <-> ${c.b}`;
    case "heal":
      return "heal every link fault";
  }
}
