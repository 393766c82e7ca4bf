import { describe, expect, test } from "bun:test";
import type { Destination } from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed, signingBytes, verifyTagged } from "../../core/crypto/ed25519.ts";
import { defineMessage } from "../../core/codec/message.ts";
import { bytes, bytesMax, text, u8, uint53 } from "../../core/codec/schema.ts";
import {
  decodeEnvelope,
  ENVELOPE_SIG_TAG,
  envelopeSigningBytes,
  MAX_PAYLOAD_BYTES,
  sealEnvelope,
  verifyEnvelope,
} from "./envelope.ts";

// The wire formats, written out again independently of envelope.ts's splicing.
const fields = {
  from: bytes(32),
  toKind: u8,
  toId: bytes(32),
  toTopic: text(128),
  protocol: text(64),
  seq: uint53,
  payload: bytesMax(MAX_PAYLOAD_BYTES),
};
const Env = defineMessage({ name: "Envelope", tag: 0x30, version: 1, fields: { ...fields, sig: bytes(64) } });
const Body = defineMessage({
  name: "EnvelopeBody",
  tag: 0x31,
  version: 1,
  fields: { receiver: bytes(32), ...fields },
});

const rng = new Prng(99);
const a = keyPairFromSeed(rng.bytes(32));
const A = toHex(a.publicKey);
const B = toHex(keyPairFromSeed(rng.bytes(32)).publicKey);

describe("envelope splicing equals the codecs", () => {
  test("sealed bytes are EnvelopeCodec bytes, signed over EnvelopeBody bytes, for every destination kind and size", () => {
    const dests: Destination[] = [
      { kind: "engine", engine: toHex(rng.bytes(32)) },
      { kind: "topic", domain: toHex(rng.bytes(32)), topic: "news/ünïcode" },
      { kind: "domain", domain: toHex(rng.bytes(32)) },
    ];
    for (const to of dests) {
      for (const size of [0, 1, 23, 24, 255, 256, 1024, 65_535, 65_536, 200_000]) {
        const payload = rng.bytes(size);
        const seq = rng.nextU32() * 256 + rng.int(0, 255);
        const frame = sealEnvelope(a.secretKey, B, { from: A, to, protocol: "p/v1", seq, payload });
        const w = {
          from: a.publicKey,
          toKind: to.kind === "engine" ? 0 : to.kind === "topic" ? 1 : 2,
          toId: Uint8Array.from(Buffer.from(to.kind === "engine" ? to.engine : to.domain, "hex")),
          toTopic: to.kind === "topic" ? to.topic : "",
          protocol: "p/v1",
          seq,
          payload,
        };
        const body = Body.encode({ receiver: Uint8Array.from(Buffer.from(B, "hex")), ...w });
        const env = decodeEnvelope(frame);
        expect(frame).toEqual(Env.encode({ ...w, sig: env.sig }));
        expect(envelopeSigningBytes(env, B)).toEqual(signingBytes(ENVELOPE_SIG_TAG, body));
        expect(verifyTagged(a.publicKey, ENVELOPE_SIG_TAG, body, env.sig)).toBe(true);
        expect(verifyEnvelope(env, A, B)).toBe(true);
      }
    }
  });

  test("a decoded envelope verifies only for its sender and receiver; an edited copy never verifies", () => {
    const frame = sealEnvelope(a.secretKey, B, {
      from: A,
      to: { kind: "engine", engine: B },
      protocol: "p/v1",
      seq: 7,
      payload: rng.bytes(100),
    });
    const env = decodeEnvelope(frame);
    expect(verifyEnvelope(env, A, B)).toBe(true);
    expect(verifyEnvelope(env, B, B)).toBe(false);
    expect(verifyEnvelope(env, A, A)).toBe(false);
    expect(verifyEnvelope({ ...env, seq: 8 }, A, B)).toBe(false);
    expect(verifyEnvelope({ ...env }, A, B)).toBe(true); // same fields, re-encoded
    expect(verifyEnvelope({ ...env, payload: rng.bytes(100) }, A, B)).toBe(false);
  });
});
