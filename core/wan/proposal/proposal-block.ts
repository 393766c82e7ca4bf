/**
 * Harvester proposal blocks (seed 001, "Using MEV for Positive Network Outcomes": "every Harvester node is
 * entitled to propose a single block per round"; ARCHITECTURE.md "WAN consensus" step 5).
 *
 * Wire format (canonical CBOR), tags 0x64..0x65:
 *   ProposalSigning = [0x64, 1, epoch, round, ref, proposer, txs]
 *     epoch    uint53         election epoch
 *     round    uint53         the round it proposes for
 *     ref      bytes(32)      hash of the last certified convergence block it builds on
 *     proposer bytes(32)      the harvester's Ed25519 public key (its fee beneficiary is its address)
 *     txs      list(bytes(32)) ids of certified transfers, in the order the proposer wants them merged
 *   ProposalBlock   = [0x65, 1, epoch, round, ref, proposer, txs, signature]
 *     signature bytes(64)     Ed25519 by `proposer` over signingBytes("wan-proposal/v1", encode(ProposalSigning))
 *   hash = taggedHash("lattice/wan/proposal", encode(ProposalSigning)): EVERY field is in the hash, `ref`
 *   included (Versatus's ProposalBlock hash omitted ref_block: core-anchors.md §1.9 item 8).
 * Transfers are referenced by id: their bytes and certificates travel with the batch certificates, which
 * every harvester and miner holds; a proposal naming an uncertified id is invalid.
 */
import { equalBytes } from "../../crypto/bytes.ts";
import { type Ed25519Backend, signingBytes } from "../../crypto/ed25519.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { defineMessage } from "../../codec/message.ts";
import { bytes, list, uint53 } from "../../codec/schema.ts";

export const MAX_PROPOSAL_TXS = 8192;
export const PROPOSAL_SIGNATURE_TAG = "wan-proposal/v1";

const fields = {
  epoch: uint53,
  round: uint53,
  ref: bytes(32),
  proposer: bytes(32),
  txs: list(bytes(32), MAX_PROPOSAL_TXS),
} as const;

export const ProposalSigningCodec = defineMessage({ name: "ProposalSigning", tag: 0x64, version: 1, fields });
export const ProposalBlockCodec = defineMessage({
  name: "ProposalBlock",
  tag: 0x65,
  version: 1,
  fields: { ...fields, signature: bytes(64) },
});

export interface ProposalBody {
  readonly epoch: number;
  readonly round: number;
  readonly ref: Uint8Array;
  readonly proposer: Uint8Array;
  readonly txs: readonly Uint8Array[];
}

export interface ProposalBlock extends ProposalBody {
  readonly signature: Uint8Array;
}

function body(p: ProposalBody): ProposalBody {
  return { epoch: p.epoch, round: p.round, ref: p.ref, proposer: p.proposer, txs: p.txs };
}

/** The proposal's hash: over every field but the signature. */
/** Hashes of proposal objects already hashed: blocks are immutable once built or decoded. */
const hashOf = new WeakMap<ProposalBody, Uint8Array>();

export function proposalHash(p: ProposalBody): Uint8Array {
  let h = hashOf.get(p);
  if (h === undefined) {
    h = taggedHash("lattice/wan/proposal", ProposalSigningCodec.encode(body(p)));
    hashOf.set(p, h);
  }
  return h;
}

/** Sign a proposal; `p.proposer` must be `signer.publicKey(secretKey)`. */
export function signProposal(signer: Ed25519Backend, p: ProposalBody, secretKey: Uint8Array): ProposalBlock {
  const b = body(p);
  return {
    ...b,
    signature: signer.sign(secretKey, signingBytes(PROPOSAL_SIGNATURE_TAG, ProposalSigningCodec.encode(b))),
  };
}

/** The proposer's signature checks, and no transfer id appears twice. Never throws. */
export function proposalIsWellFormed(signer: Ed25519Backend, p: ProposalBlock): boolean {
  let payload: Uint8Array;
  try {
    payload = ProposalSigningCodec.encode(body(p));
  } catch {
    return false;
  }
  const seen = new Set<string>();
  for (const id of p.txs) {
    const k = Buffer.from(id).toString("hex");
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return signer.verify(p.proposer, signingBytes(PROPOSAL_SIGNATURE_TAG, payload), p.signature);
}

/** True iff the two proposals are by one proposer for one round but differ: equivocation evidence. */
export function isEquivocation(a: ProposalBody, b: ProposalBody): boolean {
  return (
    a.round === b.round &&
    a.epoch === b.epoch &&
    equalBytes(a.proposer, b.proposer) &&
    !equalBytes(proposalHash(a), proposalHash(b))
  );
}
