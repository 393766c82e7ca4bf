/**
 * A registry decodes any of several message types by their `[tag, version]` header: what a router or
 * a store uses when one channel carries many types. It holds every version of a type that must still
 * be read (see the evolution rule in message.ts).
 *
 * Guarantees: as `MessageCodec.decode` (size first, canonical subset, field validation, re-encode
 * check); an unknown tag is DECODE_UNKNOWN_TYPE, a known tag with an unknown version
 * DECODE_UNSUPPORTED_VERSION; the result says which codec decoded it, typed as a union.
 */
import { type DecodeLimits, decodeCanonicalAt } from "./canonical.ts";
import { DecodeError, ROOT_FIELD } from "./decode-error.ts";
import { type AnyMessageCodec, finishDecode, type MessageCodec, messageItems } from "./message.ts";

/** One decoded message: which type and version, and the value. Narrow on `name` (and `version`). */
export type DecodedMessage<C extends readonly AnyMessageCodec[]> = {
  [K in keyof C]: C[K] extends MessageCodec<infer N, infer V, infer T>
    ? { readonly name: N; readonly version: V; readonly value: T }
    : never;
}[number];

/** Decoder for a fixed set of message codecs. */
export interface MessageRegistry<C extends readonly AnyMessageCodec[]> {
  /** The codecs, as given. */
  readonly codecs: C;
  /** Decode bytes of any registered type; throws only `DecodeError`. */
  decode(bytes: Uint8Array, limits?: DecodeLimits): DecodedMessage<C>;
  /** The codec for a (tag, version), if registered. */
  codecFor(tag: number, version: number): C[number] | undefined;
}

/**
 * Build a registry. Throws TypeError if two codecs share a (tag, version), if one tag has two names,
 * or one name two tags.
 *
 * @example
 * const wire = registry([TransferV1, Transfer, Vote]);
 * const m = wire.decode(bytes);
 * if (m.name === "Vote") handleVote(m.value);
 */
export function registry<const C extends readonly AnyMessageCodec[]>(codecs: C): MessageRegistry<C> {
  const byTag = new Map<number, Map<number, AnyMessageCodec>>();
  const tagOfName = new Map<string, number>();
  for (const codec of codecs) {
    const versions = byTag.get(codec.tag) ?? new Map<number, AnyMessageCodec>();
    const other = versions.values().next().value;
    if (other !== undefined && other.name !== codec.name) {
      throw new TypeError(`tag ${codec.tag} is used by both ${other.name} and ${codec.name}`);
    }
    if (versions.has(codec.version)) throw new TypeError(`${codec.name} v${codec.version} registered twice`);
    const tag = tagOfName.get(codec.name);
    if (tag !== undefined && tag !== codec.tag) {
      throw new TypeError(`${codec.name} has tags ${tag} and ${codec.tag}`);
    }
    tagOfName.set(codec.name, codec.tag);
    versions.set(codec.version, codec);
    byTag.set(codec.tag, versions);
  }

  function codecFor(tag: number, version: number): C[number] | undefined {
    return byTag.get(tag)?.get(version) as C[number] | undefined;
  }

  return Object.freeze({
    codecs,
    codecFor,
    decode(bytes: Uint8Array, limits: DecodeLimits = {}): DecodedMessage<C> {
      const tree = decodeCanonicalAt(bytes, limits, ROOT_FIELD);
      const items = messageItems(tree);
      const tag = items[0] as number | bigint;
      const version = items[1] as number | bigint;
      // A bigint tag or version is above 2^53 and so never registered.
      const versions = typeof tag === "number" ? byTag.get(tag) : undefined;
      if (versions === undefined) {
        throw new DecodeError("DECODE_UNKNOWN_TYPE", ROOT_FIELD, `unknown message tag ${tag}`);
      }
      const codec = typeof version === "number" ? versions.get(version) : undefined;
      if (codec === undefined) {
        const name = (versions.values().next().value as AnyMessageCodec).name;
        throw new DecodeError(
          "DECODE_UNSUPPORTED_VERSION",
          name,
          `unsupported version ${version} of tag ${tag}`,
        );
      }
      const value = finishDecode(codec, tree, bytes);
      return { name: codec.name, version: codec.version, value } as DecodedMessage<C>;
    },
  });
}
