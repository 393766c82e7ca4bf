/**
 * Every error code the HTTP API answers with, and its HTTP status: the one table that the server's
 * `onError` and the SDK's typed errors both read (docs/API.md "Errors" lists the same). Transaction
 * rejection codes (core/ledger/rejection.ts) are API codes as they are.
 *
 * Status rules: 400 the request is malformed (bad JSON, schema, undecodable CBOR); 404 unknown thing;
 * 409 conflicts with the ledger's state (nonce, duplicate); 413 body too large; 415 content type;
 * 422 well-formed but invalid (signature, chain, balance); 503 try later (mempool full, not ready);
 * 401/403 admin authentication.
 */
import type { RejectionCode } from "../../core/ledger/rejection.ts";

export type ApiErrorCode =
  | RejectionCode
  | "MALFORMED_JSON"
  | "VALIDATION"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "NOT_FOUND"
  | "TX_NOT_FOUND"
  | "ACCOUNT_NOT_FOUND"
  | "ROUND_NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_IMPLEMENTED"
  | "NOT_READY"
  | "TOO_MANY_SUBSCRIBERS"
  | "INTERNAL";

export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  MALFORMED_JSON: 400,
  VALIDATION: 400,
  TX_DECODE: 400,
  PAYLOAD_TOO_LARGE: 413,
  TX_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  TX_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  ROUND_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  TX_NONCE_TOO_LOW: 409,
  TX_NONCE_TAKEN: 409,
  TX_NONCE_GAP: 409,
  TX_NONCE: 409,
  TX_DUPLICATE: 409,
  TX_SUPERSEDED: 409,
  TX_CHAIN: 422,
  TX_SIGNATURE: 422,
  TX_SENDER_UNKNOWN: 422,
  TX_BALANCE: 422,
  TX_STATE_FULL: 422,
  TX_OVERFLOW: 422,
  TX_EVICTED: 409,
  TX_MEMPOOL_FULL: 503,
  TX_PERSIST: 503,
  NOT_READY: 503,
  TOO_MANY_SUBSCRIBERS: 503,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_IMPLEMENTED: 501,
  INTERNAL: 500,
};

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERROR_STATUS, code);
}

/** HTTP status of a code (500 for a code this table does not know). */
export function statusOf(code: string): number {
  return isApiErrorCode(code) ? API_ERROR_STATUS[code] : 500;
}
