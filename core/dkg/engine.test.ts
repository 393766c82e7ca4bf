import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { toHex, utf8 } from "../crypto/bytes.ts";
import { type BlsPublicKey, blsGroup, blsScheme } from "../threshold/bls.ts";
import type { Group } from "../threshold/group.ts";
import { modelGroup, modelScheme } from "../threshold/model.ts";
import { commitPolynomial, evalPolynomial, randomPolynomial } from "../threshold/polynomial.ts";
import type { KeyShare, ThresholdScheme } from "../threshold/scheme.ts";
import { subsets, thrownCode } from "../threshold/scheme-compliance.ts";
import { seededRandom } from "../threshold/seeded-random.ts";
import type { DkgResult, DkgSuccess } from "./contract.ts";
import { DkgEngine, quorumThreshold } from "./engine.ts";
import { type DkgFixture, dkgFixture } from "./fixture.ts";
import type { DkgDeal, DkgMessage } from "./messages.ts";
import { type OrderedLogRun, replayLog, runOrderedLog } from "./ordered-log.ts";
import { modelShareBox, type ShareBox, x25519ShareBox } from "./share-box.ts";

const TAG = "lattice/batch-verdict/v1";
const MSG = utf8("batch 7 digest and verdict bitmap");

function hexOf<E>(group: Group<E>, e: E): string {
  return toHex(group.commit.toBytes(e));
}

/** Every listed member succeeded with the same public outcome and a share matching its public share. */
function expectAgreement<E>(
  group: Group<E>,
  scheme: ThresholdScheme<E, unknown>,
  run: OrderedLogRun<E>,
  members: readonly number[],
): DkgSuccess<E> {
  const first = run.results[members[0]! - 1];
  if (first === undefined || !first.ok)
    throw new Error(`member ${members[0]} has no key: ${JSON.stringify(first)}`);
  for (const i of members) {
    const r = run.results[i - 1];
    expect(r?.ok).toBe(true);
    if (r === undefined || !r.ok) continue;
    expect(hexOf(group, r.groupKey)).toBe(hexOf(group, first.groupKey));
    expect(r.publicShares.map((p) => hexOf(group, p))).toEqual(
      first.publicShares.map((p) => hexOf(group, p)),
    );
    expect(r.qual).toEqual(first.qual);
    expect(toHex(r.transcript)).toBe(toHex(first.transcript));
    expect(r.share?.index).toBe(i);
    expect(hexOf(group, scheme.publicShareOf(r.share!))).toBe(hexOf(group, first.publicShares[i - 1]!));
  }
  return first;
}

/** t of the given members sign; every chosen subset must give the same verifying signature. */
function expectSubsetsSign<E, S>(
  scheme: ThresholdScheme<E, S>,
  run: OrderedLogRun<E>,
  key: DkgSuccess<E>,
  sets: readonly (readonly number[])[],
): void {
  let first: string | undefined;
  for (const set of sets) {
    const shares = set.map((i) =>
      scheme.signShare(run.results[i - 1]!.ok ? shareOf(run, i) : never(), TAG, MSG),
    );
    const sig = scheme.combine(shares, key.t);
    expect(scheme.verify(key.groupKey, TAG, MSG, sig)).toBe(true);
    const hex = toHex(scheme.signatureToBytes(sig));
    first ??= hex;
    expect(hex).toBe(first);
  }
  // t-1 shares do not make a signature.
  const few = sets[0]!.slice(0, key.t - 1).map((i) => scheme.signShare(shareOf(run, i), TAG, MSG));
  expect(thrownCode(() => scheme.combine(few, key.t))).toBe("THRESHOLD_TOO_FEW_SHARES");
}

function shareOf<E>(run: OrderedLogRun<E>, i: number): KeyShare {
  const r = run.results[i - 1];
  if (r === undefined || !r.ok || r.share === undefined) throw new Error(`member ${i} has no share`);
  return r.share;
}

function never(): never {
  throw new Error("unreachable");
}

/** Pick `count` t-subsets of the given members, spread over the lexicographic list. */
function someSubsets(members: readonly number[], t: number, count: number): number[][] {
  const all = members.length <= 12 ? subsets(members.length, t) : [];
  if (all.length > 0) {
    const step = Math.max(1, Math.floor(all.length / count));
    return all
      .filter((_, k) => k % step === 0)
      .slice(0, count)
      .map((s) => s.map((k) => members[k]!));
  }
  // Large n: rotate a window over the members.
  return Array.from({ length: count }, (_, k) =>
    Array.from({ length: t }, (_, m) => members[(k * 3 + m) % members.length]!),
  );
}

