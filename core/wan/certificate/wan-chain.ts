/**
 * The WAN chain of certified convergence blocks and finality (seed 001, "Certification & Finality": the
 * certificate "provides a signal to initiate the transition process from state t to state t'"; it "marks
 * the end of one round and the commencement of the next").
 *
 * `append` is the only way the chain grows, and it verifies everything every time (Versatus only tested
 * that a certificate field was present: core-anchors.md §1.9 item 7): the certificate's threshold signature
 * under the harvester quorum key of the block's epoch, the link to the head (prev, round + 1, beacon), and
 * that the merge the caller recomputed gives the certified tx root and state root. Then the state
 * transition applies and the next beacon is the hash of the certificate's signature.
 *
 * Harvester failover: each epoch has an active and a backup harvester key. A certificate under the backup
 * key is accepted and makes the backup the active quorum for the rest of the epoch; from then on the old
 * quorum's certificates are rejected. (When the backup starts certifying is the engines' timeout; the
 * chain only enforces that one round has one certified block: a second certificate for a round already
 * appended is rejected, whoever signed it.)
 */
import { hexOf } from "../encoding/hex.ts";
import { equalBytes, utf8 } from "../../crypto/bytes.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import type { ThresholdScheme } from "../../threshold/scheme.ts";
import { type ConvergenceBlock, convergenceHash } from "../convergence/convergence-block.ts";
import type { MergeResult } from "../convergence/merge.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { type Rejection, reject } from "../rejection/rejection.ts";
import { type ConvergenceCertificate, nextBeacon, verifyConvergenceCertificate } from "./certification.ts";

export interface ChainHead {
  readonly epoch: number;
  /** Round of the last certified block (0 = genesis). */
  readonly round: number;
  readonly hash: Uint8Array;
  /** Randomness for round + 1. */
  readonly beacon: Uint8Array;
  readonly stateRoot: Uint8Array;
}

/** Harvester quorum keys of an epoch. */
export interface HarvesterKeys {
  readonly active: unknown;
  readonly backup: unknown | null;
}

export interface FinalizedRound {
  readonly round: number;
  readonly block: ConvergenceBlock;
  readonly certificate: ConvergenceCertificate;
  readonly kept: readonly Uint8Array[];
  /** The fee beneficiary (proposer key) of each kept transfer. */
  readonly keptBy: readonly Uint8Array[];
}

/** The genesis head for a chain id and genesis state. */
export function genesisHead(chainId: number, ledger: Ledger): ChainHead {
  const seed = utf8(`chain-${chainId}`);
  return {
    epoch: 0,
    round: 0,
    hash: taggedHash("lattice/wan/genesis", seed, ledger.root()),
    beacon: taggedHash("lattice/wan/genesis-beacon", seed, ledger.root()),
    stateRoot: ledger.root(),
  };
}

export class WanChain {
  private current: ChainHead;
  private state: Ledger;
  private readonly failedOver = new Set<number>();
  readonly history: FinalizedRound[] = [];

  constructor(
    private readonly scheme: ThresholdScheme<unknown, unknown>,
    chainId: number,
    genesis: Ledger,
    private readonly keysFor: (epoch: number) => HarvesterKeys | undefined,
  ) {
    this.state = genesis.clone();
    this.current = genesisHead(chainId, this.state);
  }

  get head(): ChainHead {
    return this.current;
  }

  /** The finalized state (do not mutate: clone it for what-if work). */
  get ledger(): Ledger {
    return this.state;
  }

  /** Whether the backup harvester quorum has taken over in `epoch`. */
  backupActive(epoch: number): boolean {
    return this.failedOver.has(epoch);
  }

  /** Which harvester key `cert` verifies under ("active" / "backup"), or null. */
  private signerOf(cert: ConvergenceCertificate, block: ConvergenceBlock): "active" | "backup" | null {
    const keys = this.keysFor(block.epoch);
    if (keys === undefined) return null;
    const backupNow = this.failedOver.has(block.epoch);
    if (!backupNow && verifyConvergenceCertificate(this.scheme, keys.active, cert, block)) return "active";
    if (keys.backup !== null && verifyConvergenceCertificate(this.scheme, keys.backup, cert, block))
      return "backup";
    return null;
  }

  /**
   * Append a certified block; `merge` is this node's own recomputation of the block's merge over the
   * current ledger. Returns null when appended (state transition applied), or why not (nothing changes).
   */
  append(block: ConvergenceBlock, cert: ConvergenceCertificate, merge: MergeResult): Rejection | null {
    const head = this.current;
    if (block.round <= head.round) return reject("WAN_APPEND_OLD_ROUND", "ignore", { round: block.round });
    if (block.round !== head.round + 1) return reject("WAN_APPEND_GAP", "ignore", { round: block.round });
    const signedBy = this.signerOf(cert, block);
    if (signedBy === null) return reject("WAN_APPEND_BAD_CERTIFICATE", "penalise", { round: block.round });
    if (!equalBytes(block.prev, head.hash) || !equalBytes(block.beacon, head.beacon)) {
      return reject("WAN_APPEND_WRONG_PARENT", "reject", { round: block.round });
    }
    if (
      !equalBytes(merge.stateRoot, block.stateRoot) ||
      !equalBytes(merge.txRoot, block.txRoot) ||
      merge.kept.length !== block.txCount
    ) {
      // The quorum certified a transition this node computes differently: never apply it.
      return reject("WAN_APPEND_STATE_MISMATCH", "ignore", {
        round: block.round,
        mine: hexOf(merge.stateRoot),
      });
    }
    if (signedBy === "backup") this.failedOver.add(block.epoch);
    this.state = merge.state;
    this.current = {
      epoch: block.epoch,
      round: block.round,
      hash: convergenceHash(block),
      beacon: nextBeacon(cert),
      stateRoot: block.stateRoot,
    };
    this.history.push({
      round: block.round,
      block,
      certificate: cert,
      kept: merge.kept,
      keptBy: merge.keptBy,
    });
    return null;
  }
}
