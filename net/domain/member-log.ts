/**
 * A domain's membership as a log of signed CRDT operations (seed 003 "Membership": a permissioned map,
 * OR-Set keys and LWW values, synchronised among all members; core-anchors §5.3: operations are signed
 * blocks, anti-entropy sends the blocks the peer lacks).
 *
 * Every operation is signed by its author's node key and checked before it touches the CRDT
 * (membership.ts, unchanged): a bad signature is `forged`, bytes that do not decode are `malformed`, an
 * operation for another domain is `wrong-domain`, one its author may not make is `unauthorized`. The
 * permissions come from the owner-signed DomainAdvert:
 * - add a member: the owner or a listed introducer (they check the join policy), with a fresh tag that
 *   starts with `author:epoch:` so no author can mint another's tags;
 * - remove a member: the member itself (leave) or the owner;
 * - write a member's metadata: the member itself or the owner.
 * Two different operations under one (author, epoch, seq) are an equivocation: the first kept, counted.
 *
 * Because the CRDT is order-independent, operations apply the moment they verify, whatever order they
 * arrive in; the log only serves anti-entropy: per (author, epoch) the number held from seq 0 without a
 * gap. Deterministic and sans-I/O; counters say what was refused.
 */
import type { DomainId, NodeId } from "../../core/engine/engine.ts";
import { equalBytes, fromHex, toHex } from "../../core/crypto/bytes.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import type { DomainAdvert } from "../advert/advert.ts";
import { decodeSigned, signRecord, verifyRecord } from "../advert/signed.ts";
import { Counters } from "../metrics/counters.ts";
import { MemberOpCodec, type MemberOpKind } from "./domain-messages.ts";
import { Membership, type MetaRegister } from "./membership.ts";

/** A verified operation. */
export interface MemberOp {
  readonly domain: DomainId;
  readonly author: NodeId;
  readonly epoch: number;
  readonly seq: number;
  readonly op: MemberOpKind;
  readonly member: NodeId;
  readonly tags: readonly string[];
  readonly value: string;
  readonly counter: number;
}

export type OpOutcome =
  | "applied"
  | "duplicate"
  | "equivocation"
  | "forged"
  | "malformed"
  | "wrong-domain"
  | "unauthorized";

/** Anti-entropy summary of one author's epoch. */
export interface LogHead {
  readonly author: NodeId;
  readonly epoch: number;
  readonly count: number;
}

interface AuthorLog {
  readonly author: NodeId;
  readonly epoch: number;
  readonly ops: Map<number, Uint8Array>;
  count: number;
}

/** One node's replica of one domain's membership. */
export class MemberLog {
  /** Outcomes of `ingest` by name. */
  readonly counts = new Counters();
  readonly membership: Membership;
  private readonly logs = new Map<string, AuthorLog>();
  private seq = 0;

  constructor(
    readonly advert: DomainAdvert,
    readonly self: NodeId,
    readonly epoch: number,
    private readonly secretKey: Uint8Array,
  ) {
    this.membership = new Membership(self, epoch);
  }

  get domain(): DomainId {
    return this.advert.domain;
  }

  /** Verify and apply one signed operation. Never throws for bad input. */
  ingest(wire: Uint8Array): OpOutcome {
    let op: MemberOp;
    let sigOk: boolean;
    try {
      const r = decodeSigned(wire);
      if (r.kind !== "member-op") return this.count("malformed");
      const m = MemberOpCodec.decode(r.body);
      op = { ...m, domain: toHex(m.domain), author: toHex(m.author), member: toHex(m.member) };
      sigOk = verifyRecord(r, m.author);
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      return this.count("malformed");
    }
    if (!sigOk) return this.count("forged");
    if (op.domain !== this.advert.domain) return this.count("wrong-domain");
    if (!this.permitted(op)) return this.count("unauthorized");
    const key = `${op.author}:${op.epoch}`;
    let log = this.logs.get(key);
    if (log === undefined) {
      log = { author: op.author, epoch: op.epoch, ops: new Map(), count: 0 };
      this.logs.set(key, log);
    }
    const prev = log.ops.get(op.seq);
    if (prev !== undefined) return this.count(equalBytes(prev, wire) ? "duplicate" : "equivocation");
    log.ops.set(op.seq, wire.slice());
    // Our own operations coming back (after a rebuild under a newer advert) must not be renumbered.
    if (op.author === this.self && op.epoch === this.epoch) this.seq = Math.max(this.seq, op.seq + 1);
    while (log.ops.has(log.count)) log.count++;
    this.apply(op);
    return this.count("applied");
  }