/** A Deal made outside the engine, as a byzantine dealer would: its own polynomial, optionally lying. */
function forgeDeal<E>(
  group: Group<E>,
  fx: DkgFixture<E>,
  dealer: number,
  box: ShareBox,
  lie: { shareFor?: (j: number, honest: bigint) => bigint; commitments?: (honest: E[]) => E[] },
): DkgDeal<E> {
  const random = seededRandom(`forge/${dealer}`);
  const t = quorumThreshold(fx.members.length);
  const f = randomPolynomial(group.field, t, random);
  const plaintexts = fx.members.map((_, k) => {
    const honest = evalPolynomial(group.field, f, BigInt(k + 1));
    return group.field.toBytes(lie.shareFor ? lie.shareFor(k + 1, honest) : honest);
  });
  const sealed = box.seal(
    fx.session,
    dealer,
    fx.members.map((m) => m.encryptionKey),
    plaintexts,
    random,
  );
  const honestCommitments = commitPolynomial(group, f);
  return {
    kind: "deal",
    session: fx.session,
    from: fx.members[dealer - 1]!.id,
    commitments: lie.commitments ? lie.commitments(honestCommitments) : honestCommitments,
    ...sealed,
  };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe("quorumThreshold", () => {
  test("is ceil(0.6·n) exactly, without floating-point misrounding", () => {
    for (let n = 1; n <= 300; n++) expect(quorumThreshold(n)).toBe(Math.ceil((3 * n) / 5 - 1e-9));
    expect([4, 5, 7, 16, 25].map(quorumThreshold)).toEqual([3, 3, 5, 10, 15]);
  });
});

describe("honest DKG over an ordered log", () => {
  for (const n of [4, 7, 16, 25]) {
    test(`model, n = ${n}: everyone agrees and any ceil(0.6n) members sign`, () => {
      const fx = dkgFixture(modelGroup, n, `honest/model/${n}`);
      const run = runOrderedLog(fx.engines);
      const key = expectAgreement(modelGroup, modelScheme, run, range(n));
      expect(key.t).toBe(quorumThreshold(n));
      expect(key.qual).toEqual(range(n));
      expect(key.excluded).toEqual([]);
      expect(run.faults.flat()).toEqual([]);
      // n deals + 3 markers: no complaints in an honest run.
      expect(run.log.length).toBe(n + 3);
      expectSubsetsSign(modelScheme, run, key, someSubsets(range(n), key.t, 6));
    });
  }

  for (const n of [4, 7]) {
    test(`bls, n = ${n}: everyone agrees and several ceil(0.6n)-subsets sign`, () => {
      const fx = dkgFixture(blsGroup, n, `honest/bls/${n}`);
      const run = runOrderedLog(fx.engines);
      const key = expectAgreement<BlsPublicKey>(blsGroup, blsScheme, run, range(n));
      expect(key.qual).toEqual(range(n));
      expectSubsetsSign(blsScheme, run, key, someSubsets(range(n), key.t, 2));
    });
  }

  test("the model group with the real X25519 box and with the model box give the same kind of outcome", () => {
    for (const box of [x25519ShareBox, modelShareBox]) {
      const fx = dkgFixture(modelGroup, 5, "box-choice", box);
      const run = runOrderedLog(fx.engines);
      expectAgreement(modelGroup, modelScheme, run, range(5));
    }
  });
});

describe("misbehaving dealers", () => {
  const n = 7;

  test("a corrupted ciphertext draws a complaint; the honest dealer justifies and stays in QUAL", () => {
    const fx = dkgFixture(modelGroup, n, "bad-ciphertext");
    const run = runOrderedLog(fx.engines, {
      tamper: (author, entry) => {
        if (author !== 2 || entry.kind !== "deal") return [entry];
        const ciphertexts = entry.ciphertexts.map((c, k) =>
          k === 2 ? c.map((b, x) => (x === 0 ? b ^ 1 : b)) : c,
        );
        return [{ ...entry, ciphertexts }];
      },
    });
    const kinds = run.log.map((e) => e.kind);
    expect(kinds.filter((k) => k === "complaint").length).toBe(1);
    expect(kinds.filter((k) => k === "justification").length).toBe(1);
    const complaint = run.log.find((e) => e.kind === "complaint");
    expect(complaint).toMatchObject({ kind: "complaint", dealer: 2, from: fx.members[2]!.id });
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    expect(key.qual).toEqual(range(n));
    // Member 3 took the publicly revealed share and can sign.
    expectSubsetsSign(modelScheme, run, key, [[3, 1, 2, 4, 5]]);
  });

  test("a dealer that sends one member a wrong share and then lies in its justification is excluded", () => {
    const fx = dkgFixture(modelGroup, n, "wrong-share");
    const bad = forgeDeal(modelGroup, fx, 4, x25519ShareBox, {
      shareFor: (j, honest) => (j === 6 ? modelGroup.field.add(honest, 1n) : honest),
    });
    const run = runOrderedLog(fx.engines, {
      // Dealer 4's engine never learns the forged polynomial, so its justification is wrong.
      tamper: (author, entry) => (author === 4 && entry.kind === "deal" ? [bad] : [entry]),
    });
    expect(run.log.filter((e) => e.kind === "complaint")).toHaveLength(1);
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    expect(key.qual).toEqual([1, 2, 3, 5, 6, 7]);
    expect(key.excluded).toEqual([{ index: 4, id: fx.members[3]!.id, reason: "bad-justification" }]);
    for (const faults of run.faults) expect(faults.map((f) => f.code)).toContain("DKG_BAD_JUSTIFICATION");
    expectSubsetsSign(modelScheme, run, key, [
      [6, 1, 2, 3, 4],
      [3, 4, 5, 6, 7],
    ]);
  });

  test("a dealer that does not answer a complaint is excluded with no-justification", () => {
    const fx = dkgFixture(modelGroup, n, "no-justification");
    const run = runOrderedLog(fx.engines, {
      tamper: (author, entry) => {
        if (author !== 5) return [entry];
        if (entry.kind === "justification") return [];
        if (entry.kind !== "deal") return [entry];
        return [
          {
            ...entry,
            ciphertexts: entry.ciphertexts.map((c, k) => (k === 0 ? new Uint8Array(c.length) : c)),
          },
        ];
      },
    });
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    expect(key.excluded.map((e) => [e.index, e.reason])).toEqual([[5, "no-justification"]]);
    expect(run.faults[0]!.map((f) => f.code)).toEqual(["DKG_NO_JUSTIFICATION"]);
  });

  test("a dealer whose commitments do not match its shares is excluded (everyone complains)", () => {
    const fx = dkgFixture(modelGroup, n, "bad-commitments");
    const other = commitPolynomial(modelGroup, randomPolynomial(modelGroup.field, 5, seededRandom("other")));
    const run = runOrderedLog(fx.engines, {
      tamper: (author, entry) =>
        author === 1 && entry.kind === "deal" ? [{ ...entry, commitments: other }] : [entry],
    });
    expect(run.log.filter((e) => e.kind === "complaint")).toHaveLength(n);
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    expect(key.qual).toEqual([2, 3, 4, 5, 6, 7]);
    expect(key.excluded[0]!.reason).toBe("bad-justification");
    expectSubsetsSign(modelScheme, run, key, [[1, 2, 3, 4, 5]]);
  });

  test("bls: a dealer with bad commitments is excluded and the key still signs", () => {
    const fx = dkgFixture(blsGroup, 4, "bls/bad-commitments");
    const other = commitPolynomial(blsGroup, randomPolynomial(blsGroup.field, 3, seededRandom("other")));
    const run = runOrderedLog(fx.engines, {
      tamper: (author, entry) =>
        author === 3 && entry.kind === "deal" ? [{ ...entry, commitments: other }] : [entry],
    });
    const key = expectAgreement<BlsPublicKey>(blsGroup, blsScheme, run, range(4));
    expect(key.qual).toEqual([1, 2, 4]);
    expectSubsetsSign(blsScheme, run, key, [[1, 3, 4]]);
  });

  test("a silent member (appends nothing) does not stop the DKG, and still gets a share", () => {
    const fx = dkgFixture(modelGroup, n, "silent");
    const run = runOrderedLog(fx.engines, { tamper: (author, entry) => (author === 6 ? [] : [entry]) });
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    expect(key.qual).toEqual([1, 2, 3, 4, 5, 7]);
    expect(key.excluded).toEqual([{ index: 6, id: fx.members[5]!.id, reason: "no-deal" }]);
    expectSubsetsSign(modelScheme, run, key, [[6, 7, 1, 2, 3]]);
  });

  test("fewer than t valid dealers is a typed failure for everyone, not a key", () => {
    const fx = dkgFixture(modelGroup, n, "too-few");
    // t = 5 of 7: three silent dealers leave four.
    const run = runOrderedLog(fx.engines, { tamper: (author, entry) => (author <= 3 ? [] : [entry]) });
    for (const r of run.results) {
      expect(r).toMatchObject({ ok: false, code: "DKG_TOO_FEW_DEALERS", qual: [4, 5, 6, 7], t: 5 });
      expect(r && "groupKey" in r).toBe(false);
    }
  });
});

describe("rejected entries change nothing", () => {
  test("unknown sender, duplicate deal, wrong session, malformed and out-of-phase entries are faults", () => {
    const n = 5;
    const clean = runOrderedLog(dkgFixture(modelGroup, n, "faults").engines);
    const fx = dkgFixture(modelGroup, n, "faults");
    const intruder = dkgFixture(modelGroup, n, "intruder");
    const firstDeal = (): DkgDeal<bigint> => {
      const d = clean.log[0];
      if (d?.kind !== "deal") throw new Error("expected a deal first");
      return d;
    };
    const garbage: DkgMessage<bigint>[] = [
      { ...firstDeal(), from: intruder.members[0]!.id },
      { ...forgeDeal(modelGroup, fx, 1, x25519ShareBox, {}), from: firstDeal().from },
      { ...firstDeal(), session: new Uint8Array(32) },
      { ...firstDeal(), from: fx.members[1]!.id, commitments: firstDeal().commitments.slice(1) },
      { ...firstDeal(), from: fx.members[1]!.id, ciphertexts: firstDeal().ciphertexts.slice(1) },
      { kind: "complaint", session: fx.session, from: fx.members[0]!.id, dealer: 2 },
      { kind: "justification", session: fx.session, from: fx.members[0]!.id, complainer: 2, share: 5n },
      { kind: "end-complaints", session: fx.session },
      { kind: "bogus", session: fx.session } as unknown as DkgMessage<bigint>,
      {
        ...firstDeal(),
        from: fx.members[2]!.id,
        commitments: firstDeal().commitments.map(() => modelGroup.field.order),
      },
      { ...firstDeal(), from: fx.members[2]!.id, commitments: ["x", 1n, 2n] as unknown as bigint[] },
      null as unknown as DkgMessage<bigint>,
    ];
    const run = runOrderedLog(fx.engines, { inject: garbage });
    const codes = run.faults[0]!.map((f) => f.code);
    expect(codes).toEqual([
      "DKG_UNKNOWN_SENDER",
      "DKG_DUPLICATE_DEAL",
      "DKG_WRONG_SESSION",
      "DKG_MALFORMED_ENTRY",
      "DKG_MALFORMED_ENTRY",
      "DKG_WRONG_PHASE",
      "DKG_WRONG_PHASE",
      "DKG_WRONG_PHASE",
      "DKG_MALFORMED_ENTRY",
      "DKG_MALFORMED_ENTRY",
      "DKG_MALFORMED_ENTRY",
      "DKG_MALFORMED_ENTRY",
    ]);
    for (const f of run.faults) expect(f.length).toBe(garbage.length);
    // Same key, same QUAL, same transcript as the run without the garbage.
    const a = expectAgreement(modelGroup, modelScheme, run, range(n));
    const b = expectAgreement(modelGroup, modelScheme, clean, range(n));
    expect(a.groupKey).toBe(b.groupKey);
    expect(toHex(a.transcript)).toBe(toHex(b.transcript));
  });

  test("complaints and justifications that break the rules are faults", () => {
    const fx = dkgFixture(modelGroup, 4, "complaint-rules");
    const [m1, m2, m3] = fx.members.map((m) => m.id);
    const e = fx.engineFor(3, "solo");
    const deals = runOrderedLog(dkgFixture(modelGroup, 4, "complaint-rules").engines).log.filter(
      (x) => x.kind === "deal",
    );
    replayLog(e, deals);
    replayLog(e, [{ kind: "end-dealing", session: fx.session }]);
    const s = fx.session;
    const effects = replayLog(e, [
      { kind: "complaint", session: s, from: m1!, dealer: 1 },
      { kind: "complaint", session: s, from: m1!, dealer: 9 },
      { kind: "complaint", session: s, from: m1!, dealer: 2 },
      { kind: "complaint", session: s, from: m1!, dealer: 2 },
      { kind: "justification", session: s, from: m3!, complainer: 1, share: 1n },
      { kind: "justification", session: s, from: m2!, complainer: 1, share: -1n },
      { kind: "end-dealing", session: s },
    ]);
    expect(effects.map((x) => (x.kind === "fault" ? x.code : x.kind))).toEqual([
      "DKG_BAD_COMPLAINT",
      "DKG_MALFORMED_ENTRY",
      "DKG_BAD_COMPLAINT",
      "DKG_UNEXPECTED_JUSTIFICATION",
      "DKG_MALFORMED_ENTRY",
      "DKG_WRONG_PHASE",
    ]);
  });

  test("start() twice is DKG_STATE", () => {
    const e = dkgFixture(modelGroup, 4, "twice").engines[0]!;
    e.start();
    expect(thrownCode(() => e.start())).toBe("DKG_STATE");
  });
});

describe("agreement comes from the log alone (Versatus regression)", () => {
  const n = 7;

  test("a member rebuilt from the log (new randomness, no start) reaches the same key and its same share", () => {
    const fx = dkgFixture(modelGroup, n, "replay");
    const run = runOrderedLog(fx.engines, {
      tamper: (author, entry) =>
        author === 2 && entry.kind === "deal"
          ? [
              {
                ...entry,
                ciphertexts: entry.ciphertexts.map((c, k) => (k === 4 ? new Uint8Array(c.length) : c)),
              },
            ]
          : [entry],
    });
    const original = expectAgreement(modelGroup, modelScheme, run, range(n));
    const fresh = fx.engineFor(5, "restarted");
    replayLog(fresh, run.log);
    const again = fresh.result() as DkgResult<bigint>;
    expect(again.ok && again.groupKey).toBe(original.groupKey);
    expect(again.ok && again.share).toEqual(shareOf(run, 5));
    expect(toHex(again.transcript)).toBe(toHex(original.transcript));
  });

  test("reordering Deals inside the dealing phase changes nothing but the transcript", () => {
    const fx = dkgFixture(modelGroup, n, "reorder");
    const run = runOrderedLog(fx.engines);
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    const deals = run.log.filter((e) => e.kind === "deal").reverse();
    const rest = run.log.filter((e) => e.kind !== "deal");
    const other = fx.engineFor(3, "reordered");
    replayLog(other, [...deals, ...rest]);
    const r = other.result();
    expect(r?.ok && r.groupKey).toBe(key.groupKey);
    expect(r?.qual).toEqual(key.qual);
    expect(toHex(r!.transcript)).not.toBe(toHex(key.transcript));
  });

  test("members fed different sets of Deals get different keys, never silently: the transcripts differ", () => {
    const fx = dkgFixture(modelGroup, n, "diverge");
    const run = runOrderedLog(fx.engines);
    const key = expectAgreement(modelGroup, modelScheme, run, range(n));
    // Member 4's log (a broken runtime, as in Versatus) has dealer 7's Deal after EndDealing.
    const late = run.log.filter((e) => !(e.kind === "deal" && toHex(e.from) === toHex(fx.members[6]!.id)));
    const deal7 = run.log.find((e) => e.kind === "deal" && toHex(e.from) === toHex(fx.members[6]!.id))!;
    const at = late.findIndex((e) => e.kind === "end-dealing") + 1;
    const divergent = fx.engineFor(4, "divergent");
    const effects = replayLog(divergent, [...late.slice(0, at), deal7, ...late.slice(at)]);
    expect(effects.some((e) => e.kind === "fault" && e.code === "DKG_WRONG_PHASE")).toBe(true);
    const r = divergent.result();
    expect(r?.qual).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r?.ok && r.groupKey).not.toBe(key.groupKey);
    expect(toHex(r!.transcript)).not.toBe(toHex(key.transcript));
  });
});

