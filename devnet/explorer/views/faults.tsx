/** Panel 7: the fault timeline, newest first: faults driven here, node health changes, node fault events, invariant violations. */
import { Box, Text } from "ink";
import { clock, pad, windowOf } from "../format.ts";
import type { FaultKind } from "../model.ts";
import type { ExplorerState } from "../store.ts";

const COLOR: Record<FaultKind, string> = { process: "magenta", link: "cyan", node: "yellow", invariant: "red" };

export function Faults({ state, height }: { state: ExplorerState; height: number }) {
  if (state.faults.length === 0) return <Text>no faults yet</Text>;
  const cur = state.cursor.faults;
  const win = windowOf(state.faults, cur, height);
  return (
    <Box flexDirection="column">
      {win.rows.map((f, i) => ({ f, pos: win.start + i })).map(({ f, pos }) => (
        <Text key={pos} inverse={pos === cur} wrap="truncate">
          {clock(f.time)} <Text color={COLOR[f.kind]}>{pad(f.kind, 10)}</Text>
          {pad(f.node ?? "", 7)}
          {f.text}
        </Text>
      ))}
    </Box>
  );
}
