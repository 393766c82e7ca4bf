/**
 * Share indices and Lagrange interpolation at x = 0, shared by every scheme (core-anchors.md
 * §4.3 "Combining shares", "Pitfalls": index 0 forbidden, duplicates removed before Lagrange
 * because a repeated x divides by zero).
 *
 * Guarantees: `pickShares` returns exactly t shares with distinct indices in ascending order
 * (so any t valid shares combine to the same value) or throws a typed error;
 * `lagrangeAtZero` returns λ_i with Σ λ_i·F(x_i) = F(0) for every polynomial of degree < t.
 */
import { ThresholdError } from "./errors.ts";
import type { ScalarField } from "./group.ts";
import type { SignatureShare } from "./scheme.ts";

/** Share indices are encoded as u16; 0 is the secret's position and never a share. */
export const MAX_SHARE_INDEX = 65535;

/** Throw THRESHOLD_BAD_INDEX unless `index` is an integer in 1..MAX_SHARE_INDEX. */
export function assertShareIndex(index: number, field = "index"): void {
  if (!Number.isSafeInteger(index) || index < 1 || index > MAX_SHARE_INDEX) {
    throw new ThresholdError("THRESHOLD_BAD_INDEX", `${field}: share index must be 1..${MAX_SHARE_INDEX}`, {
      details: { field, index },
    });
  }
}

/** Throw THRESHOLD_BAD_PARAMS unless 1 <= t <= n <= MAX_SHARE_INDEX. */
export function assertThresholdParams(n: number, t: number): void {
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(t) || t < 1 || t > n || n > MAX_SHARE_INDEX) {
    throw new ThresholdError("THRESHOLD_BAD_PARAMS", `need 1 <= t <= n <= ${MAX_SHARE_INDEX}`, {
      details: { n, t },
    });
  }
}

/**
 * Validate, dedupe and choose: the t lowest distinct indices. A repeated index with an equal
 * signature is collapsed; with a different one it is an equivocation and throws.
 */
export function pickShares<S>(
  shares: readonly SignatureShare<S>[],
  t: number,
  equals: (a: S, b: S) => boolean,
): SignatureShare<S>[] {
  if (!Number.isSafeInteger(t) || t < 1 || t > MAX_SHARE_INDEX) {
    throw new ThresholdError("THRESHOLD_BAD_PARAMS", `t must be 1..${MAX_SHARE_INDEX}`, { details: { t } });
  }
  const byIndex = new Map<number, SignatureShare<S>>();
  for (const share of shares) {
    assertShareIndex(share.index, "share.index");
    const seen = byIndex.get(share.index);
    if (seen === undefined) byIndex.set(share.index, share);
    else if (!equals(seen.sig, share.sig)) {
      throw new ThresholdError(
        "THRESHOLD_CONFLICTING_SHARES",
        `two different shares for index ${share.index}`,
        {
          details: { index: share.index },
        },
      );
    }
  }
  if (byIndex.size < t) {
    throw new ThresholdError("THRESHOLD_TOO_FEW_SHARES", `need ${t} distinct shares, got ${byIndex.size}`, {
      details: { t, distinct: byIndex.size },
    });
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index).slice(0, t);
}

/**
 * λ_i = Π_{j≠i} x_j / (x_j − x_i) for distinct non-zero x. One field inversion in total
 * (Montgomery's batch trick), since inversions dominate for small t.
 */
export function lagrangeAtZero(field: ScalarField, indices: readonly number[]): bigint[] {
  const xs = indices.map((i) => BigInt(i));
  const k = xs.length;
  let all = 1n;
  for (const x of xs) all = field.mul(all, x);
  const denominators = xs.map((xi, i) => {
    let d = xi;
    for (let j = 0; j < k; j++) if (j !== i) d = field.mul(d, field.sub(xs[j]!, xi));
    return d;
  });
  // Batch inversion: prefix products, one inverse, then walk back.
  const prefix: bigint[] = new Array(k);
  let acc = 1n;
  for (let i = 0; i < k; i++) {
    prefix[i] = acc;
    acc = field.mul(acc, denominators[i]!);
  }
  let inv = field.inv(acc);
  const out: bigint[] = new Array(k);
  for (let i = k - 1; i >= 0; i--) {
    // λ_i = (Π_j x_j) / (x_i · Π_{j≠i}(x_j − x_i))
    out[i] = field.mul(all, field.mul(inv, prefix[i]!));
    inv = field.mul(inv, denominators[i]!);
  }
  return out;
}
