/**
 * The WAN's fault-tolerance rule (seed 001, "Byzantine Fault Tolerance"; ARCHITECTURE.md "WAN consensus"):
 * quorum thresholds and the network BFT figure the seed tabulates.
 *
 * Rule (the seed's): the network stays safe and live while ONE farmer quorum and the harvester quorum each
 * keep at least t = ceil(0.6 n) honest members, and every OTHER farmer quorum has fewer than t faulty
 * members (so it can never certify on its own: "up to 59.9999% malicious"). The network BFT is the largest
 * share of all members (F farmer quorums + 1 harvester quorum, n each) that may be faulty under that rule.
 *
 * What kind of fault the rule counts (issue #6): the seed's 40% (n - t faulty per critical quorum) holds for
 * crash and omission faults, which never sign two things. For EQUIVOCATING (byzantine) members a 60% vote
 * alone is not enough: two t-subsets of n intersect in only 2t - n members (about n/5), so a few
 * equivocators plus an honest split certify two conflicting results. Lattice closes this per quorum kind:
 * - harvester quorum: members first agree on one convergence block per round through Simplex and sign only
 *   that one (certificate/round-agreement.ts), so its byzantine tolerance is f < n/3 (Simplex's bound; a
 *   second certificate needs t > n/3 shares against the agreement) and its liveness needs n - f members up;
 * - farmer quorums: a conflicting verdict certificate for one batch can only come from an honest split on a
 *   state-dependent check (nonce, balance), because signature and encoding checks are deterministic; every
 *   node's merge re-checks nonce and balance against finalized state, so such a certificate cannot put an
 *   invalid or double-spent transfer on the ledger; conflicting shares and certificates are evidence.
 * `placementIsSafe` and the table below keep the seed's figures for crash/omission faults.
 *
 * Guarantees: thresholds are computed in integers (t = ceil(3n/5) = floor((3n + 4) / 5)), so every node gets
 * the same t whatever the float rounding of 0.6 * n (0.6 has no exact binary form).
 */

/** The certification ratio as a fraction: 60% = 3/5 (seed: "a minimum of 60% agreement"). */
export const THRESHOLD_NUM = 3;
export const THRESHOLD_DEN = 5;

/** Shares needed in a quorum of `n`: t = ceil(0.6 n), computed exactly. */
export function thresholdOf(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`quorum size: a positive integer, got ${n}`);
  return Math.floor((THRESHOLD_NUM * n + THRESHOLD_DEN - 1) / THRESHOLD_DEN);
}

/** How many faulty members each kind of quorum may hold, and what that makes the network's BFT. */
export interface NetworkFaultTolerance {
  readonly farmerQuorums: number;
  readonly quorumSize: number;
  /** t = ceil(0.6 n). */
  readonly threshold: number;
  /** Faulty members tolerated in the one farmer quorum and the harvester quorum that must stay honest: n - t. */
  readonly criticalFaulty: number;
  /** Faulty members tolerated in every other farmer quorum: t - 1, the most that cannot reach t alone. */
  readonly otherFaulty: number;
  /** Members in the WAN's farmer and harvester quorums: (F + 1) n. */
  readonly totalMembers: number;
  /** Most faulty members with integer counts: (F - 1)(t - 1) + 2 (n - t). */
  readonly maxFaulty: number;
  /** maxFaulty / totalMembers: the BFT actually attainable with n-member quorums. */
  readonly bft: number;
  /**
   * The seed's figure: the supremum of the faulty share, with every other farmer quorum "just under"
   * t / n faulty: ((F - 1) t + 2 (n - t)) / ((F + 1) n). Not attained (each of those quorums must stay
   * strictly below t faulty); `bft` is what integer member counts give.
   */
  readonly bftSupremum: number;
}

/**
 * The network BFT of `farmerQuorums` farmer quorums and one harvester quorum, all of `quorumSize` members.
 * The backup harvester quorum is not counted: the seed's table counts N_t = (F + 1) N.
 *
 * @example networkFaultTolerance(1, 25).bft === 0.4
 */
export function networkFaultTolerance(farmerQuorums: number, quorumSize: number): NetworkFaultTolerance {
  if (!Number.isSafeInteger(farmerQuorums) || farmerQuorums < 1) {
    throw new RangeError(`farmerQuorums: a positive integer, got ${farmerQuorums}`);
  }
  const n = quorumSize;
  const t = thresholdOf(n);
  const criticalFaulty = n - t;
  const otherFaulty = t - 1;
  const totalMembers = (farmerQuorums + 1) * n;
  const maxFaulty = (farmerQuorums - 1) * otherFaulty + 2 * criticalFaulty;
  return {
    farmerQuorums,
    quorumSize: n,
    threshold: t,
    criticalFaulty,
    otherFaulty,
    totalMembers,
    maxFaulty,
    bft: maxFaulty / totalMembers,
    bftSupremum: ((farmerQuorums - 1) * t + 2 * criticalFaulty) / totalMembers,
  };
}

/**
 * Whether a placement of faulty members keeps the seed's rule: the harvester quorum keeps t honest, some
 * farmer quorum keeps t honest, and no farmer quorum has t faulty (it could certify invalid verdicts).
 * `farmerFaulty[i]` = faulty members of farmer quorum i.
 */
export function placementIsSafe(
  quorumSize: number,
  farmerFaulty: readonly number[],
  harvesterFaulty: number,
): boolean {
  const t = thresholdOf(quorumSize);
  if (quorumSize - harvesterFaulty < t) return false;
  if (farmerFaulty.some((f) => f >= t)) return false;
  return farmerFaulty.some((f) => quorumSize - f >= t);
}
