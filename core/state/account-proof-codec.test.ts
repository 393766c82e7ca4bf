import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DecodeError } from "../codec/decode-error.ts";
import { verifyAccountProof } from "./account-proof.ts";
import { decodeAccountProof, encodeAccountProof, MAX_ACCOUNT_PROOF_BYTES } from "./account-proof-codec.ts";
import { StateStore } from "./state-store.ts";

const address = (i: number) => new Uint8Array(20).fill(0).map((_, j) => (i * 31 + j * 7) & 255);
const store = StateStore.open({
  capacity: 300,
  genesis: Array.from({ length: 200 }, (_, i) => ({
    address: address(i),
    balance: BigInt(i) * 1_000_003n,
    nonce: BigInt(i % 7),
  })),
});
store.commitRound(1n, [{ address: address(3), balance: (1n << 64n) - 1n, nonce: 9n }]);

function codeOf(bytes: Uint8Array): string {
  try {
    decodeAccountProof(bytes);
  } catch (err) {
    if (err instanceof DecodeError) return `${err.code} ${err.field}`;
    throw err;
  }
  return "accepted";
}

describe("AccountProof wire codec", () => {
  test("inclusion and absence proofs round-trip and still verify against the root alone", () => {
    const root = store.root;
    for (const i of [0, 3, 17, 199, 200, 201, 999]) {
      const p = store.prove(address(i));
      const bytes = encodeAccountProof(p);
      const back = decodeAccountProof(bytes);
      expect(back).toEqual(p);
      expect(encodeAccountProof(back)).toEqual(bytes);
      expect(back.account === null).toBe(i >= 200);
      expect(verifyAccountProof(root, back.address, back.account, back.proof)).toBe(true);
      expect(bytes.length).toBeLessThan(MAX_ACCOUNT_PROOF_BYTES);
    }
  });

  test("a decoded proof with any bit flipped either fails to decode or fails to verify", () => {
    const root = store.root;
    const p = store.prove(address(42));
    const bytes = encodeAccountProof(p);
    fc.assert(
      fc.property(fc.nat(bytes.length * 8 - 1), (bit) => {
        const b = bytes.slice();
        b[bit >> 3]! ^= 1 << (bit & 7);
        let back: ReturnType<typeof decodeAccountProof>;
        try {
          back = decodeAccountProof(b);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
          return;
        }
        // The round and the carried root are not what a verifier trusts; everything else is checked.
        const onlyInfo = back.round !== p.round || !Buffer.from(back.root).equals(Buffer.from(p.root));
        expect(verifyAccountProof(root, back.address, back.account, back.proof)).toBe(onlyInfo);
      }),
      { seed: 5, numRuns: 400 },
    );
    expect(
      verifyAccountProof(new Uint8Array(32), p.address, p.account, decodeAccountProof(bytes).proof),
    ).toBe(false);
  });

  test("malformed bytes are typed errors naming the field", () => {
    const good = encodeAccountProof(store.prove(address(5)));
    expect(codeOf(good.subarray(0, good.length - 1))).toMatch(/^DECODE_TRUNCATED/);
    const wrongTag = good.slice();
    wrongTag[2] = 0x21;
    expect(codeOf(wrongTag)).toMatch(/^DECODE_UNKNOWN_TYPE/);
    const shortAddress = good.slice();
    shortAddress[4] = 0x53; // claims 19 bytes
    expect(codeOf(shortAddress)).toMatch(/^DECODE_/);
    expect(codeOf(new Uint8Array(MAX_ACCOUNT_PROOF_BYTES + 1))).toMatch(/^DECODE_TOO_LARGE/);
    expect(() => encodeAccountProof({ ...store.prove(address(5)), root: new Uint8Array(31) })).toThrow();
  });
});
