/**
 * Deterministic keys from a mnemonic: BIP-39 (mnemonic → 64-byte seed, via @scure/bip39) and
 * SLIP-0010 hardened derivation for Ed25519 (seed → key at a path such as m/44'/7337'/0'/0'/i').
 *
 * This is how devnets get well-known dev accounts, as anvil and Hardhat do from their default
 * mnemonic: the same phrase always yields the same keys, in any tool that follows the two specs.
 * Ed25519 under SLIP-0010 only has hardened children, so every path index is hardened.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { LatticeError } from "../errors/lattice-error.ts";
import { utf8 } from "./bytes.ts";
import { type KeyPair, keyPairFromSeed } from "./ed25519.ts";

const HARDENED = 0x80000000;
/** SLIP-44 style coin type for Lattice dev keys (unregistered; devnets only). */
export const LATTICE_COIN_TYPE = 7337;

interface Node {
  readonly key: Uint8Array;
  readonly chainCode: Uint8Array;
}

/** SLIP-0010 master node of a seed (16..64 bytes) for curve ed25519. */
export function slip10Master(seed: Uint8Array): Node {
  if (seed.length < 16 || seed.length > 64) throw new RangeError(`seed: 16..64 bytes, got ${seed.length}`);
  const I = hmac(sha512, utf8("ed25519 seed"), seed);
  return { key: I.slice(0, 32), chainCode: I.slice(32) };
}

/** SLIP-0010 hardened child `index` (given without the hardened bit) of `node`. */
export function slip10Child(node: Node, index: number): Node {
  if (!Number.isInteger(index) || index < 0 || index >= HARDENED) {
    throw new RangeError(`index: integer in [0, 2^31), got ${index}`);
  }
  const data = new Uint8Array(37);
  data.set(node.key, 1);
  new DataView(data.buffer).setUint32(33, (index + HARDENED) >>> 0, false);
  const I = hmac(sha512, node.chainCode, data);
  return { key: I.slice(0, 32), chainCode: I.slice(32) };
}

/** Parse `m/44'/7337'/0'` (every segment must be hardened for Ed25519). */
export function parsePath(path: string): number[] {
  const parts = path.split("/");
  if (parts[0] !== "m") throw new LatticeError("HD_PATH", `path ${JSON.stringify(path)} must start with "m"`);
  return parts.slice(1).map((p, i) => {
    const m = /^(\d+)['hH]$/.exec(p);
    if (m === null) {
      throw new LatticeError(
        "HD_PATH",
        `path segment ${i + 1} (${JSON.stringify(p)}) must be a hardened index like 0'`,
      );
    }
    const n = Number(m[1]);
    if (n >= HARDENED) throw new LatticeError("HD_PATH", `path segment ${i + 1} is out of range`);
    return n;
  });
}

/** Derive the SLIP-0010 Ed25519 private seed at `path` from a BIP-39 seed. */
export function deriveSeedAtPath(seed: Uint8Array, path: string): Uint8Array {
  let node = slip10Master(seed);
  for (const index of parsePath(path)) node = slip10Child(node, index);
  return node.key;
}

/** The derivation path of dev account `i`: m/44'/7337'/0'/0'/i'. */
export function accountPath(index: number): string {
  return `m/44'/${LATTICE_COIN_TYPE}'/0'/0'/${index}'`;
}

/** BIP-39 mnemonic (English word list) to its 64-byte seed; throws HD_MNEMONIC if invalid. */
export function mnemonicToSeed(mnemonic: string, passphrase = ""): Uint8Array {
  const normal = mnemonic.trim().split(/\s+/).join(" ");
  if (!validateMnemonic(normal, wordlist)) {
    throw new LatticeError(
      "HD_MNEMONIC",
      "mnemonic is not a valid BIP-39 English phrase (word or checksum error)",
    );
  }
  return mnemonicToSeedSync(normal, passphrase);
}

/** Key pair of account `index` under `mnemonic`. */
export function accountKeyFromMnemonic(mnemonic: string, index: number, passphrase = ""): KeyPair {
  return keyPairFromSeed(deriveSeedAtPath(mnemonicToSeed(mnemonic, passphrase), accountPath(index)));
}

/** Several accounts at once: the BIP-39 seed (2048 PBKDF2 rounds) is computed only once. */
export function accountKeysFromMnemonic(mnemonic: string, count: number, passphrase = ""): KeyPair[] {
  const seed = mnemonicToSeed(mnemonic, passphrase);
  return Array.from({ length: count }, (_, i) => keyPairFromSeed(deriveSeedAtPath(seed, accountPath(i))));
}

/** A key under an arbitrary purpose label, e.g. node identities: path m/44'/7337'/<purpose>'/0'/i'. */
export function purposeKeyFromSeed(seed: Uint8Array, purpose: number, index: number): KeyPair {
  return keyPairFromSeed(deriveSeedAtPath(seed, `m/44'/${LATTICE_COIN_TYPE}'/${purpose}'/0'/${index}'`));
}
