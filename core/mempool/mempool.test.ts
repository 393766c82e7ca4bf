import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { addressBytesOf } from "../crypto/address.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { isLatticeError } from "../errors/lattice-error.ts";
import { envelopeOf, signTransfer, type TransferEnvelope } from "../tx/transfer.ts";
import { Mempool } from "./mempool.ts";

const keys = Array.from({ length: 6 }, (_, i) => keyPairFromSeed(new Uint8Array(32).fill(i + 1)));
const sink = addressBytesOf(keyPairFromSeed(new Uint8Array(32).fill(99)).publicKey);

function tx(sender: number, nonce: bigint, fee = 1n, amount = 10n): TransferEnvelope {
  const k = keys[sender]!;
  return envelopeOf(
    signTransfer({ chainId: 1, from: k.publicKey, to: sink, amount, fee, nonce }, k.secretKey),
  );
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLatticeError(err) ? err.code : `untyped: ${String(err)}`;
  }
  return undefined;
}

/** `nonces[i]` is sender i's next nonce in the finalized state; tests mutate it to model a commit. */
function pool(capacity = 100, nonces: Record<number, bigint> = {}, shared = false): Mempool {
  const index = new Map(keys.map((k, i) => [Buffer.from(addressBytesOf(k.publicKey)).toString("hex"), i]));
  return new Mempool({
    capacity,
    shared,
    maxNonceGap: 4,
    nonceOf: (s) => nonces[index.get(Buffer.from(s).toString("hex")) ?? -1] ?? 0n,
  });
}

const ids = (envs: readonly TransferEnvelope[]) => envs.map((e) => Buffer.from(e.id).toString("hex"));

