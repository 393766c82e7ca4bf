import { expect, test } from "bun:test";
import { isLatticeError } from "../errors/lattice-error.ts";
import { fromHex, toHex } from "./bytes.ts";
import {
  accountKeyFromMnemonic,
  accountKeysFromMnemonic,
  deriveSeedAtPath,
  mnemonicToSeed,
  slip10Master,
} from "./hd.ts";

// SLIP-0010 "Test vector 1 for ed25519".
const SEED = fromHex("000102030405060708090a0b0c0d0e0f");

test("SLIP-0010 ed25519 test vector 1", () => {
  const m = slip10Master(SEED);
  expect(toHex(m.chainCode)).toBe("90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb");
  expect(toHex(m.key)).toBe("2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7");
  expect(toHex(deriveSeedAtPath(SEED, "m/0'"))).toBe(
    "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
  );
  expect(toHex(deriveSeedAtPath(SEED, "m/0'/1'"))).toBe(
    "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
  );
  expect(toHex(deriveSeedAtPath(SEED, "m/0'/1'/2'"))).toBe(
    "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
  );
  expect(toHex(deriveSeedAtPath(SEED, "m/0'/1'/2'/2'"))).toBe(
    "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
  );
});

test("BIP-39 vector: 'abandon ... about' with passphrase TREZOR", () => {
  const phrase =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
  expect(toHex(mnemonicToSeed(phrase, "TREZOR"))).toBe(
    "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
  );
});

test("accounts are deterministic, distinct, and batch derivation matches one-by-one", () => {
  const phrase = "test test test test test test test test test test test junk";
  const batch = accountKeysFromMnemonic(phrase, 3);
  expect(toHex(batch[1]!.secretKey)).toBe(toHex(accountKeyFromMnemonic(phrase, 1).secretKey));
  expect(new Set(batch.map((k) => toHex(k.publicKey))).size).toBe(3);
});

test("bad mnemonics and unhardened paths are typed errors", () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return isLatticeError(e) ? e.code : "other";
    }
    return "none";
  };
  expect(code(() => mnemonicToSeed("test test test"))).toBe("HD_MNEMONIC");
  expect(code(() => mnemonicToSeed("test test test test test test test test test test test test"))).toBe(
    "HD_MNEMONIC",
  );
  expect(code(() => deriveSeedAtPath(SEED, "m/0"))).toBe("HD_PATH");
  expect(code(() => deriveSeedAtPath(SEED, "x/0'"))).toBe("HD_PATH");
});
