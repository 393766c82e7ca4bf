/**
 * Errors of the ledger that are not transaction rejections: misuse by the caller (a round out of order,
 * an unknown id in a finalized block) and persistence failures. Rejections of transactions are data
 * (rejection.ts), never these.
 */
import { LatticeError } from "../errors/lattice-error.ts";

export type LedgerErrorCode =
  /** A finalized round that is not the next one. */
  | "LEDGER_ROUND_ORDER"
  /** A finalized block names a transaction id the node has never seen. */
  | "LEDGER_UNKNOWN_TX"
  /** The ledger database could not be written or read. */
  | "LEDGER_PERSIST"
  /** The ledger database does not match the state (schema, rounds). */
  | "LEDGER_CORRUPT"
  /** The ledger was closed. */
  | "LEDGER_CLOSED"
  /** A malformed argument. */
  | "LEDGER_BAD_ARGUMENT";

export class LedgerError extends LatticeError {
  declare readonly code: LedgerErrorCode;
  constructor(
    code: LedgerErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "LedgerError";
  }
}
