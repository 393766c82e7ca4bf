/**
 * Wire messages of the domain protocol `domain/v1` (seed 003 "Joining a domain", "Membership";
 * core-anchors §5.3 PSK join by HMAC and signed membership operations).
 *
 * - MemberOp    `[0x3a, 1, domain, author, epoch, seq, op, member, tags, value, counter]`: one CRDT
 *   operation, carried inside a `Signed` record (kind `member-op`, purpose tag `member-op/v1`) signed by
 *   `author`. (author, epoch, seq) numbers the author's operations from 0 within one epoch.
 *   `add`: tags = [the new tag, which starts with `author:`]; `remove`: tags = the observed tags it
 *   tombstones; `meta`: value and Lamport counter of the member's LWW register.
 * - JoinRequest `[0x3b, 1, domain, node, nonce, mac]`: mac = HMAC-SHA256(psk, (domain, node, nonce)) or
 *   empty in an open domain. The PSK itself never travels.
 * - JoinReply   `[0x3c, 1, domain, nonce, ok, reason, ops]`: the outcome for the request with `nonce`; on
 *   success, every signed operation the introducer holds.
 * - SyncDigest  `[0x3d, 1, domain, reply, heads]`: per (author, epoch), how many operations from seq 0
 *   on the sender holds without a gap.
 * - SyncOps     `[0x3e, 1, domain, ops]`: signed operations.
 */
import { defineMessage } from "../../core/codec/message.ts";
import { registry } from "../../core/codec/registry.ts";
import { bool, bytes, bytesMax, enumOf, list, text, uint53 } from "../../core/codec/schema.ts";
import { struct } from "../../core/codec/struct.ts";

export const DOMAIN_PROTOCOL = "domain/v1";
export const MEMBER_OPS = ["add", "remove", "meta"] as const;
export type MemberOpKind = (typeof MEMBER_OPS)[number];
/** Longest tag: 64 hex + two decimal numbers. */
export const MAX_TAG_BYTES = 96;
export const MAX_META_BYTES = 512;
/** Tags one remove may tombstone. */
export const MAX_REMOVE_TAGS = 64;
/** Largest encoded signed operation. */
export const MAX_OP_BYTES = 8192;
/** Operations per reply or sync message: 64 of the largest still fit one envelope (~530 KiB). */
export const MAX_OPS_PER_MESSAGE = 64;
/** (author, epoch) heads per digest. */
export const MAX_HEADS = 2048;
export const NONCE_BYTES = 16;

export const MemberOpCodec = defineMessage({
  name: "MemberOp",
  tag: 0x3a,
  version: 1,
  fields: {
    domain: bytes(32),
    author: bytes(32),
    epoch: uint53,
    seq: uint53,
    op: enumOf(MEMBER_OPS),
    member: bytes(32),
    tags: list(text(MAX_TAG_BYTES), MAX_REMOVE_TAGS),
    value: text(MAX_META_BYTES),
    counter: uint53,
  },
});

const JoinRequestCodec = defineMessage({
  name: "JoinRequest",
  tag: 0x3b,
  version: 1,
  fields: { domain: bytes(32), node: bytes(32), nonce: bytes(NONCE_BYTES), mac: bytesMax(32) },
});

const JoinReplyCodec = defineMessage({
  name: "JoinReply",
  tag: 0x3c,
  version: 1,
  fields: {
    domain: bytes(32),
    nonce: bytes(NONCE_BYTES),
    ok: bool,
    reason: text(32),
    ops: list(bytesMax(MAX_OP_BYTES), MAX_OPS_PER_MESSAGE),
  },
});

const SyncDigestCodec = defineMessage({
  name: "SyncDigest",
  tag: 0x3d,
  version: 1,
  fields: {
    domain: bytes(32),
    reply: bool,
    heads: list(struct({ author: bytes(32), epoch: uint53, count: uint53 }), MAX_HEADS),
  },
});

const SyncOpsCodec = defineMessage({
  name: "SyncOps",
  tag: 0x3e,
  version: 1,
  fields: { domain: bytes(32), ops: list(bytesMax(MAX_OP_BYTES), MAX_OPS_PER_MESSAGE) },
});

/** Decoder for every message of `domain/v1` (MemberOp travels only inside Signed records). */
export const DomainWire = registry([JoinRequestCodec, JoinReplyCodec, SyncDigestCodec, SyncOpsCodec]);
export { JoinReplyCodec, JoinRequestCodec, SyncDigestCodec, SyncOpsCodec };
