/** The frame around a panel: header with the head round, tab bar, status line and key hints. */
import { Box, Text } from "ink";
import { PANEL_TITLES, PANELS, describeControl } from "../model.ts";
import type { ExplorerState } from "../store.ts";

export function Header({ state }: { state: ExplorerState }) {
  const up = state.nodes.filter((n) => n.health === "up").length;
  return (
    <Text wrap="truncate">
      <Text bold color="cyan">
        lattice explorer
      </Text>{" "}
      round <Text bold>{state.head === null ? "-" : String(state.head)}</Text> · epoch {state.epoch ?? "-"} · {up}/
      {state.nodes.length} up · {state.follow ? <Text color="green">follow</Text> : <Text dimColor>paused</Text>}
      {state.connected ? "" : <Text color="red"> · disconnected</Text>} · {state.source}
    </Text>
  );
}

export function Tabs({ state }: { state: ExplorerState }) {
  return (
    <Text wrap="truncate">
      {PANELS.map((p, i) => (
        <Text key={p}>
          {i === 0 ? "" : " "}
          <Text inverse={state.panel === p && !state.help}>{`${i + 1} ${PANEL_TITLES[p]}`}</Text>
        </Text>
      ))}
    </Text>
  );
}

const HINTS: Record<string, string> = {
  nodes: "x kill  p pause/resume  r restart  enter details",
  links: "hjkl pick link  p partition  d latency  c clear all",
  rounds: "enter open block  f follow",
};

export function StatusLine({ state }: { state: ExplorerState }) {
  if (state.confirm !== null) {
    return (
      <Text wrap="truncate" color="yellow" bold>
        {describeControl(state.confirm)}? y/n
      </Text>
    );
  }
  if (state.search.editing) return <Text wrap="truncate">/{state.search.text}█</Text>;
  return <Text wrap="truncate">{state.message ?? ""}</Text>;
}

export function Hints({ state }: { state: ExplorerState }) {
  const extra = state.detail?.kind === "round" ? "enter look up tx  esc back" : (HINTS[state.panel] ?? "");
  return (
    <Box>
      <Text dimColor wrap="truncate">
        {extra === "" ? "" : `${extra} · `}/ search  ? help  q quit
      </Text>
    </Box>
  );
}
