/**
 * Finalized-block sync (the cluster node's catch-up after downtime): what a node answers to a
 * `SyncRequest`, and how the requester checks an answer before applying anything.
 *
 * An answer is a run of consecutive finalized blocks plus the finalization certificate of its last block.
 * The requester accepts it only if: every block is of this chain; heights go tip+1, tip+2, ... ; the first
 * block's parent is the requester's own finalized tip hash and each next block names the previous one's
 * hash; the certificate is a `finalize` certificate of this chain for the last block's view and hash,
 * signed by q = n - f distinct members (each Ed25519 signature checked). A finalization by q members of
 * a block finalizes its ancestors, so the hash chain vouches for the rest. Anything else is refused with
 * a typed reason and changes nothing.
 */
import type { Ed25519Backend } from "../../core/crypto/ed25519.ts";
import { equalBytes, fromHex } from "../../core/crypto/bytes.ts";
import {
  type Block,
  blockHash,
  type Certificate,
  voteSigningBytes,
} from "../../core/bft/simplex-messages.ts";
import { MAX_SYNC_BLOCKS, SYNC_BYTES_BUDGET, type SyncRequest, type SyncResponse } from "./cluster-wire.ts";
import type { SqliteJournal } from "./sqlite-journal.ts";

/** Why an answer was refused. */
export type SyncRefusal =
  | "SYNC_WRONG_CHAIN"
  | "SYNC_NOT_NEXT"
  | "SYNC_BROKEN_CHAIN"
  | "SYNC_NO_CERTIFICATE"
  | "SYNC_BAD_CERTIFICATE";

export interface SyncVerifier {
  readonly chain: Uint8Array;
  /** Member public keys in signer-index order. */
  readonly members: readonly string[];
  readonly signer: Ed25519Backend;
}

/** The outcome of checking an answer against the local tip. */
export type SyncCheck =
  | { readonly ok: true; readonly blocks: readonly { block: Block; hash: Uint8Array }[] }
  | { readonly ok: false; readonly code: SyncRefusal; readonly detail: string };

/** Quorum size of n members (n - f, f = floor((n-1)/3)), as Simplex counts it. */
export function quorumOf(n: number): number {
  return n - Math.floor((n - 1) / 3);
}

/** Check a sync answer against the local finalized tip (`height`, `hash`). Pure. */
export function checkSyncResponse(
  v: SyncVerifier,
  tip: { readonly height: number; readonly hash: Uint8Array },
  r: SyncResponse,
): SyncCheck {
  const refuse = (code: SyncRefusal, detail: string): SyncCheck => ({ ok: false, code, detail });
  if (!equalBytes(r.chain, v.chain)) return refuse("SYNC_WRONG_CHAIN", "answer of another chain");
  if (r.blocks.length === 0) return { ok: true, blocks: [] };
  const out: { block: Block; hash: Uint8Array }[] = [];
  let prevHash = tip.hash;
  let height = tip.height;
  for (const b of r.blocks) {
    if (!equalBytes(b.chain, v.chain)) return refuse("SYNC_WRONG_CHAIN", `block at height ${b.height}`);
    if (b.height !== height + 1) return refuse("SYNC_NOT_NEXT", `height ${b.height} after ${height}`);
    if (!equalBytes(b.parent, prevHash)) return refuse("SYNC_BROKEN_CHAIN", `parent of height ${b.height}`);
    const hash = blockHash(b);
    out.push({ block: b, hash });
    prevHash = hash;
    height = b.height;
  }
  const last = out[out.length - 1]!;
  const c = r.cert;
  if (c === null) return refuse("SYNC_NO_CERTIFICATE", "blocks without a finalization");
  const bad = certificateProblem(v, c, last.block, last.hash);
  if (bad !== null) return refuse("SYNC_BAD_CERTIFICATE", bad);
  return { ok: true, blocks: out };
}

/** Null when `c` finalizes `block` with q valid distinct signatures; else what is wrong. */
export function certificateProblem(
  v: SyncVerifier,
  c: Certificate,
  block: Block,
  hash: Uint8Array,
): string | null {
  const n = v.members.length;
  if (c.kind !== "finalize") return `a ${c.kind} certificate`;
  if (!equalBytes(c.chain, v.chain)) return "certificate of another chain";
  if (c.view !== block.view || !equalBytes(c.block, hash)) return "certificate of another block";
  if (c.signers.length !== c.sigs.length) return "signers and signatures differ in number";
  if (c.signers.length < quorumOf(n)) return `${c.signers.length} signers, ${quorumOf(n)} needed`;
  const bytes = voteSigningBytes(v.chain, c.view, "finalize", hash);
  let prev = -1;
  for (let i = 0; i < c.signers.length; i++) {
    const s = c.signers[i]!;
    if (s <= prev || s >= n) return `signer ${s} out of order or range`;
    prev = s;
    if (!v.signer.verify(fromHex(v.members[s]!, "member"), bytes, c.sigs[i]!))
      return `bad signature of signer ${s}`;
  }
  return null;
}

/**
 * Build the answer to `req` from the local chain: blocks from `req.from` up to the newest one within the
 * count and byte budgets that has a stored finalization certificate (so the answer is verifiable alone).
 */
export function answerSync(journal: SqliteJournal, chain: Uint8Array, req: SyncRequest): SyncResponse {
  const tip = journal.height;
  const empty: SyncResponse = { chain, tip, blocks: [], cert: null };
  if (req.from < 1 || req.from > tip) return empty;
  const max = Math.max(1, Math.min(req.max, MAX_SYNC_BLOCKS));
  const entries = journal.entries(req.from, max);
  let bytes = 0;
  let end = -1;
  let cert: Certificate | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    bytes += e.size;
    if (bytes > SYNC_BYTES_BUDGET) break;
    const c = journal.finalization(e.view);
    if (c !== null && equalBytes(c.block, e.hash)) {
      end = i;
      cert = c;
    }
  }
  if (end < 0 || cert === null) return empty;
  return { chain, tip, blocks: entries.slice(0, end + 1).map((e) => e.block), cert: { ...cert, body: null } };
}
