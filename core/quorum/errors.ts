/**
 * Errors of core/quorum. A leaf module.
 *
 * `QuorumError` is thrown for calls a quorum must refuse (certifying before its key exists) and by
 * the wire codec for malformed bytes; what other members send never throws inside the engine, it is
 * dropped and reported as data (`quorum/rejected` emits).
 */
import { LatticeError } from "../errors/lattice-error.ts";

export type QuorumErrorCode =
  /** The quorum has no threshold key yet (none, keying) or its DKG failed: it certifies nothing. */
  | "QUORUM_KEY_NOT_READY"
  /** The key exists but this member holds no valid share of it (it missed its complaint window). */
  | "QUORUM_NO_SHARE"
  /** Bytes that do not decode to a quorum log payload, item or gossip message; `details.field`. */
  | "QUORUM_MALFORMED"
  /** Unusable configuration (member lists, keys, windows). */
  | "QUORUM_CONFIG";

export class QuorumError extends LatticeError {
  declare readonly code: QuorumErrorCode;

  constructor(
    code: QuorumErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "QuorumError";
  }
}
