/** Panel 3: the epoch's quorums — kind, members (by node name when known), threshold, key state. */
import { Box, Text } from "ink";
import { pad, short, windowOf } from "../format.ts";
import type { ExplorerState } from "../store.ts";

export function Quorums({ state, height }: { state: ExplorerState; height: number }) {
  const names = new Map(state.nodes.filter((n) => n.nodeId !== null).map((n) => [n.nodeId!, n.name]));
  const cur = state.cursor.quorums;
  const win = windowOf(state.quorums, cur, height - 2);
  return (
    <Box flexDirection="column">
      <Text>
        Epoch <Text bold>{state.epoch ?? "-"}</Text>, {state.quorums.length} quorum{state.quorums.length === 1 ? "" : "s"}
      </Text>
      <Text dimColor>{`  ${pad("quorum", 10)}${pad("kind", 17)}${pad("t/n", 6)}${pad("key", 16)}members`}</Text>
      {win.rows.map((q, i) => {
        const selected = win.start + i === cur;
        const key = q.publicKey === null ? "keying/none" : `ready ${short(q.publicKey)}`;
        const members = q.members.map((m) => names.get(m) ?? short(m, 6)).join(" ");
        return (
          <Text key={q.id} inverse={selected} wrap="truncate">
            {selected ? "> " : "  "}
            {pad(q.id, 10)}
            {pad(q.kind, 17)}
            {pad(`${q.threshold}/${q.members.length}`, 6)}
            <Text color={q.publicKey === null ? "yellow" : "green"}>{pad(key, 16)}</Text>
            {members}
          </Text>
        );
      })}
    </Box>
  );
}
