import { describe, expect, test } from "bun:test";
import { createModelSigner } from "../../core/crypto/model-signer.ts";
import { sharedVerifier } from "./shared-verify.ts";

describe("sharedVerifier", () => {
  test("answers exactly as the signer does, for repeated, altered and replayed signatures", () => {
    const base = createModelSigner();
    let calls = 0;
    const counted = {
      ...base,
      verify: (p: Uint8Array, m: Uint8Array, s: Uint8Array) => {
        calls++;
        return base.verify(p, m, s);
      },
    };
    const v = sharedVerifier(counted);
    const sk = new Uint8Array(32).fill(1);
    const other = new Uint8Array(32).fill(2);
    const pk = v.publicKey(sk);
    const pk2 = v.publicKey(other);
    const msg = Uint8Array.of(1, 2, 3);
    const sig = v.sign(sk, msg);
    for (let i = 0; i < 5; i++) expect(v.verify(pk, msg, sig)).toBe(true);
    expect(calls).toBe(1);
    // The same signature over other bytes or under another key is checked afresh, and fails.
    expect(v.verify(pk, Uint8Array.of(1, 2, 4), sig)).toBe(false);
    expect(v.verify(pk2, msg, sig)).toBe(false);
    expect(calls).toBe(3);
    const bad = sig.slice();
    bad[0]! ^= 1;
    expect(v.verify(pk, msg, bad)).toBe(false);
    expect(v.verify(pk, msg, bad)).toBe(false);
    expect(calls).toBe(4);
    expect(v.verify(pk, msg, sig)).toBe(true);
  });
});
