/**
 * Collect-and-certify with the cost rule (ARCHITECTURE.md "Cost rule"; core-anchors.md §4.3
 * "only when the combined signature fails, verify individual shares"): combine t shares, verify
 * once; only if that fails, verify shares one by one, drop the bad ones and combine the rest.
 * Works with any ThresholdScheme; what a harvester or batcher calls on collected shares.
 */
import { isLatticeError } from "../errors/lattice-error.ts";
import type { SignatureShare, ThresholdPublicKey, ThresholdScheme } from "./scheme.ts";

export type CombineOutcome<S> =
  /** A signature that verifies under the group key, and the indices whose shares were found bad. */
  | { readonly ok: true; readonly sig: S; readonly bad: readonly number[] }
  /** Fewer than t good distinct shares: collect more (and penalise `bad`). */
  | { readonly ok: false; readonly code: "THRESHOLD_TOO_FEW_SHARES"; readonly bad: readonly number[] };

/** Combine and verify `shares`; identifies bad shares only when the fast path fails. */
export function combineVerified<P, S>(
  scheme: ThresholdScheme<P, S>,
  key: ThresholdPublicKey<P>,
  tag: string,
  msg: Uint8Array,
  shares: readonly SignatureShare<S>[],
): CombineOutcome<S> {
  try {
    const sig = scheme.combine(shares, key.t);
    if (scheme.verify(key.groupKey, tag, msg, sig)) return { ok: true, sig, bad: [] };
  } catch (e) {
    // Two different shares for one index fall through: the slow path marks that index bad.
    if (isLatticeError(e, "THRESHOLD_TOO_FEW_SHARES"))
      return { ok: false, code: "THRESHOLD_TOO_FEW_SHARES", bad: [] };
    if (!isLatticeError(e, "THRESHOLD_CONFLICTING_SHARES")) throw e;
  }
  const bad = scheme.findBadShares(key, tag, msg, shares);
  const badSet = new Set(bad);
  const good: SignatureShare<S>[] = [];
  const seen = new Set<number>();
  for (const s of shares) {
    if (badSet.has(s.index) || seen.has(s.index)) continue;
    seen.add(s.index);
    good.push(s);
  }
  if (good.length < key.t) return { ok: false, code: "THRESHOLD_TOO_FEW_SHARES", bad };
  // Every remaining share verified on its own, so their combination verifies: no second check.
  return { ok: true, sig: scheme.combine(good, key.t), bad };
}
