/**
 * Signed records of the network layer (seed 003 "Addressing": self-signed advertisements; core-anchors
 * §5.3: membership operations are signed blocks). One wrapper carries every kind:
 *
 *   Signed = [0x37, 1, kind, body, sig]
 *
 * `body` is the canonical bytes of the inner message (NodeAdvert 0x34, EngineAdvert 0x35, DomainAdvert
 * 0x36, MemberOp 0x3a), `kind` names which, and `sig` is Ed25519 with the purpose tag of that kind
 * (`advert/node/v1`, `advert/engine/v1`, `advert/domain/v1`, `member-op/v1`) over `body`. Who must have
 * signed is a field of the body (node, node, owner, author), so the record is self-certifying: no key
 * travels beside it.
 *
 * Guarantees: `decodeSigned` throws only `DecodeError` and returns bytes whose re-encoding is identical
 * (core/codec), so the signature is checked over the one encoding of the value.
 */
import { defineMessage } from "../../core/codec/message.ts";
import { bytes, bytesMax, enumOf } from "../../core/codec/schema.ts";
import { signTagged, verifyTagged } from "../../core/crypto/ed25519.ts";

/** What a signed record holds. Append only: the index is the wire value. */
export const SIGNED_KINDS = ["node", "engine", "domain", "member-op"] as const;
export type SignedKind = (typeof SIGNED_KINDS)[number];

/** Signature purpose tag per kind. */
export const SIGNED_PURPOSE: Readonly<Record<SignedKind, string>> = {
  node: "advert/node/v1",
  engine: "advert/engine/v1",
  domain: "advert/domain/v1",
  "member-op": "member-op/v1",
};

/** Largest body of a signed record. */
export const MAX_SIGNED_BODY = 8192;
/** Largest encoded signed record (body plus a few bytes of framing and the signature). */
export const MAX_SIGNED_BYTES = MAX_SIGNED_BODY + 96;

const SignedCodec = defineMessage({
  name: "Signed",
  tag: 0x37,
  version: 1,
  fields: { kind: enumOf(SIGNED_KINDS), body: bytesMax(MAX_SIGNED_BODY), sig: bytes(64) },
});

/** A decoded signed record; the signature is not yet checked. */
export interface SignedRecord {
  readonly kind: SignedKind;
  readonly body: Uint8Array;
  readonly sig: Uint8Array;
}

/** Sign `body` (canonical bytes of the inner message) as a record of `kind`. */
export function signRecord(secretKey: Uint8Array, kind: SignedKind, body: Uint8Array): Uint8Array {
  const sig = signTagged(secretKey, SIGNED_PURPOSE[kind], body);
  return SignedCodec.encode({ kind, body, sig });
}

/** Decode the wrapper. Throws `DecodeError`. */
export function decodeSigned(wire: Uint8Array): SignedRecord {
  return SignedCodec.decode(wire, { maxBytes: MAX_SIGNED_BYTES, maxDepth: 2, maxItems: 8 });
}

/** True when `signer` signed `r`. Never throws. */
export function verifyRecord(r: SignedRecord, signer: Uint8Array): boolean {
  try {
    return verifyTagged(signer, SIGNED_PURPOSE[r.kind], r.body, r.sig);
  } catch {
    return false;
  }
}
