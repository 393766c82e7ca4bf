import { describe, expect, test } from "bun:test";
import { bech32m } from "@scure/base";
import fc from "fast-check";
import { isLatticeError } from "../errors/lattice-error.ts";
import {
  AddressError,
  addressBytesOf,
  addressMatches,
  addressOf,
  formatAddress,
  parseAddress,
} from "./address.ts";
import { toHex } from "./bytes.ts";
import { keyPairFromSeed } from "./ed25519.ts";

const BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const kp = keyPairFromSeed(new Uint8Array(32).fill(1));
const addr = addressOf(kp.publicKey);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isLatticeError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("addresses", () => {
  test("are lat1 + bech32m of 20 hash bytes, 42 characters, and round trip", () => {
    expect(addr.startsWith("lat1")).toBe(true);
    expect(addr.length).toBe(42);
    expect(toHex(parseAddress(addr))).toBe(toHex(addressBytesOf(kp.publicKey)));
    expect(formatAddress(parseAddress(addr))).toBe(addr);
    expect(addressMatches(addr, kp.publicKey)).toBe(true);
    expect(addressMatches(addr, keyPairFromSeed(new Uint8Array(32).fill(2)).publicKey)).toBe(false);
    expect(parseAddress(addr.toUpperCase()).length).toBe(20);
  });

  test("every single-character typo is rejected with ADDRESS_CHECKSUM", () => {
    for (let i = 4; i < addr.length; i++) {
      for (const c of BECH32_ALPHABET) {
        if (c === addr[i]) continue;
        const typo = addr.slice(0, i) + c + addr.slice(i + 1);
        expect(codeOf(() => parseAddress(typo))).toBe("ADDRESS_CHECKSUM");
      }
    }
  });

  test("swapped adjacent characters are rejected", () => {
    for (let i = 4; i < addr.length - 1; i++) {
      if (addr[i] === addr[i + 1]) continue;
      const swapped = addr.slice(0, i) + addr[i + 1] + addr[i] + addr.slice(i + 2);
      expect(codeOf(() => parseAddress(swapped))).toBe("ADDRESS_CHECKSUM");
    }
  });

  test("wrong prefix, mixed case, bad characters and wrong length each have their own code", () => {
    expect(codeOf(() => parseAddress(`btc${addr.slice(3)}`))).toBe("ADDRESS_PREFIX");
    expect(codeOf(() => parseAddress(`L${addr.slice(1)}`))).toBe("ADDRESS_CASE");
    expect(codeOf(() => parseAddress("lat1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"))).toBe("ADDRESS_FORMAT");
    expect(codeOf(() => parseAddress("nonsense"))).toBe("ADDRESS_FORMAT");
    expect(codeOf(() => parseAddress(formatShort()))).toBe("ADDRESS_LENGTH");
    expect(() => parseAddress(addr.slice(0, -1))).toThrow(AddressError);
  });

  test("distinct keys give distinct addresses (random sample)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const a = addressOf(keyPairFromSeed(seed).publicKey);
        expect(parseAddress(a).length).toBe(20);
        expect(a === addr).toBe(toHex(seed) === toHex(new Uint8Array(32).fill(1)));
      }),
      { seed: 20, numRuns: 50 },
    );
  });
});

// A well-formed bech32m string under our prefix whose payload is 19 bytes, not 20.
function formatShort(): string {
  return bech32m.encode("lat", bech32m.toWords(new Uint8Array(19)));
}
