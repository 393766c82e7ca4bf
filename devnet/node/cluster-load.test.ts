/**
 * Acceptance (issue #7): 2,000 transfers submitted across 4 real node processes by eight senders at once
 * (each keeps a window of submissions in flight, in nonce order, through "its" node), plus two senders
 * whose last transfer overspends. Every acknowledged transfer ends final or rejected with a reason (none
 * lost, none left indeterminate), every node reports the same outcome and the same balances, and the
 * balances equal a replay of the final transfers: supply is conserved exactly (fees go to the zero address).
 */
import { afterAll, expect, test } from "bun:test";
import { addressBytesOf, formatAddress } from "../../core/crypto/address.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { ApiRequestError } from "../../net/client/client-error.ts";
import { buildTransfer, type SignedTransfer } from "../../net/client/transfer-builder.ts";
import { ClusterFixture, waitFor } from "./cluster-fixture.ts";

const SENDERS = 8;
const PER_SENDER = 248;
const SPENDERS = 2;
const WINDOW = 32;
const BALANCE = 1_000_000n;
const SPENDER_BALANCE = 1_000n;
const fixture = new ClusterFixture({
  nodes: 4,
  accounts: SENDERS + SPENDERS + 4,
  balance: BALANCE,
  blockTimeMs: 50,
  deltaMs: 300,
});
const clients: LatticeClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await fixture.close();
});

type Submitted = { t: SignedTransfer; at: number; ok: true } | { t: SignedTransfer; ok: false; code: string };

