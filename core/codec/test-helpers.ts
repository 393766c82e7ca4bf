/**
 * Helpers shared by the codec tests: hex conversion and assertions on codec errors. Test-only; nothing
 * outside `*.test.ts` imports this.
 */
import { expect } from "bun:test";
import { DecodeError, type DecodeErrorCode, EncodeError } from "./decode-error.ts";

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function unhex(s: string): Uint8Array {
  // A plain Uint8Array, not a Buffer, so tests see what callers of the codec see.
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
}

/** Run `f`, expect a DecodeError with `code` (and `field` / `offset` when given), and return it. */
export function expectDecodeError(
  f: () => unknown,
  code: DecodeErrorCode,
  at: { field?: string; offset?: number } = {},
): DecodeError {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DecodeError);
  const err = caught as DecodeError;
  expect(err.code).toBe(code);
  if (at.field !== undefined) {
    expect(err.field).toBe(at.field);
    expect(err.message).toContain(at.field);
  }
  if (at.offset !== undefined) expect(err.offset).toBe(at.offset);
  return err;
}

/** Run `f`, expect an EncodeError naming `field`, and return it. */
export function expectEncodeError(f: () => unknown, field: string): EncodeError {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(EncodeError);
  const err = caught as EncodeError;
  expect(err.code).toBe("ENCODE_INVALID");
  expect(err.field).toBe(field);
  expect(err.message).toContain(field);
  return err;
}
