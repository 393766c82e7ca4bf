/** Panel 8: the tail of the nodes' log files (devnet dir only); j/k scroll back from the newest line. */
import { Box, Text } from "ink";
import { clock, pad } from "../format.ts";
import type { ExplorerState } from "../store.ts";

const LEVEL_COLOR: Record<string, string> = { error: "red", fatal: "red", warn: "yellow", info: "green", debug: "gray" };

export function Logs({ state, height }: { state: ExplorerState; height: number }) {
  if (state.logs.length === 0) return <Text>no log lines (logs are read from the devnet directory: use --dir)</Text>;
  // The cursor counts lines back from the newest, so new lines keep the view pinned to the bottom.
  const back = state.cursor.logs;
  const end = Math.max(0, state.logs.length - back);
  const first = Math.max(0, end - height);
  const rows = state.logs.slice(first, end).map((line, i) => ({ line, pos: first + i }));
  return (
    <Box flexDirection="column">
      {rows.map(({ line: l, pos }) => (
        <Text key={pos} wrap="truncate">
          {clock(l.time)} {pad(l.node, 4)}
          <Text color={LEVEL_COLOR[l.level] ?? "white"}>{pad(l.level, 6)}</Text>
          {l.msg}
        </Text>
      ))}
    </Box>
  );
}
