/**
 * Signed inter-node envelopes (seed 003 "Routing": every message is authenticated by a signature, addressed
 * to an identity and carries a versioned protocol id; ARCHITECTURE.md "Network": `{v, from, to, protocol,
 * seq, payload, sig}`).
 *
 * Wire form: the canonical message `[0x30, 1, from, toKind, toId, toTopic, protocol, seq, payload, sig]`
 * (core/codec, so the bytes are the only encoding of the value). `to` is flattened into three fields:
 * kind 0 = engine (toId = engine key), 1 = topic (toId = domain, toTopic = name), 2 = domain (anycast);
 * toTopic is empty unless kind is 1.
 *
 * Signature: Ed25519 by the SENDING NODE's key, purpose tag `envelope/v1`, over the canonical
 * `EnvelopeBody` = `[0x31, 1, receiverNode, from, toKind, toId, toTopic, protocol, seq, payload]`. Binding
 * the receiving node means an envelope cannot be replayed to a third node; verifying against the
 * transport-authenticated peer means a relay cannot pass off another node's bytes. `from` is the engine
 * the node speaks for.
 *
 * Guarantees: `decodeEnvelope` throws only `DecodeError`; `openEnvelope` checks the signature over the
 * decoded (hence canonical) fields before anything else looks at them.
 */
import { type Destination, destinationKey, type NodeId } from "../../core/engine/engine.ts";
import { defineMessage } from "../../core/codec/message.ts";
import { bytes, bytesMax, text, u8, uint53 } from "../../core/codec/schema.ts";
import { DecodeError } from "../../core/codec/decode-error.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { signTagged, verifyTagged } from "../../core/crypto/ed25519.ts";
import { MAX_FRAME_BYTES } from "../transport/transport.ts";

/** Envelope format version. */
export const ENVELOPE_VERSION = 1;
/** Signature purpose tag. */
export const ENVELOPE_SIG_TAG = "envelope/v1";
/** Longest protocol identifier, in UTF-8 bytes. */
export const MAX_PROTOCOL_BYTES = 64;
/** Longest topic name, in UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 128;
// Room for the envelope's own fields inside one frame.
const ENVELOPE_OVERHEAD = 512;
/** Largest payload one envelope carries. */
export const MAX_PAYLOAD_BYTES = MAX_FRAME_BYTES - ENVELOPE_OVERHEAD;

const fields = {
  from: bytes(32),
  toKind: u8,
  toId: bytes(32),
  toTopic: text(MAX_TOPIC_BYTES),
  protocol: text(MAX_PROTOCOL_BYTES),
  seq: uint53,
  payload: bytesMax(MAX_PAYLOAD_BYTES),
};

const EnvelopeCodec = defineMessage({
  name: "Envelope",
  tag: 0x30,
  version: ENVELOPE_VERSION,
  fields: { ...fields, sig: bytes(64) },
});

const EnvelopeBodyCodec = defineMessage({
  name: "EnvelopeBody",
  tag: 0x31,
  version: ENVELOPE_VERSION,
  fields: { receiver: bytes(32), ...fields },
});

/** A decoded envelope with ids as hex. */
export interface Envelope {
  readonly from: string;
  readonly to: Destination;
  readonly protocol: string;
  readonly seq: number;
  readonly payload: Uint8Array;
  readonly sig: Uint8Array;
}

type WireFields = {
  from: Uint8Array;
  toKind: number;
  toId: Uint8Array;
  toTopic: string;
  protocol: string;
  seq: number;
  payload: Uint8Array;
};

function toWire(
  from: string,
  to: Destination,
  protocol: string,
  seq: number,
  payload: Uint8Array,
): WireFields {
  const base = { from: fromHex(from, "from"), protocol, seq, payload };
  switch (to.kind) {
    case "engine":
      return { ...base, toKind: 0, toId: fromHex(to.engine, "to.engine"), toTopic: "" };
    case "topic":
      return { ...base, toKind: 1, toId: fromHex(to.domain, "to.domain"), toTopic: to.topic };
    case "domain":
      return { ...base, toKind: 2, toId: fromHex(to.domain, "to.domain"), toTopic: "" };
  }
}

function fromWire(w: WireFields): Destination {
  const id = toHex(w.toId);
  if (w.toKind !== 1 && w.toTopic !== "") {
    throw new DecodeError(
      "DECODE_SHAPE",
      "Envelope.toTopic",
      "must be empty unless the destination is a topic",
    );
  }
  switch (w.toKind) {
    case 0:
      return { kind: "engine", engine: id };
    case 1:
      return { kind: "topic", domain: id, topic: w.toTopic };
    case 2:
      return { kind: "domain", domain: id };
    default:
      throw new DecodeError("DECODE_RANGE", "Envelope.toKind", `unknown destination kind ${w.toKind}`);
  }
}

/** Build and sign an envelope from this node (`nodeSecret`) to `receiver`; returns its wire bytes. */
export function sealEnvelope(
  nodeSecret: Uint8Array,
  receiver: NodeId,
  e: { from: string; to: Destination; protocol: string; seq: number; payload: Uint8Array },
): Uint8Array {
  const w = toWire(e.from, e.to, e.protocol, e.seq, e.payload);
  const body = EnvelopeBodyCodec.encode({ receiver: fromHex(receiver, "receiver"), ...w });
  const sig = signTagged(nodeSecret, ENVELOPE_SIG_TAG, body);
  return EnvelopeCodec.encode({ ...w, sig });
}

/** Decode envelope bytes (no signature check). Throws `DecodeError`. */
export function decodeEnvelope(frame: Uint8Array): Envelope {
  const w = EnvelopeCodec.decode(frame, { maxBytes: MAX_FRAME_BYTES, maxDepth: 2, maxItems: 16 });
  return {
    from: toHex(w.from),
    to: fromWire(w),
    protocol: w.protocol,
    seq: w.seq,
    payload: w.payload,
    sig: w.sig,
  };
}

/** True when `e.sig` is `sender`'s signature of `e` addressed to `receiver`. Never throws. */
export function verifyEnvelope(e: Envelope, sender: NodeId, receiver: NodeId): boolean {
  try {
    const w = toWire(e.from, e.to, e.protocol, e.seq, e.payload);
    const body = EnvelopeBodyCodec.encode({ receiver: fromHex(receiver, "receiver"), ...w });
    return verifyTagged(fromHex(sender, "sender"), ENVELOPE_SIG_TAG, body, e.sig);
  } catch {
    return false;
  }
}

/** Short human form for logs. */
export function describeEnvelope(e: Envelope): string {
  return `${e.protocol} ${e.from.slice(0, 8)}->${destinationKey(e.to)} #${e.seq}`;
}
