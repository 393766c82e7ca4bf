/**
 * An in-memory DataSource for tests: fixed nodes, rounds, quorums and lookups, with `push` to feed
 * actions as if they came from nodes, and every control recorded and applied to its own state (a killed
 * node goes down, a partitioned link shows as partitioned) so tests see the loop close.
 */
import type { DataSource, Dispatch } from "./data-source.ts";
import type { Control, LinkInfo, LogLine, LookupResult, NodeRow, QuorumRow, RoundDetail, RoundRow } from "./model.ts";
import { linkKey } from "./model.ts";
import type { Action } from "./store.ts";

export interface MemoryData {
  readonly nodes: readonly NodeRow[];
  readonly epoch?: string;
  readonly quorums?: readonly QuorumRow[];
  readonly rounds?: readonly RoundRow[];
  readonly details?: readonly RoundDetail[];
  readonly lookups?: Readonly<Record<string, LookupResult>>;
  readonly logs?: readonly LogLine[];
  readonly now?: number;
}

const emptyLink: LinkInfo = { partition: false, latencyMs: null, loss: null, fired: {} };

export class MemorySource implements DataSource {
  readonly label = "memory";
  readonly controls: Control[] = [];
  readonly loaded: number[] = [];
  readonly lookedUp: string[] = [];
  #dispatch: Dispatch | null = null;
  #nodes: NodeRow[];
  #links: Record<string, LinkInfo> = {};
  readonly #data: MemoryData;
  #now: number;

  constructor(data: MemoryData) {
    this.#data = data;
    this.#nodes = [...data.nodes];
    this.#now = data.now ?? 1_700_000_000_000;
  }

  async start(dispatch: Dispatch): Promise<void> {
    this.#dispatch = dispatch;
    dispatch({ type: "connected", connected: true });
    dispatch({ type: "nodes", nodes: this.#nodes, now: this.#now });
    dispatch({ type: "quorums", epoch: this.#data.epoch ?? "0", quorums: this.#data.quorums ?? [] });
    dispatch({ type: "rounds", rounds: this.#data.rounds ?? [] });
    dispatch({ type: "links", links: this.#links });
    dispatch({ type: "logs", lines: this.#data.logs ?? [] });
  }

  async stop(): Promise<void> {
    this.#dispatch = null;
  }

  /** Feed an action as if a node had sent it. */
  push(action: Action): void {
    this.#dispatch?.(action);
  }

  async loadRound(round: number): Promise<RoundDetail> {
    this.loaded.push(round);
    const d = this.#data.details?.find((x) => x.round === round);
    if (d === undefined) throw new Error(`no round ${round}`);
    return d;
  }

  async lookup(query: string): Promise<LookupResult> {
    this.lookedUp.push(query);
    return this.#data.lookups?.[query] ?? { kind: "not-found", query, message: `nothing found for ${query}` };
  }

  async control(c: Control): Promise<string> {
    this.controls.push(c);
    const setHealth = (name: string, health: NodeRow["health"]) => {
      this.#nodes = this.#nodes.map((n) => (n.name === name ? { ...n, health } : n));
      this.#dispatch?.({ type: "nodes", nodes: this.#nodes, now: ++this.#now });
    };
    const setLink = (a: string, b: string, f: (l: LinkInfo) => LinkInfo) => {
      for (const k of [linkKey(a, b), linkKey(b, a)]) this.#links[k] = f(this.#links[k] ?? emptyLink);
      this.#dispatch?.({ type: "links", links: { ...this.#links } });
    };
    switch (c.kind) {
      case "kill":
        setHealth(c.node, "down");
        break;
      case "pause":
        setHealth(c.node, "paused");
        break;
      case "resume":
      case "restart":
        setHealth(c.node, "up");
        break;
      case "partition":
        setLink(c.a, c.b, (l) => ({ ...l, partition: c.on }));
        break;
      case "latency":
        setLink(c.a, c.b, (l) => ({ ...l, latencyMs: c.ms }));
        break;
      case "heal":
        this.#links = {};
        this.#dispatch?.({ type: "links", links: {} });
        break;
    }
    return `done: ${c.kind}`;
  }
}

/** A node row with defaults, for tests and fixtures. */
export function nodeRow(name: string, fields: Partial<NodeRow> = {}): NodeRow {
  return {
    name,
    nodeId: null,
    apiUrl: `http://127.0.0.1/${name}`,
    health: "up",
    round: null,
    root: null,
    mode: "consensus",
    role: null,
    quorum: null,
    peers: null,
    latencyMs: null,
    reputation: null,
    pid: null,
    admin: true,
    error: null,
    ...fields,
  };
}
