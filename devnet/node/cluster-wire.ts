/**
 * Wire formats of the cluster node (ARCHITECTURE.md "Layers": the LAN layer's Simplex microblocks), on
 * top of Simplex's own messages:
 *
 * - `BlockPayload` (tag 0x50): the opaque Simplex payload of a cluster block, the canonical list of the
 *   transactions' canonical bytes in block order. Every replica applies exactly this list, in this order.
 * - `TxGossip` (tag 0x51, protocol `lattice/tx/v1`): transactions a node accepted from its clients, pushed
 *   to the other validators so whichever leader comes next can include them.
 * - `SyncRequest` / `SyncResponse` (tags 0x52/0x53, protocol `lattice/sync/v1`): finalized-block sync for
 *   a node that was down. The answer is a run of consecutive finalized Simplex blocks plus a finalization
 *   certificate (q signatures) on the last one; the hash chain vouches for the others (sync-verify.ts).
 *
 * Tags 0x50..0x57 are reserved for the cluster node.
 */
import { defineMessage } from "../../core/codec/message.ts";
import { registry } from "../../core/codec/registry.ts";
import { bytes, bytesMax, type Infer, list, optional, u16, uint53 } from "../../core/codec/schema.ts";
import { Block, Certificate, MAX_PAYLOAD_BYTES } from "../../core/bft/simplex-messages.ts";
import { MAX_TRANSFER_BYTES } from "../../core/tx/transfer.ts";

export const TX_PROTOCOL = "lattice/tx/v1";
export const SYNC_PROTOCOL = "lattice/sync/v1";
/** Most transactions in one block (the payload byte cap usually binds first). */
export const MAX_BLOCK_TXS = 2048;
/** Most transactions in one gossip message. */
export const MAX_GOSSIP_TXS = 1024;
/** Most blocks in one sync answer. */
export const MAX_SYNC_BLOCKS = 64;
/** Byte budget of one sync answer's blocks: well inside one 1 MiB envelope. */
export const SYNC_BYTES_BUDGET = 768 * 1024;

export const BlockPayload = defineMessage({
  name: "ClusterBlockPayload",
  tag: 0x50,
  version: 1,
  fields: { txs: list(bytesMax(MAX_TRANSFER_BYTES), MAX_BLOCK_TXS) },
});
export type BlockPayload = Infer<typeof BlockPayload>;

export const TxGossip = defineMessage({
  name: "ClusterTxGossip",
  tag: 0x51,
  version: 1,
  fields: { txs: list(bytesMax(MAX_TRANSFER_BYTES), MAX_GOSSIP_TXS) },
});
export type TxGossip = Infer<typeof TxGossip>;

/** "Send me finalized blocks from height `from` on (at most `max`)". */
export const SyncRequest = defineMessage({
  name: "ClusterSyncRequest",
  tag: 0x52,
  version: 1,
  fields: { chain: bytes(32), from: uint53, max: u16 },
});
export type SyncRequest = Infer<typeof SyncRequest>;

/**
 * Finalized blocks `from`.. in height order (possibly none), the finalization certificate of the last
 * one (null when no block is sent), and the sender's finalized height.
 */
export const SyncResponse = defineMessage({
  name: "ClusterSyncResponse",
  tag: 0x53,
  version: 1,
  fields: {
    chain: bytes(32),
    tip: uint53,
    blocks: list(Block, MAX_SYNC_BLOCKS),
    cert: optional(Certificate),
  },
});
export type SyncResponse = Infer<typeof SyncResponse>;

export const clusterWire = registry([TxGossip, SyncRequest, SyncResponse]);

/** Encode a block payload; the caller keeps it under Simplex's payload cap (see `payloadFits`). */
export function encodeBlockPayload(txs: readonly Uint8Array[]): Uint8Array {
  return BlockPayload.encode({ txs });
}

/**
 * The transactions of a payload, or null when it is not a canonical `BlockPayload` (an honest replica
 * never notarizes such a block; if one is finalized anyway it applies as empty, identically everywhere).
 */
export function decodeBlockPayload(payload: Uint8Array): readonly Uint8Array[] | null {
  try {
    return BlockPayload.decode(payload, { maxBytes: MAX_PAYLOAD_BYTES }).txs;
  } catch {
    return null;
  }
}

/** Upper bound of an encoded payload of `count` transactions totalling `bytes` bytes. */
export function payloadBound(count: number, bytes: number): number {
  // Array heads (<= 5 bytes) + per item a byte-string head of at most 3 bytes.
  return 16 + bytes + 3 * count;
}

/** Room left for transactions in a block payload. */
export const PAYLOAD_BUDGET = MAX_PAYLOAD_BYTES - 64;