async function submitAll(client: LatticeClient, txs: readonly SignedTransfer[]): Promise<Submitted[]> {
  const out: Submitted[] = [];
  const inFlight = new Set<Promise<void>>();
  for (const t of txs) {
    const p = client.submit(t).then(
      () => {
        out.push({ t, at: performance.now(), ok: true });
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

test("2,000 transfers across 4 node processes: none lost, each final or rejected with a reason, same outcome and balances on every node, supply conserved", async () => {
  await fixture.up(25_000);
  for (let i = 0; i < 4; i++) clients.push(new LatticeClient({ url: fixture.apiUrl(i), timeoutMs: 10_000 }));
  const accounts = fixture.accounts;
  const senders = accounts.slice(0, SENDERS);
  const spenders = accounts.slice(SENDERS, SENDERS + SPENDERS);
  const recipients = accounts.slice(SENDERS + SPENDERS);
  // Spenders start with less: the fixture gives everyone BALANCE, so they first send most of it away.
  const drain = spenders.map((k) =>
    buildTransfer({
      chainId: fixture.chainId,
      secretKey: k.keyPair.secretKey,
      to: recipients[0]!.address,
      amount: BALANCE - SPENDER_BALANCE - 1n,
      fee: 1n,
      nonce: 0n,
    }),
  );
  for (const t of drain) await clients[0]!.submit(t);
  // Final on every node, not only on node 0: spends go to all four nodes, and one that has not yet applied
  // the drain block would see nonce 1 as a gap and refuse it at the door (a flake seen under load).
  for (const t of drain)
    for (const c of clients)
      expect((await c.waitForFinality(t.id, { timeoutMs: 15_000 })).outcome).toBe("final");

  const plans = senders.map((k, s) =>
    Array.from({ length: PER_SENDER }, (_, n) =>
      buildTransfer({
        chainId: fixture.chainId,
        secretKey: k.keyPair.secretKey,
        to: recipients[(s + n) % recipients.length]!.address,
        amount: BigInt(1 + ((n * 7 + s) % 50)),
        fee: BigInt(1 + (n % 3)),
        nonce: BigInt(n),
      }),
    ),
  );
  // Each spender: 10 transfers of 100 + fee 1 from 1,000: the tenth no longer fits.
  const spends = spenders.map((k) =>
    Array.from({ length: 10 }, (_, n) =>
      buildTransfer({
        chainId: fixture.chainId,
        secretKey: k.keyPair.secretKey,
        to: recipients[1]!.address,
        amount: 100n,
        fee: 1n,
        nonce: BigInt(n + 1),
      }),
    ),
  );
  const started = performance.now();
  const streams = [...plans, ...spends];
  const results = (await Promise.all(streams.map((txs, i) => submitAll(clients[i % 4]!, txs)))).flat();
  const submittedMs = performance.now() - started;
  expect(results.length).toBe(SENDERS * PER_SENDER + SPENDERS * 10);
  const acked = results.filter((r): r is Submitted & { ok: true } => r.ok);
  const refused = results.filter((r): r is Submitted & { ok: false } => !r.ok);
  // Only an overspend may be refused at the door, and it carries its code.
  for (const r of refused)
    expect({ code: r.code, nonce: r.t.tx.nonce }).toEqual({ code: "TX_BALANCE", nonce: 10n });

  const nodeOf = new Map<string, number>();
  for (const [i, txs] of streams.entries()) for (const t of txs) nodeOf.set(t.id, i % 4);
  const finalAt: number[] = [];
  const outcomes = await Promise.all(
    acked.map(async (r) => {
      const o = await clients[nodeOf.get(r.t.id)!]!.waitForFinality(r.t.id, {
        timeoutMs: 30_000,
        pollMs: 5000,
      });
      if (o.outcome === "final") finalAt.push(performance.now() - r.at);
      return o;
    }),
  );
  const finishedMs = performance.now() - started;
  const final: SignedTransfer[] = [];
  let lastRound = 0n;
  for (const [i, o] of outcomes.entries()) {
    expect(o.outcome === "final" || o.outcome === "rejected").toBe(true);
    if (o.outcome === "final") {
      final.push(acked[i]!.t);
      if (o.round > lastRound) lastRound = o.round;
    } else if (o.outcome === "rejected") {
      expect(o.error.code).toBe("TX_BALANCE");
      expect(acked[i]!.t.tx.nonce).toBe(10n);
    }
  }
  expect(final.length).toBe(SENDERS * PER_SENDER + SPENDERS * 9);
  finalAt.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(finalAt[Math.min(finalAt.length - 1, Math.floor(p * finalAt.length))]!);
  console.log(
    `2,000 transfers on 4 nodes: submitted in ${Math.round(submittedMs)} ms, all final in ${Math.round(finishedMs)} ms ` +
      `(${Math.round((final.length * 1000) / finishedMs)} final transfers/s); ack-to-final p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
  );

  if (process.env.LATTICE_DEBUG_ROUNDS) {
    const page = await clients[0]!.rounds({ limit: 100 });
    console.log(page.rounds.map((r) => `${r.round}:${r.txCount}@${r.time % 100000}`).join(" "));
  }
  // Every node has applied the last round, and says the same about a sample of transactions.
  await Promise.all(
    [0, 1, 2, 3].map((i) =>
      waitFor(
        `node ${i} at round ${lastRound}`,
        async () => ((await fixture.head(i)).round >= lastRound ? true : undefined),
        15_000,
      ),
    ),
  );
  // A rejected transfer's round is not in lastRound (only finals are), so a node may still be one block
  // short of it: wait (bounded) until all four agree, then assert what they agree on.
  for (const r of acked.filter((_, k) => k % 50 === 0)) {
    const want = final.includes(r.t) ? "final" : "rejected";
    const statuses = async () =>
      (await Promise.all(clients.map((c) => c.status(r.t.id)))).map((s) => s?.status);
    await waitFor(
      `tx ${r.t.id} ${want} on every node`,
      async () => ((await statuses()).every((s) => s === want) ? true : undefined),
      15_000,
    ).catch(() => undefined);
    expect(await statuses()).toEqual([want, want, want, want]);
  }

  // Replay the final transfers over genesis: every node's accounts match exactly, supply is conserved.
  const expected = new Map<string, bigint>(accounts.map((a) => [a.address as string, BALANCE]));
  const zero = formatAddress(new Uint8Array(20));
  const credit = (a: string, v: bigint) => expected.set(a, (expected.get(a) ?? 0n) + v);
  for (const t of [...drain, ...final]) {
    credit(formatAddress(addressBytesOf(t.tx.from)), -(t.tx.amount + t.tx.fee));
    credit(formatAddress(t.tx.to), t.tx.amount);
    credit(zero, t.tx.fee);
  }
  let supply = 0n;
  for (const v of expected.values()) supply += v;
  expect(supply).toBe(BALANCE * BigInt(accounts.length));
  for (const c of clients) {
    let seen = 0n;
    for (const [address, balance] of expected) {
      const a = await c.getAccount(address, { proof: address === zero });
      expect({ address, balance: a.balance }).toEqual({ address, balance });
      seen += a.balance;
    }
    expect(seen).toBe(supply);
  }
}, 90_000);
