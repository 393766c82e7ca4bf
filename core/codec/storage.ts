/**
 * Storage and framing encoding over cbor-x, for data that is NOT signed, hashed or compared across
 * nodes: local store records, caches, envelopes around already-canonical payloads.
 *
 * Signed or hashed bytes never go through this module, because cbor-x is not deterministic: map keys
 * are written in insertion order, a bigint is always written 8 bytes wide (5n is 1b0000000000000005,
 * not 05), a Uint8Array gets tag 64 by default, and numbers may become floats. Two honest nodes could
 * encode one value to different bytes; use `canonical.ts` / `message.ts` for those.
 *
 * Guarantees: `storageDecode` checks the size cap before reading any byte and throws only
 * `DecodeError` for bad bytes (cbor-x's errors are wrapped, the original kept as `cause`); it returns
 * `unknown`, to be validated by the caller. `storageEncode` throws only `EncodeError`.
 */
import { Encoder } from "cbor-x";
import { DecodeError, type DecodeErrorCode, EncodeError, ROOT_FIELD } from "./decode-error.ts";

/** Default cap on one stored record: bigger than any wire message (1 MiB), still bounded. */
export const DEFAULT_STORAGE_MAX_BYTES = 16 << 20;

// useRecords: false keeps the bytes plain CBOR (readable by any tool); mapsAsObjects: plain objects out.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true });

/** Encode any cbor-x-supported value for storage or framing. Not canonical: never sign or hash the result. */
export function storageEncode(value: unknown): Uint8Array {
  try {
    return encoder.encode(value);
  } catch (cause) {
    throw new EncodeError(ROOT_FIELD, `cannot encode for storage: ${(cause as Error).message}`, { cause });
  }
}

/** Decode bytes written by `storageEncode`, at most `maxBytes` long; the result is untrusted `unknown`. */
export function storageDecode(bytes: Uint8Array, options: { maxBytes?: number } = {}): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("storageDecode expects a Uint8Array");
  const maxBytes = options.maxBytes ?? DEFAULT_STORAGE_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer`);
  }
  if (bytes.length > maxBytes) {
    throw new DecodeError(
      "DECODE_TOO_LARGE",
      ROOT_FIELD,
      `input is ${bytes.length} bytes, limit ${maxBytes}`,
      {
        offset: 0,
      },
    );
  }
  if (bytes.length === 0) throw new DecodeError("DECODE_TRUNCATED", ROOT_FIELD, "empty input", { offset: 0 });
  try {
    return encoder.decode(bytes);
  } catch (cause) {
    const [code, reason] = classify(cause);
    throw new DecodeError(code, ROOT_FIELD, reason, { cause });
  }
}

// cbor-x has no error codes; this maps its few kinds onto ours (the message is kept in `cause`).
function classify(err: unknown): [DecodeErrorCode, string] {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return ["DECODE_TOO_DEEP", "nesting too deep"];
  }
  if (typeof err === "object" && err !== null && "incomplete" in err) return ["DECODE_TRUNCATED", message];
  if (/end of buffer not reached/i.test(message)) return ["DECODE_TRAILING_BYTES", message];
  return ["DECODE_UNSUPPORTED_CBOR", message];
}
