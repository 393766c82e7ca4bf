/**
 * The validation rules a validator core applies (seed 001, "Validator Unit & Validator Cores for
 * Optimistic Transaction Processing"; ARCHITECTURE step 3: "signature, nonce order, balance minus
 * pending debits"). Pure: the same inputs give the same verdicts in a worker, inline, or the simulator.
 *
 * A batch is split by sender and each sender's group is checked by one core, in nonce order:
 *   expected nonce = max(account nonce, pending nonce); available = balance - pending debits;
 *   per transfer: decode + chain id, then signature, then nonce == expected, then amount + fee <=
 *   available; a valid one advances expected and spends available. An invalid transfer does not, so a
 *   later one of the same sender in the batch fails on its nonce.
 */
import { isLatticeError } from "../errors/lattice-error.ts";
import type { Account } from "../state/account-table.ts";
import {
  decodeTransfer,
  parseTransfer,
  type Transfer,
  transferSender,
  verifyTransferBytes,
  verifyTransferSignature,
} from "../tx/transfer.ts";

/** Verdicts, as small codes so they cross threads in one byte each. */
export const VERDICTS = ["ok", "decode", "chain", "signature", "nonce", "balance"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What the group's checks read: the finalized account and the mempool's pending view of the sender. */
export interface SenderView {
  readonly account: Account | null;
  /** `{nonce: pendingNonce, balance: pendingDebit}` from the mempool view, or null. */
  readonly pending: Account | null;
}

/** Reads the views of one sender (inside read guards, copying out). */
export type ViewOf = (sender: Uint8Array) => SenderView;

interface Decoded {
  readonly index: number;
  readonly tx: Transfer;
}

/** How a group's transfers are decoded and their signatures checked: the two forms below. */
interface Codec {
  /** The transfer in `bytes`, or null if they are not a canonical transfer. */
  decode(bytes: Uint8Array): Transfer | null;
  verify(tx: Transfer, bytes: Uint8Array): boolean;
}

function referenceDecode(bytes: Uint8Array): Transfer | null {
  try {
    return decodeTransfer(bytes);
  } catch (err) {
    if (isLatticeError(err)) return null;
    throw err;
  }
}

/** Generic codec: CBOR tree, re-encode check, signed payload re-encoded. The reference. */
const REFERENCE: Codec = {
  decode: referenceDecode,
  verify: (tx) => verifyTransferSignature(tx),
};

/**
 * Hot path: fixed-layout parse with views into the bytes (no tree, no re-encode, no copies) and the
 * signed message sliced from the bytes. Accepts exactly what the reference accepts (parseTransfer's
 * contract; a property test compares verdicts); a refusal is re-checked by the reference decoder, so a
 * parser stricter than intended could only cost time, never a verdict.
 */
const FAST: Codec = {
  decode: (bytes) => parseTransfer(bytes, false) ?? referenceDecode(bytes),
  verify: verifyTransferBytes,
};

/**
 * Validate one group: transfers (canonical bytes) that all claim the same sender. Returns one verdict per
 * input, in input order. `view` is called once, with the sender of the first decodable transfer.
 */
export function validateSenderGroup(group: readonly Uint8Array[], chainId: number, view: ViewOf): Verdict[] {
  return validateGroupWith(FAST, group, chainId, view);
}

/** `validateSenderGroup` through the generic codec (re-encode checks): the reference for tests and benches. */
export function validateSenderGroupReference(
  group: readonly Uint8Array[],
  chainId: number,
  view: ViewOf,
): Verdict[] {
  return validateGroupWith(REFERENCE, group, chainId, view);
}

function validateGroupWith(
  codec: Codec,
  group: readonly Uint8Array[],
  chainId: number,
  view: ViewOf,
): Verdict[] {
  const out: Verdict[] = new Array<Verdict>(group.length).fill("decode");
  const decoded: Decoded[] = [];
  for (let index = 0; index < group.length; index++) {
    const tx = codec.decode(group[index]!);
    if (tx === null) continue;
    if (tx.chainId !== chainId) {
      out[index] = "chain";
      continue;
    }
    decoded.push({ index, tx });
  }
  if (decoded.length === 0) return out;
  const first = decoded[0]!.tx;
  const sender = transferSender(first);
  // Signatures outside any read guard: a 70 us verify must not hold a reader epoch odd.
  const { account, pending } = view(sender);
  decoded.sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : a.tx.nonce > b.tx.nonce ? 1 : a.index - b.index));
  const stateNonce = account?.nonce ?? 0n;
  let expected = pending !== null && pending.nonce > stateNonce ? pending.nonce : stateNonce;
  const debit = pending?.balance ?? 0n;
  let available = (account?.balance ?? 0n) - debit;
  if (available < 0n) available = 0n;
  for (const { index, tx } of decoded) {
    if (tx.from !== first.from && Buffer.compare(tx.from, first.from) !== 0) {
      out[index] = "signature"; // not this group's sender: the partitioner never does this
      continue;
    }
    if (!codec.verify(tx, group[index]!)) {
      out[index] = "signature";
      continue;
    }
    if (tx.nonce !== expected) {
      out[index] = "nonce";
      continue;
    }
    const cost = tx.amount + tx.fee;
    if (cost > available) {
      out[index] = "balance";
      continue;
    }
    out[index] = "ok";
    expected++;
    available -= cost;
  }
  return out;
}

/** Head length of a canonical CBOR unsigned integer from its initial byte (0 if not one of ours). */
function uintHeadLength(initial: number): number {
  if (initial < 0x18) return 1;
  if (initial === 0x18) return 2;
  if (initial === 0x19) return 3;
  if (initial === 0x1a) return 5;
  return 0;
}

/**
 * The `from` key of a transfer's bytes, read at its fixed place without a full decode (the partitioner
 * runs on the writer's thread, so it must be cheap), or null if the prefix is not a transfer's. The
 * worker still decodes and checks everything.
 */
export function senderKeyOf(bytes: Uint8Array): string | null {
  // [0x89, 0x18 0x20 (tag), 0x01 (version), chainId, 0x58 0x20, from(32), ...]
  if (bytes.length < 4 || bytes[0] !== 0x89 || bytes[1] !== 0x18 || bytes[2] !== 0x20 || bytes[3] !== 0x01) {
    return null;
  }
  const head = uintHeadLength(bytes[4] ?? 0xff);
  const at = 4 + head;
  if (head === 0 || bytes[at] !== 0x58 || bytes[at + 1] !== 0x20 || bytes.length < at + 34) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at + 2, 32).toString("latin1");
}

/**
 * Split a batch by sender, keeping first-appearance order; returns groups of indexes. Bytes whose
 * sender cannot be read form singleton groups (they get "decode" wherever they go).
 */
export function groupBySender(batch: readonly Uint8Array[]): number[][] {
  const groups = new Map<string, number[]>();
  const out: number[][] = [];
  for (const [i, bytes] of batch.entries()) {
    const key = senderKeyOf(bytes);
    if (key === null) {
      out.push([i]);
      continue;
    }
    const g = groups.get(key);
    if (g === undefined) {
      const fresh = [i];
      groups.set(key, fresh);
      out.push(fresh);
    } else {
      g.push(i);
    }
  }
  return out;
}
