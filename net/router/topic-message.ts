/**
 * Pub/sub messages (seed 003 "multicast (pub/sub)"; nspec `TopicMsg`): what travels inside an envelope
 * addressed to a topic. A topic message is signed by the node of the ORIGINAL publisher, so it stays
 * authentic when relayed hop by hop through a gossip overlay (each hop's envelope is signed by the relay).
 *
 * Wire: `[0x32, 1, origin, epoch, pubSeq, data, sig]`; signature tag `topic/v1` over
 * `[0x33, 1, domain, topic, from, protocol, origin, epoch, pubSeq, data]`. `pubSeq` counts per
 * (publisher engine, domain, topic) from 0 within one `epoch`; a publisher picks a larger epoch each
 * time it restarts, so receivers can tell a restart from a replay.
 */
import type { DomainId, EngineId, NodeId } from "../../core/engine/engine.ts";
import { defineMessage } from "../../core/codec/message.ts";
import { bytes, bytesMax, text, uint53 } from "../../core/codec/schema.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { signTagged, verifyTagged } from "../../core/crypto/ed25519.ts";
import { MAX_PAYLOAD_BYTES, MAX_PROTOCOL_BYTES, MAX_TOPIC_BYTES } from "./envelope.ts";

const TOPIC_SIG_TAG = "topic/v1";

const TopicMessageCodec = defineMessage({
  name: "TopicMessage",
  tag: 0x32,
  version: 1,
  fields: {
    origin: bytes(32),
    epoch: uint53,
    pubSeq: uint53,
    data: bytesMax(MAX_PAYLOAD_BYTES - 256),
    sig: bytes(64),
  },
});

const TopicBodyCodec = defineMessage({
  name: "TopicBody",
  tag: 0x33,
  version: 1,
  fields: {
    domain: bytes(32),
    topic: text(MAX_TOPIC_BYTES),
    from: bytes(32),
    protocol: text(MAX_PROTOCOL_BYTES),
    origin: bytes(32),
    epoch: uint53,
    pubSeq: uint53,
    data: bytesMax(MAX_PAYLOAD_BYTES - 256),
  },
});

/** A decoded topic message. */
export interface TopicMessage {
  readonly origin: NodeId;
  readonly epoch: number;
  readonly pubSeq: number;
  readonly data: Uint8Array;
  readonly sig: Uint8Array;
}

/** Where a topic message was published; part of what is signed. */
export interface TopicContext {
  readonly domain: DomainId;
  readonly topic: string;
  readonly from: EngineId;
  readonly protocol: string;
}

function body(
  ctx: TopicContext,
  origin: NodeId,
  epoch: number,
  pubSeq: number,
  data: Uint8Array,
): Uint8Array {
  return TopicBodyCodec.encode({
    domain: fromHex(ctx.domain, "domain"),
    topic: ctx.topic,
    from: fromHex(ctx.from, "from"),
    protocol: ctx.protocol,
    origin: fromHex(origin, "origin"),
    epoch,
    pubSeq,
    data,
  });
}

/** Sign and encode a topic message published by this node. */
export function sealTopicMessage(
  nodeSecret: Uint8Array,
  origin: NodeId,
  ctx: TopicContext,
  epoch: number,
  pubSeq: number,
  data: Uint8Array,
): Uint8Array {
  const sig = signTagged(nodeSecret, TOPIC_SIG_TAG, body(ctx, origin, epoch, pubSeq, data));
  return TopicMessageCodec.encode({ origin: fromHex(origin, "origin"), epoch, pubSeq, data, sig });
}

/** Decode (throws `DecodeError`). */
export function decodeTopicMessage(bytes_: Uint8Array): TopicMessage {
  const m = TopicMessageCodec.decode(bytes_);
  return { origin: toHex(m.origin), epoch: m.epoch, pubSeq: m.pubSeq, data: m.data, sig: m.sig };
}

/** Check the origin's signature. Never throws. */
export function verifyTopicMessage(m: TopicMessage, ctx: TopicContext): boolean {
  try {
    return verifyTagged(
      fromHex(m.origin),
      TOPIC_SIG_TAG,
      body(ctx, m.origin, m.epoch, m.pubSeq, m.data),
      m.sig,
    );
  } catch {
    return false;
  }
}
