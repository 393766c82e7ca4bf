/**
 * Applying a finalized block to the account state (ARCHITECTURE "WAN consensus" steps 6-7: a transaction
 * no longer valid is dropped, deterministically, so every honest node computes the same result from the
 * same inputs). Pure: the same block over the same accounts gives the same changes and outcomes, on any
 * node, in the simulator or in the node runtime.
 *
 * Rules, per transaction in block order, against the state as left by the transactions before it:
 *   decode (canonical Transfer v1) -> chain id -> signature (skipped when the caller vouches for it) ->
 *   not already final or earlier in this block -> sender exists -> nonce == sender nonce ->
 *   amount + fee <= sender balance -> recipient and fee recipient balances stay <= 2^64-1 ->
 *   a new account fits the capacity.
 * A valid transfer debits amount + fee from the sender and bumps its nonce, credits `amount` to the
 * recipient, then `fee` to the fee recipient (so total supply is conserved exactly). A rejected one
 * changes nothing.
 */
import { isLatticeError } from "../errors/lattice-error.ts";
import type { Account } from "../state/account-table.ts";
import type { AccountChange } from "../state/round-store.ts";
import { openTransfer, type TransferEnvelope, transferId, verifyTransferSignature } from "../tx/transfer.ts";
import { type Rejection, rejection } from "./rejection.ts";

const MAX_U64 = (1n << 64n) - 1n;

/** One transaction of a block: raw bytes (from a peer) or an envelope the node already checked. */
export type BlockTx =
  | { readonly bytes: Uint8Array }
  | { readonly env: TransferEnvelope; readonly signatureChecked: boolean };

export interface ApplyContext {
  readonly chainId: number;
  /** Finalized account before the block, or null. */
  readonly getAccount: (address: Uint8Array) => Account | null;
  /** True if the id is already final in an earlier round. */
  readonly isFinal: (id: Uint8Array) => boolean;
  /** Where fees go (20-byte address). */
  readonly feeRecipient: Uint8Array;
  /** How many accounts may still be created. */
  readonly accountsLeft: number;
}

export interface TxOutcome {
  readonly id: Uint8Array;
  /** Sender address, when the bytes decoded. */
  readonly sender: Uint8Array | null;
  readonly bytes: Uint8Array;
  readonly rejection: Rejection | null;
  /**
   * The rejection is TX_DUPLICATE of a transaction final earlier in this block or in an earlier round: the
   * index entry and the events of that id belong to the original, so this copy changes neither.
   */
  readonly duplicate: boolean;
}

export interface AppliedBlock {
  readonly changes: AccountChange[];
  readonly outcomes: TxOutcome[];
}

function keyOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

/** Apply `txs` in order; returns the account changes to commit and one outcome per transaction. */
export function applyBlock(txs: readonly BlockTx[], ctx: ApplyContext): AppliedBlock {
  const touched = new Map<string, AccountChange>();
  const seen = new Set<string>();
  let accountsLeft = ctx.accountsLeft;
  const exists = (address: Uint8Array) => touched.has(keyOf(address)) || ctx.getAccount(address) !== null;
  const current = (address: Uint8Array): AccountChange => {
    const hit = touched.get(keyOf(address));
    if (hit !== undefined) return hit;
    const a = ctx.getAccount(address);
    return { address, balance: a?.balance ?? 0n, nonce: a?.nonce ?? 0n };
  };
  const outcomes: TxOutcome[] = [];
  for (const tx of txs) {
    let env: TransferEnvelope;
    let checked: boolean;
    if ("env" in tx) {
      env = tx.env;
      checked = tx.signatureChecked;
    } else {
      try {
        env = openTransfer(tx.bytes);
      } catch (err) {
        if (!isLatticeError(err)) throw err;
        outcomes.push({
          id: transferId(tx.bytes),
          sender: null,
          bytes: tx.bytes,
          rejection: rejection("TX_DECODE", err.message),
          duplicate: false,
        });
        continue;
      }
      checked = false;
    }
    const reject = (r: Rejection, duplicate = false) =>
      outcomes.push({ id: env.id, sender: env.sender, bytes: env.bytes, rejection: r, duplicate });
    const { tx: t } = env;
    if (t.chainId !== ctx.chainId) {
      reject(rejection("TX_CHAIN", `chain id ${t.chainId}, this chain is ${ctx.chainId}`));
      continue;
    }
    if (!checked && !verifyTransferSignature(t)) {
      reject(rejection("TX_SIGNATURE", "signature does not verify"));
      continue;
    }
    const idKey = keyOf(env.id);
    if (seen.has(idKey)) {
      reject(rejection("TX_DUPLICATE", "transaction appears earlier in this block"), true);
      continue;
    }
    if (ctx.isFinal(env.id)) {
      reject(rejection("TX_DUPLICATE", "transaction already final in an earlier round"), true);
      continue;
    }
    if (!exists(env.sender)) {
      reject(rejection("TX_SENDER_UNKNOWN", "sender account does not exist"));
      continue;
    }
    const from = current(env.sender);
    if (t.nonce !== from.nonce) {
      reject(
        rejection("TX_NONCE", `nonce ${t.nonce}, sender's next nonce is ${from.nonce}`, {
          nonce: t.nonce.toString(),
          expected: from.nonce.toString(),
        }),
      );
      continue;
    }
    const cost = t.amount + t.fee;
    if (cost > from.balance) {
      reject(rejection("TX_BALANCE", `amount + fee ${cost} exceeds balance ${from.balance}`));
      continue;
    }
    // Stage on copies so that a rejection below leaves `touched` as it was.
    const staged = new Map<string, AccountChange>();
    staged.set(keyOf(env.sender), {
      address: from.address,
      balance: from.balance - cost,
      nonce: from.nonce + 1n,
    });
    const credit = (address: Uint8Array, amount: bigint) => {
      if (amount === 0n) return; // a zero credit creates no account
      const k = keyOf(address);
      const a = staged.get(k) ?? current(address);
      staged.set(k, { address: a.address, balance: a.balance + amount, nonce: a.nonce });
    };
    credit(t.to, t.amount);
    credit(ctx.feeRecipient, t.fee);
    let overflow = false;
    let created = 0;
    for (const a of staged.values()) {
      if (a.balance > MAX_U64) overflow = true;
      if (!exists(a.address)) created++;
    }
    if (overflow) {
      reject(rejection("TX_OVERFLOW", "a credited balance would exceed 2^64-1"));
      continue;
    }
    if (created > accountsLeft) {
      reject(rejection("TX_STATE_FULL", "the state has no room for a new account"));
      continue;
    }
    accountsLeft -= created;
    for (const [k, v] of staged) touched.set(k, v);
    seen.add(idKey);
    outcomes.push({ id: env.id, sender: env.sender, bytes: env.bytes, rejection: null, duplicate: false });
  }
  return { changes: [...touched.values()], outcomes };
}
