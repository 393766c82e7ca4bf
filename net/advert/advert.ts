/**
 * Adverts (seed 003 "Addressing"; core-anchors §5.2 NodeAdvert/TopicAdvert, §5.3 "versioned signed
 * adverts; the newest version wins"): signed statements that bind addresses across layers.
 *
 * - NodeAdvert   `[0x34, 1, node, version, addresses]`: node -> transport addresses; signed by the node.
 * - EngineAdvert `[0x35, 1, engine, node, version, protocols]`: engine -> hosting node; signed by the
 *   node (engines hold no keys of their own in this runtime, so the node vouches for them exactly as it
 *   does for every envelope `from`).
 * - DomainAdvert `[0x36, 1, domain, owner, name, version, introducers, policy]`: domain -> owner,
 *   introducer nodes and join policy; signed by the owner. The domain id is DERIVED from the owner and
 *   name (`taggedHash("domain-id/v1", owner, name)`), so nobody but the owner can advertise a domain id:
 *   a second "owner" would name a different domain.
 *
 * Each travels inside the `Signed` wrapper (signed.ts). `openAdvert` never throws: it returns the advert
 * or a typed reason (`malformed`, `forged`, `invalid`), so a caller counts the rejection and changes
 * nothing. Versions are chosen by the signer and must grow with every change (nodes use
 * `max(previous + 1, now)`, so a restarted node outranks its old self without remembering it).
 */
import type { DomainId, EngineId, NodeId } from "../../core/engine/engine.ts";
import { defineMessage } from "../../core/codec/message.ts";
import { bytes, enumOf, list, text, uint53 } from "../../core/codec/schema.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { fromHex, toHex, utf8 } from "../../core/crypto/bytes.ts";
import { taggedHash } from "../../core/crypto/sha256.ts";
import { MAX_PROTOCOL_BYTES } from "../router/envelope.ts";
import { decodeSigned, signRecord, verifyRecord } from "./signed.ts";

/** Longest transport address, e.g. `tcp://[2001:db8::1]:4100`. */
export const MAX_ADDRESS_BYTES = 256;
export const MAX_ADDRESSES = 8;
export const MAX_ADVERT_PROTOCOLS = 32;
export const MAX_INTRODUCERS = 16;
export const MAX_DOMAIN_NAME_BYTES = 64;

/** Join policies (seed 003 "Joining a domain": no authentication, or a pre-shared key). */
export const JOIN_POLICIES = ["open", "psk"] as const;
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

const NodeAdvertCodec = defineMessage({
  name: "NodeAdvert",
  tag: 0x34,
  version: 1,
  fields: {
    node: bytes(32),
    version: uint53,
    addresses: list(text(MAX_ADDRESS_BYTES), MAX_ADDRESSES),
  },
});

const EngineAdvertCodec = defineMessage({
  name: "EngineAdvert",
  tag: 0x35,
  version: 1,
  fields: {
    engine: bytes(32),
    node: bytes(32),
    version: uint53,
    protocols: list(text(MAX_PROTOCOL_BYTES), MAX_ADVERT_PROTOCOLS),
  },
});

const DomainAdvertCodec = defineMessage({
  name: "DomainAdvert",
  tag: 0x36,
  version: 1,
  fields: {
    domain: bytes(32),
    owner: bytes(32),
    name: text(MAX_DOMAIN_NAME_BYTES),
    version: uint53,
    introducers: list(bytes(32), MAX_INTRODUCERS),
    policy: enumOf(JOIN_POLICIES),
  },
});

export interface NodeAdvert {
  readonly kind: "node";
  readonly node: NodeId;
  readonly version: number;
  readonly addresses: readonly string[];
}

export interface EngineAdvert {
  readonly kind: "engine";
  readonly engine: EngineId;
  readonly node: NodeId;
  readonly version: number;
  readonly protocols: readonly string[];
}

export interface DomainAdvert {
  readonly kind: "domain";
  readonly domain: DomainId;
  readonly owner: NodeId;
  readonly name: string;
  readonly version: number;
  readonly introducers: readonly NodeId[];
  readonly policy: JoinPolicy;
}

