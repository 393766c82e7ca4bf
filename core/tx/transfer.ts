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
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, signTagged, verifyTagged } from "../crypto/ed25519.ts";
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
export function decodeTransfer(bytes: Uint8Array, limits: DecodeLimits = {}): Transfer {
  const tx = TransferCodec.decode(bytes, { maxBytes: MAX_TRANSFER_BYTES, ...limits });
  checkTotal(tx);
  return tx;
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