  private count(o: OpOutcome): OpOutcome {
    this.counts.inc(o);
    return o;
  }

  private permitted(op: MemberOp): boolean {
    const a = this.advert;
    const owner = op.author === a.owner;
    switch (op.op) {
      case "add":
        return (
          (owner || a.introducers.includes(op.author)) &&
          op.tags.length === 1 &&
          op.tags[0]!.startsWith(`${op.author}:${op.epoch}:`)
        );
      case "remove":
        return (owner || op.author === op.member) && op.tags.length > 0;
      case "meta":
        return (owner || op.author === op.member) && op.tags.length === 0;
    }
  }

  private apply(op: MemberOp): void {
    switch (op.op) {
      case "add":
        this.membership.merge({ adds: { [op.member]: op.tags }, removed: [], meta: {} });
        return;
      case "remove":
        this.membership.merge({ adds: {}, removed: op.tags, meta: {} });
        return;
      case "meta": {
        const reg: MetaRegister = { value: op.value, counter: op.counter, author: op.author };
        this.membership.merge({ adds: {}, removed: [], meta: { [op.member]: reg } });
        return;
      }
    }
  }

  /** Author (sign and apply) an add of `member`; returns the signed operation to spread. */
  add(member: NodeId): Uint8Array {
    const seq = this.seq;
    return this.author("add", member, [`${this.self}:${this.epoch}:${seq}`], "", 0);
  }

  /** Author a remove of every tag of `member` observed here; undefined when it is not present. */
  remove(member: NodeId): Uint8Array | undefined {
    const tags = this.membership.remove(member);
    if (tags.length === 0) return undefined;
    return this.author("remove", member, tags.slice(0, 64), "", 0);
  }

  /** Author a metadata write (LWW register, Lamport-ordered). */
  setMeta(member: NodeId, value: string): Uint8Array {
    const reg = this.membership.setMeta(member, value);
    return this.author("meta", member, [], value, reg.counter);
  }

  private author(
    op: MemberOpKind,
    member: NodeId,
    tags: string[],
    value: string,
    counter: number,
  ): Uint8Array {
    const body = MemberOpCodec.encode({
      domain: fromHex(this.advert.domain),
      author: fromHex(this.self),
      epoch: this.epoch,
      seq: this.seq++,
      op,
      member: fromHex(member, "member"),
      tags,
      value,
      counter,
    });
    const wire = signRecord(this.secretKey, "member-op", body);
    this.ingest(wire);
    return wire;
  }

  members(): NodeId[] {
    return this.membership.members();
  }

  has(member: NodeId): boolean {
    return this.membership.has(member);
  }

  metaOf(member: NodeId): MetaRegister | undefined {
    return this.membership.metaOf(member);
  }

  /** Every operation held, by (author, epoch) then seq. */
  all(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const k of [...this.logs.keys()].sort()) {
      const log = this.logs.get(k)!;
      for (const s of [...log.ops.keys()].sort((x, y) => x - y)) out.push(log.ops.get(s)!);
    }
    return out;
  }

  heads(): LogHead[] {
    return [...this.logs.keys()].sort().map((k) => {
      const l = this.logs.get(k)!;
      return { author: l.author, epoch: l.epoch, count: l.count };
    });
  }

  /** Operations a replica with `theirs` heads lacks (everything past its gap-free prefix). */
  missingFor(theirs: readonly LogHead[]): Uint8Array[] {
    const have = new Map<string, number>();
    for (const h of theirs) have.set(`${h.author}:${h.epoch}`, h.count);
    const out: Uint8Array[] = [];
    for (const k of [...this.logs.keys()].sort()) {
      const log = this.logs.get(k)!;
      const from = have.get(k) ?? 0;
      for (const s of [...log.ops.keys()].sort((x, y) => x - y)) if (s >= from) out.push(log.ops.get(s)!);
    }
    return out;
  }

  /** True when `theirs` has operations we lack. */
  lacks(theirs: readonly LogHead[]): boolean {
    for (const h of theirs) if ((this.logs.get(`${h.author}:${h.epoch}`)?.count ?? 0) < h.count) return true;
    return false;
  }
}
