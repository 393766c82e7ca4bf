/**
 * Finalized-block sync and the SQLite journal: an answer built from a journal verifies against the
 * requester's tip; a broken hash chain, a forged or short certificate, another chain, or a run that does
 * not start at the tip are refused with their codes. The journal survives a reopen (votes, certificates,
 * finalized blocks) and keeps the first copy of a height.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Block,
  blockHash,
  type Certificate,
  genesisHash,
  voteSigningBytes,
} from "../../core/bft/simplex-messages.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed, nativeEd25519 } from "../../core/crypto/ed25519.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { decodeBlockPayload, encodeBlockPayload, SyncResponse } from "./cluster-wire.ts";
import { SqliteJournal } from "./sqlite-journal.ts";
import { answerSync, checkSyncResponse } from "./sync.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-sync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const chain = sha256(Uint8Array.of(1, 2, 3));
const keys = Array.from({ length: 4 }, (_, i) => keyPairFromSeed(sha256(Uint8Array.of(9, i))));
const members = keys.map((k) => toHex(k.publicKey));
const verifier = { chain, members, signer: nativeEd25519 };

function chainOf(n: number): { block: Block; hash: Uint8Array }[] {
  const out: { block: Block; hash: Uint8Array }[] = [];
  let parent = genesisHash(chain);
  for (let h = 1; h <= n; h++) {
    const block: Block = {
      chain,
      view: h * 2,
      height: h,
      parentView: h === 1 ? 0 : (h - 1) * 2,
      parent,
      proposer: (h * 2) % 4,
      payload: encodeBlockPayload([Uint8Array.of(h)]),
    };
    const hash = blockHash(block);
    out.push({ block, hash });
    parent = hash;
  }
  return out;
}

function finalization(b: { block: Block; hash: Uint8Array }, signers = [0, 1, 2]): Certificate {
  const bytes = voteSigningBytes(chain, b.block.view, "finalize", b.hash);
  return {
    chain,
    view: b.block.view,
    kind: "finalize",
    block: b.hash,
    signers,
    sigs: signers.map((s) => nativeEd25519.sign(keys[s]!.secretKey, bytes)),
    body: null,
  };
}

test("an answer built from the journal verifies, starts at the tip and ends at a finalization", () => {
  const j = new SqliteJournal({ path: join(dir, "a.db"), synchronous: "normal" });
  const blocks = chainOf(10);
  for (const b of blocks) j.append({ kind: "finalized", block: b.block, hash: b.hash });
  // Finalizations only for heights 4 and 7: an answer must stop at one of them.
  j.append({ kind: "certificate", cert: finalization(blocks[3]!) });
  j.append({ kind: "certificate", cert: finalization(blocks[6]!) });
  const r = answerSync(j, chain, { chain, from: 3, max: 64 });
  expect(r.tip).toBe(10);
  expect(r.blocks.map((b) => b.height)).toEqual([3, 4, 5, 6, 7]);
  // The wire round trip keeps it intact.
  const wire = SyncResponse.decode(SyncResponse.encode(r));
  const check = checkSyncResponse(verifier, { height: 2, hash: blocks[1]!.hash }, wire);
  expect(check.ok).toBe(true);
  if (check.ok)
    expect(check.blocks.map((b) => decodeBlockPayload(b.block.payload)?.[0]?.[0])).toEqual([3, 4, 5, 6, 7]);
  expect(answerSync(j, chain, { chain, from: 11, max: 64 }).blocks).toEqual([]);
  expect(answerSync(j, chain, { chain, from: 8, max: 64 }).blocks).toEqual([]);
  j.close();
});

test("forged, short, foreign or disconnected answers are refused with their codes", () => {
  const blocks = chainOf(3);
  const tip = { height: 0, hash: genesisHash(chain) };
  const ok: SyncResponse = {
    chain,
    tip: 3,
    blocks: blocks.map((b) => b.block),
    cert: finalization(blocks[2]!),
  };
  expect(checkSyncResponse(verifier, tip, ok).ok).toBe(true);
  const code = (r: SyncResponse, t = tip) => {
    const c = checkSyncResponse(verifier, t, r);
    return c.ok ? "ok" : c.code;
  };
  expect(code({ ...ok, cert: finalization(blocks[2]!, [0, 1]) })).toBe("SYNC_BAD_CERTIFICATE");
  const forged = finalization(blocks[2]!);
  expect(
    code({ ...ok, cert: { ...forged, sigs: [forged.sigs[0]!, forged.sigs[0]!, forged.sigs[2]!] } }),
  ).toBe("SYNC_BAD_CERTIFICATE");
  expect(code({ ...ok, cert: { ...forged, signers: [0, 0, 1] } })).toBe("SYNC_BAD_CERTIFICATE");
  expect(code({ ...ok, cert: finalization(blocks[1]!) })).toBe("SYNC_BAD_CERTIFICATE");
  expect(code({ ...ok, cert: { ...forged, kind: "notarize" } })).toBe("SYNC_BAD_CERTIFICATE");
  expect(code({ ...ok, cert: null })).toBe("SYNC_NO_CERTIFICATE");
  expect(code({ ...ok, chain: sha256(Uint8Array.of(7)) })).toBe("SYNC_WRONG_CHAIN");
  expect(code({ ...ok, blocks: [blocks[0]!.block, blocks[2]!.block] })).toBe("SYNC_NOT_NEXT");
  const tampered = { ...blocks[1]!.block, payload: encodeBlockPayload([Uint8Array.of(66)]) };
  expect(code({ ...ok, blocks: [blocks[0]!.block, tampered, blocks[2]!.block] })).toBe("SYNC_BROKEN_CHAIN");
  expect(code(ok, { height: 0, hash: sha256(Uint8Array.of(5)) })).toBe("SYNC_BROKEN_CHAIN");
});

test("the journal survives a reopen: votes, certificates and the finalized tip come back", () => {
  const path = join(dir, "b.db");
  const blocks = chainOf(3);
  const j = new SqliteJournal({ path });
  for (const b of blocks.slice(0, 2)) j.append({ kind: "finalized", block: b.block, hash: b.hash });
  j.append({
    kind: "vote",
    view: 6,
    vote: "notarize",
    block: blocks[2]!.hash,
    sig: new Uint8Array(64).fill(1),
  });
  j.append({ kind: "certificate", cert: finalization(blocks[1]!) });
  // A height already stored (synced ahead of the engine) keeps its first copy.
  j.append({
    kind: "finalized",
    block: { ...blocks[1]!.block, payload: new Uint8Array(1) },
    hash: new Uint8Array(32),
  });
  j.close();
  const again = new SqliteJournal({ path });
  expect(again.height).toBe(2);
  const records = again.records();
  expect(records.map((r) => r.kind)).toEqual(["finalized", "finalized", "vote", "certificate"]);
  expect(again.entry(2)?.hash).toEqual(blocks[1]!.hash);
  expect(again.finalization(4)?.signers).toEqual([0, 1, 2]);
  again.close();
});

test("journal durability: a vote gets an fsync barrier before append/batch returns; vote-less commits ride on the next", () => {
  const path = join(dir, "barrier.db");
  let barriers = 0;
  const j = new SqliteJournal({ path, onBarrier: () => barriers++ });
  const b = chainOf(2);
  const vote = (view: number) =>
    ({ kind: "vote", view, vote: "notarize", block: b[0]!.hash, sig: new Uint8Array(64).fill(view) }) as const;
  j.append(vote(2));
  expect(barriers).toBe(1);
  // One engine step: its vote, the certificate it completed and the block it finalized, one barrier.
  j.batch(() => {
    j.append(vote(3));
    j.append({ kind: "certificate", cert: finalization(b[0]!) });
    j.append({ kind: "finalized", block: b[0]!.block, hash: b[0]!.hash });
  });
  expect(barriers).toBe(2);
  // A step without a vote commits without a barrier.
  j.batch(() => j.append({ kind: "finalized", block: b[1]!.block, hash: b[1]!.hash }));
  j.append({ kind: "certificate", cert: finalization(b[1]!) });
  expect(barriers).toBe(2);
  // A step that throws keeps nothing of what it appended.
  expect(() =>
    j.batch(() => {
      j.append(vote(9));
      throw new Error("engine bug");
    }),
  ).toThrow("engine bug");
  j.close();
  const again = new SqliteJournal({ path, synchronous: "normal" });
  const votes = again.records().filter((r) => r.kind === "vote");
  expect(votes.map((r) => (r.kind === "vote" ? r.view : -1))).toEqual([2, 3]);
  expect(again.height).toBe(2);
  again.close();
});
