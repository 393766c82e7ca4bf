/**
 * The invariant checker shared by the simulator, tests and (later) devnet scenarios
 * (reliability-anchors.md §7-§8: S1 agreement, S2 validity, S6 state agreement, L1 liveness; Jepsen's
 * and Antithesis's honest `unknown`; "a run whose faults never fired is vacuous").
 *
 * Feed it what honest nodes finalized, in the order it happened (`recordFinalized`), then ask each
 * check. Every check returns `pass`, `fail` with the first failing observation, or `unknown` when the
 * run cannot decide (e.g. it ended before the liveness bound). Checks are pure functions of the
 * records, so a devnet scenario can feed records read from node APIs the same way.
 */

/** One block finalized by one node, as observed. */
export interface FinalizedRecord {
  /** Position in the run's event order (the first failing event is reported by it). */
  readonly seq: number;
  /** Time of the observation (virtual ms in the simulator). */
  readonly at: number;
  /** The observing node (host) and its engine. */
  readonly node: string;
  /** Chain (quorum log) id. */
  readonly chain: string;
  readonly height: number;
  /** Block id and its parent's id. */
  readonly block: string;
  readonly parent: string;
  /** Digest of the payload (for validity: was it ever proposed?). */
  readonly payload: string;
}

export type CheckStatus = "pass" | "fail" | "unknown";

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** The first observation that broke the invariant, when `fail`. */
  readonly firstFailure?: FinalizedRecord;
}

/** What a liveness check needs to know about the run. */
export interface LivenessSpec {
  /** When every fault was healed. */
  readonly healedAt: number;
  /** How long after `healedAt` progress must show. */
  readonly bound: number;
  /** New heights each (node, chain) must finalize within the bound. */
  readonly minHeights: number;
  /** Time the run ended (if before healedAt + bound, the answer is unknown). */
  readonly endedAt: number;
  /** The (node, chain) pairs expected to progress: honest, up after heal. */
  readonly expected: readonly { readonly node: string; readonly chain: string }[];
}

/** Collects finalized records and checks them. */
export class InvariantChecker {
  private readonly records: FinalizedRecord[] = [];
  private readonly byHeight = new Map<string, FinalizedRecord>();
  private readonly lastOf = new Map<string, FinalizedRecord>();
  private readonly states = new Map<string, string>();
  private agreementFailure: { first: FinalizedRecord; other: FinalizedRecord } | undefined;
  private orderFailure: { rec: FinalizedRecord; why: string } | undefined;
  private stateFailure: { rec: FinalizedRecord; other: string } | undefined;

  /**
   * Record one finalized block; `state` is the node's application state digest after applying it
   * (omit it when the application has no state).
   */
  recordFinalized(rec: FinalizedRecord, state?: string): void {
    this.records.push(rec);
    const hk = `${rec.chain}/${rec.height}`;
    const first = this.byHeight.get(hk);
    if (first === undefined) this.byHeight.set(hk, rec);
    else if (first.block !== rec.block && this.agreementFailure === undefined) {
      this.agreementFailure = { first, other: rec };
    }
    const nk = `${rec.node}/${rec.chain}`;
    const last = this.lastOf.get(nk);
    if (this.orderFailure === undefined) {
      const want = (last?.height ?? 0) + 1;
      if (rec.height !== want) this.orderFailure = { rec, why: `height ${rec.height} after ${want - 1}` };
      else if (last !== undefined && rec.parent !== last.block) {
        this.orderFailure = {
          rec,
          why: `parent ${rec.parent.slice(0, 16)} is not ${last.block.slice(0, 16)}`,
        };
      }
    }
    this.lastOf.set(nk, rec);
    if (state !== undefined) {
      const sk = `${rec.chain}/${rec.height}/state`;
      const other = this.states.get(sk);
      if (other === undefined) this.states.set(sk, state);
      else if (other !== state && this.stateFailure === undefined) this.stateFailure = { rec, other };
    }
  }

  /** All records so far, in order. */
  all(): readonly FinalizedRecord[] {
    return this.records;
  }

  /** Highest height each node finalized on `chain`. */
  heightOf(node: string, chain: string): number {
    return this.lastOf.get(`${node}/${chain}`)?.height ?? 0;
  }

