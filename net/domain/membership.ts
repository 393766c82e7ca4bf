/**
 * Domain membership as a state-based CRDT (seed 003 "Membership": a map whose keys are an Observed-Remove
 * Set and whose values are Last-Writer-Wins registers; core-anchors §5.3 for our synthesis).
 *
 * - Members: an add-wins OR-Set. Every add carries a fresh unique tag `replica:epoch:n`; a remove
 *   tombstones exactly the tags its replica has observed for that member, so an add concurrent with a
 *   remove (a tag the remover never saw) survives. A member is present while it has a live tag. Rejoin is
 *   simply a new add with a new tag.
 * - Metadata: one LWW register per member, ordered by (counter, author): the counter is a Lamport clock
 *   (one more than the largest counter the writer has seen), the author id breaks ties. No wall clock.
 * - Merge is union of tags, union of tombstones and max of registers: commutative, associative and
 *   idempotent, so replicas that exchange states in any order, with duplicates and losses, converge as
 *   soon as each has (transitively) received every other's state (anti-entropy).
 *
 * `epoch` must differ each time a replica restarts with empty state (so its tags never repeat); the node
 * passes its start epoch. Tombstones are kept forever here; compaction needs causal stability and is
 * future work (blocklace, seed 003).
 */
import type { NodeId } from "../../core/engine/engine.ts";

/** A member's metadata register. */
export interface MetaRegister {
  readonly value: string;
  readonly counter: number;
  readonly author: NodeId;
}

/** A replica's full state, as exchanged by anti-entropy. Plain data; treat as immutable. */
export interface MembershipState {
  /** member -> live and dead add tags (sorted). */
  readonly adds: Readonly<Record<NodeId, readonly string[]>>;
  /** Removed tags (sorted). */
  readonly removed: readonly string[];
  readonly meta: Readonly<Record<NodeId, MetaRegister>>;
}

function newer(a: MetaRegister, b: MetaRegister): boolean {
  return a.counter > b.counter || (a.counter === b.counter && a.author > b.author);
}

/** One replica of a domain's membership. */
export class Membership {
  private readonly adds = new Map<NodeId, Set<string>>();
  private readonly removed = new Set<string>();
  private readonly meta = new Map<NodeId, MetaRegister>();
  private seq = 0;
  private lamport = 0;

  constructor(
    readonly replica: NodeId,
    readonly epoch: number,
  ) {}

  /** Add (or re-add) `member`; returns the new tag. */
  add(member: NodeId): string {
    const tag = `${this.replica}:${this.epoch}:${++this.seq}`;
    let s = this.adds.get(member);
    if (s === undefined) {
      s = new Set();
      this.adds.set(member, s);
    }
    s.add(tag);
    return tag;
  }

  /** Remove `member` as observed here; returns the tags removed (empty if it was not present). */
  remove(member: NodeId): string[] {
    const live = [...(this.adds.get(member) ?? [])].filter((t) => !this.removed.has(t));
    for (const t of live) this.removed.add(t);
    return live;
  }

  /** Write `member`'s metadata (LWW). */
  setMeta(member: NodeId, value: string): MetaRegister {
    const reg: MetaRegister = { value, counter: ++this.lamport, author: this.replica };
    this.meta.set(member, reg);
    return reg;
  }

  has(member: NodeId): boolean {
    for (const t of this.adds.get(member) ?? []) if (!this.removed.has(t)) return true;
    return false;
  }

  /** Present members, sorted. */
  members(): NodeId[] {
    return [...this.adds.keys()].filter((m) => this.has(m)).sort();
  }

  metaOf(member: NodeId): MetaRegister | undefined {
    return this.meta.get(member);
  }

  /** Merge another replica's state (state-based CRDT join). Returns true when anything changed. */
  merge(other: MembershipState): boolean {
    let changed = false;
    for (const [member, tags] of Object.entries(other.adds)) {
      let s = this.adds.get(member);
      if (s === undefined) {
        s = new Set();
        this.adds.set(member, s);
      }
      for (const t of tags) {
        if (!s.has(t)) {
          s.add(t);
          changed = true;
        }
      }
    }
    for (const t of other.removed) {
      if (!this.removed.has(t)) {
        this.removed.add(t);
        changed = true;
      }
    }
    for (const [member, reg] of Object.entries(other.meta)) {
      this.lamport = Math.max(this.lamport, reg.counter);
      const cur = this.meta.get(member);
      if (cur === undefined || newer(reg, cur)) {
        this.meta.set(member, reg);
        changed = true;
      }
    }
    return changed;
  }

  /** A canonical snapshot (sorted keys and tags), so equal states compare and hash equal. */
  state(): MembershipState {
    const adds: Record<NodeId, string[]> = {};
    for (const m of [...this.adds.keys()].sort()) adds[m] = [...this.adds.get(m)!].sort();
    const meta: Record<NodeId, MetaRegister> = {};
    for (const m of [...this.meta.keys()].sort()) meta[m] = this.meta.get(m)!;
    return { adds, removed: [...this.removed].sort(), meta };
  }

  /** Short summary for anti-entropy: replicas with equal digests need not exchange states. */
  digest(): string {
    let tags = 0;
    for (const s of this.adds.values()) tags += s.size;
    let h = 2166136261;
    const text = JSON.stringify(this.state());
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return `${tags}/${this.removed.size}/${this.meta.size}/${(h >>> 0).toString(16)}`;
  }
}