describe("configuration", () => {
  const fx = dkgFixture(modelGroup, 4, "config");
  const base = {
    group: modelGroup,
    session: fx.session,
    members: fx.members,
    self: { id: fx.members[0]!.id, encryptionSecret: fx.boxSecrets[0]! },
    random: seededRandom("config"),
  };
  test("members are sorted canonically whatever order they are given in", () => {
    const e = new DkgEngine({ ...base, members: [...fx.members].reverse() });
    expect(e.index).toBe(1);
    expect(e.memberIds.map(toHex)).toEqual(fx.members.map((m) => toHex(m.id)));
  });
  test("bad configurations are DKG_CONFIG", () => {
    const cases = [
      { ...base, session: new Uint8Array(31) },
      { ...base, members: [...fx.members, fx.members[0]!] },
      { ...base, members: [] },
      { ...base, self: { id: utf8("stranger"), encryptionSecret: fx.boxSecrets[0]! } },
      { ...base, self: { id: fx.members[0]!.id, encryptionSecret: fx.boxSecrets[1]! } },
      { ...base, self: { id: fx.members[0]!.id, encryptionSecret: new Uint8Array(5) } },
      { ...base, members: [{ id: new Uint8Array(65), encryptionKey: fx.members[0]!.encryptionKey }] },
      { ...base, members: [{ id: fx.members[0]!.id, encryptionKey: new Uint8Array(31) }] },
      { ...base, group: blsGroup as unknown as Group<bigint>, box: modelShareBox },
    ];
    for (const c of cases) expect(thrownCode(() => new DkgEngine(c))).toBe("DKG_CONFIG");
  });
});

