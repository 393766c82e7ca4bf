/**
 * Memoised convergence merges (issue #6 performance: every node recomputes the round's merge to check and
 * to append it, and a harvester re-checks on every new datum, so the same merge ran dozens of times a
 * round). `mergeProposals` is a pure function of (round, beacon, ref, the proposal set, the state, and
 * which of the ids it looks up are certified), so a result can be reused whenever those are the same.
 *
 * The key is a digest of (round, beacon, ref, state root, sorted proposal hashes). Certification is
 * per caller (one node may lack a certified batch another holds), so each entry also records every id the
 * merge looked up and whether it was certified; a hit is used only when the caller's own `certified`
 * answers the same for every one of them. A memo may be shared by engines of one process: the answer is
 * exactly what the caller would have computed itself. Results are shared objects: never mutate
 * `result.state` (the chain clones before any what-if work).
 */
import { concatBytes } from "../../crypto/bytes.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { hexOf } from "../encoding/hex.ts";
import { type ProposalBlock, proposalHash } from "../proposal/proposal-block.ts";
import { type MergeInput, type MergeResult, mergeProposals } from "./merge.ts";

interface Entry {
  readonly result: MergeResult;
  readonly present: readonly string[];
  readonly missing: readonly string[];
}

export class MergeMemo {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 256) {}

  merge(input: MergeInput): MergeResult {
    const key = this.keyOf(input);
    const hit = this.entries.get(key);
    if (
      hit?.present.every((k) => input.certified(k) !== undefined) &&
      hit.missing.every((k) => input.certified(k) === undefined)
    ) {
      this.hits++;
      return hit.result;
    }
    this.misses++;
    const present: string[] = [];
    const missing: string[] = [];
    const result = mergeProposals({
      ...input,
      certified: (k) => {
        const tx = input.certified(k);
        (tx === undefined ? missing : present).push(k);
        return tx;
      },
    });
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { result, present, missing });
    return result;
  }

  private keyOf(input: MergeInput): string {
    const hashes = input.proposals.map((p: ProposalBlock) => hexOf(proposalHash(p))).sort();
    const round = new Uint8Array(8);
    new DataView(round.buffer).setFloat64(0, input.round);
    return hexOf(
      taggedHash(
        "lattice/wan/merge-memo",
        round,
        input.beacon,
        input.ref,
        input.state.root(),
        concatBytes(...hashes.map((h) => new TextEncoder().encode(h))),
      ),
    );
  }
}

/** The memo engines share unless given their own (pure function results; see the header). */
export const sharedMergeMemo = new MergeMemo();
