/**
 * The WAN ledger invariants (issue #6 "the invariant checker gains ..."; reliability-anchors.md §7-§8):
 * what every run of the WAN pipeline must keep, judged from what honest nodes finalized.
 *
 * Feed it every round an honest node finalized, in the order it happened (`recordRound`), and every
 * transaction a node acknowledged (`acknowledge`). Checks:
 * - round agreement: one certified block per round across honest nodes, and each node's rounds are
 *   1, 2, 3, ... with each block naming the previous one;
 * - validity: replaying every finalized transfer in order from genesis applies each one (known,
 *   signed, right chain, nonce in order, affordable) and gives the certified state root of its round;
 * - no double spend: no (sender, nonce) finalized twice;
 * - conservation: the replayed supply, and every node's own ledger, hold the genesis supply;
 * - state roots: every honest node reports the same state root for a round;
 * - no acknowledged transfer lost: each ends finalized or provably invalid (its (sender, nonce) slot
 *   went to another transfer, or it costs more than the whole supply, or it is not validly signed).
 *
 * The replay follows the first honest record of each round (agreement makes it THE chain); it runs as
 * records arrive, so a load generator can ask what is final (`isFinal`, `nonceOf`) during the run.
 * Pure bookkeeping over records: a devnet scenario can feed it records read from node APIs.
 */
import { addressBytesOf } from "../../core/crypto/address.ts";
import type { Ed25519Backend } from "../../core/crypto/ed25519.ts";
import type { Ledger } from "../../core/wan/ledger/ledger.ts";
import { verifyTransferWith } from "../../core/wan/ledger/transfer-suite.ts";
import type { Transfer } from "../../core/tx/transfer.ts";
import type { CheckResult } from "./checker.ts";

/** One round finalized by one honest node, as observed. */
export interface RoundRecord {
  readonly seq: number;
  readonly at: number;
  readonly node: string;
  readonly round: number;
  /** Certified convergence block (hex) and the block it follows (hex; genesis head hash for round 1). */
  readonly block: string;
  readonly prev: string;
  /** The certified state root after the round (hex). */
  readonly stateRoot: string;
  /** Transfer ids kept, in order, with each one's fee beneficiary (the proposer's public key). */
  readonly kept: readonly { readonly id: string; readonly beneficiary: Uint8Array }[];
}

export interface LedgerCheckerOptions {
  readonly genesis: Ledger;
  readonly chainId: number;
  readonly signer: Ed25519Backend;
  /** Every transfer a client ever made, by id hex (a finalized id not here is invalid). */
  readonly transfer: (id: string) => Transfer | undefined;
  /**
   * Why an acknowledged transfer may be lost without a protocol fault (e.g. its sender's batcher is
   * byzantine: one batcher sequences a sender, so it can censor it), or null.
   */
  readonly exempt?: (tx: Transfer) => string | null;
}

interface Failure {
  readonly rec: RoundRecord;
  readonly why: string;
}

export class LedgerChecker {
  private readonly replay: Ledger;
  private readonly genesisSupply: bigint;
  /** Canonical chain: round -> first honest record. */
  private readonly canonical = new Map<number, RoundRecord>();
  private readonly lastOf = new Map<string, RoundRecord>();
  private readonly final = new Set<string>();
  private readonly slots = new Map<string, string>();
  private readonly acked = new Set<string>();
  private records = 0;
  /** Per transfer id: its sender address and whether it is signed for this chain (pure, so memoised). */
  private readonly facts = new Map<string, { sender: Uint8Array; signed: boolean }>();
  private agreementFailure: Failure | undefined;
  private orderFailure: Failure | undefined;
  private validityFailure: Failure | undefined;
  private doubleSpend: Failure | undefined;
  private stateFailure: Failure | undefined;

  constructor(private readonly o: LedgerCheckerOptions) {
    this.replay = o.genesis.clone();
    this.genesisSupply = o.genesis.supply();
  }

  /** A node acknowledged `id` (a submit reply said ok). */
  acknowledge(id: string): void {
    this.acked.add(id);
  }

