import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { addressBytesOf } from "../crypto/address.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { isLatticeError, type LatticeError } from "../errors/lattice-error.ts";
import { Mempool } from "../mempool/mempool.ts";
import { StateStore } from "../state/state-store.ts";
import { encodeTransfer, signTransfer } from "../tx/transfer.ts";
import { validateSenderGroup, validateSenderGroupReference } from "./validate-transfers.ts";
import { InlineValidator, viewFrom } from "./validator.ts";
import { ValidatorPool } from "./validator-pool.ts";

const CHAIN = 9;
const keys = Array.from({ length: 4 }, (_, i) => keyPairFromSeed(new Uint8Array(32).fill(0x70 + i)));
const addr = (i: number) => addressBytesOf(keys[i]!.publicKey);
const tx = (from: number, nonce: bigint, amount = 5n) =>
  encodeTransfer(
    signTransfer(
      { chainId: CHAIN, from: keys[from]!.publicKey, to: addr((from + 1) % 4), amount, fee: 1n, nonce },
      keys[from]!.secretKey,
    ),
  );
const POISON = Uint8Array.of(0xde, 0xad);

const state = StateStore.open({
  capacity: 16,
  shared: true,
  genesis: keys.map((_, i) => ({ address: addr(i), balance: 100n, nonce: 0n })),
});
const mempool = new Mempool({ capacity: 16, shared: true, nonceOf: () => 0n });
const inline = new InlineValidator({ chainId: CHAIN, state, mempool });
afterAll(() => inline.close());

async function rejection(p: Promise<unknown>): Promise<LatticeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLatticeError(err)) throw new Error(`expected a LatticeError, got ${String(err)}`);
  return err;
}

const owners = (): number[] => [
  ...state.sharedLeftRight!.slotTable().map((s) => s.owner),
  ...mempool.sharedLeftRight!.slotTable().map((s) => s.owner),
];

describe("validator pool", () => {
  test("a worker that dies: its batch fails with VALIDATOR_WORKER_DIED, its slots are freed, the rest go on", async () => {
    const other = await ValidatorPool.start({
      workerUrl: new URL("../../cmd/validator.worker.ts", import.meta.url),
      workers: 1,
      chainId: CHAIN,
      state,
      mempool,
    });
    const pool = await ValidatorPool.start({
      workerUrl: new URL("./dying-worker-fixture.ts", import.meta.url),
      workers: 2,
      chainId: CHAIN,
      state,
      mempool,
    });
    try {
      const [w0, w1] = pool.ownerIds;
      expect(new Set([...pool.ownerIds, ...other.ownerIds]).size).toBe(3); // unique across pools
      expect(owners()).toContain(w0!);
      const batch = [tx(0, 0n), tx(1, 0n), tx(2, 0n)];
      const want = await inline.validate(batch);
      expect(await pool.validate(batch)).toEqual(want);

      // The poison is a singleton group and goes to worker 0, the least loaded.
      const err = await rejection(pool.validate([POISON, tx(0, 0n)]));
      expect(err.code).toBe("VALIDATOR_WORKER_DIED");
      expect(err.details.worker).toBe(0);
      expect(pool.alive).toBe(1);
      expect(pool.size).toBe(2);
      expect(owners()).not.toContain(w0!); // released in both stores
      expect(owners()).toContain(w1!);
      expect(owners()).toContain(other.ownerIds[0]!); // another pool's reader is untouched

      // The retry runs on the survivor; publishes do not wait on the dead worker's slots.
      state.commitRound(1n, [{ address: addr(3), balance: 7n, nonce: 0n }]);
      const next = [...batch, tx(3, 0n, 6n), tx(3, 0n, 10n)];
      expect(await pool.validate(next)).toEqual(await inline.validate(next));
      expect(await other.validate(next)).toEqual(await inline.validate(next));

      await rejection(pool.validate([POISON]));
      expect(pool.alive).toBe(0);
      expect((await rejection(pool.validate(batch))).code).toBe("VALIDATOR_WORKER_DIED");
      expect(owners()).not.toContain(w1!);
    } finally {
      await pool.close();
      await other.close();
    }
    expect((await rejection(pool.validate([]))).code).toBe("VALIDATOR_WORKER_DIED");
  });

  test("packed and per-transfer messages give the same verdicts", async () => {
    const url = new URL("../../cmd/validator.worker.ts", import.meta.url);
    const packed = await ValidatorPool.start({ workerUrl: url, workers: 2, chainId: CHAIN, state, mempool });
    const cloned = await ValidatorPool.start({
      workerUrl: url,
      workers: 2,
      chainId: CHAIN,
      state,
      mempool,
      packed: false,
    });
    try {
      const batch = [tx(0, 1n), tx(0, 0n), Uint8Array.of(1), new Uint8Array(0), tx(1, 0n, 200n), tx(2, 0n)];
      const want = await inline.validate(batch);
      expect(await packed.validate(batch)).toEqual(want);
      expect(await cloned.validate(batch)).toEqual(want);
    } finally {
      await packed.close();
      await cloned.close();
    }
    expect((await rejection(packed.validate([]))).code).toBe("VALIDATOR_CLOSED");
  });

  test("the hot path gives the reference verdicts on valid and mutated transfers", () => {
    const [sr, pr] = [state.reader(), mempool.reader()];
    const view = viewFrom(sr, pr);
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.nat(3), amount: fc.nat(120), flip: fc.option(fc.nat(200 * 8)) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (rows) => {
          const group = rows.map(({ n, amount, flip }) => {
            const b = tx(0, BigInt(n), BigInt(amount));
            if (flip !== null) b[(flip >> 3) % b.length]! ^= 1 << (flip & 7);
            return b;
          });
          expect(validateSenderGroup(group, CHAIN, view)).toEqual(
            validateSenderGroupReference(group, CHAIN, view),
          );
        },
      ),
      { seed: 99, numRuns: 150 },
    );
    sr.close();
    pr.close();
  });
});
