/**
 * Building and signing transfers on the client side, with everything a caller needs to submit and track
 * one: the canonical bytes (what application/cbor sends and what is hashed), the id (hex, known before
 * submitting, so an indeterminate submission can still be looked up), and the JSON form.
 */
import { parseAddress } from "../../core/crypto/address.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { encodeTransfer, signTransfer, type Transfer, transferId } from "../../core/tx/transfer.ts";
import { type TransferJson, transferToJson } from "../api/wire.ts";

export interface TransferParams {
  readonly chainId: number;
  /** The sender's 32-byte Ed25519 secret key (seed). */
  readonly secretKey: Uint8Array;
  /** Recipient: a `lat1...` address or its 20 bytes. */
  readonly to: string | Uint8Array;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly nonce: bigint;
}

/** A signed transfer ready to submit. */
export interface SignedTransfer {
  readonly tx: Transfer;
  readonly bytes: Uint8Array;
  /** Transaction id, hex: SHA-256 of `bytes`. */
  readonly id: string;
  readonly json: TransferJson;
}

/** Sign a transfer and derive its bytes, id and JSON form. */
export function buildTransfer(p: TransferParams): SignedTransfer {
  const kp = keyPairFromSeed(p.secretKey);
  const to = typeof p.to === "string" ? parseAddress(p.to) : p.to;
  const tx = signTransfer(
    { chainId: p.chainId, from: kp.publicKey, to, amount: p.amount, fee: p.fee, nonce: p.nonce },
    kp.secretKey,
  );
  return signedOf(tx);
}

/** Bytes, id and JSON of an already signed transfer. */
export function signedOf(tx: Transfer): SignedTransfer {
  const bytes = encodeTransfer(tx);
  return { tx, bytes, id: toHex(transferId(bytes)), json: transferToJson(tx) };
}
