/** Panel 5: the last search — a transaction's status or an account with its Merkle proof checked here. */
import { Box, Text } from "ink";
import type { ExplorerState } from "../store.ts";

export function Lookup({ state }: { state: ExplorerState }) {
  const l = state.lookup;
  if (l === null) return <Text>Press / and type a round number, a transaction id (64 hex) or a lat1 address.</Text>;
  if (l.pending || l.result === null) return <Text>looking up {l.query}…</Text>;
  const r = l.result;
  if (r.kind === "not-found") return <Text color="yellow">{r.message}</Text>;
  if (r.kind === "tx") {
    return (
      <Box flexDirection="column">
        <Text wrap="truncate">transaction {r.id}</Text>
        <Text>
          status  <Text color={r.status === "rejected" ? "red" : "green"}>{r.status}</Text>
          {r.round === null ? "" : ` in round ${r.round}`}
        </Text>
        {r.error === null ? null : <Text color="red">error   {r.error}</Text>}
        <Text wrap="truncate">from    {r.from ?? "-"}</Text>
        <Text wrap="truncate">to      {r.to ?? "-"}</Text>
        <Text>amount  {r.amount ?? "-"}</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">account {r.address}</Text>
      <Text>exists  {r.exists ? "yes" : "no"}</Text>
      <Text>balance {r.balance}</Text>
      <Text>nonce   {r.nonce}</Text>
      <Text>round   {r.round}</Text>
      <Text>
        proof   {r.proof === "verified" ? (
          <Text color="green">verified (Merkle proof checked against the state root)</Text>
        ) : (
          <Text color="red">FAILED {r.proofError ?? ""}</Text>
        )}
      </Text>
    </Box>
  );
}