describe("property: honest members agree despite misbehaving dealers (model group, fixed seed)", () => {
  type Fault = "silent" | "bad-share-no-justify" | "bad-commitments" | "lying-justification" | "garbage";
  const faults: Fault[] = [
    "silent",
    "bad-share-no-justify",
    "bad-commitments",
    "lying-justification",
    "garbage",
  ];
  test("random n in 4..16, fewer than n - t byzantine dealers", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 16 }).chain((n) => {
          const t = quorumThreshold(n);
          return fc.tuple(
            fc.constant(n),
            fc.uniqueArray(fc.integer({ min: 1, max: n }), { maxLength: Math.max(0, n - t - 1) }),
            fc.array(fc.constantFrom(...faults), { minLength: n, maxLength: n }),
            fc.integer({ min: 0, max: 1_000_000 }),
          );
        }),
        ([n, byzantine, behaviour, salt]) => {
          const fx = dkgFixture(modelGroup, n, `prop/${n}/${salt}`, modelShareBox);
          const isBad = new Set(byzantine);
          const forged = new Map<number, DkgDeal<bigint>>();
          for (const b of byzantine) {
            if (behaviour[b - 1] === "lying-justification") {
              forged.set(
                b,
                forgeDeal(modelGroup, fx, b, modelShareBox, {
                  shareFor: (j, s) => (j % 2 === 0 ? modelGroup.field.add(s, 7n) : s),
                }),
              );
            }
          }
          const run = runOrderedLog(fx.engines, {
            tamper: (author, entry) => {
              if (!isBad.has(author)) return [entry];
              switch (behaviour[author - 1]) {
                case "silent":
                  return [];
                case "bad-share-no-justify":
                  if (entry.kind === "justification") return [];
                  if (entry.kind !== "deal") return [entry];
                  return [
                    {
                      ...entry,
                      ciphertexts: entry.ciphertexts.map((c, k) => (k % 3 === 0 ? c.slice().fill(9) : c)),
                    },
                  ];
                case "bad-commitments":
                  return entry.kind === "deal"
                    ? [{ ...entry, commitments: entry.commitments.map((c) => c + 1n) }]
                    : [entry];
                case "lying-justification":
                  return entry.kind === "deal" ? [forged.get(author)!] : [entry];
                default:
                  // Garbage: a duplicate deal, a complaint against itself, and its real entry.
                  return [
                    entry,
                    entry,
                    {
                      kind: "complaint",
                      session: fx.session,
                      from: fx.members[author - 1]!.id,
                      dealer: author,
                    },
                  ];
              }
            },
          });
          const honest = range(n).filter((i) => !isBad.has(i));
          const key = expectAgreement(modelGroup, modelScheme, run, honest);
          for (const i of honest) expect(key.qual).toContain(i);
          expectSubsetsSign(modelScheme, run, key, [honest.slice(0, key.t), honest.slice(-key.t)]);
        },
      ),
      { seed: 20240601, numRuns: 40 },
    );
  });
});
