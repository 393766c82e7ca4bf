import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createModelSigner } from "./model-signer.ts";
import { modelSuite, realSuite } from "./suite.ts";

describe("model signer (simulator stand-in for Ed25519)", () => {
  test("verifies its own signatures and nothing else", () => {
    const signer = createModelSigner();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(63),
        (sk1, sk2, msg, bit) => {
          const pk1 = signer.publicKey(sk1);
          const pk2 = signer.publicKey(sk2);
          const sig = signer.sign(sk1, msg);
          expect(signer.verify(pk1, msg, sig)).toBe(true);
          const sameKey = Buffer.from(sk1).equals(Buffer.from(sk2));
          expect(signer.verify(pk2, msg, sig)).toBe(sameKey);
          const flipped = sig.slice();
          flipped[bit] = flipped[bit]! ^ 1;
          expect(signer.verify(pk1, msg, flipped)).toBe(false);
          const other = Uint8Array.from([...msg, 0]);
          expect(signer.verify(pk1, other, sig)).toBe(false);
        },
      ),
      { seed: 99, numRuns: 200 },
    );
  });

  test("a key the oracle never saw verifies nothing; separate simulations do not share oracles", () => {
    const a = createModelSigner();
    const b = createModelSigner();
    const sk = new Uint8Array(32).fill(4);
    const pk = a.publicKey(sk);
    const sig = a.sign(sk, Uint8Array.of(1));
    expect(b.verify(pk, Uint8Array.of(1), sig)).toBe(false);
    expect(a.verify(new Uint8Array(32), Uint8Array.of(1), sig)).toBe(false);
  });

  test("suites say whether they are secure", () => {
    expect(realSuite().secure).toBe(true);
    expect(modelSuite().secure).toBe(false);
    expect(modelSuite().signer.name).toBe("model");
  });
});
