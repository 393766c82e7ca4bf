import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { addressBytesOf } from "../crypto/address.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { Mempool } from "../mempool/mempool.ts";
import { StateStore } from "../state/state-store.ts";
import { encodeTransfer, envelopeOf, signTransfer, type Transfer } from "../tx/transfer.ts";
import type { Verdict } from "./validate-transfers.ts";
import { InlineValidator } from "./validator.ts";
import { ValidatorPool } from "./validator-pool.ts";

const CHAIN = 3;
const keys = Array.from({ length: 5 }, (_, i) => keyPairFromSeed(new Uint8Array(32).fill(0x40 + i)));
const addr = (i: number) => addressBytesOf(keys[i]!.publicKey);

function transfer(from: number, nonce: bigint, amount: bigint, fee = 1n, chainId = CHAIN): Transfer {
  const k = keys[from]!;
  return signTransfer(
    { chainId, from: k.publicKey, to: addr((from + 1) % keys.length), amount, fee, nonce },
    k.secretKey,
  );
}
const bytesOf = (t: Transfer) => encodeTransfer(t);

// Sender 4 has a validated pending transfer of 900 + 1 in the mempool: only 99 of its 1000 are available.
const state = StateStore.open({
  capacity: 64,
  shared: true,
  genesis: keys.map((_, i) => ({ address: addr(i), balance: 1000n, nonce: i === 1 ? 5n : 0n })),
});
const mempool = new Mempool({ capacity: 64, shared: true, nonceOf: (s) => state.getAccount(s)?.nonce ?? 0n });
const pendingTx = envelopeOf(transfer(4, 0n, 900n));
mempool.submit(pendingTx);
mempool.release();
mempool.markValidated(pendingTx.id, true);
mempool.publish();

let pool: ValidatorPool;
let inline: InlineValidator;
beforeAll(async () => {
  pool = await ValidatorPool.start({
    workerUrl: new URL("../../cmd/validator.worker.ts", import.meta.url),
    workers: 2,
    chainId: CHAIN,
    state,
    mempool,
  });
  inline = new InlineValidator({ chainId: CHAIN, state, mempool });
});
afterAll(async () => {
  await pool.close();
  await inline.close();
});

function fixedBatch(): { batch: Uint8Array[]; want: Verdict[] } {
  const forged = bytesOf({ ...transfer(0, 3n, 1n), amount: 2n });
  const rows: [Uint8Array, Verdict][] = [
    [bytesOf(transfer(0, 1n, 10n)), "ok"], // out of order: nonce 0 comes later in the batch
    [bytesOf(transfer(0, 0n, 10n)), "ok"],
    [bytesOf(transfer(0, 2n, 978n)), "balance"], // 978 left, 979 needed
    [forged, "signature"],
    [bytesOf(transfer(1, 0n, 1n)), "nonce"], // account nonce is 5
    [bytesOf(transfer(1, 5n, 1n)), "ok"],
    [bytesOf(transfer(1, 7n, 1n)), "nonce"], // gap: 6 missing
    [bytesOf(transfer(2, 0n, 1n, 1n, CHAIN + 1)), "chain"],
    [Uint8Array.of(1, 2, 3), "decode"],
    [bytesOf(transfer(3, 0n, 999n)), "ok"],
    [bytesOf(transfer(4, 0n, 1n)), "nonce"], // nonce 0 is pending: next is 1
    [bytesOf(transfer(4, 1n, 100n)), "balance"], // 1000 - 901 pending = 99 available
    [bytesOf(transfer(4, 1n, 98n)), "ok"],
  ];
  return { batch: rows.map((r) => r[0]), want: rows.map((r) => r[1]) };
}

describe("validator unit", () => {
  test("inline: signature, chain, nonce order and balance minus pending debits", async () => {
    const { batch, want } = fixedBatch();
    expect(await inline.validate(batch)).toEqual(want);
  });

  test("pool of 2 workers gives the same verdicts as inline", async () => {
    const { batch, want } = fixedBatch();
    expect(pool.size).toBe(2);
    expect(await pool.validate(batch)).toEqual(want);
    expect(await pool.validate([])).toEqual([]);
  });

  test("pool equals inline on random batches, and sees state published after it started", async () => {
    state.commitRound(1n, [{ address: addr(2), balance: 50n, nonce: 0n }]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ s: fc.nat(4), n: fc.nat(6), amount: fc.nat(600) }), { maxLength: 24 }),
        async (rows) => {
          const batch = rows.map(({ s, n, amount }) => bytesOf(transfer(s, BigInt(n), BigInt(amount))));
          expect(await pool.validate(batch)).toEqual(await inline.validate(batch));
        },
      ),
      { seed: 77, numRuns: 25 },
    );
    expect(await pool.validate([bytesOf(transfer(2, 0n, 60n))])).toEqual(["balance"]);
  });
});
