/**
 * The consensus slot of a cluster node: a small interface so the composition root does not care which
 * protocol orders blocks. Today `simplex` (all validators in one Simplex instance, the LAN layer's BFT of
 * seed 000); the WAN farmer-harvester engines (seed 001) will implement the same interface as `wan`.
 *
 * Contract with the root: the consensus hosts its engines on the node it is given, writes finalized blocks
 * to the node's chain store before announcing them, and calls `onFinalized(height)`; the root applies the
 * stored blocks to the ledger in height order. `status()` feeds /v1/node, /v1/quorums and metrics.
 */
import type { ByzantineMode } from "../../net/api/admin-app.ts";
import type { QuorumsJson } from "../../net/api/wire.ts";

export interface ConsensusStatus {
  readonly kind: "simplex" | "wan";
  readonly running: boolean;
  readonly view: number;
  /** Node id of the current view's leader; null before the engine exists. */
  readonly leader: string | null;
  readonly finalizedHeight: number;
  readonly timeouts: number;
  readonly nullifications: number;
  readonly rejected: number;
  readonly evidence: number;
}

export interface ClusterConsensus {
  readonly kind: "simplex" | "wan";
  /**
   * Keep the consensus messages that arrive before `start` (the node is up, start-up sync is running),
   * for the engines to handle when they start. Idempotent; a no-op once started.
   */
  hold(): void;
  /** Host the engines (after the node caught up with its peers). Idempotent. */
  start(): void;
  /** Remove the engines. Idempotent. */
  stop(): void;
  status(): ConsensusStatus;
  quorums(): QuorumsJson;
  /** Byzantine behaviour of this replica (chaos). */
  readonly byzantine: { get(): ByzantineMode; set(mode: ByzantineMode): void };
}
