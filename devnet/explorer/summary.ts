/**
 * The explorer without a terminal: one plain line per change (`summaryLine`), or one snapshot as text or
 * as a JSON document (`--once`, `--json`). Built from the same state the TUI renders.
 */
import { cellText } from "./views/links.tsx";
import { clock, pad, short } from "./format.ts";
import type { ExplorerState } from "./store.ts";

export function summaryLine(s: ExplorerState): string {
  const up = s.nodes.filter((n) => n.health === "up").length;
  const notUp = s.nodes.filter((n) => n.health !== "up").map((n) => `${n.name} ${n.health}`);
  const faulted = Object.values(s.links).filter((l) => l.partition || l.latencyMs !== null).length;
  const rate = s.rate[s.rate.length - 1] ?? 0;
  return [
    clock(s.now),
    `round ${s.head ?? "-"}`,
    `epoch ${s.epoch ?? "-"}`,
    `nodes ${up}/${s.nodes.length} up${notUp.length === 0 ? "" : ` (${notUp.join(", ")})`}`,
    `tx/s ${rate}`,
    `finality ${s.finalityMs === null ? "-" : `${s.finalityMs}ms`}`,
    `invariants ${s.invariants.violation === null ? "ok" : `VIOLATED ${s.invariants.violation}`}`,
    `links ${faulted === 0 ? "ok" : `${faulted} faulted`}`,
  ].join("  ");
}

/** The part of the state a plain summary changes on (so an unchanged poll prints nothing). */
export function summaryKey(s: ExplorerState): string {
  return summaryLine({ ...s, now: 0 });
}

export function snapshotText(s: ExplorerState): string {
  const lines: string[] = [];
  lines.push(`${s.source}: round ${s.head ?? "-"}, epoch ${s.epoch ?? "-"}`);
  lines.push("");
  lines.push(`${pad("node", 6)}${pad("health", 8)}${pad("round", 10)}${pad("role", 12)}${pad("peers", 7)}api`);
  for (const n of s.nodes) {
    const peers = n.peers === null ? "-" : `${n.peers.connected}/${n.peers.total}`;
    lines.push(`${pad(n.name, 6)}${pad(n.health, 8)}${pad(n.round === null ? "-" : String(n.round), 10)}${pad(n.role ?? "-", 12)}${pad(peers, 7)}${n.apiUrl}`);
  }
  if (s.quorums.length > 0) {
    lines.push("");
    for (const q of s.quorums) {
      lines.push(`quorum ${q.id} ${q.kind} ${q.threshold}/${q.members.length} key ${q.publicKey === null ? "none" : short(q.publicKey)}`);
    }
  }
  const links = Object.entries(s.links).filter(([, l]) => cellText(l, false) !== "·");
  if (links.length > 0) {
    lines.push("");
    for (const [k, l] of links) lines.push(`link ${k.replace(">", " -> ")} ${cellText(l, false)}`);
  }
  lines.push("");
  lines.push(`invariants: ${s.invariants.violation === null ? "ok" : s.invariants.violation}`);
  return lines.join("\n");
}

export function snapshotJson(s: ExplorerState): unknown {
  return {
    source: s.source,
    head: s.head,
    epoch: s.epoch,
    nodes: s.nodes,
    quorums: s.quorums,
    rounds: s.rounds.slice(0, 10),
    links: s.links,
    invariants: s.invariants,
    finalityMs: s.finalityMs,
  };
}
