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
 *
 * Hot path (bench/net.ts): because both messages are canonical and share the field run `from..payload`,
 * the envelope is spliced from the signed body (and, on receipt, the signed body from the envelope)
 * instead of being encoded a second time; envelope.test.ts checks the splice against the codecs.
 * Hex ids are converted through a small cache: the same few peers recur on every frame.
 */
import { type Destination, destinationKey, type NodeId } from "../../core/engine/engine.ts";
import { defineMessage } from "../../core/codec/message.ts";
import { bytes, bytesMax, text, u8, uint53 } from "../../core/codec/schema.ts";
import { DecodeError } from "../../core/codec/decode-error.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { nativeEd25519, signingBytes, signTagged } from "../../core/crypto/ed25519.ts";
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

// The canonical bytes of the fields `from..payload` of each envelope `decodeEnvelope` returned. Kept
// beside the object, not in it: a copy with edited fields must not carry the original bytes along.
const receivedFields = new WeakMap<Envelope, Uint8Array>();

// Canonical heads: a 10-item array, a one-byte-extended tag, version 1; a 32- and a 64-byte string.
const ENVELOPE_HEAD = Uint8Array.of(0x8a, 0x18, 0x30, ENVELOPE_VERSION);
const BODY_HEAD = Uint8Array.of(0x8a, 0x18, 0x31, ENVELOPE_VERSION, 0x58, 0x20);
const SIG_HEAD = Uint8Array.of(0x58, 0x40);
const SIG_FIELD_BYTES = 2 + 64;
const SIGNING_PREFIX = signingBytes(ENVELOPE_SIG_TAG, new Uint8Array(0));

const idCache = new Map<string, Uint8Array>();
/** Bytes of a hex id, cached (bounded; a miss only costs a parse). Callers never mutate the result. */
function idBytes(hex: string, field: string): Uint8Array {
  let b = idCache.get(hex);
  if (b === undefined) {
    b = fromHex(hex, field);
    if (idCache.size >= 4096) idCache.clear();
    idCache.set(hex, b);
  }
  return b;
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
  const base = { from: idBytes(from, "from"), protocol, seq, payload };
  switch (to.kind) {
    case "engine":
      return { ...base, toKind: 0, toId: idBytes(to.engine, "to.engine"), toTopic: "" };
    case "topic":
      return { ...base, toKind: 1, toId: idBytes(to.domain, "to.domain"), toTopic: to.topic };
    case "domain":
      return { ...base, toKind: 2, toId: idBytes(to.domain, "to.domain"), toTopic: "" };
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
  const body = EnvelopeBodyCodec.encode({ receiver: idBytes(receiver, "receiver"), ...w });
  const sig = signTagged(nodeSecret, ENVELOPE_SIG_TAG, body);
  // Envelope = head ‖ the body's field run after the receiver ‖ sig (same bytes as EnvelopeCodec.encode).
  const fields = body.subarray(BODY_HEAD.length + 32);
  const out = new Uint8Array(ENVELOPE_HEAD.length + fields.length + SIG_FIELD_BYTES);
  out.set(ENVELOPE_HEAD, 0);
  out.set(fields, ENVELOPE_HEAD.length);
  out.set(SIG_HEAD, ENVELOPE_HEAD.length + fields.length);
  out.set(sig, ENVELOPE_HEAD.length + fields.length + SIG_HEAD.length);
  return out;
}

/** Decode envelope bytes (no signature check). Throws `DecodeError`. */
export function decodeEnvelope(frame: Uint8Array): Envelope {
  const w = EnvelopeCodec.decode(frame, { maxBytes: MAX_FRAME_BYTES, maxDepth: 2, maxItems: 16 });
  const e: Envelope = {
    from: toHex(w.from),
    to: fromWire(w),
    protocol: w.protocol,
    seq: w.seq,
    payload: w.payload,
    sig: w.sig,
  };
  // Canonical decode fixed every byte, so the field run sits between the 4-byte head and the sig.
  receivedFields.set(e, frame.subarray(ENVELOPE_HEAD.length, frame.length - SIG_FIELD_BYTES));
  return e;
}

/** The exact bytes `sender` signed for `e` addressed to `receiver` (purpose prefix included). */
export function envelopeSigningBytes(e: Envelope, receiver: NodeId): Uint8Array {
  const fields =
    receivedFields.get(e) ??
    EnvelopeBodyCodec.encode({
      receiver: idBytes(receiver, "receiver"),
      ...toWire(e.from, e.to, e.protocol, e.seq, e.payload),
    }).subarray(BODY_HEAD.length + 32);
  const out = new Uint8Array(SIGNING_PREFIX.length + BODY_HEAD.length + 32 + fields.length);
  out.set(SIGNING_PREFIX, 0);
  out.set(BODY_HEAD, SIGNING_PREFIX.length);
  out.set(idBytes(receiver, "receiver"), SIGNING_PREFIX.length + BODY_HEAD.length);
  out.set(fields, SIGNING_PREFIX.length + BODY_HEAD.length + 32);
  return out;
}

/** True when `e.sig` is `sender`'s signature of `e` addressed to `receiver`. Never throws. */
export function verifyEnvelope(e: Envelope, sender: NodeId, receiver: NodeId): boolean {
  try {
    return nativeEd25519.verify(idBytes(sender, "sender"), envelopeSigningBytes(e, receiver), e.sig);
  } catch {
    return false;
  }
}

/** Short human form for logs. */
export function describeEnvelope(e: Envelope): string {
  return `${e.protocol} ${e.from.slice(0, 8)}->${destinationKey(e.to)} #${e.seq}`;
}
