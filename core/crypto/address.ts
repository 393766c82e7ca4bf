/**
 * Account addresses: how a public key is named to people and in transactions.
 *
 * Format (documented in docs/API.md as well):
 *   payload  = first 20 bytes of SHA-256(len ‖ "lattice/address/v1" ‖ ed25519 public key)
 *   address  = bech32m("lat", payload)            e.g. lat1qyqszqgpqyqszqgpqyqszqgpqyqszqgp...
 * bech32m (BIP-350) gives a checksum that detects any error in up to 4 characters and nearly
 * all others, a case-insensitive alphabet without look-alike characters, and a prefix that says
 * what the string is. Mixed case, a wrong prefix, a wrong length or a bad checksum each raise
 * an AddressError with its own code. 20 bytes = 160 bits, as Ethereum: collisions cost 2^80.
 *
 * Because the address is a hash, a transaction carries its sender's public key and validators
 * check that it hashes to the sender address.
 */
import { bech32m } from "@scure/base";
import { LatticeError } from "../errors/lattice-error.ts";
import { assertBytes, equalBytes } from "./bytes.ts";
import { PUBLIC_KEY_BYTES } from "./ed25519.ts";
import { taggedHash } from "./sha256.ts";

export const ADDRESS_PREFIX = "lat";
export const ADDRESS_BYTES = 20;
/** A checksummed, human-readable address string (`lat1...`). */
export type Address = string & { readonly __brand: "Address" };

export type AddressErrorCode =
  | "ADDRESS_FORMAT"
  | "ADDRESS_CHECKSUM"
  | "ADDRESS_PREFIX"
  | "ADDRESS_LENGTH"
  | "ADDRESS_CASE";

/** Raised for any string that is not a valid address; `code` says what is wrong. */
export class AddressError extends LatticeError {
  constructor(code: AddressErrorCode, message: string, input: string) {
    super(code, message, { details: { input } });
    this.name = "AddressError";
  }
}

/** The 20 address bytes of an Ed25519 public key. */
export function addressBytesOf(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, "publicKey", PUBLIC_KEY_BYTES);
  return taggedHash("lattice/address/v1", publicKey).slice(0, ADDRESS_BYTES);
}

/** Format 20 address bytes as `lat1...`. */
export function formatAddress(bytes: Uint8Array): Address {
  assertBytes(bytes, "address", ADDRESS_BYTES);
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(bytes)) as Address;
}

/** The address of an Ed25519 public key. */
export function addressOf(publicKey: Uint8Array): Address {
  return formatAddress(addressBytesOf(publicKey));
}

/** Parse and check an address string; returns its 20 bytes or throws AddressError. */
export function parseAddress(input: string): Uint8Array {
  if (typeof input !== "string")
    throw new AddressError("ADDRESS_FORMAT", "address must be a string", String(input));
  const s = input.trim();
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) {
    throw new AddressError(
      "ADDRESS_CASE",
      `address ${JSON.stringify(input)} mixes upper and lower case`,
      input,
    );
  }
  const lower = s.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (sep < 1) {
    throw new AddressError(
      "ADDRESS_FORMAT",
      `address ${JSON.stringify(input)} has no "${ADDRESS_PREFIX}1" prefix`,
      input,
    );
  }
  const prefix = lower.slice(0, sep);
  if (prefix !== ADDRESS_PREFIX) {
    throw new AddressError(
      "ADDRESS_PREFIX",
      `address ${JSON.stringify(input)} has prefix "${prefix}", expected "${ADDRESS_PREFIX}"`,
      input,
    );
  }
  let words: number[];
  try {
    words = bech32m.decode(lower as `${string}1${string}`, 90).words;
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const code: AddressErrorCode = /checksum/i.test(msg) ? "ADDRESS_CHECKSUM" : "ADDRESS_FORMAT";
    const what =
      code === "ADDRESS_CHECKSUM" ? "checksum does not match (mistyped?)" : `is malformed (${msg})`;
    throw new AddressError(code, `address ${JSON.stringify(input)} ${what}`, input);
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32m.fromWords(words);
  } catch {
    throw new AddressError(
      "ADDRESS_LENGTH",
      `address ${JSON.stringify(input)} has a bad payload length`,
      input,
    );
  }
  if (bytes.length !== ADDRESS_BYTES) {
    throw new AddressError(
      "ADDRESS_LENGTH",
      `address ${JSON.stringify(input)} holds ${bytes.length} bytes, expected ${ADDRESS_BYTES}`,
      input,
    );
  }
  return bytes;
}

/** True when `input` is a valid address string. */
export function isAddress(input: string): input is Address {
  try {
    parseAddress(input);
    return true;
  } catch {
    return false;
  }
}

/** True when `publicKey` is the key behind `address` (bytes or string form). */
export function addressMatches(address: Uint8Array | string, publicKey: Uint8Array): boolean {
  const bytes = typeof address === "string" ? parseAddress(address) : address;
  return equalBytes(bytes, addressBytesOf(publicKey));
}
