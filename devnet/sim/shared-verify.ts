/**
 * One verification per distinct signature in a simulation (ARCHITECTURE.md performance budget: the
 * simulator at >= 100x real time). A broadcast vote reaches n-1 replicas with the same signature over
 * the same bytes, and in one process they may share the answer: `verify` is a pure function of
 * (public key, message, signature), so reusing its result for an identical triple changes nothing any
 * engine can observe. A node never does this (each verifies what it receives); the simulator hosts all
 * replicas in one process, which is what makes the sharing sound.
 *
 * The memo is keyed by the signature's first bytes and checks signature, key and message byte for
 * byte, so a signature replayed over other bytes (a byzantine host's trick) or a key collision is
 * verified afresh. Bounded: cleared when full.
 */
import { equalBytes } from "../../core/crypto/bytes.ts";
import type { Ed25519Backend } from "../../core/crypto/ed25519.ts";

const LIMIT = 1 << 16;

interface Verified {
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly ok: boolean;
}

/** 32 bits of the signature as the memo key (signatures start with hash-like bytes); hits compare all. */
function keyOf(s: Uint8Array): number {
  return ((s[0] ?? 0) | ((s[1] ?? 0) << 8) | ((s[2] ?? 0) << 16) | ((s[3] ?? 0) << 24)) ^ s.length;
}

/** `signer` with a shared verification memo; signing and keys pass straight through. */
export function sharedVerifier(signer: Ed25519Backend): Ed25519Backend {
  const memo = new Map<number, Verified>();
  return {
    name: signer.name,
    publicKey: (secretKey) => signer.publicKey(secretKey),
    sign: (secretKey, message) => signer.sign(secretKey, message),
    verify(publicKey, message, signature) {
      const k = keyOf(signature);
      const v = memo.get(k);
      if (
        v !== undefined &&
        equalBytes(v.signature, signature) &&
        equalBytes(v.publicKey, publicKey) &&
        equalBytes(v.message, message)
      )
        return v.ok;
      const ok = signer.verify(publicKey, message, signature);
      if (memo.size >= LIMIT) memo.clear();
      memo.set(k, {
        signature: signature.slice(),
        publicKey: publicKey.slice(),
        message: message.slice(),
        ok,
      });
      return ok;
    },
  };
}
