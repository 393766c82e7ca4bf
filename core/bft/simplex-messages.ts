/**
 * Simplex wire format (research/core-anchors.md §7.2; ARCHITECTURE.md "WAN consensus" step 0): the
 * block, the three signed vote kinds, proposals, certificates and the by-view catch-up request.
 *
 * Every type is a canonical fixed-position message (core/codec), so the bytes a vote signature covers
 * are the one encoding of (chain, view, kind, block hash), domain-separated by the signing tag
 * `simplex/vote/v1`. A block is identified by the tagged SHA-256 of its canonical bytes, so a block
 * body received from anyone can be checked against a hash that 2f+1 signatures vouch for.
 *
 * Tags 0x40..0x45 are reserved for Simplex.
 */
import { defineMessage } from "../codec/message.ts";
import { registry } from "../codec/registry.ts";
import { bytes, bytesMax, enumOf, type Infer, list, optional, u16, uint53 } from "../codec/schema.ts";
import { signingBytes } from "../crypto/ed25519.ts";
import { taggedHash } from "../crypto/sha256.ts";

/** Protocol id carried by every Simplex message. */
export const SIMPLEX_PROTOCOL = "simplex/v1";
/** Purpose tag of every vote signature. */
export const VOTE_TAG = "simplex/vote/v1";
/** Largest application payload in one block: quorum logs carry DKG messages, LAN blocks small batches. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Largest quorum the codecs accept (signer indices are u16; 1024 keeps certificates bounded). */
export const MAX_MEMBERS = 1024;
/** Most views one catch-up request may ask for. */
export const MAX_CATCHUP_VIEWS = 64;

/** The three vote kinds of Simplex. */
export const VOTE_KINDS = ["notarize", "nullify", "finalize"] as const;
export type VoteKind = (typeof VOTE_KINDS)[number];
const voteKind = enumOf(VOTE_KINDS);

/** A block: its place in the chain, its parent (by view and hash) and the host's opaque payload. */
export const Block = defineMessage({
  name: "SimplexBlock",
  tag: 0x40,
  version: 1,
  fields: {
    chain: bytes(32),
    view: uint53,
    height: uint53,
    parentView: uint53,
    parent: bytes(32),
    proposer: u16,
    payload: bytesMax(MAX_PAYLOAD_BYTES),
  },
});
export type Block = Infer<typeof Block>;

/** What a vote signature covers. Never sent alone; `nullify` votes carry 32 zero bytes as `block`. */
export const VoteBody = defineMessage({
  name: "SimplexVoteBody",
  tag: 0x41,
  version: 1,
  fields: { chain: bytes(32), view: uint53, kind: voteKind, block: bytes(32) },
});
export type VoteBody = Infer<typeof VoteBody>;

/** One signed vote, as broadcast by its signer. */
export const Vote = defineMessage({
  name: "SimplexVote",
  tag: 0x42,
  version: 1,
  fields: { chain: bytes(32), view: uint53, kind: voteKind, block: bytes(32), signer: u16, sig: bytes(64) },
});
export type Vote = Infer<typeof Vote>;

/** The leader's block with its own notarize vote on it (the proposal counts as the leader's vote). */
export const Proposal = defineMessage({
  name: "SimplexProposal",
  tag: 0x43,
  version: 1,
  fields: { block: Block, sig: bytes(64) },
});
export type Proposal = Infer<typeof Proposal>;

/**
 * A certificate: q = n - f signatures of one kind on one (view, block), with an explicit signer set in
 * ascending order (threshold-signed certificates come later). Notarizations and finalizations carry the
 * block body when the sender has it, so a node that missed the proposal can still finalize.
 */
export const Certificate = defineMessage({
  name: "SimplexCertificate",
  tag: 0x44,
  version: 1,
  fields: {
    chain: bytes(32),
    view: uint53,
    kind: voteKind,
    block: bytes(32),
    signers: list(u16, MAX_MEMBERS),
    sigs: list(bytes(64), MAX_MEMBERS),
    body: optional(Block),
  },
});
export type Certificate = Infer<typeof Certificate>;

/**
 * Catch-up: "send me what you hold for views from..to". The answer is the certificates of those views
 * plus the bodies of finalized blocks in the range (a `Certificate` each, or `Blocks`).
 */
export const CatchUpRequest = defineMessage({
  name: "SimplexCatchUpRequest",
  tag: 0x45,
  version: 1,
  fields: { chain: bytes(32), from: uint53, to: uint53 },
});
export type CatchUpRequest = Infer<typeof CatchUpRequest>;

/** Bodies of finalized blocks, answering a catch-up request; each is checked against a wanted hash. */
export const Blocks = defineMessage({
  name: "SimplexBlocks",
  tag: 0x46,
  version: 1,
  fields: { chain: bytes(32), blocks: list(Block, MAX_CATCHUP_VIEWS) },
});
export type Blocks = Infer<typeof Blocks>;

