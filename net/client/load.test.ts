/**
 * 2,000 transfers through the SDK into a solo node (interval rounds, SQLite synchronous=full), from five
 * senders concurrently (each keeps a window of submissions in flight, in nonce order), plus three senders
 * whose last transfer overspends. Every acknowledged transfer must end final or rejected with a reason (none
 * lost, none left indeterminate), every refusal carries a code, and the balances equal a replay of the
 * final transfers: supply is conserved exactly (fees go to the fee recipient).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressBytesOf, addressOf, formatAddress } from "../../core/crypto/address.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { type SoloNode, startSoloNode } from "../api/solo-node.ts";
import { LatticeClient } from "./client.ts";
import { ApiRequestError } from "./client-error.ts";
import { buildTransfer, type SignedTransfer } from "./transfer-builder.ts";

const CHAIN = 9;
const SENDERS = 5;
const PER_SENDER = 400;
const WINDOW = 32;
const FEE_RECIPIENT = new Uint8Array(20).fill(0xfe);
const dir = mkdtempSync(join(tmpdir(), "lattice-load-"));
const senders: KeyPair[] = Array.from({ length: SENDERS }, (_, i) =>
  keyPairFromSeed(sha256(Uint8Array.of(0x10, i))),
);
const spenders: KeyPair[] = Array.from({ length: 3 }, (_, i) =>
  keyPairFromSeed(sha256(Uint8Array.of(0x20, i))),
);
const recipients = Array.from({ length: 7 }, (_, i) =>
  addressBytesOf(keyPairFromSeed(sha256(Uint8Array.of(0x30, i))).publicKey),
);
const GENESIS = [
  ...senders.map((k) => ({ address: addressBytesOf(k.publicKey), balance: 1_000_000n })),
  ...spenders.map((k) => ({ address: addressBytesOf(k.publicKey), balance: 1_000n })),
];
let node: SoloNode;

beforeAll(async () => {
  node = await startSoloNode({
    dataDir: dir,
    chainId: CHAIN,
    genesis: GENESIS,
    version: "test",
    blockTimeMs: 25,
    feeRecipient: FEE_RECIPIENT,
  });
});
afterAll(async () => {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Submitted = { t: SignedTransfer; ok: true } | { t: SignedTransfer; ok: false; code: string };

/** Submit `txs` in order keeping at most WINDOW in flight. */
async function submitAll(
  client: LatticeClient,
  txs: readonly SignedTransfer[],
  cbor: boolean,
): Promise<Submitted[]> {
  const out: Submitted[] = [];
  const inFlight = new Set<Promise<void>>();
  for (const t of txs) {
    const p = client.submit(t, { encoding: cbor ? "cbor" : "json" }).then(
      () => {
        out.push({ t, ok: true });
      },
      (err: unknown) => {
        if (!(err instanceof ApiRequestError)) throw err;
        out.push({ t, ok: false, code: err.code });
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return out;
}

test("2,000 transfers from several senders: none lost, each final or rejected with a reason, supply conserved", async () => {
  const client = new LatticeClient({ url: node.apiUrl });
  const started = performance.now();
  const plans: SignedTransfer[][] = senders.map((k, s) =>
    Array.from({ length: PER_SENDER }, (_, n) =>
      buildTransfer({
        chainId: CHAIN,
        secretKey: k.secretKey,
        to: recipients[(s + n) % recipients.length]!,
        amount: BigInt(1 + ((n * 7 + s) % 50)),
        fee: BigInt(1 + (n % 3)),
        nonce: BigInt(n),
      }),
    ),
  );
  // Each spender: 10 transfers of 100 + fee 1; the tenth no longer fits the 1,000 balance.
  const spends: SignedTransfer[][] = spenders.map((k) =>
    Array.from({ length: 10 }, (_, n) =>
      buildTransfer({
        chainId: CHAIN,
        secretKey: k.secretKey,
        to: recipients[0]!,
        amount: 100n,
        fee: 1n,
        nonce: BigInt(n),
      }),
    ),
  );
  const results = (
    await Promise.all([...plans, ...spends].map((txs, i) => submitAll(client, txs, i % 2 === 1)))
  ).flat();
  const submittedMs = performance.now() - started;
  const acked = results.filter((r) => r.ok);
  const refused = results.filter((r): r is Submitted & { ok: false } => !r.ok);
  expect(results.length).toBe(SENDERS * PER_SENDER + 30);
  // Only an overspend may be refused at the door, and it carries its code.
  for (const r of refused)
    expect({ code: r.code, nonce: r.t.tx.nonce }).toEqual({ code: "TX_BALANCE", nonce: 9n });
  expect(acked.length).toBeGreaterThanOrEqual(SENDERS * PER_SENDER + 27);

  const outcomes = await Promise.all(acked.map((r) => client.waitForFinality(r.t.id, { timeoutMs: 15_000 })));
  const finishedMs = performance.now() - started;
  client.close();
  const final = new Map<string, SignedTransfer>();
  for (const [i, o] of outcomes.entries()) {
    expect(o.outcome === "final" || o.outcome === "rejected").toBe(true);
    if (o.outcome === "final") final.set(o.id, acked[i]!.t);
    if (o.outcome === "rejected") {
      expect(o.error.code).toBe("TX_BALANCE");
      expect(acked[i]!.t.tx.nonce).toBe(9n);
    }
  }
  expect(final.size).toBe(SENDERS * PER_SENDER + 27);
  // Every status agrees with the outcome (the index, not just the event stream).
  for (const r of acked.slice(0, 200)) {
    const s = await client.status(r.t.id);
    expect(s?.status).toBe(final.has(r.t.id) ? "final" : "rejected");
  }

  // Replay the final transfers over genesis: the node's accounts must match exactly.
  const expected = new Map<string, { balance: bigint; nonce: bigint }>();
  for (const g of GENESIS) expected.set(formatAddress(g.address), { balance: g.balance, nonce: 0n });
  const credit = (a: string, v: bigint) => {
    const e = expected.get(a) ?? { balance: 0n, nonce: 0n };
    expected.set(a, { balance: e.balance + v, nonce: e.nonce });
  };
  for (const t of final.values()) {
    const from = addressOf(t.tx.from);
    const e = expected.get(from)!;
    expected.set(from, { balance: e.balance - t.tx.amount - t.tx.fee, nonce: e.nonce + 1n });
    credit(formatAddress(t.tx.to), t.tx.amount);
    credit(formatAddress(FEE_RECIPIENT), t.tx.fee);
  }
  const actual = node.ledger.state.accounts();
  expect(actual.length).toBe(expected.size);
  for (const a of actual)
    expect(expected.get(formatAddress(a.address))).toEqual({ balance: a.balance, nonce: a.nonce });
  const supply = actual.reduce((s, a) => s + a.balance, 0n);
  expect(supply).toBe(GENESIS.reduce((s, g) => s + g.balance, 0n));
  expect(node.ledger.mempoolSize).toBe(0);
  // Figures for the record (not asserted: timing never decides pass or fail).
  console.log(
    JSON.stringify({
      submitted: results.length,
      acknowledged: acked.length,
      final: final.size,
      rounds: node.ledger.round.toString(),
      submitMs: Math.round(submittedMs),
      allFinalMs: Math.round(finishedMs),
    }),
  );
}, 20_000);
