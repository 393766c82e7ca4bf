/**
 * Panel 6: the link matrix, row = sender, column = receiver (chaos rules are per directed link).
 * XX partitioned, ~N latency of N ms, L loss, · no fault; arrows/hjkl pick a link, p and d toggle faults.
 */
import { Box, Text } from "ink";
import { pad } from "../format.ts";
import type { LinkInfo } from "../model.ts";
import type { ExplorerState } from "../store.ts";

const CELL = 7;

export function cellText(l: LinkInfo | undefined, self: boolean): string {
  if (self) return "-";
  if (l === undefined) return "·";
  const parts: string[] = [];
  if (l.partition) parts.push("XX");
  if (l.latencyMs !== null) parts.push(`~${l.latencyMs}`);
  if (l.loss !== null && l.loss > 0) parts.push("L");
  return parts.length === 0 ? "·" : parts.join("");
}

export function Links({ state }: { state: ExplorerState }) {
  const nodes = state.nodes;
  if (nodes.length === 0) return <Text>no nodes</Text>;
  const row = state.cursor.links;
  const col = state.linkCol;
  const a = nodes[row];
  const b = nodes[col];
  const sel = a !== undefined && b !== undefined ? state.links[`${a.name}>${b.name}`] : undefined;
  const fired = sel === undefined ? [] : Object.entries(sel.fired).filter(([, n]) => n > 0);
  return (
    <Box flexDirection="column">
      <Text dimColor>
        {pad("from\\to", 9)}
        {nodes.map((n) => pad(n.name, CELL)).join("")}
      </Text>
      {nodes.map((from, i) => (
        <Text key={from.name} wrap="truncate">
          <Text {...(from.health === "up" ? {} : { color: "red" })}>{pad(from.health === "up" ? from.name : `${from.name}!`, 9)}</Text>
          {nodes.map((to, j) => {
            const text = pad(cellText(state.links[`${from.name}>${to.name}`], i === j), CELL - 1);
            const faulty = text.includes("XX") || text.includes("~");
            return (
              <Text key={to.name}>
                <Text inverse={i === row && j === col} {...(faulty ? { color: "red" } : {})}>
                  {text}
                </Text>{" "}
              </Text>
            );
          })}
        </Text>
      ))}
      <Text> </Text>
      <Text wrap="truncate">
        {a !== undefined && b !== undefined
          ? `${a.name} -> ${b.name}: ${a.name === b.name ? "self" : cellText(sel, false) === "·" ? "no fault" : cellText(sel, false)}${fired.length === 0 ? "" : `, fired ${fired.map(([k, n]) => `${k} ${n}`).join(", ")}`}`
          : ""}
      </Text>
      <Text dimColor>XX partition  ~N latency ms  L loss  · none  name! node not up</Text>
    </Box>
  );
}
