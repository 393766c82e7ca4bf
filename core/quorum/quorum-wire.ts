/**
 * Byte formats of a quorum's log and gossip (ARCHITECTURE.md "WAN consensus" step 0; core-anchors.md
 * §7.2 "the LAN chain also carries DKG Part/Ack transactions"). Strict and canonical: fixed positions,
 * big-endian lengths, no trailing bytes except where a format says "rest"; every failure is a
 * QuorumError QUORUM_MALFORMED naming the field.
 *
 * Item (what a member contributes to the log; signed with its Simplex member key, so the log
 * authenticates the DKG entries' `from` without a separate envelope):
 *   u8 version=1 ‖ u16 author ‖ u8 phase ‖ u16 count ‖ count × (u32 len ‖ DKG entry bytes) ‖ sig[64]
 *   author = index in the Simplex member list; phase 0 = deal, 1 = complaints (0..n of them: an empty
 *   item says "I have no complaint"), 2 = justifications. Signed bytes: taggedHash(ITEM_TAG, chain,
 *   everything before sig).
 *
 * Block payload (the opaque payload of a Simplex block):
 *   u8 version=1 ‖ u16 items ‖ items × (u32 len ‖ item) ‖ app tail (the rest: the host app's payload)
 *   The tail has no length so that any extension of a valid payload by the host app stays valid.
 *
 * Gossip (protocol `quorum/v1`, member to member, unicast):
 *   u8 type=1 ‖ item                                 an item for the leaders to include
 *   u8 type=2 ‖ u8 tagLen ‖ tag ‖ u32 msgLen ‖ msg ‖ share (rest)   a threshold signature share
 */
import { utf8 } from "../crypto/bytes.ts";
import { taggedHash } from "../crypto/sha256.ts";
import { QuorumError } from "./errors.ts";

export const QUORUM_PROTOCOL = "quorum/v1";
export const QUORUM_WIRE_VERSION = 1;
const SIG_BYTES = 64;
const ITEM_TAG = "lattice/quorum-item/v1";

/** Bounds every decoder enforces (and the leader respects when it fills a block). */
export const MAX_ITEMS_PER_BLOCK = 64;
export const MAX_ENTRIES_PER_ITEM = 256;
export const MAX_ITEM_BYTES = 256 * 1024;
export const MAX_PAYLOAD_BYTES = 512 * 1024;
export const MAX_MESSAGE_BYTES = 64 * 1024;

export type ItemPhase = 0 | 1 | 2;
export const PHASE_DEAL: ItemPhase = 0;
export const PHASE_COMPLAINTS: ItemPhase = 1;
export const PHASE_JUSTIFICATIONS: ItemPhase = 2;

export interface QuorumItem {
  readonly author: number;
  readonly phase: ItemPhase;
  /** Encoded DKG entries (core/dkg/codec.ts), decoded by the engine against its group. */
  readonly entries: readonly Uint8Array[];
  readonly sig: Uint8Array;
}

export interface QuorumPayload {
  /** Each item's exact bytes (the engine dedupes and verifies them). */
  readonly items: readonly Uint8Array[];
  readonly app: Uint8Array;
}

export type GossipMessage =
  | { readonly type: "item"; readonly item: Uint8Array }
  | { readonly type: "share"; readonly tag: string; readonly msg: Uint8Array; readonly share: Uint8Array };

function malformed(field: string, message: string): QuorumError {
  return new QuorumError("QUORUM_MALFORMED", `${field}: ${message}`, { details: { field } });
}

