/**
 * The native token transfer (seed 001, "Native Token Transactions", the 88.5 us per-core figure): the one
 * transaction type the stores and the validator unit handle today.
 *
 * Wire format (canonical CBOR, core/codec), version 1:
 *   Transfer        = [0x20, 1, chainId, from, to, amount, fee, nonce, signature]
 *   TransferSigning = [0x21, 1, chainId, from, to, amount, fee, nonce]
 *     chainId   u32        which network; a signature for one chain is void on another
 *     from      bytes(32)  the sender's Ed25519 public key (the sender account is addressBytesOf(from))
 *     to        bytes(20)  the recipient address
 *     amount    u64        tokens moved to `to`
 *     fee       u64        tokens paid to the network; amount + fee must fit in a u64
 *     nonce     u64        the sender's transaction count: the account's next nonce, then +1 each
 *     signature bytes(64)  Ed25519 by `from` over signingBytes("tx/v1", encode(TransferSigning))
 * The signed payload is its own message type (tag 0x21), so signed bytes can never be mistaken for a
 * transaction, and the "tx/v1" purpose tag keeps them apart from every other protocol signature.
 * Transaction id = SHA-256 of the full canonical Transfer encoding (signature included).
 *
 * Guarantees: `decodeTransfer` accepts only the canonical encoding and throws `DecodeError` naming the
 * field otherwise; `verifyTransferSignature` never throws.
 */
import { ADDRESS_BYTES, addressBytesOf } from "../crypto/address.ts";
import {
  nativeEd25519,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  signingBytes,
  signTagged,
  verifyTagged,
} from "../crypto/ed25519.ts";
import { sha256 } from "../crypto/sha256.ts";
import type { DecodeLimits } from "../codec/canonical.ts";
import { DecodeError } from "../codec/decode-error.ts";
import { defineMessage } from "../codec/message.ts";
import { bytes, u32, u64 } from "../codec/schema.ts";

/** Purpose tag of transfer signatures. */
export const TRANSFER_SIGNATURE_TAG = "tx/v1";
export const TRANSFER_TAG = 0x20;
export const TRANSFER_SIGNING_TAG = 0x21;
export const TRANSFER_VERSION = 1;
/** A transfer's canonical encoding is at most this long (all u64 at their widest). */
export const MAX_TRANSFER_BYTES = 256;
const MAX_U64 = (1n << 64n) - 1n;
const NO_LIMITS: DecodeLimits = Object.freeze({});

const bodyFields = {
  chainId: u32,
  from: bytes(PUBLIC_KEY_BYTES),
  to: bytes(ADDRESS_BYTES),
  amount: u64,
  fee: u64,
  nonce: u64,
} as const;

/** Codec of the full, signed transfer. */
export const TransferCodec = defineMessage({
  name: "Transfer",
  tag: TRANSFER_TAG,
  version: TRANSFER_VERSION,
  fields: { ...bodyFields, signature: bytes(SIGNATURE_BYTES) },
});

/** Codec of the signed payload: every field but the signature. */
export const TransferSigningCodec = defineMessage({
  name: "TransferSigning",
  tag: TRANSFER_SIGNING_TAG,
  version: TRANSFER_VERSION,
  fields: bodyFields,
});

/** A signed transfer. */
export interface Transfer {
  readonly chainId: number;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly nonce: bigint;
  readonly signature: Uint8Array;
}

/** A transfer before signing. */
export type UnsignedTransfer = Omit<Transfer, "signature">;

function checkTotal(tx: UnsignedTransfer): void {
  if (tx.amount + tx.fee > MAX_U64) {
    throw new DecodeError("DECODE_RANGE", "Transfer.fee", "amount + fee exceeds 2^64-1");
  }
}

/** The payload the sender signs (before the "tx/v1" purpose prefix). */
export function transferSigningPayload(tx: UnsignedTransfer): Uint8Array {
  return TransferSigningCodec.encode(tx);
}

/** Sign a transfer with the sender's 32-byte secret key; `tx.from` must be its public key. */
export function signTransfer(tx: UnsignedTransfer, secretKey: Uint8Array): Transfer {
  const body: UnsignedTransfer = {
    chainId: tx.chainId,
    from: tx.from,
    to: tx.to,
    amount: tx.amount,
    fee: tx.fee,
    nonce: tx.nonce,
  };
  checkTotal(body);
  return { ...body, signature: signTagged(secretKey, TRANSFER_SIGNATURE_TAG, transferSigningPayload(body)) };
}

