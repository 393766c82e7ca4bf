/**
 * Errors of the mempool, returned to submitters; every rejection leaves the pool unchanged.
 */
import { LatticeError } from "../errors/lattice-error.ts";

export type MempoolErrorCode =
  | "MEMPOOL_DUPLICATE"
  | "MEMPOOL_NONCE_TOO_LOW"
  | "MEMPOOL_NONCE_TAKEN"
  | "MEMPOOL_NONCE_GAP"
  /** Full, and the fee is not above the cheapest evictable transaction; `details.minFee` says what would do. */
  | "MEMPOOL_FULL"
  | "MEMPOOL_UNKNOWN_TX"
  | "MEMPOOL_NOT_RELEASED"
  | "MEMPOOL_BAD_ARGUMENT";

export class MempoolError extends LatticeError {
  declare readonly code: MempoolErrorCode;
  constructor(
    code: MempoolErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "MempoolError";
  }
}