describe("mempool", () => {
  test("a transaction is released only after its predecessor is validated", () => {
    const m = pool();
    const [a0, a1, a2, b0] = [tx(0, 0n), tx(0, 1n), tx(0, 2n), tx(1, 0n)];
    for (const e of [a2, a1, a0, b0]) m.submit(e);
    expect(ids(m.release())).toEqual(ids([a0, b0]));
    expect(m.release()).toEqual([]); // a1 waits for a0's verdict
    m.markValidated(a0.id, true);
    expect(m.pendingOf(a0.sender)).toEqual({ nonce: 1n, debit: 11n });
    expect(ids(m.release())).toEqual(ids([a1]));
    m.markValidated(a1.id, true);
    expect(ids(m.release(1))).toEqual(ids([a2]));
  });

  test("nonce gaps wait until filled; too far ahead, too low, taken and duplicate are typed errors", () => {
    const m = pool(100, { 0: 5n });
    expect(codeOf(() => m.submit(tx(0, 4n)))).toBe("MEMPOOL_NONCE_TOO_LOW");
    expect(codeOf(() => m.submit(tx(0, 10n)))).toBe("MEMPOOL_NONCE_GAP");
    const gap = tx(0, 7n);
    m.submit(gap);
    expect(codeOf(() => m.submit(gap))).toBe("MEMPOOL_DUPLICATE");
    expect(codeOf(() => m.submit(tx(0, 7n, 2n)))).toBe("MEMPOOL_NONCE_TAKEN");
    expect(m.release()).toEqual([]);
    const n5 = tx(0, 5n);
    m.submit(n5);
    expect(ids(m.release())).toEqual(ids([n5]));
    m.markValidated(n5.id, true);
    expect(m.release()).toEqual([]); // 6 is still missing
    expect(m.size).toBe(2);
    expect(codeOf(() => m.markValidated(gap.id, true))).toBe("MEMPOOL_NOT_RELEASED");
  });

  test("an invalid verdict drops the transaction; its successor waits for a replacement", () => {
    const m = pool();
    const [a0, a1] = [tx(0, 0n), tx(0, 1n)];
    m.submit(a0);
    m.submit(a1);
    m.release();
    m.markValidated(a0.id, false);
    expect(m.has(a0.id)).toBe(false);
    expect(m.release()).toEqual([]);
    const replacement = tx(0, 0n, 5n);
    m.submit(replacement);
    expect(ids(m.release())).toEqual(ids([replacement]));
  });

  test("when full, the lowest-fee tail is evicted for a higher fee; otherwise MEMPOOL_FULL with the fee needed", () => {
    const m = pool(3);
    const a0 = tx(0, 0n, 1n);
    const a1 = tx(0, 1n, 9n); // tail of sender 0, fee 9: a0 (fee 1) is not a tail, so it is safe
    const b0 = tx(1, 0n, 5n);
    for (const e of [a0, a1, b0]) m.submit(e);
    let err: unknown;
    try {
      m.submit(tx(2, 0n, 5n));
    } catch (e) {
      err = e;
    }
    expect(isLatticeError(err, "MEMPOOL_FULL")).toBe(true);
    expect((err as { details: { minFee: string } }).details.minFee).toBe("6");
    const c0 = tx(2, 0n, 6n);
    const { evicted } = m.submit(c0);
    expect(evicted.map((id) => Buffer.from(id).toString("hex"))).toEqual(ids([b0]));
    expect(m.has(a0.id)).toBe(true);
    expect(m.size).toBe(3);
  });

  test("eviction never orphans a successor (random submissions)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.nat(3), n: fc.nat(4), fee: fc.nat(20) }), { maxLength: 40 }),
        (subs) => {
          const m = pool(5);
          const live = new Map<string, TransferEnvelope>();
          for (const { s, n, fee } of subs) {
            const e = tx(s, BigInt(n), BigInt(fee));
            try {
              const { evicted } = m.submit(e);
              for (const id of evicted) {
                const gone = live.get(Buffer.from(id).toString("hex"))!;
                // Only a tail goes: no pending transaction of that sender has a higher nonce.
                for (const other of live.values()) {
                  if (Buffer.compare(other.sender, gone.sender) === 0) {
                    expect(other.tx.nonce <= gone.tx.nonce).toBe(true);
                  }
                }
                expect(gone.tx.fee < e.tx.fee).toBe(true);
                live.delete(Buffer.from(id).toString("hex"));
              }
              live.set(Buffer.from(e.id).toString("hex"), e);
            } catch (err) {
              if (!isLatticeError(err)) throw err;
            }
          }
          expect(m.size).toBe(live.size);
          expect(m.size).toBeLessThanOrEqual(5);
          for (const e of live.values()) expect(m.has(e.id)).toBe(true);
        },
      ),
      { seed: 31, numRuns: 100 },
    );
  });

  test("regression (Versatus fetch never removed): finalized transactions really leave the pool", () => {
    const nonces: Record<number, bigint> = { 0: 0n };
    const m = pool(2, nonces);
    const [a0, a1] = [tx(0, 0n), tx(0, 1n)];
    m.submit(a0);
    m.submit(a1);
    m.release();
    m.markValidated(a0.id, true);
    expect(ids(m.release())).toEqual(ids([a1]));
    m.markValidated(a1.id, true);
    expect(m.pendingOf(a0.sender)).toEqual({ nonce: 2n, debit: 22n });
    // The round with a0 and a1 is committed: the state's nonce is now 2.
    nonces[0] = 2n;
    const m2 = m;
    expect(m2.removeFinalized([a0, a1])).toBe(2);
    expect(m2.size).toBe(0);
    expect(m2.has(a0.id)).toBe(false);
    expect(m2.release()).toEqual([]);
    expect(m2.pendingOf(a0.sender)).toEqual({ nonce: 0n, debit: 0n });
    // Capacity is really freed: two new transactions fit without eviction.
    expect(m2.submit(tx(1, 0n)).evicted).toEqual([]);
    expect(m2.submit(tx(2, 0n)).evicted).toEqual([]);
  });

  for (const shared of [false, true]) {
    test(`readers see the per-sender pending view after publish (${shared ? "shared" : "in-thread"})`, () => {
      const m = pool(10, {}, shared);
      const r = m.reader();
      const a0 = tx(0, 0n, 2n, 100n);
      m.submit(a0);
      m.release();
      m.markValidated(a0.id, true);
      expect(r.read((t) => t.get(a0.sender))).toBeNull();
      m.publish();
      expect(r.read((t) => t.get(a0.sender))).toEqual({ balance: 102n, nonce: 1n });
      m.removeFinalized([a0]);
      m.publish();
      expect(r.read((t) => t.get(a0.sender))).toEqual({ balance: 0n, nonce: 0n });
      r.close();
    });
  }
});

test("finalizing a conflicting transaction drops the stale pending one and releases the next", () => {
  const nonces: Record<number, bigint> = { 0: 0n };
  const m = pool(10, nonces);
  const mine = tx(0, 0n, 1n);
  const next = tx(0, 1n, 1n);
  m.submit(mine);
  m.submit(next);
  expect(ids(m.release())).toEqual(ids([mine]));
  const elsewhere = tx(0, 0n, 7n); // same nonce, finalized through another batcher
  nonces[0] = 1n;
  expect(m.removeFinalized([elsewhere])).toBe(1);
  expect(m.has(mine.id)).toBe(false);
  expect(codeOf(() => m.markValidated(mine.id, true))).toBe("MEMPOOL_UNKNOWN_TX");
  expect(codeOf(() => m.submit(tx(0, 0n, 3n)))).toBe("MEMPOOL_NONCE_TOO_LOW");
  expect(ids(m.release())).toEqual(ids([next]));
});
