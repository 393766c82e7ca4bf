/**
 * Per-direction AEAD for an established TCP session: ChaCha20-Poly1305 (RFC 8439) with a 96-bit nonce made
 * of 4 zero bytes and a 64-bit little-endian frame counter. Each direction has its own key from the
 * handshake, so counters never collide across directions; the receiver's counter must match exactly,
 * which also rejects replayed, reordered or dropped frames inside the TCP stream (the stream is ordered,
 * so any mismatch is an attack or corruption and ends the session).
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { LatticeError } from "../../../core/errors/lattice-error.ts";

/** Authentication tag length added to every frame. */
export const AEAD_TAG_BYTES = 16;

export class SessionCipher {
  private counter = 0;
  private readonly nonce = new Uint8Array(12);
  private readonly view = new DataView(this.nonce.buffer);

  constructor(private readonly key: Uint8Array) {}

  private next(): Uint8Array {
    // 2^53 frames per session is beyond reach; the check keeps the nonce unique regardless.
    if (this.counter >= Number.MAX_SAFE_INTEGER)
      throw new LatticeError("NET_NONCE_EXHAUSTED", "session nonce space used up");
    this.view.setUint32(4, this.counter >>> 0, true);
    this.view.setUint32(8, Math.floor(this.counter / 4294967296), true);
    this.counter++;
    return this.nonce;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    return chacha20poly1305(this.key, this.next()).encrypt(plaintext);
  }

  /** Decrypt the next frame; throws `NET_DECRYPT_FAILED` on any authentication failure. */
  open(ciphertext: Uint8Array): Uint8Array {
    try {
      return chacha20poly1305(this.key, this.next()).decrypt(ciphertext);
    } catch (cause) {
      throw new LatticeError("NET_DECRYPT_FAILED", "frame failed authentication", { cause });
    }
  }
}
