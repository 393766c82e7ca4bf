/**
 * The contract between `lattice devnet` (the orchestrator) and a cluster node process
 * (`lattice node --config FILE`): files, readiness and the admin calls the orchestrator makes.
 * Types only, so both sides import it without importing each other.
 *
 * Life of a devnet node:
 * 1. The orchestrator writes `<devnet dir>/genesis.json` (ClusterGenesis, the same bytes for every node)
 *    and `<devnet dir>/nodes/<i>/node.json` (ClusterNodeConfig), then spawns
 *    `<the same lattice executable> node --config <dir>/nodes/<i>/node.json` (from source:
 *    `bun <repo>/cmd/lattice.ts node --config ...`).
 * 2. The node binds its listeners (127.0.0.1; port 0 = any free port; on a restart it first tries the
 *    ports it had before, recorded in its data dir, so peers' knowledge stays valid), then writes
 *    `<dataDir>/ready.json` (ReadyInfo) atomically (write a temp file, rename). Nothing binds a fixed
 *    port by default, so any number of devnets coexist on one machine.
 * 3. The orchestrator collects every ReadyInfo and tells each node its peers with
 *    `POST <adminUrl>/admin/v1/peers` (PeersUpdate, bearer token from `tokenFile`). Peers that restart
 *    on another port are re-announced the same way. Nodes also learn addresses from signed adverts.
 * 4. The node connects, runs consensus (and the quorums' DKG), and `GET /readyz` answers 200 once it
 *    has its peers and has seen the first certified round; `GET /v1/rounds/latest` shows progress.
 * 5. SIGTERM: graceful stop (exit 0). SIGKILL at any moment loses nothing acknowledged (WAL/SQLite).
 */

/** Which consensus the cluster runs. */
export type ClusterConsensus =
  /** All validators in one Simplex instance ordering transaction batches (the LAN layer's BFT). */
  | {
      readonly kind: "simplex";
      readonly blockTimeMs: number;
      readonly deltaMs: number;
      /**
       * Idle pacing: the longest a leader with nothing to propose waits before proposing an empty block;
       * followers' view timeouts are this + 2Δ (core/bft/simplex.ts). Absent (older genesis files): the
       * node's default, 1000 ms; 0: off (an empty block every block time).
       */
      readonly idleBlockTimeMs?: number;
    }
  /** The farmer-harvester WAN pipeline (seed 001). */
  | {
      readonly kind: "wan";
      readonly farmerQuorums: number;
      readonly quorumSize: number;
      readonly roundMs: number;
    };

/** `genesis.json`: identical for every node of a cluster; the chain is defined by its bytes. */
export interface ClusterGenesis {
  readonly version: 1;
  readonly chainId: number;
  /** The devnet seed it was derived from (informational; the file itself is the truth). */
  readonly seed: string;
  /** Prefunded accounts: `lat1...` address and balance as a decimal string (u64). */
  readonly accounts: readonly { readonly address: string; readonly balance: string }[];
  /** The validator set in order: node identity public keys (hex, 32 bytes). */
  readonly validators: readonly { readonly index: number; readonly nodeId: string }[];
  readonly consensus: ClusterConsensus;
}

/** `nodes/<i>/node.json`: one node's configuration. Paths are absolute. */
export interface ClusterNodeConfig {
  readonly dataDir: string;
  /** Path of genesis.json. */
  readonly genesis: string;
  /** Path of a file holding the 32-byte node identity secret as hex (0600). */
  readonly keyFile: string;
  /** "127.0.0.1:0" for any free port. */
  readonly listen: { readonly p2p: string; readonly api: string; readonly admin: string };
  /** Initial peers, if known (a devnet announces them later through the admin API). */
  readonly peers?: readonly PeerAddress[];
  readonly logLevel?: "trace" | "debug" | "info" | "warn" | "error";
}

export interface PeerAddress {
  /** Node identity public key, hex. */
  readonly nodeId: string;
  /** "127.0.0.1:PORT" */
  readonly addr: string;
}

/** `<dataDir>/ready.json`, written once the listeners are bound. */
export interface ReadyInfo {
  readonly pid: number;
  readonly nodeId: string;
  readonly chainId: number;
  readonly apiUrl: string;
  readonly adminUrl: string;
  /** "127.0.0.1:PORT" of the p2p listener. */
  readonly p2p: string;
  /** Path of the admin bearer token file (0600). */
  readonly tokenFile: string;
  /** Milliseconds since the epoch when the node wrote this file. */
  readonly startedAt: number;
}

/** Body of `POST /admin/v1/peers`: the full current peer list (replaces the previous one). */
export interface PeersUpdate {
  readonly peers: readonly PeerAddress[];
}