/** Canonical bytes of a signed transfer. */
export function encodeTransfer(tx: Transfer): Uint8Array {
  return TransferCodec.encode(tx);
}

/**
 * Decode and validate a transfer from untrusted bytes: canonical encoding, shape, bounds and
 * amount + fee <= 2^64-1. Throws `DecodeError` naming the field. Does not check the signature.
 */
export function decodeTransfer(bytes: Uint8Array, limits: DecodeLimits = NO_LIMITS): Transfer {
  // The fixed-layout parser accepts exactly the canonical encodings (see parseTransfer); anything it
  // refuses, or a call with custom limits, goes through the generic codec, which names the bad field.
  if (limits === NO_LIMITS || Object.keys(limits).length === 0) {
    const fast = parseTransfer(bytes, true);
    if (fast !== null) return fast;
  }
  const tx = TransferCodec.decode(bytes, { maxBytes: MAX_TRANSFER_BYTES, ...limits });
  checkTotal(tx);
  return tx;
}

// Initial bytes of the fixed layout: array(9), tag 0x20 (needs a 1-byte argument), version 1.
const HEAD_0 = 0x89;
const HEAD_1 = 0x18;
const BYTES_32 = 0x58; // byte string, 1-byte length follows
const TO_HEAD = 0x40 | ADDRESS_BYTES; // byte string of 20: length in the initial byte
/** A signature's tail in a canonical transfer: 0x58 0x40 then 64 bytes. */
const SIGNATURE_TAIL = 2 + SIGNATURE_BYTES;
/** "lattice/tx/v1" 0x00, then array(8) and tag 0x21: what precedes the shared body in the signed message. */
const SIGNED_PREFIX = signingBytes(TRANSFER_SIGNATURE_TAG, Uint8Array.of(0x88, HEAD_1, TRANSFER_SIGNING_TAG));
/** Where the body (chainId .. nonce) starts in both encodings. */
const BODY_AT = 3;

/**
 * Read a canonical unsigned integer at `at` (major type 0, shortest head only; 8-byte arguments only if
 * `wide`) into `out` (value as number when it fits 32 bits, always as bigint, and the next offset).
 * False for anything else: a non-shortest head is not canonical, so refusing it here is what makes the
 * re-encode check unnecessary.
 */
function readUint(
  b: Uint8Array,
  at: number,
  wide: boolean,
  out: { n: number; big: bigint; at: number },
): boolean {
  const ib = b[at];
  if (ib === undefined) return false;
  if (ib < 0x18) {
    out.n = ib;
    out.at = at + 1;
  } else if (ib === 0x18) {
    const v = b[at + 1];
    if (v === undefined || v < 0x18) return false;
    out.n = v;
    out.at = at + 2;
  } else if (ib === 0x19) {
    if (at + 3 > b.length) return false;
    const v = (b[at + 1]! << 8) | b[at + 2]!;
    if (v < 0x100) return false;
    out.n = v;
    out.at = at + 3;
  } else if (ib === 0x1a) {
    if (at + 5 > b.length) return false;
    const v = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!);
    if (v < 0x1_0000) return false;
    out.n = v;
    out.at = at + 5;
  } else if (ib === 0x1b && wide) {
    if (at + 9 > b.length) return false;
    const hi = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!);
    const lo = ((b[at + 5]! << 24) >>> 0) + ((b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!);
    if (hi === 0) return false;
    out.n = -1;
    out.big = (BigInt(hi) << 32n) | BigInt(lo);
    out.at = at + 9;
    return true;
  } else {
    return false;
  }
  out.big = BigInt(out.n);
  return true;
}

/**
 * Parse a transfer at its fixed layout, without building a generic CBOR tree and without re-encoding:
 *   89 18 20 01 <chainId u32> 58 20 <from 32> 54 <to 20> <amount u64> <fee u64> <nonce u64> 58 40 <sig 64>
 * Every head must be the shortest form and the input must end exactly after the signature, so the bytes
 * accepted are exactly the canonical encodings `TransferCodec` accepts (a property test checks both
 * agree on valid and mutated inputs). Returns null for anything else, never throws. With `copy` false the
 * key, address and signature are views into `bytes` (no allocation; the caller must not mutate `bytes`).
 */
