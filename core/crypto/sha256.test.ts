import { expect, test } from "bun:test";
import fc from "fast-check";
import { toHex, utf8 } from "./bytes.ts";
import { sha256, sha256Reference, taggedHash } from "./sha256.ts";

test("FIPS 180-2 vectors", () => {
  expect(toHex(sha256(new Uint8Array()))).toBe(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  expect(toHex(sha256(utf8("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect(toHex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

test("native equals the noble reference on random input, including split parts", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), (parts) => {
      expect(toHex(sha256(...parts))).toBe(toHex(sha256Reference(...parts)));
    }),
    { seed: 256, numRuns: 200 },
  );
});

test("tagged hashes separate domains and are length-prefixed", () => {
  const data = utf8("x");
  expect(toHex(taggedHash("a", data))).not.toBe(toHex(taggedHash("b", data)));
  // Without the length prefix ("ab" ‖ "c") and ("a" ‖ "bc") would collide.
  expect(toHex(taggedHash("ab", utf8("c")))).not.toBe(toHex(taggedHash("a", utf8("bc"))));
  expect(toHex(taggedHash("t", data))).toBe(toHex(sha256(Uint8Array.of(1), utf8("t"), data)));
});
