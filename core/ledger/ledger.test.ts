/**
 * Ledger: door checks change nothing, the pipeline takes accepted transactions to final or rejected with a
 * reason, blocks are re-checked deterministically, and nothing acknowledged is lost across a reopen
 * (including a crash between recording a block and committing its state round).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressBytesOf } from "../crypto/address.ts";
import { type KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { sha256 } from "../crypto/sha256.ts";
import { VirtualClock } from "../engine/virtual-clock.ts";
import { SqliteRoundStore } from "../state/sqlite-round-store.ts";
import { StateStore } from "../state/state-store.ts";
import { encodeTransfer, signTransfer, transferId } from "../tx/transfer.ts";
import { Ledger, type SubmitOutcome } from "./ledger.ts";
import type { LedgerEvent } from "./ledger-events.ts";
import { SoloProducer } from "./solo-producer.ts";
import type { RejectionCode } from "./rejection.ts";
import { SqliteLedgerStore } from "./sqlite-ledger-store.ts";

const CHAIN = 7;
const FEES = new Uint8Array(20);
const dir = mkdtempSync(join(tmpdir(), "lattice-ledger-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys: KeyPair[] = Array.from({ length: 4 }, (_, i) => keyPairFromSeed(sha256(Uint8Array.of(0x4c, i))));
const addr = (i: number) => addressBytesOf(keys[i]!.publicKey);
const stranger = keyPairFromSeed(sha256(Uint8Array.of(0x99)));

function transfer(from: KeyPair, to: Uint8Array, amount: bigint, nonce: bigint, fee = 1n, chainId = CHAIN) {
  return encodeTransfer(
    signTransfer({ chainId, from: from.publicKey, to, amount, fee, nonce }, from.secretKey),
  );
}

let dbs = 0;
function open(options: { path?: string; capacity?: number; events?: LedgerEvent[] } = {}) {
  const base = options.path ?? join(dir, `l${dbs++}`);
  const clock = new VirtualClock(1_000);
  const state = StateStore.open({
    capacity: 64,
    roundStore: new SqliteRoundStore({ path: `${base}-state.db`, synchronous: "normal" }),
    genesis: keys.map((k) => ({ address: addressBytesOf(k.publicKey), balance: 1_000n, nonce: 0n })),
  });
  const store = new SqliteLedgerStore({ path: `${base}-ledger.db`, synchronous: "normal" });
  const events = options.events ?? [];
  const ledger = Ledger.open({
    chainId: CHAIN,
    state,
    store,
    clock,
    feeRecipient: FEES,
    mempoolCapacity: options.capacity ?? 100,
    onEvent: (e) => events.push(e),
  });
  return { ledger, clock, events, base };
}

function supply(ledger: Ledger): bigint {
  return ledger.state.accounts().reduce((s, a) => s + a.balance, 0n);
}

function expectRejected(o: SubmitOutcome, code: RejectionCode): void {
  expect(o.ok).toBe(false);
  if (!o.ok) expect(o.rejection.code).toBe(code);
}

describe("submit", () => {
  test("every door rejection has its code and changes nothing", async () => {
    const { ledger } = open({ capacity: 2 });
    const good = transfer(keys[0]!, addr(1), 5n, 0n);
    expect((await ledger.submit(good)).ok).toBe(true);
    const before = { round: ledger.round, root: ledger.root, size: ledger.mempoolSize };
    const badSig = transfer(keys[0]!, addr(1), 6n, 1n);
    badSig[badSig.length - 1]! ^= 1;
    const cases: [Uint8Array, RejectionCode][] = [
      [new Uint8Array(300), "TX_TOO_LARGE"],
      [Uint8Array.of(0x82, 0x01, 0x02), "TX_DECODE"],
      [transfer(keys[0]!, addr(1), 6n, 1n, 1n, CHAIN + 1), "TX_CHAIN"],
      [badSig, "TX_SIGNATURE"],
      [transfer(stranger, addr(1), 0n, 0n, 0n), "TX_SENDER_UNKNOWN"],
      [good, "TX_DUPLICATE"],
      [transfer(keys[0]!, addr(2), 7n, 0n), "TX_NONCE_TAKEN"],
      [transfer(keys[0]!, addr(1), 6n, 500n), "TX_NONCE_GAP"],
      [transfer(keys[1]!, addr(0), 1_000n, 0n), "TX_BALANCE"],
    ];
    for (const [bytes, code] of cases) expectRejected(await ledger.submit(bytes), code);
    expect((await ledger.submit(transfer(keys[1]!, addr(0), 1n, 0n, 5n))).ok).toBe(true);
    const full = await ledger.submit(transfer(keys[2]!, addr(0), 1n, 0n, 1n));
    expectRejected(full, "TX_MEMPOOL_FULL");
    if (!full.ok) expect(full.rejection.details?.minFee).toBe("2");
    expect(ledger.round).toBe(before.round);
    expect(ledger.root).toEqual(before.root);
    expect(ledger.mempoolSize).toBe(2);
    await ledger.close();
  });

  test("a nonce too low after finality, and an eviction by a higher fee, are reported", async () => {
    const { ledger, events } = open({ capacity: 1 });
    const a = await ledger.submit(transfer(keys[0]!, addr(1), 5n, 0n, 1n));
    const b = await ledger.submit(transfer(keys[1]!, addr(0), 5n, 0n, 9n));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok) return;
    expect(ledger.status(a.id)?.status).toBe("rejected");
    expect(ledger.status(a.id)?.rejection?.code).toBe("TX_EVICTED");
    expect(events.some((e) => e.type === "tx.rejected" && e.rejection.code === "TX_EVICTED")).toBe(true);
    await ledger.produceLocal({ maxTxs: 10, allowEmpty: false });
    expectRejected(await ledger.submit(transfer(keys[1]!, addr(0), 1n, 0n, 9n)), "TX_NONCE_TOO_LOW");
    await ledger.close();
  });
});

describe("pipeline", () => {
  test("accepted transfers become final, balances move, supply is conserved, events in order", async () => {
    const { ledger, events } = open();
    const start = supply(ledger);
    const ids: Uint8Array[] = [];
    for (let n = 0n; n < 5n; n++) {
      const o = await ledger.submit(transfer(keys[0]!, addr(1), 10n, n, 2n));
      if (o.ok) ids.push(o.id);
    }
    expect(ids.length).toBe(5);
    expect(ledger.nextNonce(addr(0))).toBe(5n);
    expect(ledger.status(ids[0]!)?.status).toBe("pending");
    const applied = await ledger.produceLocal({ maxTxs: 100, allowEmpty: false });
    expect(applied?.round).toBe(1n);
    expect(applied?.final.length).toBe(5);
    for (const id of ids) {
      const s = ledger.status(id);
      expect(s?.status).toBe("final");
      expect(s?.round).toBe(1n);
    }
    expect(ledger.account(addr(0))).toEqual({ balance: 1_000n - 60n, nonce: 5n });
    expect(ledger.account(addr(1))?.balance).toBe(1_050n);
    expect(ledger.account(FEES)?.balance).toBe(10n);
    expect(supply(ledger)).toBe(start);
    expect(ledger.mempoolSize).toBe(0);
    const kinds = events.map((e) => e.type);
    expect(kinds.filter((k) => k === "tx.accepted").length).toBe(5);
    expect(kinds.indexOf("round")).toBeGreaterThan(kinds.lastIndexOf("tx.final"));
    const block = ledger.block(1n);
    expect(block?.block.txCount).toBe(5);
    expect(block?.txs.map((t) => t.id)).toEqual(ids);
    expect(await ledger.produceLocal({ maxTxs: 100, allowEmpty: false })).toBeNull();
    await ledger.close();
  });

  test("a transaction waiting behind a nonce gap goes final once the gap fills", async () => {
    const { ledger } = open();
    const later = await ledger.submit(transfer(keys[0]!, addr(1), 1n, 1n));
    expect(later.ok).toBe(true);
    expect(await ledger.produceLocal({ maxTxs: 100, allowEmpty: false })).toBeNull();
    await ledger.submit(transfer(keys[0]!, addr(1), 1n, 0n));
    const r = await ledger.produceLocal({ maxTxs: 100, allowEmpty: false });
    expect(r?.final.length).toBe(2);
    await ledger.close();
  });

  test("validation rejects what no longer fits after a cheat lowered the balance", async () => {
    const { ledger } = open();
    const o = await ledger.submit(transfer(keys[2]!, addr(1), 900n, 0n));
    expect(o.ok).toBe(true);
    await ledger.setBalance(addr(2), 10n);
    await ledger.produceLocal({ maxTxs: 100, allowEmpty: false });
    if (o.ok) {
      expect(ledger.status(o.id)?.status).toBe("rejected");
      expect(ledger.status(o.id)?.rejection?.code).toBe("TX_BALANCE");
    }
    expect(ledger.account(addr(2))?.balance).toBe(10n);
    await ledger.close();
  });

  test("applyFinalized re-checks foreign bytes in order, deterministically", async () => {
    const one = open();
    const two = open();
    const block = [
      { bytes: transfer(keys[0]!, addr(1), 100n, 0n) },
      { bytes: transfer(keys[0]!, addr(2), 100n, 0n) }, // same nonce: loses to the first
      { bytes: transfer(keys[1]!, addr(2), 2_000n, 0n) }, // overspends
      { bytes: Uint8Array.of(1, 2, 3) },
      { bytes: transfer(keys[0]!, addr(1), 100n, 0n) }, // exact duplicate
      { bytes: transfer(keys[3]!, stranger.publicKey.slice(0, 20), 50n, 0n) }, // creates an account
    ];
    const r1 = await one.ledger.applyFinalized(1n, block);
    const r2 = await two.ledger.applyFinalized(1n, block);
    expect(r1.root).toEqual(r2.root);
    expect(r1.final.length).toBe(2);
    expect(r1.rejected.map((r) => r.rejection.code)).toEqual(["TX_NONCE", "TX_BALANCE", "TX_DECODE"]);
    expect(one.ledger.block(1n)?.txs.map((t) => t.code)).toEqual([
      null,
      "TX_NONCE",
      "TX_BALANCE",
      "TX_DECODE",
      "TX_DUPLICATE",
      null,
    ]);
    expect(one.ledger.status(transferId(block[1]!.bytes))?.rejection?.code).toBe("TX_NONCE");
    await expect(one.ledger.applyFinalized(5n, [])).rejects.toMatchObject({ code: "LEDGER_ROUND_ORDER" });
    await expect(one.ledger.applyFinalized(2n, [{ id: new Uint8Array(32) }])).rejects.toMatchObject({
      code: "LEDGER_UNKNOWN_TX",
    });
    expect(one.ledger.round).toBe(1n);
    // A block that re-includes an already final transaction does not un-finalize it.
    const again = await one.ledger.applyFinalized(2n, [block[0]!]);
    expect(again.rejected).toEqual([]);
    expect(one.ledger.status(transferId(block[0]!.bytes))?.status).toBe("final");
    expect(one.ledger.status(transferId(block[0]!.bytes))?.round).toBe(1n);
    await one.ledger.close();
    await two.ledger.close();
  });

  test("a pending transaction whose nonce a finalized block passed becomes TX_SUPERSEDED", async () => {
    const { ledger } = open();
    const mine = await ledger.submit(transfer(keys[0]!, addr(1), 1n, 0n, 1n));
    expect(mine.ok).toBe(true);
    // The network finalized another transaction with the same nonce (e.g. sent to another node).
    const r = await ledger.applyFinalized(1n, [{ bytes: transfer(keys[0]!, addr(2), 3n, 0n, 1n) }]);
    expect(r.final.length).toBe(1);
    if (mine.ok) expect(ledger.status(mine.id)?.rejection?.code).toBe("TX_SUPERSEDED");
    expect(ledger.mempoolSize).toBe(0);
    await ledger.close();
  });

  test("markCertified moves pending to certified", async () => {
    const { ledger, events } = open();
    const o = await ledger.submit(transfer(keys[0]!, addr(1), 1n, 0n));
    if (!o.ok) throw new Error("not accepted");
    ledger.markCertified([o.id, new Uint8Array(32)]);
    expect(ledger.status(o.id)?.status).toBe("certified");
    expect(events.filter((e) => e.type === "tx.certified").length).toBe(1);
    await ledger.close();
  });
});

describe("durability", () => {
  test("acknowledged transactions survive an unclean stop and go final after reopen", async () => {
    const first = open();
    const ids: Uint8Array[] = [];
    for (let n = 0n; n < 3n; n++) {
      const o = await first.ledger.submit(transfer(keys[0]!, addr(1), 1n, n));
      if (o.ok) ids.push(o.id);
    }
    await first.ledger.produceLocal({ maxTxs: 2, allowEmpty: false });
    const o = await first.ledger.submit(transfer(keys[1]!, addr(0), 1n, 0n));
    if (o.ok) ids.push(o.id);
    // No close(): the process "dies" here; a second instance opens the same files.
    const second = open({ path: first.base });
    expect(second.ledger.round).toBe(1n);
    expect(ids.map((id) => second.ledger.status(id)?.status)).toEqual([
      "final",
      "final",
      "pending",
      "pending",
    ]);
    expect(second.ledger.mempoolSize).toBe(2);
    await second.ledger.produceLocal({ maxTxs: 10, allowEmpty: false });
    expect(ids.every((id) => second.ledger.status(id)?.status === "final")).toBe(true);
    await second.ledger.close();
  });

  test("a block recorded but never committed to the state is undone at reopen", async () => {
    const first = open();
    const o = await first.ledger.submit(transfer(keys[0]!, addr(1), 1n, 0n));
    if (!o.ok) throw new Error("not accepted");
    await first.ledger.close();
    // Simulate the crash window: the ledger database has round 1, the state database does not.
    const store = new SqliteLedgerStore({ path: `${first.base}-ledger.db` });
    store.recordBlock(
      { round: 1n, root: new Uint8Array(32), time: 0, txCount: 1, rejectedCount: 0, note: null },
      [{ id: o.id, bytes: transfer(keys[0]!, addr(1), 1n, 0n), code: null, message: null, keepIndex: false }],
    );
    expect(store.get(o.id)?.status).toBe("final");
    store.close();
    const second = open({ path: first.base });
    expect(second.ledger.round).toBe(0n);
    expect(second.ledger.status(o.id)?.status).toBe("pending");
    expect(second.ledger.block(1n)).toBeNull();
    const r = await second.ledger.produceLocal({ maxTxs: 10, allowEmpty: false });
    expect(r?.final).toEqual([o.id]);
    await second.ledger.close();
  });
});

describe("SoloProducer", () => {
  test("interval mode produces a round per block time when something is pending", async () => {
    const { ledger, clock } = open();
    const producer = new SoloProducer({ ledger, clock, blockTimeMs: 100 });
    producer.start();
    await ledger.submit(transfer(keys[0]!, addr(1), 1n, 0n));
    ledger.flush();
    clock.advance(99);
    expect(ledger.round).toBe(0n);
    clock.advance(1);
    await producer.stop();
    expect(ledger.round).toBe(1n);
    const forced = await producer.produce();
    expect(forced?.round).toBe(2n);
    await ledger.close();
  });

  test("automine produces right after submissions", async () => {
    const { ledger, clock } = open();
    const producer = new SoloProducer({ ledger, clock, blockTimeMs: 0 });
    producer.start();
    const outcomes = await Promise.all(
      [0n, 1n, 2n].map((n) => ledger.submit(transfer(keys[3]!, addr(1), 1n, n))),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    while (ledger.mempoolSize > 0 || clock.pending() > 0) {
      clock.runUntilIdle();
      await Bun.sleep(0);
    }
    await producer.stop();
    expect(ledger.account(addr(3))?.nonce).toBe(3n);
    await ledger.close();
  });
});
