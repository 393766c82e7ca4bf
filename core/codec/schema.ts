/**
 * Typed schemas: each maps a TypeScript value to a `CanonicalValue` and back, validating kind and
 * bounds both ways. Leaves and simple combinators live here; `struct.ts` and `message.ts` build the
 * fixed-position records on top.
 *
 * Guarantees: `toValue` throws only `EncodeError`, `fromValue` only `DecodeError`, each naming the
 * field (paths are added by containers only when something fails, so the happy path builds no strings);
 * for every schema S and every T it accepts, `S.fromValue(S.toValue(t))` deep-equals `t`.
 */
import { type CanonicalValue, MAX_UINT64, utf8ByteLength } from "./canonical.ts";
import { DecodeError, EncodeError, ROOT_FIELD, rethrowUnder } from "./decode-error.ts";

/**
 * A two-way mapping between `T` and the canonical value model. Errors carry paths relative to the value
 * given (`<root>` for the value itself); containers prefix their own segment.
 */
export interface Schema<T> {
  /** Short description for messages and docs, e.g. `u64`, `bytes(32)`, `list(u8, 16)`. */
  readonly kind: string;
  /** True when `null` is a value of this schema (so it cannot be wrapped in `optional`). */
  readonly nullable: boolean;
  /** Validate `value` and turn it into its canonical value; throws `EncodeError`. */
  toValue(value: T): CanonicalValue;
  /** Validate a decoded canonical value and turn it into `T`; throws `DecodeError`. */
  fromValue(value: CanonicalValue): T;
}

/** Any schema whatever its `T`: what containers (struct fields, registries) hold. */
export interface AnySchema {
  readonly kind: string;
  readonly nullable: boolean;
  toValue(value: never): CanonicalValue;
  fromValue(value: CanonicalValue): unknown;
}

/** The TypeScript type a schema (or message codec) stands for: `type Transfer = Infer<typeof Transfer>`. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

function show(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === "string") return v.length > 24 ? `text(${v.length})` : JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

function encodeFail(reason: string): never {
  throw new EncodeError(ROOT_FIELD, reason);
}

function decodeFail(code: "DECODE_SHAPE" | "DECODE_RANGE" | "DECODE_INVALID_UTF8", reason: string): never {
  throw new DecodeError(code, ROOT_FIELD, reason);
}

function checkBound(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  }
}

function uintNumber(kind: string, max: number): Schema<number> {
  return {
    kind,
    nullable: false,
    toValue(v) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
        encodeFail(`${kind} expects an integer in 0..${max}, got ${show(v)}`);
      }
      // -0 is an integer >= 0 but must not leak into the value model.
      return v + 0;
    },
    fromValue(v) {
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
        if (v <= max) return v;
        decodeFail("DECODE_RANGE", `${kind} expects at most ${max}, got ${v}`);
      }
      if (typeof v === "bigint") decodeFail("DECODE_RANGE", `${kind} expects at most ${max}, got ${v}`);
      return decodeFail("DECODE_SHAPE", `${kind} expects an unsigned integer, got ${show(v)}`);
    },
  };
}

/** Unsigned 8-bit integer, as `number`. */
export const u8: Schema<number> = uintNumber("u8", 0xff);
/** Unsigned 16-bit integer, as `number`. */
export const u16: Schema<number> = uintNumber("u16", 0xffff);
/** Unsigned 32-bit integer, as `number`. */
export const u32: Schema<number> = uintNumber("u32", 0xffff_ffff);
/** Unsigned integer up to 2^53-1 (counts, heights, timestamps), as `number`. */
export const uint53: Schema<number> = uintNumber("uint53", Number.MAX_SAFE_INTEGER);

