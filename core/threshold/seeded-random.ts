/**
 * A deterministic random-byte stream from a seed: ChaCha20 keystream under key SHA-256(seed).
 * For tests, benchmarks and the simulator, where "random" must replay exactly from a printed
 * seed. Seeded with 32 bytes of real entropy it is a sound CSPRNG, but engines never choose
 * their own: the runtime injects the source.
 */
import { chacha20 } from "@noble/ciphers/chacha.js";
import { sha256 } from "../crypto/sha256.ts";
import { utf8 } from "../crypto/bytes.ts";
import type { RandomBytes } from "./group.ts";

const BLOCK = 4096;

/** A RandomBytes source that yields the same stream for the same seed. */
export function seededRandom(seed: string | Uint8Array): RandomBytes {
  const key = sha256(utf8("lattice/seeded-random/v1"), typeof seed === "string" ? utf8(seed) : seed);
  let counter = 0;
  let buf = new Uint8Array(0);
  let pos = 0;
  return (n: number): Uint8Array => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`random(n): bad length ${n}`);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (pos === buf.length) {
        // A fresh 12-byte nonce per block keeps every keystream block distinct.
        const nonce = new Uint8Array(12);
        new DataView(nonce.buffer).setUint32(8, counter++);
        buf = chacha20(key, nonce, new Uint8Array(BLOCK));
        pos = 0;
      }
      const take = Math.min(n - filled, buf.length - pos);
      out.set(buf.subarray(pos, pos + take), filled);
      pos += take;
      filled += take;
    }
    return out;
  };
}
