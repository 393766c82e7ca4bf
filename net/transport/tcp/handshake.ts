/**
 * The TCP session handshake (ARCHITECTURE.md "Network": a handshake that proves both node identities and
 * derives session keys; X25519 + ChaCha20-Poly1305 from noble: authenticated, encrypted, forward-secret).
 * A SIGMA-style exchange, pure functions over bytes so it is tested without sockets:
 *
 *   1. initiator -> responder  HELLO   magic ‖ 1 ‖ sI ‖ eI                 (69 bytes)
 *   2. responder -> initiator  REPLY   magic ‖ 2 ‖ sR ‖ eR ‖ sigR          (133 bytes)
 *   3. initiator -> responder  FINISH  magic ‖ 3 ‖ sigI                    (69 bytes)
 *
 * `s` are static Ed25519 node keys, `e` fresh X25519 ephemerals. transcript = eI ‖ eR ‖ sI ‖ sR (fixed
 * widths, so unambiguous). sigR = Ed25519(sR, "handshake/responder/v1", transcript) and sigI likewise with
 * "handshake/initiator/v1" (distinct tags: a side cannot reflect the other's signature). Keys:
 * HKDF-SHA256(ikm = X25519(eI, eR), salt = SHA-256(transcript), info = "lattice/tcp/v1 i2r" | "... r2i").
 * Forward secrecy comes from the ephemerals (discarded after the handshake); identity from the signatures
 * over both ephemerals. The initiator aborts unless sR is the node it meant to reach; a bad signature or
 * a malformed message aborts on either side. magic = "LTC" ‖ 0x01 (protocol version).
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from "../../../core/crypto/bytes.ts";
import { type KeyPair, signTagged, verifyTagged } from "../../../core/crypto/ed25519.ts";
import { LatticeError } from "../../../core/errors/lattice-error.ts";
import type { NodeId } from "../../../core/engine/engine.ts";

const MAGIC = Uint8Array.of(0x4c, 0x54, 0x43, 0x01);
/** Largest handshake message: the frame cap while a connection is not yet authenticated. */
export const MAX_HANDSHAKE_BYTES = 133;
const HELLO_BYTES = 69;
const REPLY_BYTES = 133;
const FINISH_BYTES = 69;

/** Keys of an established session. */
export interface SessionKeys {
  readonly peer: NodeId;
  /** Key for frames this side sends. */
  readonly sendKey: Uint8Array;
  /** Key for frames this side receives. */
  readonly receiveKey: Uint8Array;
}

/** Why a handshake failed: `HANDSHAKE_MALFORMED`, `HANDSHAKE_BAD_SIGNATURE`, `HANDSHAKE_WRONG_PEER`, `HANDSHAKE_BAD_KEY`. */
export class HandshakeError extends LatticeError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = "HandshakeError";
  }
}

function header(msg: Uint8Array, type: number, size: number): void {
  if (msg.length !== size || !equalBytes(msg.subarray(0, 4), MAGIC) || msg[4] !== type) {
    throw new HandshakeError("HANDSHAKE_MALFORMED", `expected handshake message ${type} of ${size} bytes`);
  }
}

function deriveKeys(shared: Uint8Array, transcript: Uint8Array): { i2r: Uint8Array; r2i: Uint8Array } {
  if (shared.every((b) => b === 0)) throw new HandshakeError("HANDSHAKE_BAD_KEY", "low-order ephemeral key");
  const salt = sha256(transcript);
  return {
    i2r: hkdf(sha256, shared, salt, utf8("lattice/tcp/v1 i2r"), 32),
    r2i: hkdf(sha256, shared, salt, utf8("lattice/tcp/v1 r2i"), 32),
  };
}

function ecdh(secret: Uint8Array, pub: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(secret, pub);
  } catch (cause) {
    throw new HandshakeError("HANDSHAKE_BAD_KEY", `bad ephemeral key: ${String(cause)}`);
  }
}

