/**
 * Polynomials over a scalar field and their Feldman commitments (core-anchors.md §4.2): the
 * shared arithmetic of the trusted dealer (tests) and the DKG. Coefficients are listed from the
 * constant term up; a threshold-t key uses degree t-1 (t coefficients).
 *
 * Guarantee: `evalCommitment(group, commitPolynomial(group, f), x) == mulGen(evalPolynomial(f, x))`.
 */
import type { Group, RandomBytes, ScalarField } from "./group.ts";

/** t random non-zero coefficients: a secret polynomial of degree t-1. */
export function randomPolynomial(field: ScalarField, t: number, random: RandomBytes): bigint[] {
  const coeffs: bigint[] = [];
  for (let k = 0; k < t; k++) coeffs.push(field.random(random));
  return coeffs;
}

/** F(x) by Horner's rule. */
export function evalPolynomial(field: ScalarField, coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = field.add(field.mul(acc, x), coeffs[k]!);
  return acc;
}

/** C_k = a_k·G for every coefficient (secret scalars: constant-time path). */
export function commitPolynomial<E>(group: Group<E>, coeffs: readonly bigint[]): E[] {
  return coeffs.map((a) => group.commit.mulGen(a));
}

/**
 * Σ_k C_k·x^k, i.e. F(x)·G, by Horner's rule: each step multiplies by the small public x, which
 * costs a few doublings instead of a full scalar multiplication per coefficient.
 */
export function evalCommitment<E>(group: Group<E>, commitments: readonly E[], x: number): E {
  const c = group.commit;
  const bx = BigInt(x);
  let acc = c.identity;
  for (let k = commitments.length - 1; k >= 0; k--) {
    acc = c.add(c.isIdentity(acc) ? acc : c.mulPublic(acc, bx), commitments[k]!);
  }
  return acc;
}
