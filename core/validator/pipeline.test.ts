/**
 * The stores and the validator unit wired as a node wires them, in one test: submit to the mempool,
 * release what is ready, validate in the worker pool, record verdicts, publish the pending view, commit
 * the validated transfers as a round in the state store, then `removeFinalized`, and go on.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addressBytesOf } from "../crypto/address.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { Mempool } from "../mempool/mempool.ts";
import type { Account } from "../state/account-table.ts";
import { verifyAccountProof } from "../state/account-proof.ts";
import { StateStore } from "../state/state-store.ts";
import { envelopeOf, signTransfer, type Transfer, type TransferEnvelope } from "../tx/transfer.ts";
import type { Verdict } from "./validate-transfers.ts";
import { ValidatorPool } from "./validator-pool.ts";

const CHAIN = 11;
const keys = Array.from({ length: 4 }, (_, i) => keyPairFromSeed(new Uint8Array(32).fill(0x90 + i)));
const addr = (i: number) => addressBytesOf(keys[i]!.publicKey);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function transfer(from: number, nonce: bigint, amount: bigint, to = 3): Transfer {
  return signTransfer(
    { chainId: CHAIN, from: keys[from]!.publicKey, to: addr(to), amount, fee: 1n, nonce },
    keys[from]!.secretKey,
  );
}

const state = StateStore.open({
  capacity: 16,
  shared: true,
  genesis: keys.map((_, i) => ({ address: addr(i), balance: 100n, nonce: 0n })),
});
const mempool = new Mempool({
  capacity: 32,
  shared: true,
  nonceOf: (s) => state.getAccount(s)?.nonce ?? 0n,
});
let pool: ValidatorPool;
beforeAll(async () => {
  pool = await ValidatorPool.start({
    workerUrl: new URL("../../cmd/validator.worker.ts", import.meta.url),
    workers: 2,
    chainId: CHAIN,
    state,
    mempool,
  });
});
afterAll(async () => {
  await pool.close();
  state.close();
});

/** Release, validate and record until nothing is ready; returns the valid ones in order and all verdicts. */
async function validateReady(): Promise<{ valid: TransferEnvelope[]; verdicts: Map<string, Verdict> }> {
  const valid: TransferEnvelope[] = [];
  const verdicts = new Map<string, Verdict>();
  for (;;) {
    const out = mempool.release();
    if (out.length === 0) break;
    const got = await pool.validate(out.map((e) => e.bytes));
    for (const [i, e] of out.entries()) {
      verdicts.set(hex(e.id), got[i]!);
      mempool.markValidated(e.id, got[i] === "ok");
      if (got[i] === "ok") valid.push(e);
    }
    mempool.publish(); // workers see the new pending debits and nonces before the next release
  }
  return { valid, verdicts };
}

/** Apply valid transfers to the committed state; fees leave circulation (paid to the network). */
function commit(round: bigint, valid: readonly TransferEnvelope[]): void {
  const next = new Map<string, { address: Uint8Array } & Account>();
  const get = (a: Uint8Array) => {
    const k = hex(a);
    const cur = next.get(k) ?? { address: a, ...(state.getAccount(a) ?? { balance: 0n, nonce: 0n }) };
    next.set(k, cur);
    return cur;
  };
  for (const { tx, sender } of valid) {
    const s = get(sender);
    next.set(hex(sender), { ...s, balance: s.balance - tx.amount - tx.fee, nonce: s.nonce + 1n });
    const r = get(tx.to);
    next.set(hex(tx.to), { ...r, balance: r.balance + tx.amount });
  }
  state.commitRound(round, [...next.values()]);
  mempool.removeFinalized(valid);
  mempool.publish();
}

test("mempool -> validator pool -> commit round -> removeFinalized, over two rounds", async () => {
  const a = [0n, 1n, 2n].map((n) => envelopeOf(transfer(0, n, 10n))); // a chain released one by one
  const forged = envelopeOf({ ...transfer(1, 0n, 5n), amount: 6n });
  const b1 = envelopeOf(transfer(1, 1n, 5n)); // waits behind the forged nonce 0
  const c = [envelopeOf(transfer(2, 0n, 60n)), envelopeOf(transfer(2, 1n, 60n))]; // second overspends
  for (const e of [a[2]!, a[1]!, b1, c[1]!, a[0]!, forged, c[0]!]) mempool.submit(e);
  expect(mempool.size).toBe(7);

  const r1 = await validateReady();
  expect(r1.verdicts.get(hex(forged.id))).toBe("signature");
  expect(r1.verdicts.get(hex(c[1]!.id))).toBe("balance"); // 100 - 61 pending = 39 < 61
  expect(r1.verdicts.has(hex(b1.id))).toBe(false); // never released: its predecessor was invalid
  expect(r1.valid.map((e) => hex(e.id))).toEqual(expect.arrayContaining([...a, c[0]!].map((e) => hex(e.id))));
  expect(r1.valid.length).toBe(4);
  expect(mempool.pendingOf(addr(0))).toEqual({ nonce: 3n, debit: 33n });

  commit(1n, r1.valid);
  expect(state.getAccount(addr(0))).toEqual({ balance: 67n, nonce: 3n });
  expect(state.getAccount(addr(2))).toEqual({ balance: 39n, nonce: 1n });
  expect(state.getAccount(addr(3))).toEqual({ balance: 190n, nonce: 0n });
  const supply = keys.reduce((s, _, i) => s + state.getAccount(addr(i))!.balance, 0n);
  expect(supply).toBe(400n - 4n); // four fees paid
  expect(mempool.size).toBe(1); // only b1, still waiting for a valid nonce 0
  expect(mempool.has(b1.id)).toBe(true);
  expect(mempool.pendingOf(addr(0)).debit).toBe(0n);
  const proof = state.prove(addr(0));
  expect(verifyAccountProof(state.root, addr(0), { balance: 67n, nonce: 3n }, proof.proof)).toBe(true);

  // Round 2: the workers read the committed state (nonce 3, 67 left) and the emptied pending view.
  const replay = envelopeOf(transfer(0, 2n, 1n));
  expect(await pool.validate([replay.bytes])).toEqual(["nonce"]);
  const b0 = envelopeOf(transfer(1, 0n, 5n));
  const all = envelopeOf(transfer(0, 3n, 66n)); // exactly 67 with the fee
  mempool.submit(b0);
  mempool.submit(all);
  const r2 = await validateReady();
  expect([...r2.verdicts.values()]).toEqual(["ok", "ok", "ok"]); // b0, all, then b1 once b0 is validated
  commit(2n, r2.valid);
  expect(state.getAccount(addr(0))).toEqual({ balance: 0n, nonce: 4n });
  expect(state.getAccount(addr(1))).toEqual({ balance: 88n, nonce: 2n });
  expect(mempool.size).toBe(0);
  expect(state.round).toBe(2n);
});
