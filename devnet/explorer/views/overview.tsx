/** Panel 1: where the devnet stands — head, epoch, finality, throughput, invariants. */
import { Box, Text } from "ink";
import { ago, clock, sparkline } from "../format.ts";
import type { ExplorerState } from "../store.ts";

export function Overview({ state, width }: { state: ExplorerState; width: number }) {
  const up = state.nodes.filter((n) => n.health === "up").length;
  const down = state.nodes.filter((n) => n.health === "down").length;
  const paused = state.nodes.filter((n) => n.health === "paused").length;
  const faulted = Object.values(state.links).filter((l) => l.partition || l.latencyMs !== null).length;
  const rate = state.rate.slice(-Math.max(10, Math.min(state.rate.length, width - 30)));
  const nowRate = rate[rate.length - 1] ?? 0;
  const since = state.lastRoundAt === null ? "" : ` (${ago(state.now - state.lastRoundAt)} ago)`;
  const last = state.faults[0];
  const inv = state.invariants;
  return (
    <Box flexDirection="column">
      <Text>
        Round       <Text bold>{state.head === null ? "-" : String(state.head)}</Text>
        {since}
      </Text>
      <Text>Epoch       {state.epoch ?? "-"}</Text>
      <Text>
        Finality    {state.finalityMs === null ? "- (no transaction seen final yet)" : `${state.finalityMs} ms (accepted -> final)`}
      </Text>
      <Text>
        Tx/s        <Text color="cyan">{sparkline(rate)}</Text> {nowRate}
      </Text>
      <Text>
        Nodes       {up} up
        {down > 0 ? <Text color="red">, {down} down</Text> : ""}
        {paused > 0 ? <Text color="yellow">, {paused} paused</Text> : ""}
        {` of ${state.nodes.length}`}
      </Text>
      <Text>
        Invariants  {inv.violation === null ? (
          <Text color="green">agreement ok ({inv.compared} rounds compared)</Text>
        ) : (
          <Text color="red">VIOLATED {inv.violation}</Text>
        )}
      </Text>
      <Text>Links       {faulted === 0 ? "no link faults" : `${faulted} directed links faulted`}</Text>
      <Text wrap="truncate">Last fault  {last === undefined ? "-" : `${clock(last.time)} ${last.text}`}</Text>
    </Box>
  );
}
