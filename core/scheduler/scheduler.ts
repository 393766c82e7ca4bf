/**
 * The decentralized task scheduler (seed 001, "Decentralized Task Scheduler" and its decision tree;
 * ARCHITECTURE.md "WAN consensus" step 2). One per farmer node; pure and deterministic: no clock (callers
 * pass `now`), no randomness, no I/O. Gossip arrives as `observe` calls, decisions leave as return values.
 *
 * Three queues: local execution (this node validates), intra-quorum remote (another member of this quorum
 * does), inter-quorum forwarding (another quorum does). The decision, in the seed's order:
 *  1. data locality: a task whose data lives in another quorum is forwarded there; one whose dependency is
 *     held by another live member of this quorum goes to that member;
 *  2. backpressure: otherwise it runs locally unless this node's log-normalised backpressure LN among the
 *     fresh figures (its own and its peers') is above `overload`; then to the least-loaded member of this
 *     quorum whose LN is at least `margin` lower, else, if the task may leave the quorum, to the
 *     least-loaded other quorum (mean of its members' fresh figures) that much lower; else locally.
 * Peers' figures age out after `maxAgeMs`: a silent peer is never chosen on old news.
 * Ties break on member / quorum id, so the same state gives the same decision on every run.
 */
import {
  backpressure,
  DEFAULT_WEIGHTS,
  isValidFigure,
  normalise,
  type QueueLoads,
  type QueueWeights,
} from "./backpressure.ts";

export type QueueKind = "local" | "remote" | "forward";

/** A unit of work: validating one sender's transactions, typically. */
export interface Task {
  readonly id: string;
  /** Expected run time, ms (feeds the queue figures). */
  readonly costMs: number;
  /** Quorum holding the data the task reads (hex id); the entry quorum of its sender. */
  readonly dataQuorum: string;
  /** A member of this quorum already holding the task's pending dependency, if any (hex id). */
  readonly dataMember?: string;
  /** True if the task's dependencies must stay in this quorum (it may still move to another member). */
  readonly pinned?: boolean;
}

export type Decision =
  | { readonly queue: "local"; readonly reason: "locality" | "capacity" | "no-better-peer" }
  | { readonly queue: "remote"; readonly member: string; readonly reason: "locality" | "backpressure" }
  | { readonly queue: "forward"; readonly quorum: string; readonly reason: "locality" | "backpressure" };

export interface SchedulerOptions {
  /** This node's id and its quorum's id (hex). */
  readonly self: string;
  readonly quorum: string;
  /** Figures older than this are ignored (default 5000 ms). */
  readonly maxAgeMs?: number;
  /** Offload only when this node's LN exceeds it (default 0.75). */
  readonly overload?: number;
  /** A target must be at least this much lower in LN (default 0.25). */
  readonly margin?: number;
  readonly weights?: QueueWeights;
}

/** A rejected gossip figure: data, not an exception (STYLE.md "Errors and inputs"). */
export interface FigureRejection {
  readonly code: "SCHEDULER_BAD_FIGURE" | "SCHEDULER_STALE_SEQ" | "SCHEDULER_SELF";
  readonly member: string;
  readonly peer: "ignore" | "penalise";
}

interface PeerFigure {
  readonly quorum: string;
  readonly p: number;
  readonly seq: number;
  readonly at: number;
}

interface Queued {
  readonly queue: QueueKind;
  readonly costMs: number;
}

export class TaskScheduler {
  readonly self: string;
  readonly quorum: string;
  private readonly maxAgeMs: number;
  private readonly overload: number;
  private readonly margin: number;
  private readonly weights: QueueWeights;
  private readonly peers = new Map<string, PeerFigure>();
  private readonly tasks = new Map<string, Queued>();
  private readonly loads = {
    local: { tasks: 0, totalMs: 0 },
    remote: { tasks: 0, totalMs: 0 },
    forward: { tasks: 0, totalMs: 0 },
  };

  constructor(options: SchedulerOptions) {
    this.self = options.self;
    this.quorum = options.quorum;
    this.maxAgeMs = options.maxAgeMs ?? 5000;
    this.overload = options.overload ?? 0.75;
    this.margin = options.margin ?? 0.25;
    this.weights = options.weights ?? DEFAULT_WEIGHTS;
  }

