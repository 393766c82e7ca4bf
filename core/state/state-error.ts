/**
 * Errors of the state store. Every rejection leaves the store exactly as it was; branch on `code`.
 */
import { LatticeError } from "../errors/lattice-error.ts";

export type StateErrorCode =
  /** A round number not greater than the last committed one. */
  | "STATE_ROUND_ORDER"
  /** A malformed change (address length, u64 range, duplicate address in one round). */
  | "STATE_BAD_CHANGE"
  /** The round would exceed the account capacity chosen at open. */
  | "STATE_FULL"
  /** Persisting the round failed; nothing was applied. */
  | "STATE_PERSIST"
  /** Persisted data does not match its recorded root, or its schema is unknown. */
  | "STATE_CORRUPT"
  /** A malformed option or argument. */
  | "STATE_BAD_ARGUMENT";

export class StateError extends LatticeError {
  declare readonly code: StateErrorCode;
  constructor(
    code: StateErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "StateError";
  }
}
