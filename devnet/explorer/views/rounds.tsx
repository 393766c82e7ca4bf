/** Panel 4: recent rounds (newest first, follows the head with f); enter opens a block, enter on a tx looks it up. */
import { Box, Text } from "ink";
import { clock, pad, padLeft, short, windowOf } from "../format.ts";
import type { RoundDetail } from "../model.ts";
import { type ExplorerState, selectedRoundIndex } from "../store.ts";

export function Rounds({ state, height }: { state: ExplorerState; height: number }) {
  if (state.detail?.kind === "round") {
    const d = state.detail;
    if (d.error !== null) return <Text color="red">round {d.round}: {d.error}</Text>;
    if (d.data === null) return <Text>loading round {d.round}…</Text>;
    return <Block data={d.data} cursor={state.detailCursor} height={height} />;
  }
  if (state.rounds.length === 0) return <Text>no rounds yet</Text>;
  const cur = selectedRoundIndex(state);
  const win = windowOf(state.rounds, cur, height - 1);
  return (
    <Box flexDirection="column">
      <Text dimColor>{`  ${pad("round", 10)}${pad("time", 10)}${padLeft("txs", 5)}${padLeft("rej", 5)}  ${pad("root", 18)}note`}</Text>
      {win.rows.map((r, i) => {
        const selected = win.start + i === cur;
        return (
          <Text key={r.round} inverse={selected} wrap="truncate">
            {selected ? "> " : "  "}
            {pad(String(r.round), 10)}
            {pad(clock(r.time), 10)}
            {padLeft(String(r.txCount), 5)}
            {padLeft(String(r.rejectedCount), 5)}
            {"  "}
            {pad(short(r.root, 16), 18)}
            {r.note ?? ""}
          </Text>
        );
      })}
    </Box>
  );
}

function Block({ data, cursor, height }: { data: RoundDetail; cursor: number; height: number }) {
  const cert = data.certificate;
  const win = windowOf(data.txs, cursor, Math.max(1, height - 7));
  return (
    <Box flexDirection="column">
      <Text>
        Round <Text bold>{String(data.round)}</Text> at {clock(data.time)} UTC, {data.txCount} final, {data.rejectedCount} rejected
      </Text>
      <Text wrap="truncate">root {data.root}</Text>
      <Text wrap="truncate">hash {data.hash ?? "- (no consensus block: solo node)"}</Text>
      <Text wrap="truncate">
        certificate{" "}
        {cert === null
          ? data.hash === null
            ? "(none: solo node)"
            : "(none held: final through a later block)"
          : `${cert.kind}${cert.view === null ? "" : ` view ${cert.view}`}, quorum ${short(cert.quorum, 8)}, ${cert.signers.length} signers: ${cert.signers.join(" ")}`}
      </Text>
      {cert === null ? null : (
        <Text wrap="truncate" dimColor>
          {"  sigs "}
          {cert.signers.map((s, i) => `${s} ${short(cert.signatures[i] ?? "", 8)}`).join("  ")}
        </Text>
      )}
      <Text dimColor>{`  ${pad("tx", 10)}${pad("status", 10)}${pad("from", 10)}${pad("to", 16)}${padLeft("amount", 12)}  error`}</Text>
      {data.txs.length === 0 ? <Text>  (no transactions)</Text> : null}
      {win.rows.map((t, i) => {
        const selected = win.start + i === cursor;
        return (
          <Text key={t.id} inverse={selected} wrap="truncate">
            {selected ? "> " : "  "}
            {pad(short(t.id), 10)}
            <Text color={t.status === "final" ? "green" : "red"}>{pad(t.status, 10)}</Text>
            {pad(short(t.from), 10)}
            {pad(short(t.to, 14), 16)}
            {padLeft(t.amount ?? "-", 12)}
            {"  "}
            {t.error ?? ""}
          </Text>
        );
      })}
    </Box>
  );
}
