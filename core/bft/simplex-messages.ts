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

/** The exact bytes a vote signature covers (purpose tag, then the canonical vote body). */
export function voteSigningBytes(
  chain: Uint8Array,
  view: number,
  kind: VoteKind,
  block: Uint8Array,
): Uint8Array {
  return signingBytes(VOTE_TAG, VoteBody.encode({ chain, view, kind, block }));
}

/** A short printable id of a hash (first 8 bytes, hex) for logs and emitted events. */
export function shortHex(h: Uint8Array): string {
  return Buffer.from(h.subarray(0, 8)).toString("hex");
}
