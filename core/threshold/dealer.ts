/**
 * ⚠️ TEST-ONLY TRUSTED DEALER. ⚠️ One party samples the whole secret polynomial and hands out
 * every share, so it knows the group secret: fine for unit tests, benchmarks and simulator
 * fixtures, never for a quorum key (those come from the dealerless DKG in core/dkg).
 */
import type { RandomBytes } from "./group.ts";
import { assertThresholdParams } from "./lagrange.ts";
import { evalPolynomial, randomPolynomial } from "./polynomial.ts";
import type { KeyShare, ThresholdKeySet, ThresholdScheme } from "./scheme.ts";

/** Deal a t-of-n key for `scheme` from the injected random source (trusted dealer, tests only). */
export function dealKeys<P, S>(
  scheme: ThresholdScheme<P, S>,
  n: number,
  t: number,
  random: RandomBytes,
): ThresholdKeySet<P> & { readonly secret: bigint } {
  assertThresholdParams(n, t);
  const { field, commit } = scheme.group;
  for (;;) {
    const coeffs = randomPolynomial(field, t, random);
    const shares: KeyShare[] = [];
    for (let i = 1; i <= n; i++) shares.push({ index: i, secret: evalPolynomial(field, coeffs, BigInt(i)) });
    // A zero share is possible only with probability ~n/order; redraw instead of handing it out.
    if (shares.some((s) => s.secret === 0n)) continue;
    return {
      n,
      t,
      secret: coeffs[0]!,
      groupKey: commit.mulGen(coeffs[0]!),
      publicShares: shares.map((s) => scheme.publicShareOf(s)),
      shares,
    };
  }
}
