/**
 * A model of Ed25519 for the simulator: same interface, same semantics inside one simulation, about
 * fifty times cheaper (two SHA-256 calls instead of a curve verify).
 *
 * Semantics kept: a signature verifies only under the public key of the secret key that made it,
 * over the exact message; any other key, message or signature byte fails; signing is deterministic.
 * How: the simulator-held oracle remembers which secret key each public key came from, and a
 * signature is a hash of (secret key, message). It is NOT secure (anyone holding the oracle can
 * sign for anyone) and must never run in a node: `secure` is false and nodes refuse such suites.
 */
import { concatBytes, equalBytes, utf8 } from "./bytes.ts";
import { type Ed25519Backend, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, SIGNATURE_BYTES } from "./ed25519.ts";
import { sha256 } from "./sha256.ts";

const PK_TAG = utf8("lattice/model-signer/pk");
const SIG_TAG = utf8("lattice/model-signer/sig");

/** A model signer with its own oracle; create one per simulation. */
export function createModelSigner(): Ed25519Backend & { readonly secure: false } {
  const oracle = new Map<string, Uint8Array>();
  const key = (pk: Uint8Array) => Buffer.from(pk).toString("latin1");
  return {
    name: "model",
    secure: false,
    publicKey(secretKey) {
      if (secretKey.length !== SECRET_KEY_BYTES)
        throw new RangeError(`secretKey: expected ${SECRET_KEY_BYTES} bytes`);
      const pk = sha256(PK_TAG, secretKey);
      oracle.set(key(pk), secretKey.slice());
      return pk;
    },
    sign(secretKey, message) {
      if (secretKey.length !== SECRET_KEY_BYTES)
        throw new RangeError(`secretKey: expected ${SECRET_KEY_BYTES} bytes`);
      const pk = this.publicKey(secretKey);
      return concatBytes(sha256(SIG_TAG, secretKey, message), pk);
    },
    verify(publicKey, message, signature) {
      if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
      const sk = oracle.get(key(publicKey));
      if (sk === undefined) return false;
      return equalBytes(signature, concatBytes(sha256(SIG_TAG, sk, message), publicKey));
    },
  };
}
