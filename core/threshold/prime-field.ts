/**
 * A `ScalarField` (group.ts) over a prime, backed by noble's modular arithmetic. Shared by the
 * BLS12-381 scalar field Fr and the model stand-in's field, so both get the same strict byte
 * rules: fixed-length big-endian, canonical (< order) only.
 */
import { Field } from "@noble/curves/abstract/modular.js";
import { ThresholdError } from "./errors.ts";
import type { RandomBytes, ScalarField } from "./group.ts";

/** Big-endian bytes of `value` in exactly `len` bytes; the caller guarantees it fits. */
export function bigintToBytes(value: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let v = value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The unsigned big-endian integer in `bytes`. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Draw exactly `n` bytes from an injected source, failing loudly if it misbehaves. */
export function drawBytes(random: RandomBytes, n: number): Uint8Array {
  const bytes = random(n);
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    throw new ThresholdError("THRESHOLD_BAD_RANDOM", `random(${n}) returned the wrong number of bytes`, {
      details: { expected: n },
    });
  }
  return bytes;
}

/**
 * A prime field of the given order with `bytes`-byte encodings. Random scalars take
 * `bytes + 16` random bytes and reduce them, so the bias is below 2^-128.
 */
export function primeField(order: bigint, bytes: number): ScalarField {
  const F = Field(order);
  const wide = bytes + 16;
  return {
    order,
    bytes,
    add: (a, b) => F.add(a, b),
    sub: (a, b) => F.sub(a, b),
    mul: (a, b) => F.mul(a, b),
    inv(a) {
      if (F.is0(F.create(a))) throw new ThresholdError("THRESHOLD_MALFORMED", "inverse of zero");
      return F.inv(F.create(a));
    },
    create: (a) => F.create(a),
    isValid: (a) => typeof a === "bigint" && a >= 0n && a < order,
    random(random) {
      for (;;) {
        const s = bytesToBigint(drawBytes(random, wide)) % order;
        // Zero has probability ~2^-bits; redraw rather than hand out a useless key.
        if (s !== 0n) return s;
      }
    },
    toBytes: (a) => bigintToBytes(F.create(a), bytes),
    fromBytes(input, field = "scalar") {
      if (!(input instanceof Uint8Array) || input.length !== bytes) {
        throw new ThresholdError("THRESHOLD_MALFORMED", `${field}: expected ${bytes} bytes`, {
          details: { field, expected: bytes, got: input instanceof Uint8Array ? input.length : typeof input },
        });
      }
      const v = bytesToBigint(input);
      if (v >= order) {
        throw new ThresholdError("THRESHOLD_MALFORMED", `${field}: not a canonical scalar (>= order)`, {
          details: { field },
        });
      }
      return v;
    },
  };
}
