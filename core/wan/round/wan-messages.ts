/**
 * The WAN engines' wire: one registry over every WAN message (tags 0x60..0x6f), plus the four messages that
 * exist only to carry the others (tags 0x6b..0x6e):
 *   TxForward            = [0x6b, 1, tx]                     a client transfer on its way to its batcher
 *   CertifiedBatch       = [0x6c, 1, batch, certificate]     a batch with its certificate: what every node
 *                                                            adds to its pool of certified transfers
 *   ConvergenceShare     = [0x6d, 1, epoch, round, block, stateRoot, share]  a harvester's vote
 *   CertifiedConvergence = [0x6e, 1, block, certificate]     a finalized round, for every node
 * Catch-up (a node that missed rounds fetches them from a peer), tags 0x71..0x72 (0x70 is the scheduler's):
 *   CatchUpRequest = [0x71, 1, from, to]                      rounds wanted (at most MAX_CATCHUP_ROUNDS)
 *   RoundArchive   = [0x72, 1, block, certificate, proposals, txs]  one finalized round: the certified
 *                    block, the proposals it merged and the transfers it kept; the receiver recomputes the
 *                    merge and appends only if it gives the certified roots, so a lying peer costs a retry
 * Nested messages are embedded as values (not byte strings), so the whole is one canonical encoding.
 */
import { defineMessage } from "../../codec/message.ts";
import { registry } from "../../codec/registry.ts";
import { bytes, bytesMax, list, uint53 } from "../../codec/schema.ts";
import { MAX_TRANSFER_BYTES } from "../../tx/transfer.ts";
import {
  BatchCertificateCodec,
  BatchCodec,
  BatchShareCodec,
  MAX_SIG_BYTES,
} from "../batch/batch-messages.ts";
import { ConvergenceCertificateCodec } from "../certificate/certification.ts";
import { ConvergenceBlockCodec } from "../convergence/convergence-block.ts";
import { ProposalBlockCodec } from "../proposal/proposal-block.ts";

export const TxForwardCodec = defineMessage({
  name: "TxForward",
  tag: 0x6b,
  version: 1,
  fields: { tx: bytesMax(MAX_TRANSFER_BYTES) },
});

export const CertifiedBatchCodec = defineMessage({
  name: "CertifiedBatch",
  tag: 0x6c,
  version: 1,
  fields: { batch: BatchCodec, certificate: BatchCertificateCodec },
});

export const ConvergenceShareCodec = defineMessage({
  name: "ConvergenceShare",
  tag: 0x6d,
  version: 1,
  fields: {
    epoch: uint53,
    round: uint53,
    block: bytes(32),
    stateRoot: bytes(32),
    share: bytesMax(MAX_SIG_BYTES),
  },
});

export const CertifiedConvergenceCodec = defineMessage({
  name: "CertifiedConvergence",
  tag: 0x6e,
  version: 1,
  fields: { block: ConvergenceBlockCodec, certificate: ConvergenceCertificateCodec },
});

/** Most rounds one catch-up request may ask for. */
export const MAX_CATCHUP_ROUNDS = 8;

export const CatchUpRequestCodec = defineMessage({
  name: "CatchUpRequest",
  tag: 0x71,
  version: 1,
  fields: { from: uint53, to: uint53 },
});

export const RoundArchiveCodec = defineMessage({
  name: "RoundArchive",
  tag: 0x72,
  version: 1,
  fields: {
    block: ConvergenceBlockCodec,
    certificate: ConvergenceCertificateCodec,
    proposals: list(ProposalBlockCodec, 256),
    txs: list(bytesMax(MAX_TRANSFER_BYTES), 8192),
  },
});

/** Every message a WAN engine accepts on `lattice/wan/v1`. */
export const wanWire = registry([
  TxForwardCodec,
  BatchCodec,
  BatchShareCodec,
  CertifiedBatchCodec,
  ProposalBlockCodec,
  ConvergenceBlockCodec,
  ConvergenceShareCodec,
  CertifiedConvergenceCodec,
  CatchUpRequestCodec,
  RoundArchiveCodec,
] as const);
