/** The ? overlay: every key binding. */
import { Box, Text } from "ink";
import { pad } from "../format.ts";

export const HELP: readonly (readonly [string, string])[] = [
  ["1..8", "panels: overview nodes quorums rounds lookup links faults logs"],
  ["j/k, arrows", "move; in the link matrix h/l or left/right pick the column"],
  ["enter", "drill in: a round's block, a node's details, a block's transaction"],
  ["esc", "back (close details, help, search, confirmation)"],
  ["/", "search a round number, transaction id or lat1 address"],
  ["f", "follow the head (moving in the rounds list stops following)"],
  ["x p r", "nodes panel: kill, pause/resume, restart the selected node"],
  ["p d c", "links panel: toggle partition, toggle 200 ms latency, clear all"],
  ["y / n", "confirm or cancel a fault"],
  ["?", "this help"],
  ["q", "quit"],
];

export function Help() {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {HELP.map(([k, v]) => (
        <Text key={k} wrap="truncate">
          {pad(k, 13)}
          {v}
        </Text>
      ))}
    </Box>
  );
}