/** Unsigned 64-bit integer (amounts, nonces), always as `bigint`; encoded as the shortest uint. */
export const u64: Schema<bigint> = {
  kind: "u64",
  nullable: false,
  toValue(v) {
    if (typeof v !== "bigint" || v < 0n || v > MAX_UINT64) {
      encodeFail(`u64 expects a bigint in 0..2^64-1, got ${show(v)}`);
    }
    return v;
  },
  fromValue(v) {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "bigint" && v >= 0n) {
      if (v <= MAX_UINT64) return v;
      decodeFail("DECODE_RANGE", `u64 expects at most 2^64-1, got ${v}`);
    }
    return decodeFail("DECODE_SHAPE", `u64 expects an unsigned integer, got ${show(v)}`);
  },
};

/** A boolean (CBOR false/true). */
export const bool: Schema<boolean> = {
  kind: "bool",
  nullable: false,
  toValue(v) {
    if (typeof v !== "boolean") encodeFail(`bool expects a boolean, got ${show(v)}`);
    return v;
  },
  fromValue(v) {
    if (typeof v !== "boolean") decodeFail("DECODE_SHAPE", `bool expects a boolean, got ${show(v)}`);
    return v;
  },
};

function byteString(kind: string, min: number, max: number): Schema<Uint8Array> {
  const want = min === max ? `exactly ${min}` : `at most ${max}`;
  return {
    kind,
    nullable: false,
    toValue(v) {
      if (!(v instanceof Uint8Array)) encodeFail(`${kind} expects a Uint8Array, got ${show(v)}`);
      if (v.length < min || v.length > max) encodeFail(`${kind} expects ${want} bytes, got ${v.length}`);
      return v;
    },
    fromValue(v) {
      if (!(v instanceof Uint8Array)) decodeFail("DECODE_SHAPE", `${kind} expects bytes, got ${show(v)}`);
      if (v.length < min || v.length > max) {
        decodeFail("DECODE_RANGE", `${kind} expects ${want} bytes, got ${v.length}`);
      }
      return v;
    },
  };
}

/** A byte string of exactly `length` bytes (hashes, keys, signatures). */
export function bytes(length: number): Schema<Uint8Array> {
  checkBound("bytes length", length);
  return byteString(`bytes(${length})`, length, length);
}

/** A byte string of at most `maxLength` bytes. */
export function bytesMax(maxLength: number): Schema<Uint8Array> {
  checkBound("bytesMax maxLength", maxLength);
  return byteString(`bytesMax(${maxLength})`, 0, maxLength);
}

/**
 * A text string of at most `maxBytes` UTF-8 bytes (not UTF-16 units: the bound is what goes on the
 * wire). Strings with lone surrogates cannot be encoded.
 */
export function text(maxBytes: number): Schema<string> {
  checkBound("text maxBytes", maxBytes);
  const kind = `text(${maxBytes})`;
  return {
    kind,
    nullable: false,
    toValue(v) {
      if (typeof v !== "string") encodeFail(`${kind} expects a string, got ${show(v)}`);
      const len = utf8ByteLength(v);
      if (len < 0) encodeFail(`${kind}: string contains a lone surrogate`);
      if (len > maxBytes) encodeFail(`${kind} expects at most ${maxBytes} UTF-8 bytes, got ${len}`);
      return v;
    },
    fromValue(v) {
      if (typeof v !== "string") decodeFail("DECODE_SHAPE", `${kind} expects text, got ${show(v)}`);
      if (!v.isWellFormed()) decodeFail("DECODE_INVALID_UTF8", `${kind}: string contains a lone surrogate`);
      // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no counting.
      if (v.length * 3 > maxBytes) {
        const len = utf8ByteLength(v);
        if (len > maxBytes) {
          decodeFail("DECODE_RANGE", `${kind} expects at most ${maxBytes} UTF-8 bytes, got ${len}`);
        }
      }
      return v;
    },
  };
}

/**
 * `T` or absent, written as CBOR null when absent. The field is still present in its position, so
 * the TypeScript type is `T | null` (not an optional property).
 */
