import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { Ledger, PendingView } from "../ledger/ledger.ts";
import { CHAIN_ID, env, ids, quorumKey, testAccount, transfer } from "../testing/fixtures.ts";
import { type Batch, BatchCertificateCodec, BatchCodec } from "./batch-messages.ts";
import {
  BatcherMap,
  Batcher,
  batchDigest,
  chainsOnto,
  decodeBitmap,
  encodeBitmap,
  rankValidators,
  ZERO_DIGEST,
} from "./batch.ts";
import { ShareCollector, signVerdict, verifyBatchCertificate } from "./batch-certificate.ts";

const suite = modelSuite();
const scheme = suite.threshold;
const alice = testAccount(suite.signer, "alice");
const bob = testAccount(suite.signer, "bob");
const quorum = ids(1, "quorum")[0]!;
const members = ids(5, "member");

function batchOf(txs: Uint8Array[], seq = 0, prev = ZERO_DIGEST): Batch {
  return { epoch: 1, quorum, batcher: members[0]!, seq, prev, txs };
}

describe("batches", () => {
  test("codec round-trips; the digest commits to every field", () => {
    const b = batchOf([env(transfer(suite.signer, alice, bob.address, 0n)).bytes]);
    expect(BatchCodec.decode(BatchCodec.encode(b))).toEqual(b);
    const d = toHex(batchDigest(b));
    const variants: Batch[] = [
      { ...b, epoch: 2 },
      { ...b, quorum: members[1]! },
      { ...b, batcher: members[1]! },
      { ...b, seq: 1 },
      { ...b, prev: members[2]! },
      { ...b, txs: [] },
    ];
    for (const v of variants) expect(toHex(batchDigest(v))).not.toBe(d);
  });

  test("verdict bitmaps: bit i = tx i, canonical padding", () => {
    const v = [true, false, true, true, false, false, false, false, true];
    const bm = encodeBitmap(v);
    expect([...bm]).toEqual([0b1101, 1]);
    expect(decodeBitmap(bm, 9)).toEqual(v);
    expect(decodeBitmap(bm, 8)).toBeNull();
    expect(decodeBitmap(Uint8Array.of(0b1101, 0b10), 9)).toBeNull(); // a set padding bit
    expect(decodeBitmap(new Uint8Array(0), 0)).toEqual([]);
  });

  test("one sender, one batcher: every member computes the same batcher, spread over members", () => {
    const map = new BatcherMap(members);
    const again = new BatcherMap([...members]);
    const counts = new Array<number>(members.length).fill(0);
    for (let i = 0; i < 2000; i++) {
      const sender = ids(1, `sender${i}`)[0]!.slice(0, 20);
      const b = map.batcherOf(sender);
      expect(again.batcherOf(sender)).toBe(b);
      counts[b]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(300);
  });

  test("validators are ranked by hash of the batch: deterministic, a permutation, batch-dependent", () => {
    const r1 = rankValidators(members, ids(1, "d1")[0]!);
    expect([...r1].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(rankValidators(members, ids(1, "d1")[0]!)).toEqual(r1);
    const distinct = new Set(
      Array.from({ length: 20 }, (_, i) => rankValidators(members, ids(1, `d${i}`)[0]!).join()),
    );
    expect(distinct.size).toBeGreaterThan(5);
  });

  test("the batcher cuts at B transfers or after D ms, chains batches, and releases nonces in order", () => {
    const view = new Map<string, bigint>();
    const b = new Batcher(
      { epoch: 1, quorum, batcher: members[0]!, maxTxs: 3, maxDelayMs: 50 },
      (k) => view.get(k) ?? 0n,
    );
    // Nonce 1 arrives before nonce 0: it waits for its predecessor.
    expect(b.add(env(transfer(suite.signer, alice, bob.address, 1n)), 0)).toBe(true);
    expect(b.dueAt()).toBeNull();
    expect(b.cut(1000)).toBeNull();
    b.add(env(transfer(suite.signer, alice, bob.address, 0n)), 10);
    expect(b.dueAt()).toBe(50); // the oldest ready one arrived at 0
    expect(b.cut(20)).toBeNull(); // 2 ready < B, not due
    b.add(env(transfer(suite.signer, bob, alice.address, 0n)), 20);
    const first = b.cut(20)!; // B = 3 reached
    expect(first.txs.length).toBe(3);
    expect(first.seq).toBe(0);
    expect(chainsOnto(first, null)).toBe(true);
    b.add(env(transfer(suite.signer, alice, bob.address, 2n)), 30);
    expect(b.add(env(transfer(suite.signer, alice, bob.address, 0n)), 31)).toBe(false); // stale
    expect(b.cut(79)).toBeNull();
    const second = b.cut(80)!; // D elapsed
    expect(second.seq).toBe(1);
    expect(chainsOnto(second, batchDigest(first))).toBe(true);
    expect(chainsOnto(second, batchDigest(second))).toBe(false);
    expect(b.size()).toBe(0);
  });
});

describe("verdict shares and batch certificates", () => {
  const key = quorumKey(scheme, 5, 3, 11);
  const b = batchOf([env(transfer(suite.signer, alice, bob.address, 0n)).bytes]);
  const digest = batchDigest(b);
  const yes = encodeBitmap([true]);
  const no = encodeBitmap([false]);
  const share = (i: number, bm: Uint8Array) => signVerdict(scheme, key.shares[i - 1]!, 1, quorum, digest, bm);

  test("t matching shares combine into a certificate verifiable with the group key alone", () => {
    const c = new ShareCollector(scheme, key, 1, quorum, digest);
    expect(c.add(1, digest, yes, share(1, yes)).certificate).toBeNull();
    expect(c.add(2, digest, yes, share(2, yes)).certificate).toBeNull();
    const cert = c.add(4, digest, yes, share(4, yes)).certificate!;
    expect(verifyBatchCertificate(scheme, key.groupKey, cert)).toBe(true);
    const again = BatchCertificateCodec.decode(BatchCertificateCodec.encode(cert));
    expect(verifyBatchCertificate(scheme, key.groupKey, again)).toBe(true);
    // Another quorum's key does not verify it.
    expect(verifyBatchCertificate(scheme, quorumKey(scheme, 5, 3, 12).groupKey, cert)).toBe(false);
  });

  test("the verdict is signed: a flipped bitmap neither verifies nor combines (Versatus §1.9 item 2)", () => {
    const c = new ShareCollector(scheme, key, 1, quorum, digest);
    c.add(1, digest, yes, share(1, yes));
    c.add(2, digest, yes, share(2, yes));
    const out = c.add(3, digest, no, share(3, no));
    expect(out.certificate).toBeNull(); // 2 yes + 1 no never make a certificate
    expect(c.verdicts()).toBe(2);
    // A share re-labelled with the other verdict is detected as invalid, not counted.
    const relabelled = c.add(5, digest, yes, share(5, no));
    expect(relabelled.certificate).toBeNull();
    expect(relabelled.rejections.map((r) => r.code)).toEqual(["WAN_SHARE_INVALID"]);
    const done = c.add(4, digest, yes, share(4, yes)).certificate!;
    expect(done).not.toBeNull();
    // Flipping the certified bitmap breaks the certificate.
    expect(verifyBatchCertificate(scheme, key.groupKey, { ...done, bitmap: no })).toBe(false);
  });

  test("one vote per member: a second verdict is equivocation, a repeat is ignored, a wrong index penalised", () => {
    const c = new ShareCollector(scheme, key, 1, quorum, digest);
    c.add(1, digest, yes, share(1, yes));
    expect(c.add(1, digest, yes, share(1, yes)).rejections).toEqual([]);
    expect(c.add(1, digest, no, share(1, no)).rejections[0]!.code).toBe("WAN_SHARE_EQUIVOCATION");
    expect(c.add(2, digest, yes, share(3, yes)).rejections[0]!.code).toBe("WAN_SHARE_WRONG_INDEX");
    expect(c.add(2, digest, yes, new Uint8Array(3)).rejections[0]!.code).toBe("WAN_SHARE_MALFORMED");
    expect(c.add(2, ids(1, "other")[0]!, yes, share(2, yes)).rejections[0]!.code).toBe(
      "WAN_SHARE_WRONG_BATCH",
    );
    expect(c.voters()).toEqual([1]);
    expect(
      verifyBatchCertificate(scheme, key.groupKey, {
        epoch: 1,
        quorum,
        digest,
        bitmap: yes,
        signature: new Uint8Array(5),
      }),
    ).toBe(false);
  });
});

describe("pending view validation", () => {
  test("signature, chain, nonce order, balance minus pending debits (valid is true: Versatus inverted it, §1.9 item 3); certified batches apply without re-validating", () => {
    const ledger = Ledger.fromGenesis([[alice.address, { balance: 25n, nonce: 0n }]]);
    const view = new PendingView(ledger, CHAIN_ID, suite.signer);
    const t0 = env(transfer(suite.signer, alice, bob.address, 0n, 10n, 1n));
    const t1 = env(transfer(suite.signer, alice, bob.address, 1n, 10n, 1n));
    const t2 = env(transfer(suite.signer, alice, bob.address, 2n, 10n, 1n)); // 33 > 25
    const gap = env(transfer(suite.signer, alice, bob.address, 5n));
    const wrongChain = env(transfer(suite.signer, alice, bob.address, 0n, 1n, 1n, CHAIN_ID + 1));
    const forged = env({ ...t0.tx, amount: 11n }); // signature over amount 10
    expect(
      view.validate([
        t0.bytes,
        t1.bytes,
        t2.bytes,
        gap.bytes,
        wrongChain.bytes,
        forged.bytes,
        Uint8Array.of(1),
      ]),
    ).toEqual([true, true, false, false, false, false, false]);
    // The view itself did not change: validation uses a scratch overlay.
    expect(view.senderState(toHex(alice.address))).toEqual({ nonce: 0n, available: 25n });
    view.applyCertified(t0.tx);
    expect(view.senderState(toHex(alice.address))).toEqual({ nonce: 1n, available: 14n });
    expect(view.validate([t0.bytes, t1.bytes])).toEqual([false, true]);
  });
});
