/**
 * The error the API's handlers throw; `onError` turns it into `{error: {code, message, details?}}` with
 * the status from error-codes.ts.
 */
import { LatticeError } from "../../core/errors/lattice-error.ts";
import { type ApiErrorCode, statusOf } from "./error-codes.ts";

export class ApiError extends LatticeError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  constructor(code: ApiErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details === undefined ? {} : { details });
    this.name = "ApiError";
    this.status = statusOf(code);
  }
}
