/**
 * Validity by replay (reliability-anchors.md §8 S2, S3, S5): the finalized rounds, as one node's API
 * lists them, are replayed from genesis with the ledger's public transfer rules (docs/API.md; core/ledger
 * apply-block.ts states them: chain id, nonce equal to the sender's, amount + fee covered; the sender pays
 * amount + fee, the recipient gets amount, the fee recipient gets fee). A transfer the node calls final
 * must be valid in that order and final once; the balances the replay ends with are what every node must
 * hold, and they sum to the genesis supply. Cheap: one pass over the transfers, no signatures (the node
 * checked them; a forged one would still have to pass nonce and balance here).
 */
import { addressOf } from "../../core/crypto/address.ts";
import { fromHex } from "../../core/crypto/bytes.ts";
import type { RoundDetailJson } from "../../net/api/wire.ts";

export interface ReplayAccount {
  balance: bigint;
  nonce: bigint;
}

/** The first thing the replay found wrong. */
export interface ReplayFailure {
  readonly check: "validity" | "no-double-apply";
  readonly round: string;
  readonly tx: string;
  readonly why: string;
}

export class LedgerReplay {
  readonly accounts = new Map<string, ReplayAccount>();
  /** Final transfer id -> round. */
  readonly finalIn = new Map<string, string>();
  /** Rounds replayed so far (contiguous from 1). */
  lastRound = 0;
  finalCount = 0;
  rejectedCount = 0;
  failure: ReplayFailure | undefined;
  readonly supply: bigint;

  constructor(
    readonly chainId: number,
    genesis: readonly { readonly address: string; readonly balance: string | bigint }[],
    readonly feeRecipient: string,
  ) {
    let total = 0n;
    for (const a of genesis) {
      const b = BigInt(a.balance);
      this.accounts.set(a.address, { balance: b, nonce: 0n });
      total += b;
    }
    this.supply = total;
  }

  #fail(f: ReplayFailure): void {
    this.failure ??= f;
  }

  #account(address: string): ReplayAccount {
    let a = this.accounts.get(address);
    if (a === undefined) {
      a = { balance: 0n, nonce: 0n };
      this.accounts.set(address, a);
    }
    return a;
  }

  /** Apply round `lastRound + 1`. */
  apply(round: RoundDetailJson): void {
    const n = Number(round.round);
    if (n !== this.lastRound + 1) throw new RangeError(`replay: round ${n} after ${this.lastRound}`);
    this.lastRound = n;
    for (const t of round.txs) {
      if (t.status === "rejected") {
        this.rejectedCount++;
        continue;
      }
      this.finalCount++;
      const where = { round: round.round, tx: t.id };
      const seen = this.finalIn.get(t.id);
      if (seen !== undefined) {
        this.#fail({ check: "no-double-apply", ...where, why: `already final in round ${seen}` });
        continue;
      }
      this.finalIn.set(t.id, round.round);
      if (t.tx === null) {
        this.#fail({ check: "validity", ...where, why: "final but its body does not decode" });
        continue;
      }
      const tx = t.tx;
      if (tx.chainId !== this.chainId) {
        this.#fail({ check: "validity", ...where, why: `chain id ${tx.chainId}` });
        continue;
      }
      const sender = addressOf(fromHex(tx.from));
      const from = this.#account(sender);
      const amount = BigInt(tx.amount);
      const fee = BigInt(tx.fee);
      if (BigInt(tx.nonce) !== from.nonce) {
        this.#fail({ check: "validity", ...where, why: `nonce ${tx.nonce}, replay expects ${from.nonce}` });
        continue;
      }
      if (amount + fee > from.balance) {
        this.#fail({
          check: "validity",
          ...where,
          why: `amount + fee ${amount + fee} exceeds the replayed balance ${from.balance}`,
        });
        continue;
      }
      from.balance -= amount + fee;
      from.nonce += 1n;
      this.#account(tx.to).balance += amount;
      this.#account(this.feeRecipient).balance += fee;
    }
  }

  /** Sum of the replayed balances (equals `supply` by construction; checked anyway). */
  total(): bigint {
    let t = 0n;
    for (const a of this.accounts.values()) t += a.balance;
    return t;
  }
}
