/**
 * Transfer signatures through the injected crypto suite (ARCHITECTURE.md "Crypto is an injected suite").
 * core/tx signs and verifies with the native backend directly; WAN engines must take their signer from the
 * suite so the simulator can run on the model signer. Same bytes as core/tx: the "tx/v1" purpose tag over
 * the TransferSigning encoding, so a transfer signed here verifies with core/tx under the real suite.
 */
import { type Ed25519Backend, signingBytes } from "../../crypto/ed25519.ts";
import {
  TRANSFER_SIGNATURE_TAG,
  type Transfer,
  transferSigningPayload,
  type UnsignedTransfer,
} from "../../tx/transfer.ts";

/** Sign `tx` with `secretKey` through `signer`; `tx.from` must be `signer.publicKey(secretKey)`. */
export function signTransferWith(
  signer: Ed25519Backend,
  tx: UnsignedTransfer,
  secretKey: Uint8Array,
): Transfer {
  const body: UnsignedTransfer = {
    chainId: tx.chainId,
    from: tx.from,
    to: tx.to,
    amount: tx.amount,
    fee: tx.fee,
    nonce: tx.nonce,
  };
  return {
    ...body,
    signature: signer.sign(secretKey, signingBytes(TRANSFER_SIGNATURE_TAG, transferSigningPayload(body))),
  };
}

/** True iff `tx.signature` verifies under `tx.from` through `signer`. Never throws. */
export function verifyTransferWith(signer: Ed25519Backend, tx: Transfer): boolean {
  let payload: Uint8Array;
  try {
    payload = transferSigningPayload(tx);
  } catch {
    return false;
  }
  return signer.verify(tx.from, signingBytes(TRANSFER_SIGNATURE_TAG, payload), tx.signature);
}
