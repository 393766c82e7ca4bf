import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { toHex } from "../crypto/bytes.ts";
import { isLatticeError } from "../errors/lattice-error.ts";
import { blsGroup } from "../threshold/bls.ts";
import type { Group } from "../threshold/group.ts";
import { modelGroup } from "../threshold/model.ts";
import { thrownCode } from "../threshold/scheme-compliance.ts";
import {
  complaintFromBytes,
  complaintToBytes,
  dealFromBytes,
  dealToBytes,
  dkgMessageFromBytes,
  dkgMessageToBytes,
  justificationFromBytes,
  justificationToBytes,
  phaseMarkerFromBytes,
  phaseMarkerToBytes,
} from "./codec.ts";
import { dkgFixture } from "./fixture.ts";
import type { DkgMessage } from "./messages.ts";
import { runOrderedLog } from "./ordered-log.ts";

/** A log with every message kind (one corrupted ciphertext forces a complaint and a justification). */
function sampleLog<E>(group: Group<E>, seed: string): readonly DkgMessage<E>[] {
  const fx = dkgFixture(group, 4, seed);
  return runOrderedLog(fx.engines, {
    tamper: (author, entry) =>
      author === 1 && entry.kind === "deal"
        ? [
            {
              ...entry,
              ciphertexts: entry.ciphertexts.map((c, k) => (k === 1 ? new Uint8Array(c.length) : c)),
            },
          ]
        : [entry],
  }).log;
}

function codecTests<E>(group: Group<E>): void {
  const log = sampleLog(group, `codec/${group.name}`);
  test(`${group.name}: every entry kind round trips, byte for byte`, () => {
    expect(new Set(log.map((e) => e.kind))).toEqual(
      new Set(["deal", "complaint", "justification", "end-dealing", "end-complaints", "end-justifications"]),
    );
    for (const entry of log) {
      const bytes = dkgMessageToBytes(group, entry);
      const back = dkgMessageFromBytes(group, bytes);
      expect(toHex(dkgMessageToBytes(group, back))).toBe(toHex(bytes));
      expect(back.kind).toBe(entry.kind);
    }
  });
  test(`${group.name}: per-message pairs agree with the dispatcher`, () => {
    for (const entry of log) {
      const bytes = dkgMessageToBytes(group, entry);
      if (entry.kind === "deal")
        expect(toHex(dealToBytes(group, dealFromBytes(group, bytes)))).toBe(toHex(bytes));
      else if (entry.kind === "complaint")
        expect(toHex(complaintToBytes(complaintFromBytes(bytes)))).toBe(toHex(bytes));
      else if (entry.kind === "justification") {
        expect(toHex(justificationToBytes(group.field, justificationFromBytes(group.field, bytes)))).toBe(
          toHex(bytes),
        );
      } else expect(toHex(phaseMarkerToBytes(phaseMarkerFromBytes(bytes)))).toBe(toHex(bytes));
    }
  });
  test(`${group.name}: any mutation either fails with DKG_MALFORMED or decodes canonically (property)`, () => {
    const encoded = log.map((e) => dkgMessageToBytes(group, e));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: encoded.length - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("flip", "truncate", "extend"),
        (which, at, x, how) => {
          const src = encoded[which]!;
          const pos = at % src.length;
          const bytes =
            how === "flip"
              ? src.map((b, k) => (k === pos ? b ^ x : b))
              : how === "truncate"
                ? src.subarray(0, pos)
                : new Uint8Array([...src, x]);
          let decoded: DkgMessage<E>;
          try {
            decoded = dkgMessageFromBytes(group, bytes);
          } catch (e) {
            expect(isLatticeError(e, "DKG_MALFORMED")).toBe(true);
            return;
          }
          expect(toHex(dkgMessageToBytes(group, decoded))).toBe(toHex(bytes));
        },
      ),
      { seed: 99, numRuns: group.secure ? 150 : 600 },
    );
  });
}

describe("DKG codec", () => {
  codecTests(modelGroup);
  codecTests(blsGroup);

  test("malformed bytes name the field", () => {
    const log = sampleLog(modelGroup, "codec/fields");
    const deal = dkgMessageToBytes(modelGroup, log[0]!);
    const justification = dkgMessageToBytes(modelGroup, log.find((e) => e.kind === "justification")!);
    const field = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        if (isLatticeError(e, "DKG_MALFORMED")) return e.details.field;
        throw e;
      }
      return undefined;
    };
    const withByte = (b: Uint8Array, at: number, v: number): Uint8Array =>
      b.map((x, k) => (k === at ? v : x));
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(deal, 0, 2)))).toBe("version");
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(deal, 1, 99)))).toBe("kind");
    expect(field(() => dkgMessageFromBytes(modelGroup, deal.subarray(0, 20)))).toBe("session");
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(deal, 34, 0)))).toBe("from.length");
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(deal, 34, 65)))).toBe("from.length");
    // u16 t right after the 32-byte id at offset 35: 0 commitments is out of range.
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(withByte(deal, 67, 0), 68, 0)))).toBe(
      "commitments.length",
    );
    // First commitment starts at 69: 0xff… is not a canonical element.
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(deal, 69, 0xff)))).toBe("commitments[0]");
    expect(field(() => dkgMessageFromBytes(modelGroup, new Uint8Array([...deal, 0])))).toBe("entry");
    const last = justification.length - 16;
    expect(field(() => dkgMessageFromBytes(modelGroup, withByte(justification, last, 0xff)))).toBe("share");
    expect(field(() => dkgMessageFromBytes(modelGroup, new Uint8Array(1)))).toBe("entry");
    expect(thrownCode(() => phaseMarkerFromBytes(deal))).toBe("DKG_MALFORMED");
    expect(thrownCode(() => complaintFromBytes(deal))).toBe("DKG_MALFORMED");
  });

  test("encoders refuse what they cannot represent", () => {
    const log = sampleLog(modelGroup, "codec/encode");
    const deal = log[0]!;
    if (deal.kind !== "deal") throw new Error("expected a deal");
    expect(thrownCode(() => dealToBytes(modelGroup, { ...deal, from: new Uint8Array(0) }))).toBe(
      "DKG_MALFORMED",
    );
    expect(thrownCode(() => dealToBytes(modelGroup, { ...deal, session: new Uint8Array(3) }))).toBe(
      "DKG_MALFORMED",
    );
    expect(thrownCode(() => dealToBytes(modelGroup, { ...deal, ephemeralKey: new Uint8Array(3) }))).toBe(
      "DKG_MALFORMED",
    );
    const j = {
      kind: "justification" as const,
      session: deal.session,
      from: deal.from,
      complainer: 70000,
      share: 1n,
    };
    expect(thrownCode(() => justificationToBytes(modelGroup.field, j))).toBe("DKG_MALFORMED");
    expect(
      thrownCode(() => justificationToBytes(modelGroup.field, { ...j, complainer: 1, share: -1n })),
    ).toBe("DKG_MALFORMED");
  });
});
