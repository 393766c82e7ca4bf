/**
 * Wire messages of advert anti-entropy (protocol `advert/v1`; seed 003 "disseminated over the network via
 * peer-to-peer protocols"):
 *
 * - AdvertDigest `[0x38, 1, reply, entries]`: (kind, id, version) of every advert the sender holds;
 *   `reply` asks the receiver to answer with its own digest when it lacks something.
 * - AdvertBatch  `[0x39, 1, adverts]`: signed adverts (signed.ts wire bytes), each verified on its own.
 *
 * Decoders throw only `DecodeError`; bounds keep one message well inside an envelope.
 */
import { defineMessage } from "../../core/codec/message.ts";
import { registry } from "../../core/codec/registry.ts";
import { bool, bytes, bytesMax, enumOf, list, uint53 } from "../../core/codec/schema.ts";
import { struct } from "../../core/codec/struct.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import type { DigestEntry } from "./advert-store.ts";
import { MAX_SIGNED_BYTES } from "./signed.ts";

export const ADVERT_PROTOCOL = "advert/v1";
/** Entries per digest: a digest of this many entries is ~48 KiB. */
export const MAX_DIGEST_ENTRIES = 1024;
/** Adverts per batch: bounded so a batch of the largest adverts still fits one envelope. */
export const MAX_BATCH_ADVERTS = 64;

const ADVERT_KINDS = ["node", "engine", "domain"] as const;

const AdvertDigestCodec = defineMessage({
  name: "AdvertDigest",
  tag: 0x38,
  version: 1,
  fields: {
    reply: bool,
    entries: list(struct({ kind: enumOf(ADVERT_KINDS), id: bytes(32), version: uint53 }), MAX_DIGEST_ENTRIES),
  },
});

const AdvertBatchCodec = defineMessage({
  name: "AdvertBatch",
  tag: 0x39,
  version: 1,
  fields: { adverts: list(bytesMax(MAX_SIGNED_BYTES), MAX_BATCH_ADVERTS) },
});

const wire = registry([AdvertDigestCodec, AdvertBatchCodec]);

export type GossipMessage =
  | { readonly type: "digest"; readonly reply: boolean; readonly entries: readonly DigestEntry[] }
  | { readonly type: "batch"; readonly adverts: readonly Uint8Array[] };

export function encodeDigest(reply: boolean, entries: readonly DigestEntry[]): Uint8Array {
  return AdvertDigestCodec.encode({
    reply,
    entries: entries.slice(0, MAX_DIGEST_ENTRIES).map((e) => ({
      kind: e.kind,
      id: fromHex(e.id, "id"),
      version: e.version,
    })),
  });
}

export function encodeBatch(adverts: readonly Uint8Array[]): Uint8Array {
  return AdvertBatchCodec.encode({ adverts });
}

/** Decode either message by its tag. Throws `DecodeError`. */
export function decodeGossip(payload: Uint8Array): GossipMessage {
  const m = wire.decode(payload);
  if (m.name === "AdvertBatch") return { type: "batch", adverts: m.value.adverts };
  return {
    type: "digest",
    reply: m.value.reply,
    entries: m.value.entries.map((e) => ({ kind: e.kind, id: toHex(e.id), version: e.version })),
  };
}