  /** This node's queue figures. */
  queueLoads(): QueueLoads {
    const { local, remote, forward } = this.loads;
    return { local: { ...local }, remote: { ...remote }, forward: { ...forward } };
  }

  /** This node's P, the figure it gossips. */
  figure(): number {
    return backpressure(this.loads, this.weights);
  }

  /** A peer's gossiped figure, received at `now`. Old sequence numbers and invalid figures are rejected. */
  observe(member: string, quorum: string, p: number, seq: number, now: number): FigureRejection | null {
    if (member === this.self) return { code: "SCHEDULER_SELF", member, peer: "ignore" };
    if (!isValidFigure(p) || !Number.isSafeInteger(seq) || seq < 0) {
      return { code: "SCHEDULER_BAD_FIGURE", member, peer: "penalise" };
    }
    const old = this.peers.get(member);
    if (old !== undefined && seq <= old.seq) return { code: "SCHEDULER_STALE_SEQ", member, peer: "ignore" };
    this.peers.set(member, { quorum, p, seq, at: now });
    return null;
  }

  /** Fresh peer figures at `now`, sorted by member id; stale ones are dropped from the table. */
  freshPeers(now: number): { member: string; quorum: string; p: number }[] {
    const out: { member: string; quorum: string; p: number }[] = [];
    for (const [member, f] of this.peers) {
      if (now - f.at > this.maxAgeMs) this.peers.delete(member);
      else out.push({ member, quorum: f.quorum, p: f.p });
    }
    return out.sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  }

  /** Decide where `task` goes (does not enqueue it). */
  decide(task: Task, now: number): Decision {
    if (task.dataQuorum !== this.quorum)
      return { queue: "forward", quorum: task.dataQuorum, reason: "locality" };
    const fresh = this.freshPeers(now);
    if (task.dataMember !== undefined && task.dataMember !== this.self) {
      const holder = fresh.find((f) => f.member === task.dataMember && f.quorum === this.quorum);
      if (holder !== undefined) return { queue: "remote", member: holder.member, reason: "locality" };
    }
    if (fresh.length === 0) return { queue: "local", reason: "capacity" };
    const list = [this.figure(), ...fresh.map((f) => f.p)];
    const ln = normalise(list);
    const mine = ln[0]!;
    if (mine <= this.overload) return { queue: "local", reason: "capacity" };
    let best: { member: string; ln: number } | null = null;
    const byQuorum = new Map<string, number[]>();
    fresh.forEach((f, i) => {
      const l = ln[i + 1]!;
      if (f.quorum === this.quorum) {
        if (l <= mine - this.margin && (best === null || l < best.ln)) best = { member: f.member, ln: l };
      } else {
        const xs = byQuorum.get(f.quorum) ?? [];
        xs.push(l);
        byQuorum.set(f.quorum, xs);
      }
    });
    const chosen = best as { member: string; ln: number } | null;
    if (chosen !== null) return { queue: "remote", member: chosen.member, reason: "backpressure" };
    if (task.pinned !== true) {
      let target: { quorum: string; ln: number } | null = null;
      for (const q of [...byQuorum.keys()].sort()) {
        const xs = byQuorum.get(q)!;
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        if (mean <= mine - this.margin && (target === null || mean < target.ln))
          target = { quorum: q, ln: mean };
      }
      if (target !== null) return { queue: "forward", quorum: target.quorum, reason: "backpressure" };
    }
    return { queue: "local", reason: "no-better-peer" };
  }

  /** Decide and account the task in the chosen queue (its cost now counts in this node's figure). */
  submit(task: Task, now: number): Decision {
    if (!(task.costMs >= 0) || !Number.isFinite(task.costMs))
      throw new RangeError(`task ${task.id}: bad costMs`);
    if (this.tasks.has(task.id)) throw new RangeError(`task ${task.id} is already queued`);
    const d = this.decide(task, now);
    this.tasks.set(task.id, { queue: d.queue, costMs: task.costMs });
    const q = this.loads[d.queue];
    q.tasks++;
    q.totalMs += task.costMs;
    return d;
  }

  /** The task finished (or was handed over): it leaves its queue. Unknown ids are ignored. */
  complete(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (t === undefined) return;
    this.tasks.delete(taskId);
    const q = this.loads[t.queue];
    q.tasks--;
    q.totalMs = q.tasks === 0 ? 0 : q.totalMs - t.costMs;
  }
}
