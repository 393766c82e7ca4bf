/**
 * The convergence merge (seed 001, "Convergence Block" and the conflict-resolution protocol; ARCHITECTURE.md
 * "WAN consensus" step 6): the round's proposal blocks merged in the resolution order into one ordered list
 * of transfers and the state it produces.
 *
 * Rules, applied transfer by transfer, proposals in resolution order and each proposal in its own order:
 * - a proposal is merged only if it is for this round, builds on `ref`, and is the only proposal of its
 *   proposer in the set (an equivocating harvester's proposals are all left out);
 * - a transfer id seen before is a duplicate and dropped;
 * - an id that is not a certified transfer is dropped ("uncertified");
 * - a CONFLICT is a second transfer with an already-kept (sender, nonce): dropped (Versatus counted only
 *   duplicate digests as conflicts: core-anchors.md §1.9 item 5);
 * - a transfer no longer valid against the state so far (nonce not the sender's next, or amount + fee above
 *   its balance) is dropped;
 * - otherwise it is applied; its fee goes to the proposer's address.
 * Every loop runs over a finite list once, so the merge ends on any input, empty and degenerate ones
 * included (Versatus's resolver could spin forever on an empty map: §1.9 item 5). The input order of the
 * proposal set does not matter: the result depends only on the set, the beacon and the state.
 */
import { hexOf } from "../encoding/hex.ts";
import { addressBytesOf } from "../../crypto/address.ts";
import { concatBytes, equalBytes } from "../../crypto/bytes.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { type Transfer, transferSender } from "../../tx/transfer.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { type ProposalBlock, proposalHash } from "../proposal/proposal-block.ts";
import { resolutionOrder } from "./round-order.ts";

export type DropReason = "duplicate" | "uncertified" | "conflict" | "nonce" | "balance";

export interface MergeInput {
  readonly round: number;
  readonly beacon: Uint8Array;
  /** Hash of the convergence block the round builds on. */
  readonly ref: Uint8Array;
  /** The round's proposals, in any order (signatures checked by the caller). */
  readonly proposals: readonly ProposalBlock[];
  /** The finalized state before the round: not modified (the merge works on a clone). */
  readonly state: Ledger;
  /** Certified transfers by id (hex); undefined = not certified. */
  readonly certified: (idHex: string) => Transfer | undefined;
}

export interface MergeResult {
  /** Hashes of the merged proposals, in resolution order. */
  readonly proposals: readonly Uint8Array[];
  /** Kept transfer ids, in the order applied. */
  readonly kept: readonly Uint8Array[];
  /** For each kept transfer, the proposer whose block kept it (its fee beneficiary). */
  readonly keptBy: readonly Uint8Array[];
  readonly dropped: readonly { readonly id: Uint8Array; readonly reason: DropReason }[];
  /** The state after the round. */
  readonly state: Ledger;
  readonly stateRoot: Uint8Array;
  readonly txRoot: Uint8Array;
}

/** Commitment to the kept transfer ids, in order. */
export function txRootOf(kept: readonly Uint8Array[]): Uint8Array {
  return taggedHash("lattice/wan/tx-root", concatBytes(...kept));
}

/** The proposals the merge uses: right round and ref, one per proposer, in resolution order. */
export function mergeableProposals(
  input: Pick<MergeInput, "round" | "beacon" | "ref" | "proposals">,
): ProposalBlock[] {
  const byProposer = new Map<string, ProposalBlock[]>();
  for (const p of input.proposals) {
    if (p.round !== input.round || !equalBytes(p.ref, input.ref)) continue;
    const k = hexOf(p.proposer);
    const xs = byProposer.get(k) ?? [];
    if (!xs.some((x) => equalBytes(proposalHash(x), proposalHash(p)))) xs.push(p);
    byProposer.set(k, xs);
  }
  const single = [...byProposer.values()].filter((xs) => xs.length === 1).map((xs) => xs[0]!);
  const order = resolutionOrder(
    input.beacon,
    input.round,
    single.map((p) => p.proposer),
  ).map(hexOf);
  return order.map((k) => single.find((p) => hexOf(p.proposer) === k)!);
}

export function mergeProposals(input: MergeInput): MergeResult {
  const proposals = mergeableProposals(input);
  const state = input.state.clone();
  const seen = new Set<string>();
  const slots = new Set<string>();
  const kept: Uint8Array[] = [];
  const keptBy: Uint8Array[] = [];
  const dropped: { id: Uint8Array; reason: DropReason }[] = [];
  for (const p of proposals) {
    const beneficiary = addressBytesOf(p.proposer);
    for (const id of p.txs) {
      const k = hexOf(id);
      if (seen.has(k)) {
        dropped.push({ id, reason: "duplicate" });
        continue;
      }
      seen.add(k);
      const tx = input.certified(k);
      if (tx === undefined) {
        dropped.push({ id, reason: "uncertified" });
        continue;
      }
      const slot = `${hexOf(transferSender(tx))}/${tx.nonce}`;
      if (slots.has(slot)) {
        dropped.push({ id, reason: "conflict" });
        continue;
      }
      const invalid = state.applyTransfer(tx, beneficiary);
      if (invalid !== null) {
        dropped.push({ id, reason: invalid === "balance" ? "balance" : "nonce" });
        continue;
      }
      slots.add(slot);
      kept.push(id);
      keptBy.push(p.proposer);
    }
  }
  return {
    proposals: proposals.map(proposalHash),
    kept,
    keptBy,
    dropped,
    state,
    stateRoot: state.root(),
    txRoot: txRootOf(kept),
  };
}
