/**
 * Errors of the threshold-signature layer (core/threshold). A leaf module: it imports only the
 * base error, so contracts and every implementation can share it without cycles.
 *
 * Callers branch on `code`; `details` names the offending field or index.
 */
import { LatticeError } from "../errors/lattice-error.ts";

export type ThresholdErrorCode =
  /** Fewer distinct valid shares than the threshold were given to `combine`. */
  | "THRESHOLD_TOO_FEW_SHARES"
  /** Two shares with the same index but different signatures (equivocation or corruption). */
  | "THRESHOLD_CONFLICTING_SHARES"
  /** A share index outside 1..MAX_SHARE_INDEX (0 is the secret itself and is never a share). */
  | "THRESHOLD_BAD_INDEX"
  /** A threshold or member count out of range (t < 1, t > n, n too large). */
  | "THRESHOLD_BAD_PARAMS"
  /** A domain tag that is empty, too long or outside the allowed alphabet. */
  | "THRESHOLD_BAD_TAG"
  /** Bytes that do not decode to a valid public key, signature, share or scalar. */
  | "THRESHOLD_MALFORMED"
  /** A secret share equal to zero, or otherwise unusable for signing. */
  | "THRESHOLD_BAD_SHARE"
  /** A random source that returned the wrong number of bytes. */
  | "THRESHOLD_BAD_RANDOM";

/** Raised by everything in core/threshold; `code` says what went wrong. */
export class ThresholdError extends LatticeError {
  declare readonly code: ThresholdErrorCode;

  constructor(
    code: ThresholdErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "ThresholdError";
  }
}