export function parseTransfer(bytes: Uint8Array, copy = true): Transfer | null {
  const b = bytes;
  const len = b.length;
  if (len > MAX_TRANSFER_BYTES || len < 4) return null;
  if (b[0] !== HEAD_0 || b[1] !== HEAD_1 || b[2] !== TRANSFER_TAG || b[3] !== TRANSFER_VERSION) return null;
  const u = { n: 0, big: 0n, at: 4 };
  if (!readUint(b, 4, false, u)) return null;
  const chainId = u.n;
  let at = u.at;
  if (b[at] !== BYTES_32 || b[at + 1] !== PUBLIC_KEY_BYTES) return null;
  const fromAt = at + 2;
  at = fromAt + PUBLIC_KEY_BYTES;
  if (b[at] !== TO_HEAD) return null;
  const toAt = at + 1;
  at = toAt + ADDRESS_BYTES;
  if (!readUint(b, at, true, u)) return null;
  const amount = u.big;
  if (!readUint(b, u.at, true, u)) return null;
  const fee = u.big;
  if (!readUint(b, u.at, true, u)) return null;
  const nonce = u.big;
  at = u.at;
  if (at + SIGNATURE_TAIL !== len || b[at] !== BYTES_32 || b[at + 1] !== SIGNATURE_BYTES) return null;
  if (amount + fee > MAX_U64) return null;
  const sigAt = at + 2;
  const part = copy
    ? (from: number, n: number) => b.slice(from, from + n)
    : (from: number, n: number) => b.subarray(from, from + n);
  return {
    chainId,
    from: part(fromAt, PUBLIC_KEY_BYTES),
    to: part(toAt, ADDRESS_BYTES),
    amount,
    fee,
    nonce,
    signature: part(sigAt, SIGNATURE_BYTES),
  };
}

/**
 * The exact message a transfer's signature covers ("lattice/tx/v1" 0x00 ‖ encode(TransferSigning)),
 * sliced from the transfer's canonical bytes instead of re-encoding: both encodings share the body
 * (chainId .. nonce) byte for byte, because canonical CBOR encodes each item independently of where it
 * sits. Precondition: `bytes` were accepted by `decodeTransfer`/`parseTransfer`.
 */
export function transferSignedMessage(bytes: Uint8Array): Uint8Array {
  const bodyEnd = bytes.length - SIGNATURE_TAIL;
  const out = new Uint8Array(SIGNED_PREFIX.length + bodyEnd - BODY_AT);
  out.set(SIGNED_PREFIX, 0);
  out.set(bytes.subarray(BODY_AT, bodyEnd), SIGNED_PREFIX.length);
  return out;
}

/**
 * `verifyTransferSignature` for a transfer together with the canonical bytes it was parsed from: the
 * signed message is sliced from `bytes` (no re-encode). Never throws.
 */
export function verifyTransferBytes(tx: Transfer, bytes: Uint8Array): boolean {
  if (bytes.length <= SIGNATURE_TAIL + BODY_AT) return false;
  return nativeEd25519.verify(tx.from, transferSignedMessage(bytes), tx.signature);
}

/** The transaction id: SHA-256 of the canonical encoding. */
export function transferId(encoded: Uint8Array): Uint8Array {
  return sha256(encoded);
}

/** True iff `tx.signature` is `tx.from`'s signature over the transfer's signing payload. Never throws. */
export function verifyTransferSignature(tx: Transfer): boolean {
  let payload: Uint8Array;
  try {
    payload = transferSigningPayload(tx);
  } catch {
    return false;
  }
  return verifyTagged(tx.from, TRANSFER_SIGNATURE_TAG, payload, tx.signature);
}

/** The sender account's 20-byte address. */
export function transferSender(tx: Transfer): Uint8Array {
  return addressBytesOf(tx.from);
}

/** A decoded transfer together with what every consumer derives from it, computed once. */
export interface TransferEnvelope {
  readonly tx: Transfer;
  readonly bytes: Uint8Array;
  readonly id: Uint8Array;
  readonly sender: Uint8Array;
}

/** Decode `bytes` and derive id and sender; throws `DecodeError` like `decodeTransfer`. */
export function openTransfer(bytes: Uint8Array): TransferEnvelope {
  const tx = decodeTransfer(bytes);
  return { tx, bytes, id: transferId(bytes), sender: transferSender(tx) };
}

/** Envelope of a transfer built locally (already valid in shape). */
export function envelopeOf(tx: Transfer): TransferEnvelope {
  const encoded = encodeTransfer(tx);
  return { tx, bytes: encoded, id: transferId(encoded), sender: transferSender(tx) };
}
