/**
 * Why a transaction was refused or dropped: the reasons the ledger reports to submitters, in the status
 * index and on the event stream. Rejections are data (STYLE.md "consensus-level rejections are data"),
 * not exceptions: `{code, message, details}`, serialisable as is. The HTTP API maps each code to a status
 * (net/api/error-codes.ts); clients branch on `code`, never on `message`.
 *
 * Where each code can arise:
 *   at the door (submit):     TX_TOO_LARGE TX_DECODE TX_CHAIN TX_SIGNATURE TX_SENDER_UNKNOWN TX_NONCE_TOO_LOW
 *                             TX_NONCE_TAKEN TX_NONCE_GAP TX_BALANCE TX_DUPLICATE TX_MEMPOOL_FULL TX_PERSIST
 *   after acceptance:         TX_EVICTED (a higher fee took its place), TX_SUPERSEDED (the finalized state
 *                             passed its nonce), TX_NONCE / TX_BALANCE (validator verdict)
 *   in a finalized block:     TX_DECODE TX_CHAIN TX_SIGNATURE TX_SENDER_UNKNOWN TX_NONCE TX_BALANCE
 *                             TX_DUPLICATE TX_STATE_FULL TX_OVERFLOW
 */
import type { Verdict } from "../validator/validate-transfers.ts";

export type RejectionCode =
  /** Body longer than a transfer can be. */
  | "TX_TOO_LARGE"
  /** Not the canonical encoding of a Transfer v1 (details.field names the field). */
  | "TX_DECODE"
  /** Signed for another chain id. */
  | "TX_CHAIN"
  /** The signature does not verify under `from`. */
  | "TX_SIGNATURE"
  /** The sender account does not exist (it has never received funds). */
  | "TX_SENDER_UNKNOWN"
  /** Nonce below the sender's next nonce. */
  | "TX_NONCE_TOO_LOW"
  /** Another transaction with this nonce is pending (no replace-by-fee). */
  | "TX_NONCE_TAKEN"
  /** Nonce too far ahead of the sender's next nonce. */
  | "TX_NONCE_GAP"
  /** Nonce is not the sender's next one when validated or applied. */
  | "TX_NONCE"
  /** amount + fee exceeds the available balance. */
  | "TX_BALANCE"
  /** The same transaction (same id) is already pending or final. */
  | "TX_DUPLICATE"
  /** The mempool is full and the fee is too low to evict anything (details.minFee). */
  | "TX_MEMPOOL_FULL"
  /** Accepted, then evicted from a full mempool by a higher-fee transaction. */
  | "TX_EVICTED"
  /** Accepted, then the finalized state passed its nonce (another transaction of the sender won). */
  | "TX_SUPERSEDED"
  /** Applying it would exceed the state's account capacity. */
  | "TX_STATE_FULL"
  /** Applying it would overflow a u64 balance. */
  | "TX_OVERFLOW"
  /** It could not be recorded durably, so it was not accepted. */
  | "TX_PERSIST";

/** A rejection as data. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | null>>;
}

export function rejection(
  code: RejectionCode,
  message: string,
  details?: Record<string, string | number | null>,
): Rejection {
  return details === undefined ? { code, message } : { code, message, details };
}

/** The rejection for a validator verdict other than "ok". */
export function rejectionOfVerdict(verdict: Exclude<Verdict, "ok">): Rejection {
  switch (verdict) {
    case "decode":
      return rejection("TX_DECODE", "not a canonical Transfer v1");
    case "chain":
      return rejection("TX_CHAIN", "signed for another chain id");
    case "signature":
      return rejection("TX_SIGNATURE", "signature does not verify");
    case "nonce":
      return rejection("TX_NONCE", "nonce is not the sender's next nonce");
    case "balance":
      return rejection("TX_BALANCE", "amount + fee exceeds the available balance");
  }
}
