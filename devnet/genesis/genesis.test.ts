import { describe, expect, test } from "bun:test";
import { toHex } from "../../core/crypto/bytes.ts";
import golden from "../../fixtures/vectors/dev-accounts.json" with { type: "json" };
import { mnemonicToSeed } from "../../core/crypto/hd.ts";
import { DEV_MNEMONIC, devAccounts, devNodeKey } from "../../fixtures/dev-keys.ts";
import {
  buildDevnetGenesis,
  DEFAULT_CHAIN_ID,
  devnetAccounts,
  devnetNodeKeys,
  devSeed,
  encodeGenesis,
  GenesisError,
  parseGenesis,
} from "./genesis.ts";

describe("devnet genesis", () => {
  test("same seed and options give byte-identical genesis.json and the same node keys", () => {
    const a = buildDevnetGenesis({ nodes: 4, seed: "alpha" });
    const b = buildDevnetGenesis({ nodes: 4, seed: "alpha" });
    expect(encodeGenesis(a.genesis)).toBe(encodeGenesis(b.genesis));
    expect(a.nodeKeys.map((k) => toHex(k.secretKey))).toEqual(b.nodeKeys.map((k) => toHex(k.secretKey)));
  });

  test("different seeds give different node keys but the same well-known dev accounts", () => {
    const a = buildDevnetGenesis({ nodes: 4, seed: "alpha" }).genesis;
    const b = buildDevnetGenesis({ nodes: 4, seed: "beta" }).genesis;
    const ids = (g: typeof a) => g.validators.map((v) => v.nodeId);
    for (const id of ids(a)) expect(ids(b)).not.toContain(id);
    expect(a.accounts).toEqual(b.accounts);
    expect(a.accounts.slice(0, golden.accounts.length).map((x) => x.address)).toEqual(
      golden.accounts.map((x: { address: string }) => x.address),
    );
    expect(new Set(ids(a)).size).toBe(4);
  });

  test("the empty seed gives exactly the dev node keys of fixtures/dev-keys.ts (documented derivation)", () => {
    const keys = devnetNodeKeys("", 3);
    for (let i = 0; i < 3; i++) expect(toHex(keys[i]!.publicKey)).toBe(toHex(devNodeKey(i).publicKey));
  });

  test("native PBKDF2 seeds equal core/crypto/hd.ts's BIP-39 seeds; dev accounts equal fixtures/dev-keys.ts", () => {
    for (const pass of ["", "lattice", "ünïcödé"])
      expect(toHex(devSeed(pass))).toBe(toHex(mnemonicToSeed(DEV_MNEMONIC, pass)));
    const mine = devnetAccounts(10);
    expect(mine).toEqual(
      devAccounts(10).map((a) => ({ index: a.index, address: a.address, secretKey: a.secretKey })),
    );
  });

  test("a bigger devnet extends a smaller one with the same seed: node i keeps its key", () => {
    const small = buildDevnetGenesis({ nodes: 2, seed: "s" }).genesis.validators;
    const big = buildDevnetGenesis({ nodes: 7, seed: "s" }).genesis.validators;
    expect(big.slice(0, 2)).toEqual([...small]);
  });

  test("defaults: anvil's chain id, simplex tuned for loopback, 10 dev accounts funded", () => {
    const g = buildDevnetGenesis({ nodes: 1 }).genesis;
    expect(g.chainId).toBe(DEFAULT_CHAIN_ID);
    expect(g.consensus.kind).toBe("simplex");
    expect(g.accounts).toHaveLength(10);
    for (const a of g.accounts) expect(BigInt(a.balance) > 0n).toBe(true);
  });

  test("parseGenesis round-trips the encoding, and encodeGenesis of the parse is the same bytes", () => {
    const text = encodeGenesis(
      buildDevnetGenesis({ nodes: 5, seed: "x", chainId: 7, blockTimeMs: 50 }).genesis,
    );
    expect(encodeGenesis(parseGenesis(text))).toBe(text);
  });

  test("a malformed genesis is a typed error naming the field", () => {
    const good = JSON.parse(encodeGenesis(buildDevnetGenesis({ nodes: 2 }).genesis));
    const cases: [unknown, string][] = [
      [{ ...good, version: 2 }, "version"],
      [{ ...good, validators: [] }, "validators"],
      [{ ...good, accounts: [{ address: "nope", balance: "1" }] }, "accounts[0].address"],
      [{ ...good, accounts: [{ address: good.accounts[0].address, balance: "-1" }] }, "balance"],
      [{ ...good, consensus: { kind: "pow" } }, "consensus.kind"],
    ];
    for (const [raw, field] of cases) {
      expect(() => parseGenesis(JSON.stringify(raw))).toThrow(GenesisError);
      expect(() => parseGenesis(JSON.stringify(raw))).toThrow(field);
    }
    expect(() => parseGenesis("{")).toThrow(GenesisError);
  });

  test("idle pacing: new genesis files name it, older ones without it still parse", () => {
    const g = buildDevnetGenesis({ nodes: 4 }).genesis;
    expect(g.consensus).toMatchObject({ kind: "simplex", idleBlockTimeMs: 1000 });
    expect(buildDevnetGenesis({ nodes: 4, blockTimeMs: 2000 }).genesis.consensus).toMatchObject({
      idleBlockTimeMs: 2000,
    });
    const raw = JSON.parse(encodeGenesis(g));
    delete raw.consensus.idleBlockTimeMs;
    const old = JSON.stringify(raw);
    const parsed = parseGenesis(old);
    expect(parsed.consensus.kind === "simplex" && parsed.consensus.idleBlockTimeMs).toBeUndefined();
    expect(encodeGenesis(parsed)).not.toContain("idleBlockTimeMs");
    for (const bad of [50, -1, 1.5, "1000"]) {
      const text = JSON.stringify({ ...raw, consensus: { ...raw.consensus, idleBlockTimeMs: bad } });
      expect(() => parseGenesis(text)).toThrow("idleBlockTimeMs");
    }
    const off = JSON.stringify({ ...raw, consensus: { ...raw.consensus, idleBlockTimeMs: 0 } });
    expect(parseGenesis(off).consensus).toMatchObject({ idleBlockTimeMs: 0 });
    expect(() => buildDevnetGenesis({ nodes: 4, idleBlockTimeMs: 50 })).toThrow(RangeError);
  });

  test("out-of-range options are RangeErrors", () => {
    expect(() => buildDevnetGenesis({ nodes: 0 })).toThrow(RangeError);
    expect(() => buildDevnetGenesis({ nodes: 65 })).toThrow(RangeError);
    expect(() => buildDevnetGenesis({ nodes: 4, blockTimeMs: 0 })).toThrow(RangeError);
  });
});
