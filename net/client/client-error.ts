/**
 * Typed errors of the SDK. `ApiRequestError.code` is the API's error code (net/api/error-codes.ts, listed
 * in docs/API.md), so callers branch on the same codes whatever language their node speaks:
 *
 *   try { await client.submit(tx) } catch (e) {
 *     if (e instanceof ApiRequestError && e.code === "TX_NONCE_TOO_LOW") ...
 *     if (e instanceof NodeUnreachableError) ... // indeterminate: the node may have accepted it
 *   }
 */
import { LatticeError } from "../../core/errors/lattice-error.ts";
import type { ApiErrorCode } from "../api/error-codes.ts";

export class ClientError extends LatticeError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "ClientError";
  }
}

/** The node answered with an error body. */
export class ApiRequestError extends ClientError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  constructor(code: ApiErrorCode, status: number, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details: { ...details, status } });
    this.name = "ApiRequestError";
    this.status = status;
  }
}

/**
 * The node could not be reached, or the connection broke before an answer. For a submission this is the
 * indeterminate outcome: the transaction may have been accepted; ask for its status by id.
 */
export class NodeUnreachableError extends ClientError {
  constructor(message: string, cause?: unknown) {
    super("NODE_UNREACHABLE", message, { cause });
    this.name = "NodeUnreachableError";
  }
}

/** The node answered something that is not what the API documents. */
export class BadResponseError extends ClientError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("BAD_RESPONSE", message, { details });
    this.name = "BadResponseError";
  }
}

/** A Merkle proof from the node does not verify against the root: the answer must not be trusted. */
export class ProofError extends ClientError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("PROOF_INVALID", message, { details });
    this.name = "ProofError";
  }
}