/** Initiator side. `random` supplies the ephemeral secret (32 bytes). */
export class InitiatorHandshake {
  private readonly eSecret: Uint8Array;
  private readonly ePublic: Uint8Array;
  constructor(
    private readonly identity: KeyPair,
    private readonly expectedPeer: NodeId,
    random: (n: number) => Uint8Array,
  ) {
    this.eSecret = random(32);
    this.ePublic = x25519.getPublicKey(this.eSecret);
  }

  hello(): Uint8Array {
    return concatBytes(MAGIC, Uint8Array.of(1), this.identity.publicKey, this.ePublic);
  }

  /** Process REPLY; returns FINISH and the session keys, or throws `HandshakeError`. */
  finish(reply: Uint8Array): { finish: Uint8Array; keys: SessionKeys } {
    header(reply, 2, REPLY_BYTES);
    const sR = reply.subarray(5, 37);
    const eR = reply.subarray(37, 69);
    const sigR = reply.subarray(69, 133);
    if (toHex(sR) !== this.expectedPeer) {
      throw new HandshakeError(
        "HANDSHAKE_WRONG_PEER",
        `expected ${this.expectedPeer.slice(0, 12)}, met ${toHex(sR).slice(0, 12)}`,
      );
    }
    const transcript = concatBytes(this.ePublic, eR, this.identity.publicKey, sR);
    if (!verifyTagged(sR, "handshake/responder/v1", transcript, sigR)) {
      throw new HandshakeError("HANDSHAKE_BAD_SIGNATURE", "responder signature does not verify");
    }
    const k = deriveKeys(ecdh(this.eSecret, eR), transcript);
    const sigI = signTagged(this.identity.secretKey, "handshake/initiator/v1", transcript);
    this.eSecret.fill(0);
    return {
      finish: concatBytes(MAGIC, Uint8Array.of(3), sigI),
      keys: { peer: this.expectedPeer, sendKey: k.i2r, receiveKey: k.r2i },
    };
  }
}

/** Responder side. */
export class ResponderHandshake {
  private readonly eSecret: Uint8Array;
  private readonly ePublic: Uint8Array;
  private transcript: Uint8Array | undefined;
  private keys: { i2r: Uint8Array; r2i: Uint8Array } | undefined;
  /** The initiator's claimed identity, known after `reply` (proved only after `complete`). */
  peer: NodeId | undefined;

  constructor(
    private readonly identity: KeyPair,
    random: (n: number) => Uint8Array,
  ) {
    this.eSecret = random(32);
    this.ePublic = x25519.getPublicKey(this.eSecret);
  }

  /** Process HELLO; returns REPLY. */
  reply(hello: Uint8Array): Uint8Array {
    header(hello, 1, HELLO_BYTES);
    const sI = hello.slice(5, 37);
    const eI = hello.slice(37, 69);
    if (equalBytes(sI, this.identity.publicKey))
      throw new HandshakeError("HANDSHAKE_WRONG_PEER", "connection to self");
    this.transcript = concatBytes(eI, this.ePublic, sI, this.identity.publicKey);
    this.keys = deriveKeys(ecdh(this.eSecret, eI), this.transcript);
    this.eSecret.fill(0);
    this.peer = toHex(sI);
    const sigR = signTagged(this.identity.secretKey, "handshake/responder/v1", this.transcript);
    return concatBytes(MAGIC, Uint8Array.of(2), this.identity.publicKey, this.ePublic, sigR);
  }

  /** Process FINISH; returns the session keys once the initiator has proved its identity. */
  complete(finish: Uint8Array): SessionKeys {
    header(finish, 3, FINISH_BYTES);
    if (this.transcript === undefined || this.keys === undefined || this.peer === undefined) {
      throw new HandshakeError("HANDSHAKE_MALFORMED", "FINISH before HELLO");
    }
    if (
      !verifyTagged(fromHex(this.peer), "handshake/initiator/v1", this.transcript, finish.subarray(5, 69))
    ) {
      throw new HandshakeError("HANDSHAKE_BAD_SIGNATURE", "initiator signature does not verify");
    }
    return { peer: this.peer, sendKey: this.keys.r2i, receiveKey: this.keys.i2r };
  }
}