export type Advert = NodeAdvert | EngineAdvert | DomainAdvert;

/** Why an advert was rejected. */
export type AdvertRejection = "malformed" | "forged" | "invalid";

export type OpenedAdvert =
  | { readonly ok: true; readonly advert: Advert }
  | { readonly ok: false; readonly reason: AdvertRejection; readonly detail: string };

/** The id of the domain `name` owned by `owner` (hex). */
export function domainIdOf(owner: NodeId, name: string): DomainId {
  return toHex(taggedHash("domain-id/v1", fromHex(owner, "owner"), utf8(name)));
}

/** The identity an advert is about: its key in a store. */
export function advertId(a: Advert): string {
  switch (a.kind) {
    case "node":
      return a.node;
    case "engine":
      return a.engine;
    case "domain":
      return a.domain;
  }
}

/** Store key `kind:id`. */
export function advertKey(a: Advert): string {
  return `${a.kind}:${advertId(a)}`;
}

/** The identity that must have signed `a`. */
export function advertSigner(a: Advert): NodeId {
  return a.kind === "domain" ? a.owner : a.node;
}

/**
 * Encode and sign an advert with the signer's secret key (the node's for node and engine adverts, the
 * owner's for domain adverts). Throws `EncodeError` for out-of-bounds fields.
 */
export function signAdvert(secretKey: Uint8Array, a: Advert): Uint8Array {
  switch (a.kind) {
    case "node":
      return signRecord(
        secretKey,
        "node",
        NodeAdvertCodec.encode({
          node: fromHex(a.node, "node"),
          version: a.version,
          addresses: a.addresses,
        }),
      );
    case "engine":
      return signRecord(
        secretKey,
        "engine",
        EngineAdvertCodec.encode({
          engine: fromHex(a.engine, "engine"),
          node: fromHex(a.node, "node"),
          version: a.version,
          protocols: a.protocols,
        }),
      );
    case "domain":
      return signRecord(
        secretKey,
        "domain",
        DomainAdvertCodec.encode({
          domain: fromHex(a.domain, "domain"),
          owner: fromHex(a.owner, "owner"),
          name: a.name,
          version: a.version,
          introducers: a.introducers.map((n) => fromHex(n, "introducer")),
          policy: a.policy,
        }),
      );
  }
}

function decodeBody(kind: string, body: Uint8Array): Advert | undefined {
  switch (kind) {
    case "node": {
      const m = NodeAdvertCodec.decode(body);
      return { kind: "node", node: toHex(m.node), version: m.version, addresses: m.addresses };
    }
    case "engine": {
      const m = EngineAdvertCodec.decode(body);
      return {
        kind: "engine",
        engine: toHex(m.engine),
        node: toHex(m.node),
        version: m.version,
        protocols: m.protocols,
      };
    }
    case "domain": {
      const m = DomainAdvertCodec.decode(body);
      return {
        kind: "domain",
        domain: toHex(m.domain),
        owner: toHex(m.owner),
        name: m.name,
        version: m.version,
        introducers: m.introducers.map(toHex),
        policy: m.policy,
      };
    }
    default:
      return undefined;
  }
}

/** Decode, check the signer's signature and the advert's own rules. Never throws. */
export function openAdvert(wire: Uint8Array): OpenedAdvert {
  let advert: Advert | undefined;
  let sigOk: boolean;
  try {
    const r = decodeSigned(wire);
    advert = decodeBody(r.kind, r.body);
    if (advert === undefined) return { ok: false, reason: "malformed", detail: `not an advert: ${r.kind}` };
    sigOk = verifyRecord(r, fromHex(advertSigner(advert)));
  } catch (err) {
    if (!isLatticeError(err)) throw err;
    return { ok: false, reason: "malformed", detail: err.message };
  }
  if (!sigOk) return { ok: false, reason: "forged", detail: `${advertKey(advert)} v${advert.version}` };
  if (advert.kind === "domain" && advert.domain !== domainIdOf(advert.owner, advert.name)) {
    return { ok: false, reason: "invalid", detail: "domain id is not derived from owner and name" };
  }
  return { ok: true, advert };
}
