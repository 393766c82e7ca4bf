/**
 * A quorum's DKG driven by its finalized log (ARCHITECTURE.md "WAN consensus" step 0; core-anchors.md
 * §4.1 "post Part/Ack as LAN-chain transactions and call generate at a fixed height"). Sans-I/O and
 * network-free: feed it finalized blocks' items in height order, gossip the items it returns.
 *
 * What goes through the log: signed items (quorum-wire.ts) carrying DKG entries — a member's Deal,
 * its complaints (an item per member, possibly empty: "no complaint"), its justifications. Every
 * member feeds the entries of every finalized block to its DkgEngine in log order, so all members
 * process the same entries in the same order (the DKG's agreement requirement).
 *
 * The phase markers are not in the log: every member derives their positions from the finalized log
 * alone with this rule, so they land at the same position everywhere (no local time, no votes):
 *   the session opens after height 0 (the quorum log's genesis);
 *   EndDealing        after the first block in which all n Deals have been accepted, or after the
 *                     block at height `deal` (window, in blocks), whichever comes first;
 *   EndComplaints     after the first later block in which every member's complaints item has been
 *                     accepted, or at EndDealing's height + `complaints`, whichever comes first;
 *   EndJustifications right after EndComplaints if no accepted complaint is left unanswered, else
 *                     after the first block in which the last one is answered, or at EndComplaints'
 *                     height + `justifications`.
 * "Accepted" is what the DkgEngine accepted (no fault), itself a function of the log. Several
 * markers may follow one block, in order. Windows count finalized blocks, so a stalled log (a
 * partition) stalls the deadlines too instead of cutting honest members out.
 *
 * Items are deduplicated by digest (a leader re-proposes items that are not finalized yet, so one can
 * land twice) and only the first Deal item and the first complaints item of each author count. An item
 * whose signature, author or entries are wrong is skipped by everyone alike.
 *
 * Randomness: the DKG's stream is derived from the member's durable secret seed and the session, so
 * a restarted member replays the log, draws the same polynomial and can still answer complaints
 * against its Deal (the DKG engine's restart caveat, closed here without persisting the polynomial).
 */
import { compareBytes, equalBytes } from "../crypto/bytes.ts";
import { sha256 } from "../crypto/sha256.ts";
import { dkgMessageFromBytes, dkgMessageToBytes } from "../dkg/codec.ts";
import type { DkgEffect, DkgMember, DkgResult } from "../dkg/contract.ts";
import { DkgEngine, type DkgPhase } from "../dkg/engine.ts";
import type { DkgMessage, DkgPhaseKind } from "../dkg/messages.ts";
import type { ShareBox } from "../dkg/share-box.ts";
import type { Group, RandomBytes } from "../threshold/group.ts";
import { QuorumError } from "./errors.ts";
import {
  decodeItem,
  encodeItem,
  type ItemPhase,
  itemSigningBytes,
  PHASE_COMPLAINTS,
  PHASE_DEAL,
  PHASE_JUSTIFICATIONS,
} from "./quorum-wire.ts";

/** Marker deadlines, in finalized blocks (see the module header). */
export interface KeyingWindows {
  readonly deal: number;
  readonly complaints: number;
  readonly justifications: number;
}

export const DEFAULT_WINDOWS: KeyingWindows = { deal: 8, complaints: 6, justifications: 6 };

export interface KeyingConfig<E> {
  readonly group: Group<E>;
  readonly box: ShareBox;
  /** The quorum log's chain id: items are signed for it. */
  readonly chain: Uint8Array;
  /** 32 bytes naming this DKG (same for every member). */
  readonly session: Uint8Array;
  /** Members in Simplex order: `id` is the 32-byte member public key (the DKG member id). */
  readonly members: readonly DkgMember[];
  /** This member's position in `members`. */
  readonly self: number;
  readonly encryptionSecret: Uint8Array;
  readonly random: RandomBytes;
  /** Signs an item body digest with this member's log key. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** Checks `author`'s signature on an item body digest. */
  readonly verify: (author: number, message: Uint8Array, sig: Uint8Array) => boolean;
  readonly windows?: Partial<KeyingWindows>;
  /** False: this member never deals (a fault-injection hook for tests and the simulator). */
  readonly deal?: boolean;
}

/** What one finalized block did to the keying. */
export interface BlockOutcome<E> {
  /** New items of this member, to gossip and propose. */
  readonly items: readonly Uint8Array[];
  /** Items skipped (bad signature, author, shape, phase): for the `quorum/rejected` report. */
  readonly rejected: number;
  /** Set on the block after which EndJustifications was placed. */
  readonly result?: DkgResult<E>;
  /** Markers placed after this block, in order. */
  readonly markers: readonly DkgPhaseKind[];
}