  acknowledged(): number {
    return this.acked.size;
  }

  /** Rounds on the canonical chain so far. */
  rounds(): number {
    return this.canonical.size;
  }

  /** Transfers final on the canonical chain. */
  finalized(): number {
    return this.final.size;
  }

  isFinal(id: string): boolean {
    return this.final.has(id);
  }

  /** The replayed next nonce of a sender address (bytes). */
  nonceOf(sender: Uint8Array): bigint {
    return this.replay.get(sender).nonce;
  }

  /** Highest round `node` finalized. */
  roundOf(node: string): number {
    return this.lastOf.get(node)?.round ?? 0;
  }

  /** `node` restarted from genesis (a fresh engine): its rounds start again at 1. */
  restarted(node: string): void {
    this.lastOf.delete(node);
  }

  recordRound(rec: RoundRecord): void {
    this.records++;
    const last = this.lastOf.get(rec.node);
    if (this.orderFailure === undefined) {
      const want = (last?.round ?? 0) + 1;
      if (rec.round !== want) this.orderFailure = { rec, why: `round ${rec.round} after ${want - 1}` };
      else if (last !== undefined && rec.prev !== last.block)
        this.orderFailure = { rec, why: `block does not follow ${last.block.slice(0, 16)}` };
    }
    this.lastOf.set(rec.node, rec);
    const first = this.canonical.get(rec.round);
    if (first !== undefined) {
      if (first.block !== rec.block) {
        this.agreementFailure ??= {
          rec,
          why: `round ${rec.round}: ${first.node} finalized ${first.block.slice(0, 16)}, ${rec.node} ${rec.block.slice(0, 16)}`,
        };
      } else if (first.stateRoot !== rec.stateRoot) {
        this.stateFailure ??= {
          rec,
          why: `round ${rec.round}: ${rec.node} root ${rec.stateRoot.slice(0, 16)}, ${first.node} ${first.stateRoot.slice(0, 16)}`,
        };
      }
      return;
    }
    if (rec.round !== this.canonical.size + 1) return; // an out-of-order node: reported by validity order
    this.canonical.set(rec.round, rec);
    this.apply(rec);
  }

  private apply(rec: RoundRecord): void {
    for (const { id, beneficiary } of rec.kept) {
      const tx = this.o.transfer(id);
      const bad = (why: string) => {
        this.validityFailure ??= { rec, why: `round ${rec.round}: transfer ${id.slice(0, 16)} ${why}` };
      };
      if (tx === undefined) {
        bad("was never submitted");
        continue;
      }
      const facts = this.factsOf(id, tx);
      const slot = `${facts.sender.toHex()}/${tx.nonce}`;
      const taken = this.slots.get(slot);
      if (taken !== undefined && taken !== id)
        this.doubleSpend ??= {
          rec,
          why: `round ${rec.round}: ${slot} spent by ${taken.slice(0, 16)} and ${id.slice(0, 16)}`,
        };
      if (tx.chainId !== this.o.chainId) bad("is for another chain");
      else if (!facts.signed) bad("is not validly signed");
      else {
        const why = this.replay.applyTransfer(tx, addressBytesOf(beneficiary));
        if (why !== null) bad(`does not apply in order (${why})`);
      }
      this.slots.set(slot, id);
      this.final.add(id);
    }
    const root = this.replay.root().toHex();
    if (root !== rec.stateRoot)
      this.validityFailure ??= {
        rec,
        why: `round ${rec.round}: replayed root ${root.slice(0, 16)} is not the certified ${rec.stateRoot.slice(0, 16)}`,
      };
  }

  private static result(name: string, f: Failure | undefined, pass: string): CheckResult {
    return f === undefined
      ? { name, status: "pass", detail: pass }
      : { name, status: "fail", detail: `${f.rec.node}: ${f.why}` };
  }