/** Decoder for everything a Simplex engine receives. */
export const simplexWire = registry([Vote, Proposal, Certificate, CatchUpRequest, Blocks]);

const ZERO32 = new Uint8Array(32);
/** The `block` field of a nullify vote. */
export const NO_BLOCK: Uint8Array = ZERO32;

/** Hash identifying a block: SHA-256 tagged `simplex/block/v1` over its canonical bytes. */
export function blockHash(block: Block): Uint8Array {
  return taggedHash("simplex/block/v1", Block.encode(block));
}

/** Hash of the implicit genesis block (view 0, height 0) of a chain. */
export function genesisHash(chain: Uint8Array): Uint8Array {
  return taggedHash("simplex/genesis/v1", chain);
}

// Votes are most of what a quorum sends and receives (every replica signs three per view and checks
// n-1 of each), so their bytes are written and read by hand here, without the generic codec's value
// tree. The layout is the canonical CBOR the codecs define (an array head, tag, version, then the
// fields with shortest-form heads); tests check these paths byte for byte against `Vote` and
// `VoteBody`, and any input the fast reader is unsure of goes to the generic decoder.

const VOTE_PREFIX = signingBytes(VOTE_TAG, new Uint8Array(0));
const KIND_INDEX: Readonly<Record<VoteKind, number>> = { notarize: 0, nullify: 1, finalize: 2 };

/** Length of the shortest-form head of unsigned `n`. */
function uintLen(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < 0x1_0000_0000 ? 5 : 9;
}

