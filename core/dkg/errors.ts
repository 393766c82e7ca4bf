/**
 * Errors and fault codes of the DKG (core/dkg). A leaf module.
 *
 * Two kinds of failure, kept apart on purpose (STYLE.md "Consensus-level rejections are data"):
 * - `DkgError` is thrown for programming and configuration errors (a bad member list, a bad
 *   session id) and by the byte codec for malformed input;
 * - `DkgFaultCode` values travel as data in `fault` effects when a log entry is rejected or a
 *   dealer is disqualified; the engine never throws on what other members send.
 */
import { LatticeError } from "../errors/lattice-error.ts";

export type DkgErrorCode =
  /** The engine's configuration is unusable (member list, keys, session, sizes). */
  | "DKG_CONFIG"
  /** Bytes that do not decode to a well-formed DKG message; `details.field` names the part. */
  | "DKG_MALFORMED"
  /** An API call out of order (e.g. `start()` twice). */
  | "DKG_STATE";

export class DkgError extends LatticeError {
  declare readonly code: DkgErrorCode;

  constructor(
    code: DkgErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "DkgError";
  }
}

/** Why a log entry was rejected (state unchanged) or a dealer was disqualified. */
export type DkgFaultCode =
  /** The entry names a session other than this DKG's. */
  | "DKG_WRONG_SESSION"
  /** The sender is not in the member list. */
  | "DKG_UNKNOWN_SENDER"
  /** Shape or bounds wrong: commitment or ciphertext count, lengths, indices, scalar range. */
  | "DKG_MALFORMED_ENTRY"
  /** A second Deal from the same dealer (the first one stands). */
  | "DKG_DUPLICATE_DEAL"
  /** The entry's kind is not accepted in the current phase (e.g. a Deal after EndDealing). */
  | "DKG_WRONG_PHASE"
  /** A complaint against a dealer without a Deal, against oneself, or repeated. */
  | "DKG_BAD_COMPLAINT"
  /** A justification nobody asked for, from someone other than the accused, or repeated. */
  | "DKG_UNEXPECTED_JUSTIFICATION"
  /** Disqualification: the revealed share does not match the dealer's commitments. */
  | "DKG_BAD_JUSTIFICATION"
  /** Disqualification: a complaint stayed unanswered until EndJustifications. */
  | "DKG_NO_JUSTIFICATION"
  /** This member's own combined share failed its check (it missed a complaint window). */
  | "DKG_OWN_SHARE_INVALID";