class Writer {
  private readonly parts: Uint8Array[] = [];
  private len = 0;
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  u8(v: number): this {
    return this.bytes(Uint8Array.of(v));
  }
  u16(v: number): this {
    return this.bytes(Uint8Array.of(v >>> 8, v & 0xff));
  }
  u32(v: number): this {
    return this.bytes(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}
  get left(): number {
    return this.b.length - this.pos;
  }
  take(n: number, field: string): Uint8Array {
    if (n > this.left) throw malformed(field, `needs ${n} bytes, ${this.left} left`);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(field: string): number {
    return this.take(1, field)[0]!;
  }
  u16(field: string): number {
    const x = this.take(2, field);
    return (x[0]! << 8) | x[1]!;
  }
  u32(field: string): number {
    const x = this.take(4, field);
    return ((x[0]! << 24) | (x[1]! << 16) | (x[2]! << 8) | x[3]!) >>> 0;
  }
  rest(): Uint8Array {
    return this.take(this.left, "rest");
  }
  end(field: string): void {
    if (this.left !== 0) throw malformed(field, `${this.left} trailing bytes`);
  }
}

function itemBody(author: number, phase: ItemPhase, entries: readonly Uint8Array[]): Uint8Array {
  if (!Number.isInteger(author) || author < 0 || author > 0xffff) throw malformed("author", "not a u16");
  if (entries.length > MAX_ENTRIES_PER_ITEM) throw malformed("entries", "too many");
  const w = new Writer().u8(QUORUM_WIRE_VERSION).u16(author).u8(phase).u16(entries.length);
  for (const e of entries) w.u32(e.length).bytes(e);
  return w.finish();
}

/** The bytes an item's author signs: bound to the chain, so an item never crosses quorums. */
export function itemSigningBytes(chain: Uint8Array, body: Uint8Array): Uint8Array {
  return taggedHash(ITEM_TAG, chain, body);
}

/** Encode and sign an item with `sign` (the member's Simplex key through the injected signer). */
export function encodeItem(
  chain: Uint8Array,
  author: number,
  phase: ItemPhase,
  entries: readonly Uint8Array[],
  sign: (message: Uint8Array) => Uint8Array,
): Uint8Array {
  const body = itemBody(author, phase, entries);
  const sig = sign(itemSigningBytes(chain, body));
  if (sig.length !== SIG_BYTES) throw malformed("sig", `expected ${SIG_BYTES} bytes`);
  const out = new Uint8Array(body.length + SIG_BYTES);
  out.set(body);
  out.set(sig, body.length);
  if (out.length > MAX_ITEM_BYTES) throw malformed("item", `larger than ${MAX_ITEM_BYTES} bytes`);
  return out;
}

/** Decode an item; the signature is returned, not checked (the engine knows the keys). */
export function decodeItem(bytes: Uint8Array): QuorumItem & { readonly body: Uint8Array } {
  if (bytes.length > MAX_ITEM_BYTES) throw malformed("item", `larger than ${MAX_ITEM_BYTES} bytes`);
  const r = new Reader(bytes);
  if (r.u8("version") !== QUORUM_WIRE_VERSION) throw malformed("version", "unknown");
  const author = r.u16("author");
  const phase = r.u8("phase");
  if (phase > 2) throw malformed("phase", `unknown phase ${phase}`);
  const count = r.u16("count");
  if (count > MAX_ENTRIES_PER_ITEM) throw malformed("count", "too many entries");
  const entries: Uint8Array[] = [];
  for (let i = 0; i < count; i++) entries.push(r.take(r.u32("entry length"), "entry"));
  if (r.left !== SIG_BYTES) throw malformed("sig", `expected ${SIG_BYTES} bytes, ${r.left} left`);
  const sig = r.take(SIG_BYTES, "sig");
  const body = bytes.subarray(0, bytes.length - SIG_BYTES);
  return { author, phase: phase as ItemPhase, entries, sig, body };
}

export function encodePayload(items: readonly Uint8Array[], app: Uint8Array): Uint8Array {
  if (items.length > MAX_ITEMS_PER_BLOCK) throw malformed("items", "too many");
  const w = new Writer().u8(QUORUM_WIRE_VERSION).u16(items.length);
  for (const it of items) w.u32(it.length).bytes(it);
  const out = w.bytes(app).finish();
  if (out.length > MAX_PAYLOAD_BYTES) throw malformed("payload", `larger than ${MAX_PAYLOAD_BYTES} bytes`);
  return out;
}

export function decodePayload(bytes: Uint8Array): QuorumPayload {
  if (bytes.length > MAX_PAYLOAD_BYTES) throw malformed("payload", `larger than ${MAX_PAYLOAD_BYTES} bytes`);
  const r = new Reader(bytes);
  if (r.u8("version") !== QUORUM_WIRE_VERSION) throw malformed("version", "unknown");
  const count = r.u16("items");
  if (count > MAX_ITEMS_PER_BLOCK) throw malformed("items", "too many");
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.u32("item length");
    if (len > MAX_ITEM_BYTES) throw malformed("item", "too large");
    items.push(r.take(len, "item"));
  }
  return { items, app: r.rest() };
}

export function encodeGossip(m: GossipMessage): Uint8Array {
  if (m.type === "item") return new Writer().u8(1).bytes(m.item).finish();
  const tag = utf8(m.tag);
  if (tag.length < 1 || tag.length > 64) throw malformed("tag", "expected 1..64 bytes");
  return new Writer().u8(2).u8(tag.length).bytes(tag).u32(m.msg.length).bytes(m.msg).bytes(m.share).finish();
}

export function decodeGossip(bytes: Uint8Array): GossipMessage {
  if (bytes.length > MAX_ITEM_BYTES + 1) throw malformed("message", "too large");
  const r = new Reader(bytes);
  const type = r.u8("type");
  if (type === 1) return { type: "item", item: r.rest() };
  if (type !== 2) throw malformed("type", `unknown type ${type}`);
  if (bytes.length > MAX_MESSAGE_BYTES) throw malformed("message", "too large");
  let tag: string;
  try {
    tag = new TextDecoder("utf-8", { fatal: true }).decode(r.take(r.u8("tag length"), "tag"));
  } catch (e) {
    if (e instanceof QuorumError) throw e;
    throw malformed("tag", "not UTF-8");
  }
  const msg = r.take(r.u32("msg length"), "msg");
  const share = r.rest();
  if (share.length === 0) throw malformed("share", "empty");
  return { type: "share", tag, msg, share };
}
