/**
 * The account ledger the WAN engines reason over (seed 001, "Validator Unit" and "Certification &
 * Finality": validation against current state and pending transactions; the state transition at
 * finality). In memory and pure: the simulator and tests use it directly; a node backs the same rules with
 * core/state and core/mempool, and the real validator unit plugs in as a `service` effect.
 *
 * Two layers:
 * - `Ledger`: finalized accounts (address hex -> {balance, nonce}), the state that certified convergence
 *   blocks produce, with a state root = the sparse Merkle root of core/state (same key and value layout as
 *   core/state/account-proof.ts, so a light client proof checks against it);
 * - `PendingView`: the quorum's view of certified-but-not-final transactions: per sender the next expected
 *   nonce and the pending debits. Validation = signature, nonce == expected, amount + fee <= finalized
 *   balance - pending debits (credits wait for finality: a pending credit may still be dropped).
 *
 * Guarantees: `applyTransfer` either applies a valid transfer or changes nothing and says why; supply
 * (sum of balances) is conserved by every application because the fee is credited to the block's
 * beneficiary.
 */
import { hexOf } from "../encoding/hex.ts";
import type { Ed25519Backend } from "../../crypto/ed25519.ts";
import type { Account } from "../../state/account-table.ts";
import { accountKey, accountValue } from "../../state/account-proof.ts";
import { nodeHash, type SmtNode, smtUpdate } from "../../state/sparse-merkle.ts";
import { decodeTransfer, type Transfer, transferSender } from "../../tx/transfer.ts";
import { verifyTransferWith } from "./transfer-suite.ts";

/** Why a transfer is not valid (or no longer valid) against a view. */
export type InvalidReason = "decode" | "chain" | "signature" | "nonce" | "balance";

const ZERO: Account = Object.freeze({ balance: 0n, nonce: 0n });

/** Finalized accounts and their Merkle commitment. Mutable; `clone` for what-if computations. */
export class Ledger {
  private readonly accounts = new Map<string, Account>();
  private tree: SmtNode = null;
  private readonly dirty = new Map<string, Uint8Array>();

  /** A ledger holding `genesis` (address bytes -> account). */
  static fromGenesis(genesis: Iterable<readonly [Uint8Array, Account]>): Ledger {
    const l = new Ledger();
    for (const [addr, acc] of genesis) l.set(addr, acc);
    return l;
  }

  get(address: Uint8Array): Account {
    return this.accounts.get(hexOf(address)) ?? ZERO;
  }

  getHex(addressHex: string): Account {
    return this.accounts.get(addressHex) ?? ZERO;
  }

  set(address: Uint8Array, account: Account): void {
    const k = hexOf(address);
    this.accounts.set(k, account);
    this.dirty.set(k, address);
  }

  /** Sum of all balances. */
  supply(): bigint {
    let s = 0n;
    for (const a of this.accounts.values()) s += a.balance;
    return s;
  }

  /** Accounts as sorted [address hex, account] pairs (for comparisons across nodes). */
  entries(): [string, Account][] {
    return [...this.accounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The sparse Merkle root over every account (core/state layout); updates only what changed. */
  root(): Uint8Array {
    if (this.dirty.size > 0) {
      const entries = [...this.dirty.entries()].map(([k, addr]) => ({
        key: accountKey(addr),
        value: accountValue(this.accounts.get(k)!),
      }));
      this.tree = smtUpdate(this.tree, entries);
      this.dirty.clear();
    }
    return nodeHash(this.tree);
  }

  /** An independent copy (the Merkle tree is persistent, so copying shares it). */
  clone(): Ledger {
    const c = new Ledger();
    this.root();
    for (const [k, v] of this.accounts) c.accounts.set(k, v);
    c.tree = this.tree;
    return c;
  }

  /**
   * Apply one transfer whose signature was already checked (certified): nonce must be the sender's next,
   * amount + fee within its balance. The fee goes to `beneficiary`. Returns null when applied.
   */
  applyTransfer(tx: Transfer, beneficiary: Uint8Array): InvalidReason | null {
    const sender = transferSender(tx);
    const from = this.get(sender);
    if (tx.nonce !== from.nonce) return "nonce";
    const cost = tx.amount + tx.fee;
    if (cost > from.balance) return "balance";
    this.set(sender, { balance: from.balance - cost, nonce: from.nonce + 1n });
    const to = this.get(tx.to);
    this.set(tx.to, { balance: to.balance + tx.amount, nonce: to.nonce });
    const b = this.get(beneficiary);
    this.set(beneficiary, { balance: b.balance + tx.fee, nonce: b.nonce });
    return null;
  }
}

interface Pending {
  readonly nonce: bigint;
  readonly debit: bigint;
}

/** The pending view over a ledger: what a farmer validates against. */
export class PendingView {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private ledger: Ledger,
    private readonly chainId: number,
    private readonly signer: Ed25519Backend,
  ) {}

  /** The sender's next expected nonce and spendable balance (finalized balance - pending debits). */
  senderState(senderHex: string): { nonce: bigint; available: bigint } {
    const acc = this.ledger.getHex(senderHex);
    const p = this.pending.get(senderHex);
    const nonce = p !== undefined && p.nonce > acc.nonce ? p.nonce : acc.nonce;
    const available = acc.balance - (p?.debit ?? 0n);
    return { nonce, available: available < 0n ? 0n : available };
  }

  /**
   * Validate a batch in order: each valid transfer advances its sender's nonce and spends its balance
   * for the transfers after it (in a scratch overlay: the view itself is unchanged). One boolean per input.
   */
  validate(txs: readonly Uint8Array[]): boolean[] {
    const overlay = new Map<string, { nonce: bigint; available: bigint }>();
    return txs.map((bytes) => {
      let tx: Transfer;
      try {
        tx = decodeTransfer(bytes);
      } catch {
        return false;
      }
      if (tx.chainId !== this.chainId) return false;
      if (!verifyTransferWith(this.signer, tx)) return false;
      const k = hexOf(transferSender(tx));
      const s = overlay.get(k) ?? this.senderState(k);
      const cost = tx.amount + tx.fee;
      if (tx.nonce !== s.nonce || cost > s.available) return false;
      overlay.set(k, { nonce: s.nonce + 1n, available: s.available - cost });
      return true;
    });
  }

  /** Record a certified transfer as pending, without re-validating it (seed: members trust the certificate). */
  applyCertified(tx: Transfer): void {
    const k = hexOf(transferSender(tx));
    const acc = this.ledger.getHex(k);
    const p = this.pending.get(k) ?? { nonce: acc.nonce, debit: 0n };
    const nonce = tx.nonce + 1n > p.nonce ? tx.nonce + 1n : p.nonce;
    this.pending.set(k, { nonce, debit: p.debit + tx.amount + tx.fee });
  }

  /**
   * After finality: the view is rebuilt over the new ledger from the certified transfers still pending
   * (those not finalized yet), in the order given.
   */
  rebase(ledger: Ledger, stillPending: Iterable<Transfer>): void {
    this.ledger = ledger;
    this.pending.clear();
    for (const tx of stillPending) {
      const k = hexOf(transferSender(tx));
      if (tx.nonce < ledger.getHex(k).nonce) continue; // final already, or superseded
      this.applyCertified(tx);
    }
  }
}
