/**
 * What the node knows about the network around it, for GET /v1/peers, /v1/quorums and /v1/domains. The
 * shapes are those of the multi-node node (peers with addresses and liveness, quorums with members and
 * threshold keys, domains with membership); a solo node answers with itself: one peer, one quorum of one
 * member with threshold 1, one domain.
 */
import type { DomainJson, PeerJson, QuorumsJson } from "./wire.ts";

export interface Topology {
  peers(): PeerJson[];
  quorums(): QuorumsJson;
  domains(): DomainJson[];
}

/** The topology of a solo (single-node dev mode) node. */
export function soloTopology(nodeId: string, addresses: () => string[]): Topology {
  return {
    peers: () => [{ nodeId, addresses: [...addresses()], self: true, connected: true, latencyMs: 0, reputation: null }],
    quorums: () => ({
      epoch: "0",
      quorums: [{ id: "solo", kind: "solo", members: [nodeId], threshold: 1, publicKey: null }],
    }),
    domains: () => [{ id: nodeId, name: "solo", kind: "solo", members: [nodeId], joinPolicy: "open" }],
  };
}
