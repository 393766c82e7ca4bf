/**
 * Message codecs: a named, tagged, versioned struct whose canonical bytes are the array
 * `[tag, version, ...fields]`. Every message type that is sent, signed or hashed is defined here
 * once and gives both its TypeScript type (`Infer<typeof Transfer>`) and its only valid bytes.
 *
 * EVOLUTION. A message type is identified by its tag; each (tag, version) pair is its own codec with
 * its own fixed field list. To change a type, define a new codec with the same name and tag and the
 * next version, keep the old codec for as long as old bytes must be read, and register both in a
 * `registry` (registry.ts), which dispatches on (tag, version). A codec decodes only its own version
 * (another one is DECODE_UNSUPPORTED_VERSION) and always encodes its own version.
 *
 * Guarantees of `decode`: the size limit is checked before any byte is read; only the canonical subset
 * is accepted; tag, version, arity and every field are validated, errors naming `Name.field`; and the
 * decoded value is re-encoded and compared with the input (DECODE_NON_CANONICAL if different), so a
 * signature can be checked over the input bytes knowing they are the one encoding of the value.
 */
import {
  bytesEqual,
  type CanonicalValue,
  type DecodeLimits,
  decodeCanonicalAt,
  encodeCanonical,
} from "./canonical.ts";
import { DecodeError, EncodeError, ROOT_FIELD, rethrowUnder } from "./decode-error.ts";
import type { Schema } from "./schema.ts";
import { type Fields, type StructOf, struct } from "./struct.ts";

/** What `defineMessage` needs. `tag` and `version` are non-negative safe integers. */
export interface MessageSpec<N extends string, V extends number, F extends Fields> {
  /** Type name, used as the first segment of every error path (`Transfer.amount`). */
  readonly name: N;
  /** Wire tag: identifies the type across all its versions. */
  readonly tag: number;
  readonly version: V;
  /** Fields in wire order. */
  readonly fields: F;
}

/** A codec for one version of one message type; also a `Schema`, so messages nest inside others. */
export interface MessageCodec<N extends string, V extends number, T> extends Schema<T> {
  readonly name: N;
  readonly tag: number;
  readonly version: V;
  /** Field names in wire order (after tag and version). */
  readonly keys: readonly string[];
  /** Canonical bytes of `value`; throws `EncodeError` naming the field. */
  encode(value: T): Uint8Array;
  /** Validate and decode; throws only `DecodeError` (TypeError/RangeError for bad arguments). */
  decode(bytes: Uint8Array, limits?: DecodeLimits): T;
}

/** Any message codec whatever its type: what registries hold. */
export interface AnyMessageCodec {
  readonly name: string;
  readonly tag: number;
  readonly version: number;
  readonly kind: string;
  readonly nullable: boolean;
  toValue(value: never): CanonicalValue;
  fromValue(value: CanonicalValue): unknown;
}

function checkId(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
  }
}

/**
 * Define a message type.
 *
 * @example
 * const Transfer = defineMessage({ name: "Transfer", tag: 0x10, version: 1,
 *   fields: { from: bytes(32), to: bytes(32), amount: u64, nonce: u64, memo: optional(text(64)) } });
 * type Transfer = Infer<typeof Transfer>;
 * const again = Transfer.decode(Transfer.encode(tx));
 */
export function defineMessage<const N extends string, const V extends number, const F extends Fields>(
  spec: MessageSpec<N, V, F>,
): MessageCodec<N, V, StructOf<F>> {
  const { name, tag, version } = spec;
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError("message name must be a non-empty string");
  }
  checkId(`${name}.tag`, tag);
  checkId(`${name}.version`, version);
  const body = struct(spec.fields);
  const n = body.keys.length;
  const kind = `${name}(tag ${tag}, v${version})`;

  function toValue(value: StructOf<F>): CanonicalValue {
    const out = new Array<CanonicalValue>(n + 2);
    out[0] = tag;
    out[1] = version;
    body.writeFields(value, out, 2);
    return out;
  }

  function fromValue(value: CanonicalValue): StructOf<F> {
    const items = checkHeader(value, kind, tag, version);
    if (items.length !== n + 2) {
      throw new DecodeError(
        "DECODE_SHAPE",
        ROOT_FIELD,
        `${kind} expects ${n} fields, got ${items.length - 2}`,
      );
    }
    return body.readFields(items, 2);
  }

  const codec: MessageCodec<N, V, StructOf<F>> = {
    name,
    tag,
    version,
    kind,
    nullable: false,
    keys: body.keys,
    toValue,
    fromValue,
    encode(value) {
      try {
        return encodeCanonical(toValue(value));
      } catch (err) {
        return rethrowUnder(err, name);
      }
    },
    decode(bytes, limits = {}) {
      return finishDecode(codec, decodeCanonicalAt(bytes, limits, name), bytes) as StructOf<F>;
    },
  };
  return Object.freeze(codec);
}

/**
 * Check the `[tag, version, ...]` header of a decoded value against one codec; returns the items.
 * A wrong tag is DECODE_UNKNOWN_TYPE, a wrong version DECODE_UNSUPPORTED_VERSION.
 */
function checkHeader(
  value: CanonicalValue,
  kind: string,
  tag: number,
  version: number,
): readonly CanonicalValue[] {
  const items = messageItems(value);
  if (items[0] !== tag) {
    throw new DecodeError("DECODE_UNKNOWN_TYPE", ROOT_FIELD, `expected ${kind}, got tag ${items[0]}`);
  }
  if (items[1] !== version) {
    throw new DecodeError(
      "DECODE_UNSUPPORTED_VERSION",
      ROOT_FIELD,
      `expected ${kind}, got version ${items[1]}`,
    );
  }
  return items;
}

/** The items of a value shaped `[tag, version, ...]` with unsigned tag and version; else DECODE_SHAPE. */
export function messageItems(value: CanonicalValue): readonly CanonicalValue[] {
  if (!Array.isArray(value)) throw new DecodeError("DECODE_SHAPE", ROOT_FIELD, "a message must be an array");
  const items: readonly CanonicalValue[] = value;
  if (items.length < 2 || !isUint(items[0]) || !isUint(items[1])) {
    throw new DecodeError("DECODE_SHAPE", ROOT_FIELD, "a message starts with an unsigned tag and version");
  }
  return items;
}

function isUint(v: CanonicalValue | undefined): boolean {
  return (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "bigint" && v >= 0n);
}

/**
 * The end of every message decode: fields from the decoded tree, then the canonicality check that
 * re-encodes the value and compares it with `bytes`. Errors are prefixed with the message name.
 */
export function finishDecode(codec: AnyMessageCodec, tree: CanonicalValue, bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = codec.fromValue(tree);
  } catch (err) {
    return rethrowUnder(err, codec.name);
  }
  let again: Uint8Array;
  try {
    again = encodeCanonical(codec.toValue(value as never));
  } catch (cause) {
    if (!(cause instanceof EncodeError)) throw cause;
    throw new DecodeError("DECODE_NON_CANONICAL", codec.name, "decoded value does not re-encode", { cause });
  }
  if (!bytesEqual(again, bytes)) {
    let at = 0;
    while (at < again.length && again[at] === bytes[at]) at++;
    throw new DecodeError("DECODE_NON_CANONICAL", codec.name, "bytes differ from the re-encoded value", {
      offset: at,
    });
  }
  return value;
}
