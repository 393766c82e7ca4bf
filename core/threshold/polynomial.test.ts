import { describe, expect, test } from "bun:test";
import { blsGroup } from "./bls.ts";
import { dealKeys } from "./dealer.ts";
import type { Group } from "./group.ts";
import { modelGroup, modelScheme } from "./model.ts";
import { commitPolynomial, evalCommitment, evalPolynomial, randomPolynomial } from "./polynomial.ts";
import { thrownCode } from "./scheme-compliance.ts";
import { seededRandom } from "./seeded-random.ts";

function commitmentTests<E>(group: Group<E>): void {
  test(`${group.name}: evalCommitment(commit(F), x) = F(x)·G, and a different F does not match`, () => {
    const random = seededRandom(`poly/${group.name}`);
    const f = randomPolynomial(group.field, 4, random);
    const c = commitPolynomial(group, f);
    for (const x of [1, 2, 7, 25]) {
      const want = group.commit.mulGen(evalPolynomial(group.field, f, BigInt(x)));
      expect(group.commit.equals(evalCommitment(group, c, x), want)).toBe(true);
    }
    const g = [...f];
    g[3] = group.field.add(g[3]!, 1n);
    const wrong = group.commit.mulGen(evalPolynomial(group.field, g, 3n));
    expect(group.commit.equals(evalCommitment(group, c, 3), wrong)).toBe(false);
  });
  test(`${group.name}: msm equals the sum of products, and empty msm is the identity`, () => {
    const { commit, field } = group;
    const random = seededRandom(`msm/${group.name}`);
    const pts = [1, 2, 3].map(() => commit.mulGen(field.random(random)));
    const sc = [0n, 5n, field.random(random)];
    const naive = pts.reduce((acc, p, i) => commit.add(acc, commit.mulPublic(p, sc[i]!)), commit.identity);
    expect(commit.equals(commit.msm(pts, sc), naive)).toBe(true);
    expect(commit.isIdentity(commit.msm([], []))).toBe(true);
    expect(commit.isIdentity(commit.mul(commit.generator, 0n))).toBe(true);
  });
}

describe("Feldman commitments", () => {
  commitmentTests(modelGroup);
  commitmentTests(blsGroup);
});

describe("trusted dealer (tests only)", () => {
  test("is deterministic for a seed and validates t and n", () => {
    const a = dealKeys(modelScheme, 5, 3, seededRandom("dealer"));
    const b = dealKeys(modelScheme, 5, 3, seededRandom("dealer"));
    expect(a.groupKey).toBe(b.groupKey);
    expect(a.shares.map((s) => s.index)).toEqual([1, 2, 3, 4, 5]);
    expect(thrownCode(() => dealKeys(modelScheme, 3, 4, seededRandom("x")))).toBe("THRESHOLD_BAD_PARAMS");
  });
  test("a random source that returns short output is THRESHOLD_BAD_RANDOM", () => {
    expect(thrownCode(() => dealKeys(modelScheme, 3, 2, () => new Uint8Array(1)))).toBe(
      "THRESHOLD_BAD_RANDOM",
    );
  });
});

describe("seededRandom", () => {
  test("replays the same stream for the same seed, and differs across seeds", () => {
    const a = seededRandom("s");
    const b = seededRandom("s");
    const first = [a(10), a(5000), a(3)];
    expect([b(10), b(5000), b(3)]).toEqual(first);
    expect(seededRandom("t")(10)).not.toEqual(first[0]!);
  });
});