  /** S1: no two different blocks finalized at one height of one chain. */
  agreement(): CheckResult {
    const f = this.agreementFailure;
    if (f === undefined)
      return {
        name: "agreement",
        status: "pass",
        detail: `${this.byHeight.size} (chain, height) pairs agree`,
      };
    return {
      name: "agreement",
      status: "fail",
      detail: `chain ${f.other.chain.slice(0, 16)} height ${f.other.height}: ${f.first.node} finalized ${f.first.block.slice(0, 16)}, ${f.other.node} finalized ${f.other.block.slice(0, 16)}`,
      firstFailure: f.other,
    };
  }

  /**
   * S2: every node's output is 1, 2, 3, ... each extending the previous block, and every finalized
   * payload was actually proposed (`proposed(chain, payload)`).
   */
  validity(proposed: (chain: string, payload: string) => boolean): CheckResult {
    if (this.orderFailure !== undefined) {
      const { rec, why } = this.orderFailure;
      return {
        name: "validity",
        status: "fail",
        detail: `${rec.node} on ${rec.chain.slice(0, 16)}: ${why}`,
        firstFailure: rec,
      };
    }
    const bad = this.records.find((r) => !proposed(r.chain, r.payload));
    if (bad !== undefined) {
      return {
        name: "validity",
        status: "fail",
        detail: `${bad.node} finalized a payload nobody proposed at height ${bad.height}`,
        firstFailure: bad,
      };
    }
    return {
      name: "validity",
      status: "pass",
      detail: `${this.records.length} finalized blocks in order, all proposed`,
    };
  }

  /** S6: equal application state at equal heights. */
  stateAgreement(): CheckResult {
    const f = this.stateFailure;
    if (f === undefined) {
      if (this.states.size === 0)
        return { name: "state-agreement", status: "unknown", detail: "no state digests recorded" };
      return { name: "state-agreement", status: "pass", detail: `${this.states.size} state digests agree` };
    }
    return {
      name: "state-agreement",
      status: "fail",
      detail: `${f.rec.node} state at height ${f.rec.height} differs from another node's`,
      firstFailure: f.rec,
    };
  }

  /** L1: after heal, each expected (node, chain) finalizes `minHeights` new heights within the bound. */
  liveness(spec: LivenessSpec): CheckResult {
    const deadline = spec.healedAt + spec.bound;
    const lagging: string[] = [];
    for (const { node, chain } of spec.expected) {
      let atHeal = 0;
      let byDeadline = 0;
      for (const r of this.records) {
        if (r.node !== node || r.chain !== chain) continue;
        if (r.at <= spec.healedAt) atHeal = r.height;
        if (r.at <= deadline) byDeadline = r.height;
      }
      if (byDeadline - atHeal < spec.minHeights)
        lagging.push(`${node}@${chain.slice(0, 8)} +${byDeadline - atHeal}`);
    }
    if (lagging.length === 0) {
      return {
        name: "liveness",
        status: "pass",
        detail: `${spec.expected.length} replicas progressed >= ${spec.minHeights} within ${spec.bound} ms of heal`,
      };
    }
    if (spec.endedAt < deadline) {
      return {
        name: "liveness",
        status: "unknown",
        detail: `run ended ${deadline - spec.endedAt} ms before the bound`,
      };
    }
    return {
      name: "liveness",
      status: "fail",
      detail: `no progress within ${spec.bound} ms of heal: ${lagging.slice(0, 6).join(", ")}`,
    };
  }
}

/** A fault kind a scenario expects to fire, and how often it did. */
export interface FaultExpectation {
  readonly fault: string;
  readonly fired: number;
}

/**
 * Vacuity: a scenario passes only if every fault it set out to inject actually fired at least once
 * (Antithesis's `sometimes`). Returns the faults that never fired.
 */
export function unfiredFaults(expected: readonly FaultExpectation[]): string[] {
  return expected.filter((e) => e.fired <= 0).map((e) => e.fault);
}

/** The verdict of a whole run from its checks and its fault report. */
export type RunVerdict = "pass" | "fail" | "vacuous" | "unknown";

export function verdictOf(checks: readonly CheckResult[], unfired: readonly string[]): RunVerdict {
  if (checks.some((c) => c.status === "fail")) return "fail";
  if (unfired.length > 0) return "vacuous";
  if (checks.some((c) => c.status === "unknown" && c.name !== "state-agreement")) return "unknown";
  return "pass";
}