export function optional<T>(schema: Schema<T>): Schema<T | null> {
  if (schema.nullable) throw new TypeError(`optional(${schema.kind}): inner schema already admits null`);
  return {
    kind: `optional(${schema.kind})`,
    nullable: true,
    toValue(v) {
      if (v === null) return null;
      if (v === undefined) encodeFail(`${schema.kind} is missing (use null for absent)`);
      return schema.toValue(v);
    },
    fromValue(v) {
      return v === null ? null : schema.fromValue(v);
    },
  };
}

/** An array of at most `maxLength` items of one schema; error paths name the index (`txs[3]`). */
export function list<T>(schema: Schema<T>, maxLength: number): Schema<readonly T[]> {
  checkBound("list maxLength", maxLength);
  const kind = `list(${schema.kind}, ${maxLength})`;
  return {
    kind,
    nullable: false,
    toValue(v) {
      if (!Array.isArray(v)) encodeFail(`${kind} expects an array, got ${show(v)}`);
      const items: readonly T[] = v;
      if (items.length > maxLength) {
        encodeFail(`${kind} expects at most ${maxLength} items, got ${items.length}`);
      }
      const out = new Array<CanonicalValue>(items.length);
      let i = 0;
      try {
        for (; i < items.length; i++) out[i] = schema.toValue(items[i] as T);
      } catch (err) {
        rethrowUnder(err, `[${i}]`);
      }
      return out;
    },
    fromValue(v) {
      if (!Array.isArray(v)) decodeFail("DECODE_SHAPE", `${kind} expects an array, got ${show(v)}`);
      const items: readonly CanonicalValue[] = v;
      if (items.length > maxLength) {
        decodeFail("DECODE_RANGE", `${kind} expects at most ${maxLength} items, got ${items.length}`);
      }
      const out = new Array<T>(items.length);
      let i = 0;
      try {
        for (; i < items.length; i++) out[i] = schema.fromValue(items[i] as CanonicalValue);
      } catch (err) {
        rethrowUnder(err, `[${i}]`);
      }
      return out;
    },
  };
}

/**
 * A small enum. String members are written as their index in `members` (so reordering or removing
 * members is a breaking change: append only); number members are written as the number itself.
 *
 * @example const Kind = enumOf(["transfer", "stake"]); // "stake" <-> 1
 */
export function enumOf<const M extends readonly string[]>(members: M): Schema<M[number]>;
export function enumOf<const M extends readonly number[]>(members: M): Schema<M[number]>;
export function enumOf(members: readonly (string | number)[]): Schema<string | number> {
  if (members.length === 0) throw new TypeError("enumOf needs at least one member");
  if (new Set(members).size !== members.length) throw new TypeError("enumOf members must be distinct");
  const numeric = typeof members[0] === "number";
  for (const m of members) {
    if (numeric ? !(typeof m === "number" && Number.isSafeInteger(m) && m >= 0) : typeof m !== "string") {
      throw new TypeError("enumOf members must be all strings or all non-negative safe integers");
    }
  }
  const kind = `enumOf(${members.map((m) => JSON.stringify(m)).join("|")})`;
  const index = new Map<string | number, number>(members.map((m, i) => [m, i]));
  return {
    kind,
    nullable: false,
    toValue(v) {
      const i = index.get(v);
      if (i === undefined) encodeFail(`${kind} got ${show(v)}`);
      return numeric ? v : i;
    },
    fromValue(v) {
      if (typeof v !== "number" && typeof v !== "bigint") {
        decodeFail("DECODE_SHAPE", `${kind} expects an unsigned integer, got ${show(v)}`);
      }
      if (numeric) {
        if (typeof v === "number" && index.has(v)) return v;
      } else if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < members.length) {
        return members[v] as string;
      }
      return decodeFail("DECODE_RANGE", `${kind} has no member ${show(v)}`);
    },
  };
}
