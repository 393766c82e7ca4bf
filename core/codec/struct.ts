/**
 * Records as fixed-position arrays: `struct({ a: u64, b: bytes(32) })` encodes `{a, b}` as `[a, b]` in
 * declared key order, so the bytes carry no field names and no map ordering question arises.
 *
 * Guarantees: decoding checks the exact arity and every field, and errors name the field (`amount`,
 * `txs[3].nonce`); encoding reads only the declared keys (extra properties are ignored, missing ones
 * are errors). Field order is part of the wire format: changing it is a new version.
 */
import type { CanonicalValue } from "./canonical.ts";
import { DecodeError, EncodeError, ROOT_FIELD, rethrowUnder } from "./decode-error.ts";
import type { AnySchema, Infer, Schema } from "./schema.ts";

/** The fields of a struct or message, in wire order. */
export type Fields = Readonly<Record<string, AnySchema>>;

/** The object type a field list stands for. */
export type StructOf<F extends Fields> = { readonly [K in keyof F]: Infer<F[K]> };

/** A struct schema, with the positional helpers that message codecs build on. */
export interface StructSchema<T> extends Schema<T> {
  /** Field names in wire order. */
  readonly keys: readonly string[];
  /** Write the fields of `value` into `out[offset..]`; throws `EncodeError` naming the field. */
  writeFields(value: T, out: CanonicalValue[], offset: number): void;
  /** Read the fields from `items[offset..]` (arity already checked); throws `DecodeError` naming the field. */
  readFields(items: readonly CanonicalValue[], offset: number): T;
}

// Integer-like keys would be enumerated before the others by JavaScript, silently reordering the wire.
const INDEX_LIKE = /^(0|[1-9][0-9]*)$/;

/**
 * A fixed-position record of the given fields.
 *
 * @example const Output = struct({ to: bytes(32), amount: u64 }); // {to, amount} <-> [to, amount]
 */
export function struct<const F extends Fields>(fields: F): StructSchema<StructOf<F>> {
  const keys = Object.keys(fields);
  for (const k of keys) {
    if (INDEX_LIKE.test(k)) {
      throw new TypeError(`struct field "${k}": integer-like keys would reorder fields`);
    }
    if (k === "__proto__") throw new TypeError(`struct field "__proto__" cannot be an own property`);
    const f = fields[k] as Partial<AnySchema> | undefined;
    if (typeof f?.toValue !== "function" || typeof f.fromValue !== "function") {
      throw new TypeError(`struct field "${k}" is not a schema`);
    }
  }
  const schemas = keys.map((k) => fields[k] as AnySchema);
  const n = keys.length;
  const kind = `struct{${keys.join(",")}}`;

  function writeFields(value: StructOf<F>, out: CanonicalValue[], offset: number): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new EncodeError(
        ROOT_FIELD,
        `${kind} expects an object, got ${value === null ? "null" : typeof value}`,
      );
    }
    const record = value as Readonly<Record<string, unknown>>;
    let i = 0;
    try {
      for (; i < n; i++)
        out[offset + i] = (schemas[i] as AnySchema).toValue(record[keys[i] as string] as never);
    } catch (err) {
      rethrowUnder(err, keys[i] as string);
    }
  }

  function readFields(items: readonly CanonicalValue[], offset: number): StructOf<F> {
    const out: Record<string, unknown> = {};
    let i = 0;
    try {
      for (; i < n; i++)
        out[keys[i] as string] = (schemas[i] as AnySchema).fromValue(items[offset + i] as CanonicalValue);
    } catch (err) {
      rethrowUnder(err, keys[i] as string);
    }
    return out as StructOf<F>;
  }

  return {
    kind,
    nullable: false,
    keys,
    writeFields,
    readFields,
    toValue(value) {
      const out = new Array<CanonicalValue>(n);
      writeFields(value, out, 0);
      return out;
    },
    fromValue(value) {
      if (!Array.isArray(value)) {
        throw new DecodeError("DECODE_SHAPE", ROOT_FIELD, `${kind} expects an array`);
      }
      const items: readonly CanonicalValue[] = value;
      if (items.length !== n) {
        throw new DecodeError("DECODE_SHAPE", ROOT_FIELD, `${kind} expects ${n} fields, got ${items.length}`);
      }
      return readFields(items, 0);
    },
  };
}
