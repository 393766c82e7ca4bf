/**
 * The gossiped backpressure figure (seed 001, "Decentralized Task Scheduler": "the scheduler also possesses
 * insights into the backpressure of other quorums ... this mechanism operates asynchronously").
 *
 * Wire format (canonical CBOR, core/codec), tag 0x70 (the scheduler's tag; WAN messages use 0x60..0x6f):
 *   BackpressureFigure = [0x70, 1, quorum, member, seq, pMilli]
 *     quorum  bytes(32)  the sender's quorum id
 *     member  bytes(32)  the sender's engine id (public key)
 *     seq     uint53     per-member counter: a reordered older figure never replaces a newer one
 *     pMilli  u32        round(1000 P): canonical encodings have no floats, and 1/1000 is finer than any
 *                        decision the scheduler takes on it
 * Authenticity comes from the envelope (the router verifies the sender); the receiver checks that `member`
 * is the envelope's sender.
 */
import { defineMessage } from "../codec/message.ts";
import { bytes, u32, uint53 } from "../codec/schema.ts";

export const FIGURE_TAG = 0x70;
export const SCHEDULER_PROTOCOL = "lattice/scheduler/v1";

export const BackpressureFigure = defineMessage({
  name: "BackpressureFigure",
  tag: FIGURE_TAG,
  version: 1,
  fields: { quorum: bytes(32), member: bytes(32), seq: uint53, pMilli: u32 },
});

/** P in thousandths, clamped to the u32 range (P = 1 + log10(1 + x) stays far below it in practice). */
export function toMilli(p: number): number {
  return Math.min(0xffff_ffff, Math.max(0, Math.round(p * 1000)));
}
