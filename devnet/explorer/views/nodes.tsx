/** Panel 2: one row per node (health, round and lag behind the head, role, peers, latency); enter: details. */
import { Box, Text } from "ink";
import { pad, padLeft, short, windowOf } from "../format.ts";
import type { NodeRow } from "../model.ts";
import type { ExplorerState } from "../store.ts";

const HEALTH_COLOR: Record<NodeRow["health"], string> = { up: "green", down: "red", paused: "yellow", unknown: "gray" };

function row(n: NodeRow, top: number | null): string {
  const lag = n.round === null || top === null ? "-" : String(Math.max(0, top - n.round));
  const peers = n.peers === null ? "-" : `${n.peers.connected}/${n.peers.total}`;
  return (
    pad(n.name, 6) +
    pad(n.round === null ? "-" : String(n.round), 9) +
    padLeft(lag, 4) +
    "  " +
    pad(n.role ?? "-", 11) +
    pad(short(n.quorum, 8), 9) +
    pad(peers, 6) +
    padLeft(n.latencyMs === null ? "-" : n.latencyMs.toFixed(1), 6) +
    padLeft(n.reputation === null ? "-" : n.reputation.toFixed(2), 6) +
    padLeft(n.pid === null ? "-" : String(n.pid), 8)
  );
}

export function Nodes({ state, height }: { state: ExplorerState; height: number }) {
  if (state.detail?.kind === "node") return <NodeDetail state={state} name={state.detail.node} />;
  if (state.nodes.length === 0) return <Text>no nodes</Text>;
  const cur = state.cursor.nodes;
  // Lag against the best round polled in the same sweep: the head from events runs ahead of any poll.
  const polled = state.nodes.map((n) => n.round).filter((r): r is number => r !== null);
  const top = polled.length === 0 ? null : Math.max(...polled);
  const win = windowOf(state.nodes, cur, height - 1);
  return (
    <Box flexDirection="column">
      <Text dimColor>{`  ${pad("node", 6)}${pad("health", 8)}${pad("round", 9)}${padLeft("lag", 4)}  ${pad("role", 11)}${pad("quorum", 9)}${pad("peers", 6)}${padLeft("lat", 6)}${padLeft("rep", 6)}${padLeft("pid", 8)}`}</Text>
      {win.rows.map((n, i) => {
        const selected = win.start + i === cur;
        const r = row(n, top);
        return (
          <Text key={n.name} inverse={selected} wrap="truncate">
            {selected ? "> " : "  "}
            {r.slice(0, 6)}
            <Text color={HEALTH_COLOR[n.health]}>{pad(n.health, 8)}</Text>
            {r.slice(6)}
          </Text>
        );
      })}
    </Box>
  );
}

function NodeDetail({ state, name }: { state: ExplorerState; name: string }) {
  const n = state.nodes.find((x) => x.name === name);
  if (n === undefined) return <Text>node {name} is gone</Text>;
  const lines: [string, string][] = [
    ["node", n.name],
    ["id", n.nodeId ?? "-"],
    ["api", n.apiUrl],
    ["health", n.health],
    ["mode", n.mode ?? "-"],
    ["round", n.round === null ? "-" : String(n.round)],
    ["root", short(n.root, 16)],
    ["role", n.role ?? "-"],
    ["quorum", n.quorum ?? "-"],
    ["peers", n.peers === null ? "-" : `${n.peers.connected} connected of ${n.peers.total}`],
    ["pid", n.pid === null ? "-" : String(n.pid)],
    ["admin", n.admin ? "reachable (faults can be driven)" : "not reachable"],
    ["error", n.error ?? "-"],
  ];
  return (
    <Box flexDirection="column">
      {lines.map(([k, v]) => (
        <Text key={k} wrap="truncate">
          <Text dimColor>{pad(k, 8)}</Text>
          {v}
        </Text>
      ))}
    </Box>
  );
}