  /** One certified block per round across honest nodes; each node's rounds in order on one chain. */
  roundAgreement(): CheckResult {
    return LedgerChecker.result(
      "wan-agreement",
      this.agreementFailure ?? this.orderFailure,
      `${this.canonical.size} rounds, one block each, ${this.records} node-rounds in order`,
    );
  }

  /** Every finalized transfer valid in order from genesis, and the replayed roots are the certified ones. */
  validity(): CheckResult {
    return LedgerChecker.result(
      "wan-validity",
      this.validityFailure,
      `${this.final.size} finalized transfers replayed in order from genesis`,
    );
  }

  noDoubleSpend(): CheckResult {
    return LedgerChecker.result(
      "no-double-spend",
      this.doubleSpend,
      `${this.slots.size} (sender, nonce) slots spent once`,
    );
  }

  /** Replayed supply, and each node's own ledger supply (`ledgers`: node -> supply), equal genesis. */
  conservation(ledgers: ReadonlyMap<string, bigint>): CheckResult {
    const replayed = this.replay.supply();
    if (replayed !== this.genesisSupply)
      return {
        name: "conservation",
        status: "fail",
        detail: `replayed supply ${replayed} is not the genesis ${this.genesisSupply}`,
      };
    for (const [node, s] of ledgers)
      if (s !== this.genesisSupply)
        return {
          name: "conservation",
          status: "fail",
          detail: `${node} holds supply ${s}, genesis ${this.genesisSupply}`,
        };
    return {
      name: "conservation",
      status: "pass",
      detail: `supply ${this.genesisSupply} on replay and ${ledgers.size} nodes`,
    };
  }

  /** The same state root on every honest node for each round. */
  stateRoots(): CheckResult {
    return LedgerChecker.result(
      "state-roots",
      this.stateFailure,
      `${this.records} node-rounds agree on roots`,
    );
  }

  private factsOf(id: string, tx: Transfer): { sender: Uint8Array; signed: boolean } {
    let f = this.facts.get(id);
    if (f === undefined) {
      f = {
        sender: addressBytesOf(tx.from),
        signed: tx.chainId === this.o.chainId && verifyTransferWith(this.o.signer, tx),
      };
      this.facts.set(id, f);
    }
    return f;
  }

  /** Why `tx` can never be final given the replayed chain, or null if it still could be. */
  provablyInvalid(id: string): string | null {
    const tx = this.o.transfer(id);
    if (tx === undefined) return "unknown";
    if (this.final.has(id)) return null;
    const f = this.factsOf(id, tx);
    if (!f.signed) return "signature";
    if (tx.amount + tx.fee > this.genesisSupply) return "exceeds supply";
    if (this.replay.get(f.sender).nonce > tx.nonce) return "slot spent";
    return null;
  }

  /** Acknowledged transfers neither final, provably invalid nor exempt (0 = nothing left to wait for). */
  unresolved(): number {
    let n = 0;
    for (const id of this.acked) {
      if (this.final.has(id) || this.provablyInvalid(id) !== null) continue;
      if (this.o.exempt?.(this.o.transfer(id)!) == null) n++;
    }
    return n;
  }

  /** Every acknowledged transfer is final or provably invalid (call at the end of the run). */
  acknowledgedNotLost(): CheckResult {
    const open = [...this.acked].filter((id) => !this.final.has(id) && this.provablyInvalid(id) === null);
    const exempt = this.o.exempt;
    const lost = open.filter((id) => exempt === undefined || exempt(this.o.transfer(id)!) === null);
    if (lost.length > 0)
      return {
        name: "acknowledged-not-lost",
        status: "fail",
        detail: `${lost.length} of ${this.acked.size} acknowledged transfers neither final nor provably invalid (first ${lost[0]!.slice(0, 16)})`,
      };
    const final = [...this.acked].filter((id) => this.final.has(id)).length;
    const excused = open.length;
    return {
      name: "acknowledged-not-lost",
      status: "pass",
      detail: `${this.acked.size} acknowledged: ${final} final, ${this.acked.size - final - excused} provably invalid${excused > 0 ? `, ${excused} held by byzantine batchers` : ""}`,
    };
  }
}
