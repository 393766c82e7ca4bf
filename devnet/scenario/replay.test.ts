/** The ledger replay: a valid history passes; a bad nonce, an overdraft and a double apply are caught first. */
import { describe, expect, test } from "bun:test";
import { addressOf, formatAddress } from "../../core/crypto/address.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import type { RoundDetailJson } from "../../net/api/wire.ts";
import { LedgerReplay } from "./replay.ts";

const FEE = formatAddress(new Uint8Array(20));
const alice = keyPairFromSeed(fromHex("01".repeat(32)));
const bob = keyPairFromSeed(fromHex("02".repeat(32)));
const A = addressOf(alice.publicKey);
const B = addressOf(bob.publicKey);

let txn = 0;
function tx(nonce: number, amount: number, status: "final" | "rejected" = "final", id?: string) {
  txn++;
  return {
    id: id ?? txn.toString(16).padStart(64, "0"),
    status,
    error: status === "final" ? null : { code: "TX_NONCE" },
    tx: {
      chainId: 7,
      from: toHex(alice.publicKey),
      to: B,
      amount: String(amount),
      fee: "1",
      nonce: String(nonce),
      signature: "00".repeat(64),
    },
  };
}
function round(n: number, txs: RoundDetailJson["txs"]): RoundDetailJson {
  return {
    round: String(n),
    root: "00".repeat(32),
    time: 0,
    txCount: txs.length,
    rejectedCount: 0,
    note: null,
    hash: null,
    certificate: null,
    txs,
  };
}
const fresh = () => new LedgerReplay(7, [{ address: A, balance: "100" }], FEE);

describe("LedgerReplay", () => {
  test("valid transfers move balances and fees; supply is conserved; rejected ones change nothing", () => {
    const r = fresh();
    r.apply(round(1, [tx(0, 10), tx(1, 5)]));
    r.apply(round(2, []));
    r.apply(round(3, [tx(5, 1, "rejected"), tx(2, 1)]));
    expect(r.failure).toBeUndefined();
    expect(r.accounts.get(A)).toEqual({ balance: 100n - 11n - 6n - 2n, nonce: 3n });
    expect(r.accounts.get(B)?.balance).toBe(16n);
    expect(r.accounts.get(FEE)?.balance).toBe(3n);
    expect(r.total()).toBe(r.supply);
    expect(r.finalCount).toBe(3);
  });

  test("a final transfer with the wrong nonce fails validity, naming round and transfer", () => {
    const r = fresh();
    r.apply(round(1, [tx(0, 1)]));
    const bad = tx(3, 1);
    r.apply(round(2, [bad]));
    expect(r.failure).toEqual({
      check: "validity",
      round: "2",
      tx: bad.id,
      why: "nonce 3, replay expects 1",
    });
  });

  test("an overdraft fails validity", () => {
    const r = fresh();
    r.apply(round(1, [tx(0, 100)]));
    expect(r.failure?.check).toBe("validity");
    expect(r.failure?.why).toContain("exceeds");
  });

  test("the same transfer final twice fails no-double-apply; rounds must come in order", () => {
    const r = fresh();
    const t = tx(0, 1);
    r.apply(round(1, [t]));
    r.apply(round(2, [{ ...t }]));
    expect(r.failure).toEqual({
      check: "no-double-apply",
      round: "2",
      tx: t.id,
      why: "already final in round 1",
    });
    expect(() => r.apply(round(5, []))).toThrow(RangeError);
  });
});
