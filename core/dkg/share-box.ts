/**
 * Share boxes: how a dealer makes the shares it posts to a *public* log readable by their
 * recipients only (seed 001 "dealerless DKG"; ARCHITECTURE.md "Crypto is an injected suite").
 *
 * `x25519ShareBox` (real; the default): ECIES. Per Deal the dealer draws one ephemeral X25519
 * key e; for recipient j with encryption key P_j:
 *   ikm  = X25519(e, P_j)
 *   info = "lattice/dkg-share/v1" ‖ E ‖ P_j ‖ u16 dealer ‖ u16 recipient
 *   key  = HKDF-SHA256(ikm, salt = session, info, 32)
 *   ct   = ChaCha20-Poly1305(key, nonce = 0^12, aad = info).encrypt(share)
 * A key encrypts exactly one message (it depends on the fresh E and on P_j), so the fixed nonce
 * is safe; the session salt and the indices in `info` stop a ciphertext being replayed into
 * another DKG or another slot. Cost: one X25519 (~1 ms in pure JS) per recipient per deal.
 *
 * `modelShareBox` (⚠️ INSECURE, simulator only): a SHA-256 keystream derived from *public*
 * values plus a 16-byte check tag. Same sizes and the same failure semantics (a tampered or
 * misdirected ciphertext does not open), ~100x cheaper; anyone can read it.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 as sha256Noble } from "@noble/hashes/sha2.js";
import { concatBytes, equalBytes, utf8 } from "../crypto/bytes.ts";
import { sha256 } from "../crypto/sha256.ts";
import type { RandomBytes } from "../threshold/group.ts";

export const BOX_KEY_BYTES = 32;
export const BOX_OVERHEAD = 16;

/** Where a ciphertext belongs: binds it to one DKG, one dealer and one recipient. */
export interface BoxSlot {
  readonly session: Uint8Array;
  readonly dealer: number;
  readonly recipient: number;
}

export interface ShareBox {
  readonly name: string;
  readonly secure: boolean;
  /** Seal `plaintexts[j-1]` to `recipientKeys[j-1]` for every member j (indices are 1-based). */
  seal(
    session: Uint8Array,
    dealer: number,
    recipientKeys: readonly Uint8Array[],
    plaintexts: readonly Uint8Array[],
    random: RandomBytes,
  ): { ephemeralKey: Uint8Array; ciphertexts: Uint8Array[] };
  /** The plaintext, or undefined if the ciphertext does not open for this slot and key. */
  open(
    slot: BoxSlot,
    recipientSecret: Uint8Array,
    recipientKey: Uint8Array,
    ephemeralKey: Uint8Array,
    ciphertext: Uint8Array,
  ): Uint8Array | undefined;
}

/** An X25519 key pair for share boxes, from injected randomness. */
export function boxKeyPair(random: RandomBytes): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = random(BOX_KEY_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The X25519 public key of a box secret key. */
export function boxPublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
const ZERO_NONCE = new Uint8Array(12);
const X25519_INFO = utf8("lattice/dkg-share/v1");

function slotInfo(prefix: Uint8Array, eph: Uint8Array, recipientKey: Uint8Array, slot: BoxSlot): Uint8Array {
  return concatBytes(prefix, eph, recipientKey, u16(slot.dealer), u16(slot.recipient));
}

function x25519Key(shared: Uint8Array, slot: BoxSlot, info: Uint8Array): Uint8Array {
  return hkdf(sha256Noble, shared, slot.session, info, 32);
}

/** The real share box: X25519 + HKDF-SHA256 + ChaCha20-Poly1305 (see the module header). */
export const x25519ShareBox: ShareBox = {
  name: "x25519-hkdf-chacha20poly1305",
  secure: true,
  seal(session, dealer, recipientKeys, plaintexts, random) {
    const e = random(BOX_KEY_BYTES);
    const ephemeralKey = x25519.getPublicKey(e);
    const ciphertexts = recipientKeys.map((pk, i) => {
      const slot = { session, dealer, recipient: i + 1 };
      const info = slotInfo(X25519_INFO, ephemeralKey, pk, slot);
      let shared: Uint8Array;
      try {
        shared = x25519.getSharedSecret(e, pk);
      } catch {
        // A low-order recipient key: nobody can open this slot; the recipient will complain
        // and the share gets revealed publicly instead. Keep the ciphertext size uniform.
        return new Uint8Array((plaintexts[i]?.length ?? 0) + BOX_OVERHEAD);
      }
      return chacha20poly1305(x25519Key(shared, slot, info), ZERO_NONCE, info).encrypt(plaintexts[i]!);
    });
    return { ephemeralKey, ciphertexts };
  },
  open(slot, recipientSecret, recipientKey, ephemeralKey, ciphertext) {
    try {
      const shared = x25519.getSharedSecret(recipientSecret, ephemeralKey);
      const info = slotInfo(X25519_INFO, ephemeralKey, recipientKey, slot);
      return chacha20poly1305(x25519Key(shared, slot, info), ZERO_NONCE, info).decrypt(ciphertext);
    } catch {
      return undefined;
    }
  },
};

const MODEL_INFO = utf8("lattice/model-box/v1");

function modelPad(slot: BoxSlot, recipientKey: Uint8Array, eph: Uint8Array): Uint8Array {
  return sha256(slotInfo(MODEL_INFO, eph, recipientKey, slot), slot.session);
}

function modelTag(pad: Uint8Array, body: Uint8Array): Uint8Array {
  return sha256(pad, body).subarray(0, BOX_OVERHEAD);
}

/** ⚠️ INSECURE simulator box: anyone can open it. Same sizes and failure semantics as the real one. */
export const modelShareBox: ShareBox = {
  name: "model-box",
  secure: false,
  seal(session, dealer, recipientKeys, plaintexts, random) {
    const ephemeralKey = random(BOX_KEY_BYTES);
    const ciphertexts = recipientKeys.map((pk, i) => {
      const pt = plaintexts[i]!;
      if (pt.length > 32) throw new RangeError("modelShareBox: plaintext longer than 32 bytes");
      const pad = modelPad({ session, dealer, recipient: i + 1 }, pk, ephemeralKey);
      const body = pt.map((b, k) => b ^ pad[k]!);
      return concatBytes(body, modelTag(pad, body));
    });
    return { ephemeralKey, ciphertexts };
  },
  open(slot, _recipientSecret, recipientKey, ephemeralKey, ciphertext) {
    if (ciphertext.length < BOX_OVERHEAD || ciphertext.length > 32 + BOX_OVERHEAD) return undefined;
    const pad = modelPad(slot, recipientKey, ephemeralKey);
    const body = ciphertext.subarray(0, ciphertext.length - BOX_OVERHEAD);
    if (!equalBytes(modelTag(pad, body), ciphertext.subarray(ciphertext.length - BOX_OVERHEAD)))
      return undefined;
    return body.map((b, k) => b ^ pad[k]!);
  },
};
