import { describe, expect, test } from "bun:test";
import { toHex } from "../crypto/bytes.ts";
import { seededRandom } from "../threshold/seeded-random.ts";
import { BOX_OVERHEAD, boxKeyPair, modelShareBox, type ShareBox, x25519ShareBox } from "./share-box.ts";

function boxTests(box: ShareBox): void {
  const random = seededRandom(`box/${box.name}`);
  const members = [1, 2, 3].map(() => boxKeyPair(random));
  const session = new Uint8Array(32).fill(7);
  const plaintexts = [1, 2, 3].map((k) => new Uint8Array(32).fill(k));
  const sealed = box.seal(
    session,
    2,
    members.map((m) => m.publicKey),
    plaintexts,
    random,
  );
  const open = (
    recipient: number,
    over: Partial<{ session: Uint8Array; dealer: number; ct: Uint8Array; key: number }> = {},
  ) =>
    box.open(
      { session: over.session ?? session, dealer: over.dealer ?? 2, recipient },
      members[(over.key ?? recipient) - 1]!.secretKey,
      members[(over.key ?? recipient) - 1]!.publicKey,
      sealed.ephemeralKey,
      over.ct ?? sealed.ciphertexts[recipient - 1]!,
    );

  test(`${box.name}: each recipient opens its own share`, () => {
    expect(sealed.ciphertexts.every((c) => c.length === 32 + BOX_OVERHEAD)).toBe(true);
    for (const r of [1, 2, 3]) expect(toHex(open(r)!)).toBe(toHex(plaintexts[r - 1]!));
    // Public ciphertexts do not show the plaintext.
    expect(toHex(sealed.ciphertexts[0]!)).not.toContain(toHex(plaintexts[0]!));
  });
  test(`${box.name}: wrong slot, session, dealer, recipient or a tampered ciphertext does not open`, () => {
    expect(open(1, { ct: sealed.ciphertexts[1]! })).toBeUndefined();
    expect(open(1, { session: new Uint8Array(32) })).toBeUndefined();
    expect(open(1, { dealer: 3 })).toBeUndefined();
    expect(open(2, { ct: sealed.ciphertexts[0]!, key: 1 })).toBeUndefined();
    const tampered = sealed.ciphertexts[0]!.map((b, k) => (k === 5 ? b ^ 1 : b));
    expect(open(1, { ct: tampered })).toBeUndefined();
  });
}

describe("share boxes", () => {
  boxTests(x25519ShareBox);
  boxTests(modelShareBox);
  test("only the x25519 box claims to be secure", () => {
    expect(x25519ShareBox.secure).toBe(true);
    expect(modelShareBox.secure).toBe(false);
  });
  test("x25519: the wrong secret key does not open", () => {
    const random = seededRandom("box/wrong-key");
    const [a, b] = [boxKeyPair(random), boxKeyPair(random)];
    const session = new Uint8Array(32);
    const s = x25519ShareBox.seal(session, 1, [a.publicKey], [new Uint8Array(32)], random);
    const slot = { session, dealer: 1, recipient: 1 };
    expect(
      x25519ShareBox.open(slot, b.secretKey, a.publicKey, s.ephemeralKey, s.ciphertexts[0]!),
    ).toBeUndefined();
    expect(
      x25519ShareBox.open(slot, a.secretKey, a.publicKey, s.ephemeralKey, s.ciphertexts[0]!),
    ).toBeDefined();
  });
});
