/**
 * Errors of the codec layer: `DecodeError` for bytes or values that must be rejected, `EncodeError` for
 * values that cannot be encoded. Both name the offending field as a path (`Transfer.amount`,
 * `Batch.txs[3].nonce`, or `<root>` for the whole value) and, where known, the byte offset.
 *
 * Guarantee: every rejection of untrusted input by `core/codec` is a `DecodeError` with one of the
 * `DecodeErrorCode`s below; callers branch on `code` (and may map it to a peer penalty), never on text.
 */
import { LatticeError } from "../errors/lattice-error.ts";

/** Why a decode was rejected. Stable strings: peers, logs and tests depend on them. */
export type DecodeErrorCode =
  /** Input longer than `maxBytes`, or more data items than `maxItems`. */
  | "DECODE_TOO_LARGE"
  /** Arrays nested deeper than `maxDepth`. */
  | "DECODE_TOO_DEEP"
  /** Input ends before the value does (or a length claims more bytes than remain). */
  | "DECODE_TRUNCATED"
  /** Bytes left over after one complete value. */
  | "DECODE_TRAILING_BYTES"
  /** A head that is not the shortest form, or bytes that do not re-encode to themselves. */
  | "DECODE_NON_CANONICAL"
  /** CBOR outside the Lattice subset: maps, tags, floats, negative ints, indefinite lengths, undefined. */
  | "DECODE_UNSUPPORTED_CBOR"
  /** A text string that is not well-formed UTF-8. */
  | "DECODE_INVALID_UTF8"
  /** Wrong kind of value, or wrong number of fields. */
  | "DECODE_SHAPE"
  /** A value of the right kind outside its bounds (integer too large, bytes too long, ...). */
  | "DECODE_RANGE"
  /** A message tag that no codec in use knows. */
  | "DECODE_UNKNOWN_TYPE"
  /** A known message tag with a version that no codec in use knows. */
  | "DECODE_UNSUPPORTED_VERSION";

/** The field path used when the problem is the value as a whole. */
export const ROOT_FIELD = "<root>";

/** Options shared by both codec errors. */
export interface CodecErrorOptions {
  /** Byte offset of the data item at fault, when the error comes from reading bytes. */
  readonly offset?: number;
  readonly cause?: unknown;
}

function describe(field: string, reason: string, offset: number | undefined): string {
  return offset === undefined ? `${field}: ${reason}` : `${field}: ${reason} (at byte ${offset})`;
}

// Paths grow outwards as an error crosses containers: "amount" under "txs[3]" under "Batch".
function joinPath(segment: string, inner: string): string {
  if (inner === ROOT_FIELD) return segment;
  if (segment === ROOT_FIELD) return inner;
  return inner.startsWith("[") ? `${segment}${inner}` : `${segment}.${inner}`;
}

/**
 * Bytes (or a decoded value) rejected by the codec. `field` names where, `reason` says why in words,
 * `code` says why for programs.
 *
 * @example
 * try { Transfer.decode(bytes) } catch (e) { if (isLatticeError(e, "DECODE_RANGE")) penalise(peer) }
 */
export class DecodeError extends LatticeError {
  declare readonly code: DecodeErrorCode;
  /** Path of the offending field, e.g. `Batch.txs[3].nonce`, or `<root>`. */
  readonly field: string;
  /** Human reason without the field, e.g. `expected an integer <= 255`. */
  readonly reason: string;
  /** Byte offset of the data item at fault, when known (absent, not undefined, otherwise). */
  declare readonly offset?: number;

  constructor(code: DecodeErrorCode, field: string, reason: string, options: CodecErrorOptions = {}) {
    const details: Record<string, unknown> = { field, reason };
    if (options.offset !== undefined) details.offset = options.offset;
    super(code, describe(field, reason, options.offset), { cause: options.cause, details });
    this.name = "DecodeError";
    this.field = field;
    this.reason = reason;
    if (options.offset !== undefined) this.offset = options.offset;
  }

  /** The same error seen from one container further out: `segment` is a key, `[i]` or a type name. */
  under(segment: string): DecodeError {
    const options: { offset?: number; cause?: unknown } = { cause: this.cause };
    if (this.offset !== undefined) options.offset = this.offset;
    return new DecodeError(this.code, joinPath(segment, this.field), this.reason, options);
  }
}

/**
 * A value that cannot be encoded: wrong type, negative, not an integer, too large, too long, a string
 * with lone surrogates. Always a programming error on the encoding side, never caused by a peer.
 */
export class EncodeError extends LatticeError {
  declare readonly code: "ENCODE_INVALID";
  /** Path of the offending field, e.g. `Transfer.amount`, or `<root>`. */
  readonly field: string;
  /** Human reason without the field. */
  readonly reason: string;

  constructor(field: string, reason: string, options: { cause?: unknown } = {}) {
    super("ENCODE_INVALID", describe(field, reason, undefined), {
      cause: options.cause,
      details: { field, reason },
    });
    this.name = "EncodeError";
    this.field = field;
    this.reason = reason;
  }

  /** The same error seen from one container further out. */
  under(segment: string): EncodeError {
    return new EncodeError(joinPath(segment, this.field), this.reason, { cause: this.cause });
  }
}

/**
 * Re-throw a codec error from a child as seen from its container; anything else passes unchanged.
 * Used by containers so paths are built only when something fails, never on the happy path.
 */
export function rethrowUnder(err: unknown, segment: string): never {
  if (err instanceof DecodeError || err instanceof EncodeError) throw err.under(segment);
  throw err;
}
