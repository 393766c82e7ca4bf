/**
 * Wire and signing formats of batches, verdict shares and batch certificates (ARCHITECTURE.md "WAN
 * consensus" steps 3-4; seed 001 "Farmer-Harvester Model": votes are batched so that threshold signatures
 * are never made per transaction, the cost rule).
 *
 * WAN message tags: 0x60..0x6f (this folder 0x60..0x63; proposal 0x64..0x65; convergence 0x66..0x67;
 * certificate 0x68..0x69; election 0x6a). Every message is canonical CBOR via core/codec:
 *   Batch          = [0x60, 1, epoch, quorum, batcher, seq, prev, txs]
 *     epoch   uint53      election epoch whose quorum key certifies it
 *     quorum  bytes(32)   entry quorum id
 *     batcher bytes(32)   the batcher's engine id (Ed25519 public key)
 *     seq     uint53      k: the batcher's batch counter in this epoch, from 0
 *     prev    bytes(32)   digest of batch k-1 of this batcher (32 zero bytes for k = 0): the chain
 *     txs     list(bytes) canonical transfers, at most MAX_BATCH_TXS
 *   digest = taggedHash("lattice/wan/batch", encode(Batch))
 *   VerdictSigning = [0x61, 1, epoch, quorum, digest, bitmap]  the bytes every share signs, under the
 *     threshold domain tag "lattice/batch-verdict/v1"; bitmap bit i (byte i >> 3, bit i & 7) = tx i valid.
 *     The verdict is inside the signed bytes: a share cannot be counted for another verdict (Versatus signed
 *     the transaction only: core-anchors.md §1.9 item 2).
 *   BatchShare     = [0x62, 1, epoch, quorum, digest, bitmap, share]  share = scheme share bytes (index ‖ sig)
 *   BatchCertificate = [0x63, 1, epoch, quorum, digest, bitmap, signature]  verifiable with the quorum's
 *     public key alone.
 */
import { defineMessage } from "../../codec/message.ts";
import { bytes, bytesMax, list, uint53 } from "../../codec/schema.ts";
import { MAX_TRANSFER_BYTES } from "../../tx/transfer.ts";

export const MAX_BATCH_TXS = 1024;
export const MAX_BITMAP_BYTES = MAX_BATCH_TXS / 8;
/** Room for a BLS G2 signature share (2 + 96 bytes) or a model share; checked by the scheme's decoder. */
export const MAX_SIG_BYTES = 128;
export const BATCH_VERDICT_TAG = "lattice/batch-verdict/v1";
export const WAN_PROTOCOL = "lattice/wan/v1";

export const BatchCodec = defineMessage({
  name: "Batch",
  tag: 0x60,
  version: 1,
  fields: {
    epoch: uint53,
    quorum: bytes(32),
    batcher: bytes(32),
    seq: uint53,
    prev: bytes(32),
    txs: list(bytesMax(MAX_TRANSFER_BYTES), MAX_BATCH_TXS),
  },
});

export const VerdictSigningCodec = defineMessage({
  name: "VerdictSigning",
  tag: 0x61,
  version: 1,
  fields: { epoch: uint53, quorum: bytes(32), digest: bytes(32), bitmap: bytesMax(MAX_BITMAP_BYTES) },
});

export const BatchShareCodec = defineMessage({
  name: "BatchShare",
  tag: 0x62,
  version: 1,
  fields: {
    epoch: uint53,
    quorum: bytes(32),
    digest: bytes(32),
    bitmap: bytesMax(MAX_BITMAP_BYTES),
    share: bytesMax(MAX_SIG_BYTES),
  },
});

export const BatchCertificateCodec = defineMessage({
  name: "BatchCertificate",
  tag: 0x63,
  version: 1,
  fields: {
    epoch: uint53,
    quorum: bytes(32),
    digest: bytes(32),
    bitmap: bytesMax(MAX_BITMAP_BYTES),
    signature: bytesMax(MAX_SIG_BYTES),
  },
});

export interface Batch {
  readonly epoch: number;
  readonly quorum: Uint8Array;
  readonly batcher: Uint8Array;
  readonly seq: number;
  readonly prev: Uint8Array;
  readonly txs: readonly Uint8Array[];
}

export interface BatchCertificate {
  readonly epoch: number;
  readonly quorum: Uint8Array;
  readonly digest: Uint8Array;
  readonly bitmap: Uint8Array;
  readonly signature: Uint8Array;
}