/** Digest (hex) naming an item in pools and dedup sets. */
export function itemDigest(item: Uint8Array): string {
  const d = sha256(item);
  return Buffer.from(d.buffer, d.byteOffset, 16).toString("hex");
}

export class QuorumKeying<E> {
  readonly n: number;
  readonly t: number;
  private readonly cfg: KeyingConfig<E>;
  private readonly windows: KeyingWindows;
  private readonly dkg: DkgEngine<E>;
  /** Simplex index → DKG index (DKG members are sorted by id). */
  private readonly dkgIndex: number[];
  private readonly applied = new Set<string>();
  private readonly dealt = new Set<number>();
  private readonly acked = new Set<number>();
  /** Accepted complaints not yet answered: "dealer/complainer" in DKG indices. */
  private readonly open = new Set<string>();
  private dealEndHeight = -1;
  private complaintsEndHeight = -1;
  private height = 0;
  private outcome: DkgResult<E> | undefined;
  private outcomeHeight = -1;
  private started = false;

  constructor(cfg: KeyingConfig<E>) {
    this.cfg = cfg;
    this.windows = { ...DEFAULT_WINDOWS, ...cfg.windows };
    for (const w of Object.values(this.windows))
      if (!Number.isInteger(w) || w < 1) throw new QuorumError("QUORUM_CONFIG", "windows must be >= 1 block");
    if (!Number.isInteger(cfg.self) || cfg.self < 0 || cfg.self >= cfg.members.length)
      throw new QuorumError("QUORUM_CONFIG", "self is not a member position");
    this.dkg = new DkgEngine({
      group: cfg.group,
      session: cfg.session,
      members: cfg.members,
      self: { id: cfg.members[cfg.self]!.id, encryptionSecret: cfg.encryptionSecret },
      random: cfg.random,
      box: cfg.box,
    });
    this.n = this.dkg.n;
    this.t = this.dkg.t;
    const sorted = cfg.members.map((m, i) => ({ id: m.id, i })).sort((a, b) => compareBytes(a.id, b.id));
    this.dkgIndex = new Array<number>(this.n);
    sorted.forEach((s, k) => {
      this.dkgIndex[s.i] = k + 1;
    });
  }

  get phase(): DkgPhase {
    return this.dkg.phase;
  }

  /** The DKG index (1-based, sorted by id) of Simplex member `author`: the index of its key share. */
  shareIndexOf(author: number): number {
    return this.dkgIndex[author]!;
  }

  /** The final result and the log height after which it was reached, once done. */
  result(): { readonly result: DkgResult<E>; readonly height: number } | undefined {
    return this.outcome === undefined ? undefined : { result: this.outcome, height: this.outcomeHeight };
  }

  /** Highest block height applied. */
  get appliedHeight(): number {
    return this.height;
  }

  /** This member's Deal item (none if it does not deal). Once only. */
  start(): Uint8Array[] {
    if (this.started) throw new QuorumError("QUORUM_CONFIG", "start() called twice");
    this.started = true;
    const effects = this.dkg.start();
    if (this.cfg.deal === false) return [];
    const entries = appends(effects);
    return entries.length === 0 ? [] : [this.item(PHASE_DEAL, entries)];
  }

  /** Check an item's shape, author and signature without applying it (gossip and block validity). */
  check(item: Uint8Array): boolean {
    try {
      const it = decodeItem(item);
      if (it.author >= this.n) return false;
      return this.cfg.verify(it.author, itemSigningBytes(this.cfg.chain, it.body), it.sig);
    } catch (e) {
      if (e instanceof QuorumError) return false;
      throw e;
    }
  }

  /** Whether an item already went through the log (leaders stop proposing it). */
  isApplied(digest: string): boolean {
    return this.applied.has(digest);
  }

