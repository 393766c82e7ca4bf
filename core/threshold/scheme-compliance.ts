/**
 * The compliance suite every ThresholdScheme must pass (STYLE.md "One compliance suite per
 * interface"): the same semantic tests, run against `bls` and `model` from
 * scheme-compliance.test.ts, and against any future backend (native, WASM). Test-only module.
 *
 * `exhaustive` runs every t-subset of n; keep it off for schemes whose operations cost
 * milliseconds (BLS) and on for the model.
 */
import { describe, expect, test } from "bun:test";
import { isLatticeError } from "../errors/lattice-error.ts";
import { utf8 } from "../crypto/bytes.ts";
import { combineVerified } from "./combine-verified.ts";
import { dealKeys } from "./dealer.ts";
import type { SignatureShare, ThresholdScheme } from "./scheme.ts";
import { seededRandom } from "./seeded-random.ts";

export interface ComplianceOptions {
  readonly n: number;
  readonly t: number;
  readonly seed: string;
  /** Try every t-subset (cheap schemes) instead of a few chosen ones. */
  readonly exhaustive: boolean;
}

/** The error code `fn` throws, or undefined if it returns; rethrows foreign errors. */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isLatticeError(e)) return e.code;
    throw e;
  }
  return undefined;
}

/** All k-subsets of [0, n) in lexicographic order. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, acc: number[]): void => {
    if (acc.length === k) {
      out.push([...acc]);
      return;
    }
    for (let i = start; i < n; i++) pick(i + 1, [...acc, i]);
  };
  pick(0, []);
  return out;
}

function flipBit(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

/** Register the compliance tests for `scheme` (call inside a `describe`). */
export function runSchemeCompliance<P, S>(scheme: ThresholdScheme<P, S>, opts: ComplianceOptions): void {
  const { n, t } = opts;
  const random = seededRandom(opts.seed);
  const keys = dealKeys(scheme, n, t, random);
  const tag = "lattice/batch-verdict/v1";
  const msg = utf8("batch 42: verdict bitmap 0b1011");
  const shares = keys.shares.map((s) => scheme.signShare(s, tag, msg));
  const share = (i: number): SignatureShare<S> => shares[i]!;
  const sigBytes = (sig: S): string => Buffer.from(scheme.signatureToBytes(sig)).toString("hex");
  const reference = scheme.combine(shares.slice(0, t), t);

  describe("keys and shares", () => {
    test("public key shares are F(i)·G and the group key is F(0)·G", () => {
      expect(scheme.group.commit.equals(keys.groupKey, scheme.group.commit.mulGen(keys.secret))).toBe(true);
      keys.shares.forEach((s, i) => {
        expect(scheme.group.commit.equals(scheme.publicShareOf(s), keys.publicShares[i]!)).toBe(true);
      });
    });
    test("each share verifies under its own public share and no other", () => {
      expect(scheme.verifyShare(keys.publicShares[0]!, tag, msg, share(0).sig)).toBe(true);
      expect(scheme.verifyShare(keys.publicShares[1]!, tag, msg, share(0).sig)).toBe(false);
      expect(scheme.verifyShare(keys.publicShares[0]!, tag, utf8("another batch"), share(0).sig)).toBe(false);
    });
    test("a share is not a signature under the group key", () => {
      expect(scheme.verify(keys.groupKey, tag, msg, share(0).sig)).toBe(false);
    });
  });

  describe("combine", () => {
    const sets = opts.exhaustive
      ? subsets(n, t)
      : [subsets(n, t)[0]!, subsets(n, t).at(-1)!, Array.from({ length: t }, (_, i) => (i * 2) % n)];
    test(`${opts.exhaustive ? "every" : "several"} ${t}-of-${n} subsets give one verifying signature`, () => {
      expect(scheme.verify(keys.groupKey, tag, msg, reference)).toBe(true);
      const want = sigBytes(reference);
      for (const set of sets) {
        const distinct = [...new Set(set)];
        if (distinct.length < t) continue;
        const sig = scheme.combine(
          distinct.map((i) => share(i)),
          t,
        );
        expect(sigBytes(sig)).toBe(want);
      }
    });
    test("share order does not matter and extra shares are ignored deterministically", () => {
      const sig = scheme.combine([...shares].reverse(), t);
      expect(sigBytes(sig)).toBe(sigBytes(reference));
    });
    test("t-1 shares are refused with THRESHOLD_TOO_FEW_SHARES", () => {
      expect(thrownCode(() => scheme.combine(shares.slice(0, t - 1), t))).toBe("THRESHOLD_TOO_FEW_SHARES");
    });
    test("t-1 shares plus a guessed share do not make a valid signature", () => {
      // The forger signs the last slot with a key it made up (it lacks the real share).
      const guessed = scheme.signShare({ index: n, secret: scheme.group.field.random(random) }, tag, msg);
      const forged = scheme.combine([...shares.slice(0, t - 1), guessed], t);
      expect(scheme.verify(keys.groupKey, tag, msg, forged)).toBe(false);
    });
    test("duplicate indices are collapsed, not counted twice", () => {
      const dup = [...shares.slice(0, t - 1), share(0)];
      expect(thrownCode(() => scheme.combine(dup, t))).toBe("THRESHOLD_TOO_FEW_SHARES");
      const withDup = [share(0), ...shares.slice(0, t)];
      expect(sigBytes(scheme.combine(withDup, t))).toBe(sigBytes(reference));
    });
    test("one index with two different signatures is THRESHOLD_CONFLICTING_SHARES", () => {
      const other = { index: 1, sig: share(1).sig };
      expect(thrownCode(() => scheme.combine([...shares.slice(0, t), other], t))).toBe(
        "THRESHOLD_CONFLICTING_SHARES",
      );
    });
    test("index 0 and out-of-range indices are THRESHOLD_BAD_INDEX", () => {
      for (const index of [0, -1, 1.5, 65536]) {
        const bad = { index, sig: share(0).sig };
        expect(thrownCode(() => scheme.combine([bad, ...shares.slice(1, t)], t))).toBe("THRESHOLD_BAD_INDEX");
      }
      expect(thrownCode(() => scheme.signShare({ index: 0, secret: 1n }, tag, msg))).toBe(
        "THRESHOLD_BAD_INDEX",
      );
    });
  });

  describe("bad shares, tags and bytes", () => {
    const wrong: SignatureShare<S> = {
      index: 2,
      sig: scheme.signShare(keys.shares[1]!, tag, utf8("other")).sig,
    };
    test("findBadShares names exactly the wrong share; combineVerified recovers around it", () => {
      const mixed = [share(0), wrong, ...shares.slice(2, t + 1)];
      const combined = scheme.combine(mixed, t);
      expect(scheme.verify(keys.groupKey, tag, msg, combined)).toBe(false);
      expect(scheme.findBadShares(keys, tag, msg, mixed)).toEqual([2]);
      const outcome = combineVerified(scheme, keys, tag, msg, mixed);
      expect(outcome.ok).toBe(true);
      expect(outcome.bad).toEqual([2]);
      if (outcome.ok) expect(sigBytes(outcome.sig)).toBe(sigBytes(reference));
    });
    test("combineVerified reports too few good shares instead of a signature", () => {
      const outcome = combineVerified(scheme, keys, tag, msg, [wrong, ...shares.slice(2, t + 1)].slice(0, t));
      expect(outcome).toMatchObject({ ok: false, code: "THRESHOLD_TOO_FEW_SHARES", bad: [2] });
    });
    test("an index with no public share is reported bad", () => {
      expect(scheme.findBadShares(keys, tag, msg, [{ index: n + 1, sig: share(0).sig }])).toEqual([n + 1]);
    });
    test("a signature under one tag never verifies under another", () => {
      expect(scheme.verify(keys.groupKey, "lattice/convergence-cert/v1", msg, reference)).toBe(false);
      expect(scheme.verifyShare(keys.publicShares[0]!, "lattice/batch-verdict/v2", msg, share(0).sig)).toBe(
        false,
      );
      const other = scheme.combine(
        keys.shares.slice(0, t).map((s) => scheme.signShare(s, "lattice/convergence-cert/v1", msg)),
        t,
      );
      expect(sigBytes(other)).not.toBe(sigBytes(reference));
      expect(scheme.verify(keys.groupKey, "lattice/convergence-cert/v1", msg, other)).toBe(true);
    });
    test("malformed tags are THRESHOLD_BAD_TAG", () => {
      for (const bad of ["", "ab", "Lattice/x/v1", "lattice/x/v1/", "lattice x", "a".repeat(65)]) {
        expect(thrownCode(() => scheme.signShare(keys.shares[0]!, bad, msg))).toBe("THRESHOLD_BAD_TAG");
      }
    });
    test("tampered signature bytes are rejected or fail verification", () => {
      const bytes = scheme.signatureToBytes(reference);
      for (const at of [0, 1, bytes.length - 1]) {
        let ok: boolean;
        try {
          ok = scheme.verify(keys.groupKey, tag, msg, scheme.signatureFromBytes(flipBit(bytes, at)));
        } catch (e) {
          expect(isLatticeError(e, "THRESHOLD_MALFORMED")).toBe(true);
          ok = false;
        }
        expect(ok).toBe(false);
      }
    });
  });

  describe("serialisation", () => {
    test("public keys, signatures, key shares and signature shares round trip", () => {
      const pk = scheme.publicKeyToBytes(keys.groupKey);
      expect(pk.length).toBe(scheme.publicKeyBytes);
      expect(scheme.group.commit.equals(scheme.publicKeyFromBytes(pk), keys.groupKey)).toBe(true);
      const sig = scheme.signatureToBytes(reference);
      expect(sig.length).toBe(scheme.signatureBytes);
      expect(sigBytes(scheme.signatureFromBytes(sig))).toBe(sigBytes(reference));
      const ks = scheme.keyShareToBytes(keys.shares[2]!);
      expect(ks.length).toBe(scheme.keyShareBytes);
      expect(scheme.keyShareFromBytes(ks)).toEqual(keys.shares[2]!);
      const ss = scheme.signatureShareToBytes(share(2));
      expect(ss.length).toBe(scheme.signatureShareBytes);
      const back = scheme.signatureShareFromBytes(ss);
      expect(back.index).toBe(3);
      expect(sigBytes(back.sig)).toBe(sigBytes(share(2).sig));
      const elem = scheme.group.commit.toBytes(keys.publicShares[0]!);
      expect(scheme.group.commit.equals(scheme.group.commit.fromBytes(elem), keys.publicShares[0]!)).toBe(
        true,
      );
      const scalar = scheme.group.field.toBytes(keys.secret);
      expect(scheme.group.field.fromBytes(scalar)).toBe(keys.secret);
    });
    test("wrong lengths, identity, out-of-range values and index 0 are typed errors", () => {
      const pk = scheme.publicKeyToBytes(keys.groupKey);
      const sig = scheme.signatureToBytes(reference);
      const identity = scheme.group.commit.toBytes(scheme.group.commit.identity);
      const cases: [() => unknown, string][] = [
        [() => scheme.publicKeyFromBytes(pk.subarray(1)), "THRESHOLD_MALFORMED"],
        [() => scheme.publicKeyFromBytes(new Uint8Array([...pk, 0])), "THRESHOLD_MALFORMED"],
        [() => scheme.publicKeyFromBytes(identity), "THRESHOLD_MALFORMED"],
        [() => scheme.publicKeyFromBytes(new Uint8Array(pk.length).fill(0xff)), "THRESHOLD_MALFORMED"],
        [() => scheme.signatureFromBytes(sig.subarray(0, sig.length - 1)), "THRESHOLD_MALFORMED"],
        [() => scheme.signatureFromBytes(new Uint8Array(sig.length).fill(0xff)), "THRESHOLD_MALFORMED"],
        [() => scheme.keyShareFromBytes(new Uint8Array(scheme.keyShareBytes)), "THRESHOLD_BAD_INDEX"],
        [() => scheme.keyShareFromBytes(new Uint8Array(scheme.keyShareBytes - 1)), "THRESHOLD_MALFORMED"],
        [
          () => scheme.keyShareFromBytes(Uint8Array.of(0, 1, ...new Uint8Array(scheme.keyShareBytes - 2))),
          "THRESHOLD_MALFORMED",
        ],
        [
          () =>
            scheme.keyShareFromBytes(
              Uint8Array.of(0, 1, ...new Uint8Array(scheme.keyShareBytes - 2).fill(0xff)),
            ),
          "THRESHOLD_MALFORMED",
        ],
        [() => scheme.signatureShareFromBytes(Uint8Array.of(0, 0, ...sig)), "THRESHOLD_BAD_INDEX"],
        [
          () => scheme.signatureShareFromBytes(Uint8Array.of(0, 1, ...sig.subarray(1))),
          "THRESHOLD_MALFORMED",
        ],
        [
          () => scheme.group.field.fromBytes(new Uint8Array(scheme.group.field.bytes).fill(0xff)),
          "THRESHOLD_MALFORMED",
        ],
        [() => scheme.group.commit.fromBytes(identity.subarray(1)), "THRESHOLD_MALFORMED"],
      ];
      for (const [fn, code] of cases) expect(thrownCode(fn)).toBe(code);
    });
    test("encoders refuse the identity as a public key", () => {
      expect(thrownCode(() => scheme.publicKeyToBytes(scheme.group.commit.identity))).toBe(
        "THRESHOLD_MALFORMED",
      );
    });
  });
}
