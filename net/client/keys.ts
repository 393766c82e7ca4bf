/**
 * Keys and addresses for SDK users, re-exported from core so there is one implementation: Ed25519 key
 * pairs from a 32-byte seed, `lat1...` bech32m addresses (docs/API.md "Addresses").
 */
export {
  type Address,
  addressBytesOf,
  addressOf,
  formatAddress,
  isAddress,
  parseAddress,
} from "../../core/crypto/address.ts";
export { fromHex, toHex } from "../../core/crypto/bytes.ts";
export { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";

import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";

/** A fresh random key pair (Web Crypto randomness). */
export function newKeyPair(): KeyPair {
  return keyPairFromSeed(crypto.getRandomValues(new Uint8Array(32)));
}