  /** Apply the items of the finalized block at `height` (heights 1, 2, 3, ... in order). */
  applyBlock(height: number, items: readonly Uint8Array[]): BlockOutcome<E> {
    if (height !== this.height + 1)
      throw new QuorumError("QUORUM_CONFIG", `block ${height} applied after ${this.height}`);
    this.height = height;
    const out: Uint8Array[] = [];
    const markers: DkgPhaseKind[] = [];
    let rejected = 0;
    let result: DkgResult<E> | undefined;
    if (this.outcome !== undefined) return { items: out, rejected, markers };
    for (const item of items) {
      const digest = itemDigest(item);
      if (this.applied.has(digest)) continue;
      if (!this.check(item)) {
        rejected++;
        continue;
      }
      this.applied.add(digest);
      if (!this.applyItem(decodeItem(item), out)) rejected++;
    }
    // Markers, by the rule in the module header.
    for (;;) {
      const phase = this.dkg.phase;
      let marker: DkgPhaseKind | undefined;
      if (phase === "dealing" && (this.dealt.size === this.n || height >= this.windows.deal)) {
        marker = "end-dealing";
        this.dealEndHeight = height;
      } else if (
        phase === "complaining" &&
        height > this.dealEndHeight &&
        (this.acked.size === this.n || height >= this.dealEndHeight + this.windows.complaints)
      ) {
        marker = "end-complaints";
        this.complaintsEndHeight = height;
      } else if (
        phase === "justifying" &&
        (this.open.size === 0 || height >= this.complaintsEndHeight + this.windows.justifications)
      ) {
        marker = "end-justifications";
      }
      if (marker === undefined) break;
      markers.push(marker);
      const effects = this.dkg.onLogEntry({ kind: marker, session: this.cfg.session });
      if (marker === "end-dealing") out.push(this.item(PHASE_COMPLAINTS, appends(effects)));
      for (const e of effects) {
        if (e.kind !== "done") continue;
        result = e.result;
        this.outcome = e.result;
        this.outcomeHeight = height;
      }
      if (result !== undefined) break;
    }
    return result === undefined
      ? { items: out, rejected, markers }
      : { items: out, rejected, markers, result };
  }

  /** Feed one item's entries to the DKG; false if anything in it was rejected. */
  private applyItem(it: ReturnType<typeof decodeItem>, out: Uint8Array[]): boolean {
    const authorId = this.cfg.members[it.author]!.id;
    const msgs: DkgMessage<E>[] = [];
    for (const bytes of it.entries) {
      let m: DkgMessage<E>;
      try {
        m = dkgMessageFromBytes(this.cfg.group, bytes);
      } catch {
        return false;
      }
      // Markers come from the rule only; an entry must be the author's own and match the item's phase.
      if (!("from" in m) || !equalBytes(m.from, authorId) || phaseOf(m) !== it.phase) return false;
      msgs.push(m);
    }
    if (it.phase === PHASE_DEAL) {
      if (msgs.length !== 1 || this.dealt.has(it.author) || this.dkg.phase !== "dealing") return false;
      const effects = this.dkg.onLogEntry(msgs[0]!);
      if (faulted(effects)) return false;
      this.dealt.add(it.author);
      return true;
    }
    if (it.phase === PHASE_COMPLAINTS) {
      if (this.acked.has(it.author) || this.dkg.phase !== "complaining") return false;
      this.acked.add(it.author);
      let ok = true;
      const justifications: DkgMessage<E>[] = [];
      for (const m of msgs) {
        const effects = this.dkg.onLogEntry(m);
        if (faulted(effects)) ok = false;
        else if (m.kind === "complaint") this.open.add(`${m.dealer}/${this.dkgIndex[it.author]}`);
        justifications.push(...appends(effects));
      }
      // Complaints against this member: its justifications go out as one item.
      if (justifications.length > 0) out.push(this.item(PHASE_JUSTIFICATIONS, justifications));
      return ok;
    }
    let ok = true;
    for (const m of msgs) {
      const effects = this.dkg.onLogEntry(m);
      const bad = effects.some((e) => e.kind === "fault" && e.code !== "DKG_BAD_JUSTIFICATION");
      if (bad) ok = false;
      else if (m.kind === "justification") this.open.delete(`${this.dkgIndex[it.author]}/${m.complainer}`);
    }
    return ok;
  }

  private item(phase: ItemPhase, entries: readonly DkgMessage<E>[]): Uint8Array {
    return encodeItem(
      this.cfg.chain,
      this.cfg.self,
      phase,
      entries.map((e) => dkgMessageToBytes(this.cfg.group, e)),
      this.cfg.sign,
    );
  }
}

function appends<E>(effects: readonly DkgEffect<E>[]): DkgMessage<E>[] {
  const out: DkgMessage<E>[] = [];
  for (const e of effects) if (e.kind === "append") out.push(e.entry);
  return out;
}

function faulted<E>(effects: readonly DkgEffect<E>[]): boolean {
  return effects.some((e) => e.kind === "fault");
}

function phaseOf<E>(m: DkgMessage<E>): ItemPhase | undefined {
  if (m.kind === "deal") return PHASE_DEAL;
  if (m.kind === "complaint") return PHASE_COMPLAINTS;
  if (m.kind === "justification") return PHASE_JUSTIFICATIONS;
  return undefined;
}
