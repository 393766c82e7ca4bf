import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { fromHex, toHex } from "./bytes.ts";
import {
  type Ed25519Backend,
  keyPairFromSeed,
  nativeEd25519,
  nobleEd25519,
  signingBytes,
  signTagged,
  verifyTagged,
} from "./ed25519.ts";

// RFC 8032 §7.1 test vectors 1-3 (secret seed, public key, message, signature).
const RFC8032 = [
  {
    sk: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    sk: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    sk: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    msg: "af82",
    sig: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

function compliance(backend: Ed25519Backend): void {
  describe(`ed25519 ${backend.name}`, () => {
    test("RFC 8032 vectors: public key, signature, verification", () => {
      for (const v of RFC8032) {
        const sk = fromHex(v.sk);
        expect(toHex(backend.publicKey(sk))).toBe(v.pk);
        expect(toHex(backend.sign(sk, fromHex(v.msg)))).toBe(v.sig);
        expect(backend.verify(fromHex(v.pk), fromHex(v.msg), fromHex(v.sig))).toBe(true);
      }
    });

    test("a changed message, key or signature bit fails verification", () => {
      const v = RFC8032[2]!;
      const pk = fromHex(v.pk);
      const msg = fromHex(v.msg);
      const sig = fromHex(v.sig);
      const flip = (b: Uint8Array, i: number) => {
        const c = b.slice();
        c[i] = c[i]! ^ 1;
        return c;
      };
      expect(backend.verify(pk, flip(msg, 0), sig)).toBe(false);
      expect(backend.verify(flip(pk, 5), msg, sig)).toBe(false);
      for (const i of [0, 31, 32, 63]) expect(backend.verify(pk, msg, flip(sig, i))).toBe(false);
    });

    test("malformed inputs return false instead of throwing", () => {
      const v = RFC8032[0]!;
      expect(backend.verify(new Uint8Array(31), new Uint8Array(), fromHex(v.sig))).toBe(false);
      expect(backend.verify(fromHex(v.pk), new Uint8Array(), new Uint8Array(63))).toBe(false);
      // y = 2 is not on the curve: no signature verifies under such a "key".
      const notOnCurve = new Uint8Array(32);
      notOnCurve[0] = 2;
      expect(backend.verify(notOnCurve, new Uint8Array(), fromHex(v.sig))).toBe(false);
      // S >= L (non-canonical scalar) must be rejected under RFC 8032.
      const bigS = fromHex(v.sig);
      bigS.fill(0xff, 32);
      expect(backend.verify(fromHex(v.pk), new Uint8Array(), bigS)).toBe(false);
    });

    test("secret keys of the wrong size are a RangeError", () => {
      expect(() => backend.sign(new Uint8Array(31), new Uint8Array())).toThrow(RangeError);
    });
  });
}

compliance(nativeEd25519);
compliance(nobleEd25519);

describe("native and noble agree", () => {
  test("on random keys and messages (sign and verify, both ways)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (sk, msg) => {
          const pk = nativeEd25519.publicKey(sk);
          expect(toHex(nobleEd25519.publicKey(sk))).toBe(toHex(pk));
          const s1 = nativeEd25519.sign(sk, msg);
          expect(toHex(nobleEd25519.sign(sk, msg))).toBe(toHex(s1));
          expect(nobleEd25519.verify(pk, msg, s1)).toBe(true);
          expect(nativeEd25519.verify(pk, msg, s1)).toBe(true);
        },
      ),
      { seed: 8032, numRuns: 40 },
    );
  });

  test("on random garbage signatures (both reject)", () => {
    const pk = fromHex(RFC8032[1]!.pk);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ maxLength: 40 }),
        (sig, msg) => {
          expect(nativeEd25519.verify(pk, msg, sig)).toBe(nobleEd25519.verify(pk, msg, sig));
        },
      ),
      { seed: 7, numRuns: 40 },
    );
  });
});

describe("tagged signatures", () => {
  const kp = keyPairFromSeed(new Uint8Array(32).fill(9));
  const payload = Uint8Array.of(1, 2, 3);

  test("verify under their own tag only", () => {
    const sig = signTagged(kp.secretKey, "tx/v1", payload);
    expect(verifyTagged(kp.publicKey, "tx/v1", payload, sig)).toBe(true);
    expect(verifyTagged(kp.publicKey, "vote/v1", payload, sig)).toBe(false);
    expect(nativeEd25519.verify(kp.publicKey, payload, sig)).toBe(false);
  });

  test("signing bytes are 'lattice/' tag NUL payload, and a NUL in a tag is refused", () => {
    expect(toHex(signingBytes("a", Uint8Array.of(0xff)))).toBe(
      `${toHex(new TextEncoder().encode("lattice/a"))}00ff`,
    );
    expect(() => signingBytes("a\0b", payload)).toThrow(TypeError);
    expect(() => signingBytes("", payload)).toThrow(TypeError);
  });
});
