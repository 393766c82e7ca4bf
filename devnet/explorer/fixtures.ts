/** A deterministic four-node devnet for component tests: fixed nodes, rounds, quorums, a block and lookups. */
import { MemorySource, nodeRow } from "./memory-source.ts";
import type { RoundRow } from "./model.ts";

export const T0 = 1_700_000_000_000;
const hex = (c: string) => c.repeat(64);

export const ROUNDS: RoundRow[] = Array.from({ length: 30 }, (_, i) => ({
  round: 30 - i,
  root: `${(30 - i).toString(16).padStart(2, "0")}${"ab".repeat(31)}`,
  time: T0 - i * 500,
  txCount: i % 3,
  rejectedCount: i === 4 ? 1 : 0,
  note: null,
}));

export const TX_ID = hex("c");
export const ADDRESS = "lat1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3tsd7w";
export const BAD_ADDRESS = "lat1zzzsyqcyq5rqwzqfpg9scrgwpugpzysn3tsd7w";

export function fakeDevnet(): MemorySource {
  const ids = ["a", "b", "c", "d"].map(hex);
  return new MemorySource({
    now: T0,
    nodes: ids.map((id, i) =>
      nodeRow(`n${i}`, {
        nodeId: id,
        round: 30 - (i === 3 ? 2 : 0),
        root: hex("e"),
        role: "farmer",
        quorum: "q0",
        peers: { connected: 3, total: 3 },
        latencyMs: 1.5 + i,
        reputation: i === 2 ? 0.42 : 0.97,
        pid: 1000 + i,
      }),
    ),
    epoch: "2",
    quorums: [
      { id: "q0", kind: "farmer", members: ids, threshold: 3, publicKey: hex("f") },
      { id: "h0", kind: "harvester", members: ids.slice(0, 2), threshold: 2, publicKey: null },
    ],
    rounds: ROUNDS,
    details: [
      {
        ...ROUNDS[0]!,
        hash: hex("7"),
        certificate: {
          kind: "finalize",
          view: 41,
          quorum: "q0",
          signers: ["n0", "n1", "n3"],
          signatures: [hex("9"), hex("8"), hex("6")],
        },
        txs: [
          { id: TX_ID, status: "final", error: null, from: hex("1"), to: ADDRESS, amount: "25" },
          { id: hex("d"), status: "rejected", error: "NONCE_TOO_LOW", from: hex("2"), to: ADDRESS, amount: "7" },
        ],
      },
    ],
    lookups: {
      [TX_ID]: { kind: "tx", id: TX_ID, status: "final", round: "30", error: null, from: hex("1"), to: ADDRESS, amount: "25" },
      [hex("d")]: { kind: "tx", id: hex("d"), status: "rejected", round: "30", error: "NONCE_TOO_LOW: nonce 0 < 1", from: hex("2"), to: ADDRESS, amount: "7" },
      [ADDRESS]: { kind: "account", address: ADDRESS, exists: true, balance: "1000", nonce: "3", round: "30", proof: "verified", proofError: null },
      [BAD_ADDRESS]: { kind: "account", address: BAD_ADDRESS, exists: true, balance: "5", nonce: "0", round: "30", proof: "failed", proofError: "the proof does not verify" },
    },
    logs: [
      { node: "n0", time: T0, level: "info", msg: "round round=30" },
      { node: "n2", time: T0 + 1, level: "warn", msg: "peer slow" },
    ],
  });
}