function putUint(out: Uint8Array, at: number, n: number): number {
  if (n < 24) {
    out[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0x18;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x1_0000) {
    out[at] = 0x19;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  if (hi === 0) {
    out[at] = 0x1a;
    at++;
  } else {
    out[at] = 0x1b;
    out[at + 1] = hi >>> 24;
    out[at + 2] = (hi >>> 16) & 0xff;
    out[at + 3] = (hi >>> 8) & 0xff;
    out[at + 4] = hi & 0xff;
    at += 5;
  }
  out[at] = lo >>> 24;
  out[at + 1] = (lo >>> 16) & 0xff;
  out[at + 2] = (lo >>> 8) & 0xff;
  out[at + 3] = lo & 0xff;
  return at + 4;
}

// Where the last `getUint` stopped: a module-level cursor instead of a result object per field.
let uintEnd = 0;

/**
 * Read a shortest-form head of major type `major` at `at` whose argument is at most `max`; -1 if it is
 * anything else. On success `uintEnd` is the offset after it.
 */
function getHead(b: Uint8Array, at: number, major: number, max: number): number {
  const h = b[at];
  if (h === undefined || h >> 5 !== major) return -1;
  const info = h & 31;
  let value: number;
  if (info < 24) {
    value = info;
    uintEnd = at + 1;
  } else if (info === 24) {
    value = b[at + 1] ?? 0;
    if (value < 24) return -1;
    uintEnd = at + 2;
  } else if (info === 25) {
    value = ((b[at + 1] ?? 0) << 8) | (b[at + 2] ?? 0);
    if (value < 0x100) return -1;
    uintEnd = at + 3;
  } else if (info === 26) {
    value = u32At(b, at + 1);
    if (value < 0x1_0000) return -1;
    uintEnd = at + 5;
  } else if (info === 27) {
    const hi = u32At(b, at + 1);
    if (hi === 0 || hi > 0x1f_ffff) return -1;
    value = hi * 0x1_0000_0000 + u32At(b, at + 5);
    uintEnd = at + 9;
  } else return -1;
  if (uintEnd > b.length) return -1;
  return value <= max ? value : -1;
}

/** An unsigned integer (major type 0) up to `max`; see `getHead`. */
function getUint(b: Uint8Array, at: number, max: number): number {
  return getHead(b, at, 0, max);
}

function u32At(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) * 0x100_0000 + (((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0));
}

/** `bytes(n)` head (n = 32 or 64, so always 0x58 n) plus the bytes. */
function putBytes(out: Uint8Array, at: number, b: Uint8Array): number {
  out[at] = 0x58;
  out[at + 1] = b.length;
  out.set(b, at + 2);
  return at + 2 + b.length;
}

/** Whether a `bytes(n)` field (head 0x58 n) starts at `at` and fits. */
function hasBytes(b: Uint8Array, at: number, n: number): boolean {
  return b[at] === 0x58 && b[at + 1] === n && at + 2 + n <= b.length;
}

function checkFixed(value: Uint8Array, n: number, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== n)
    throw new TypeError(`${what}: expected ${n} bytes`);
}

/** The exact bytes a vote signature covers (purpose tag, then the canonical vote body). */
export function voteSigningBytes(
  chain: Uint8Array,
  view: number,
  kind: VoteKind,
  block: Uint8Array,
): Uint8Array {
  const k = KIND_INDEX[kind];
  if (k === undefined || !Number.isSafeInteger(view) || view < 0) {
    return signingBytes(VOTE_TAG, VoteBody.encode({ chain, view, kind, block }));
  }
  checkFixed(chain, 32, "chain");
  checkFixed(block, 32, "block");
  const p = VOTE_PREFIX.length;
  const out = new Uint8Array(p + 4 + 34 + uintLen(view) + 1 + 34);
  out.set(VOTE_PREFIX, 0);
  // [0x86: array of 6] [0x18 0x41: tag] [0x01: version]
  out[p] = 0x86;
  out[p + 1] = 0x18;
  out[p + 2] = 0x41;
  out[p + 3] = 0x01;
  let at = putBytes(out, p + 4, chain);
  at = putUint(out, at, view);
  out[at++] = k;
  putBytes(out, at, block);
  return out;
}

/** `Vote.encode`, by hand (same bytes). */
export function encodeVote(v: Vote): Uint8Array {
  const k = KIND_INDEX[v.kind];
  if (
    k === undefined ||
    !Number.isSafeInteger(v.view) ||
    v.view < 0 ||
    !Number.isInteger(v.signer) ||
    v.signer < 0 ||
    v.signer > 0xffff
  )
    return Vote.encode(v);
  checkFixed(v.chain, 32, "chain");
  checkFixed(v.block, 32, "block");
  checkFixed(v.sig, 64, "sig");
  const out = new Uint8Array(4 + 34 + uintLen(v.view) + 1 + 34 + uintLen(v.signer) + 66);
  // [0x88: array of 8] [0x18 0x42: tag] [0x01: version]
  out[0] = 0x88;
  out[1] = 0x18;
  out[2] = 0x42;
  out[3] = 0x01;
  let at = putBytes(out, 4, v.chain);
  at = putUint(out, at, v.view);
  out[at++] = k;
  at = putBytes(out, at, v.block);
  at = putUint(out, at, v.signer);
  putBytes(out, at, v.sig);
  return out;
}

/**
 * A vote in its canonical bytes, read by hand; undefined when the bytes are not exactly that. Like the
 * generic decoder it never returns views of `b`: every field is a fresh copy.
 */
export function decodeVoteFast(b: Uint8Array): Vote | undefined {
  if (
    b.length < 4 + 34 + 1 + 1 + 34 + 1 + 66 ||
    b[0] !== 0x88 ||
    b[1] !== 0x18 ||
    b[2] !== 0x42 ||
    b[3] !== 0x01
  )
    return undefined;
  if (!hasBytes(b, 4, 32)) return undefined;
  const view = getUint(b, 38, Number.MAX_SAFE_INTEGER);
  if (view < 0) return undefined;
  const k = b[uintEnd];
  if (k === undefined || k > 2) return undefined;
  const blockAt = uintEnd + 1;
  if (!hasBytes(b, blockAt, 32)) return undefined;
  const signer = getUint(b, blockAt + 34, 0xffff);
  if (signer < 0) return undefined;
  const sigAt = uintEnd;
  if (!hasBytes(b, sigAt, 64) || sigAt + 66 !== b.length) return undefined;
  // Three copies: in Bun a slice is cheaper than a view (`subarray`) of a shared copy.
  return {
    chain: b.slice(6, 38),
    view,
    kind: VOTE_KINDS[k]!,
    block: b.slice(blockAt + 2, blockAt + 34),
    signer,
    sig: b.slice(sigAt + 2, sigAt + 66),
  };
}

/** A canonical `bytes(n)` field at `at` copied out, or undefined; `uintEnd` is set past it. */
function fixedBytes(b: Uint8Array, at: number, n: number): Uint8Array | undefined {
  if (!hasBytes(b, at, n)) return undefined;
  uintEnd = at + 2 + n;
  return b.slice(at + 2, at + 2 + n);
}

/** A canonical Block at `at` (its own array, tag 0x40, version 1), or undefined; `uintEnd` past it. */
function readBlock(b: Uint8Array, at: number): Block | undefined {
  if (b[at] !== 0x89 || b[at + 1] !== 0x18 || b[at + 2] !== 0x40 || b[at + 3] !== 0x01) return undefined;
  const chain = fixedBytes(b, at + 4, 32);
  if (chain === undefined) return undefined;
  const view = getUint(b, uintEnd, Number.MAX_SAFE_INTEGER);
  if (view < 0) return undefined;
  const height = getUint(b, uintEnd, Number.MAX_SAFE_INTEGER);
  if (height < 0) return undefined;
  const parentView = getUint(b, uintEnd, Number.MAX_SAFE_INTEGER);
  if (parentView < 0) return undefined;
  const parent = fixedBytes(b, uintEnd, 32);
  if (parent === undefined) return undefined;
  const proposer = getUint(b, uintEnd, 0xffff);
  if (proposer < 0) return undefined;
  const len = getHead(b, uintEnd, 2, MAX_PAYLOAD_BYTES);
  if (len < 0 || uintEnd + len > b.length) return undefined;
  const payload = b.slice(uintEnd, uintEnd + len);
  uintEnd += len;
  return { chain, view, height, parentView, parent, proposer, payload };
}

/** A proposal in its canonical bytes, read by hand; undefined when unsure (the registry decides). */
export function decodeProposalFast(b: Uint8Array): Proposal | undefined {
  if (b[0] !== 0x84 || b[1] !== 0x18 || b[2] !== 0x43 || b[3] !== 0x01) return undefined;
  const block = readBlock(b, 4);
  if (block === undefined) return undefined;
  const sig = fixedBytes(b, uintEnd, 64);
  if (sig === undefined || uintEnd !== b.length) return undefined;
  return { block, sig };
}

/** A certificate in its canonical bytes, read by hand; undefined when unsure (the registry decides). */
export function decodeCertificateFast(b: Uint8Array): Certificate | undefined {
  if (b[0] !== 0x89 || b[1] !== 0x18 || b[2] !== 0x44 || b[3] !== 0x01) return undefined;
  const chain = fixedBytes(b, 4, 32);
  if (chain === undefined) return undefined;
  const view = getUint(b, uintEnd, Number.MAX_SAFE_INTEGER);
  if (view < 0) return undefined;
  const k = b[uintEnd];
  if (k === undefined || k > 2) return undefined;
  const block = fixedBytes(b, uintEnd + 1, 32);
  if (block === undefined) return undefined;
  const ns = getHead(b, uintEnd, 4, MAX_MEMBERS);
  if (ns < 0) return undefined;
  const signers: number[] = [];
  for (let i = 0; i < ns; i++) {
    const x = getUint(b, uintEnd, 0xffff);
    if (x < 0) return undefined;
    signers.push(x);
  }
  const nsig = getHead(b, uintEnd, 4, MAX_MEMBERS);
  if (nsig < 0) return undefined;
  const sigs: Uint8Array[] = [];
  for (let i = 0; i < nsig; i++) {
    const sig = fixedBytes(b, uintEnd, 64);
    if (sig === undefined) return undefined;
    sigs.push(sig);
  }
  let body: Block | null = null;
  if (b[uintEnd] === 0xf6) uintEnd++;
  else {
    const blk = readBlock(b, uintEnd);
    if (blk === undefined) return undefined;
    body = blk;
  }
  if (uintEnd !== b.length) return undefined;
  return { chain, view, kind: VOTE_KINDS[k]!, block, signers, sigs, body };
}

/** What `decodeSimplex` returns: the registry's tagged union. */
export type SimplexMessage = ReturnType<typeof simplexWire.decode>;

/**
 * Decode anything a Simplex engine receives: canonical votes, proposals and certificates by hand,
 * everything else (and anything the fast readers do not accept) through the registry, which gives the
 * typed errors.
 */
export function decodeSimplex(bytes: Uint8Array, maxBytes: number): SimplexMessage {
  if (bytes.length <= maxBytes) {
    const tag = bytes[2];
    if (tag === 0x42) {
      const v = decodeVoteFast(bytes);
      if (v !== undefined) return { name: "SimplexVote", version: 1, value: v } as SimplexMessage;
    } else if (tag === 0x43) {
      const p = decodeProposalFast(bytes);
      if (p !== undefined) return { name: "SimplexProposal", version: 1, value: p } as SimplexMessage;
    } else if (tag === 0x44) {
      const c = decodeCertificateFast(bytes);
      if (c !== undefined) return { name: "SimplexCertificate", version: 1, value: c } as SimplexMessage;
    }
  }
  return simplexWire.decode(bytes, { maxBytes });
}

/**
 * The canonical bytes of the block inside a decoded proposal's bytes: a proposal is `[tag, version,
 * block, sig]`, and decoding checked that the bytes are canonical, so the block's own encoding is the
 * slice between the 4-byte header and the 66-byte signature (what `blockHash` would re-encode).
 */
export function proposalBlockBytes(proposalBytes: Uint8Array): Uint8Array {
  return proposalBytes.subarray(4, proposalBytes.length - 66);
}

/** `blockHash` from a block's canonical bytes. */
export function blockHashOfBytes(blockBytes: Uint8Array): Uint8Array {
  return taggedHash("simplex/block/v1", blockBytes);
}

/** A short printable id of a hash (first 8 bytes, hex) for logs and emitted events. */
export function shortHex(h: Uint8Array): string {
  return Buffer.from(h.subarray(0, 8)).toString("hex");
}
