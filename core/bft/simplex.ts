/**
 * Simplex consensus as a sans-I/O engine (Chan & Pass, "Simplex Consensus"; research/core-anchors.md
 * §7.2, following commonware's description; ARCHITECTURE.md "WAN consensus" step 0 and "Layers": the
 * ordered log of a quorum, later the LAN microblock chain).
 *
 * Per view v (n >= 3f+1 members, quorum q = n - f):
 * - on entering v: arm the leader timer (2Δ) and the advance timer (3Δ); the leader proposes a block
 *   extending the highest notarized block whose later views are all nullified; its proposal is its vote;
 * - on the leader's first valid proposal: if its parent is notarized (or the finalized tip) and every view
 *   between is nullified, and the host's `verify` accepts the payload, vote `notarize`;
 * - q notarize votes = a notarization: vote `finalize` unless this replica nullified v, enter v+1;
 * - q nullify votes = a nullification: enter v+1;
 * - q finalize votes = a finalization: the block and its ancestors are final and are emitted in order;
 * - a timer firing: vote `nullify(v)`, then rebroadcast it with the previous view's certificate every 2Δ.
 *
 * Idle pacing (`idleBlockTime`, off by default): a chain with a block time but nothing to order would
 * otherwise finalize an empty block every block time, each costing every replica ~3n signature checks and
 * a few journal syncs. With it set, a leader whose app answers `propose` with `null` ("nothing yet") does
 * not propose; it asks the app again when the host signals new work (a `{kind: "notice", name:
 * "simplex/work"}` event) and, at the latest, `idleBlockTime` after entering the view, when the app must
 * answer with a payload (possibly an empty one: the chain still shows it is alive, and a leader that holds
 * work a follower cannot see is never stalled longer than that). Followers cannot tell an idle leader from
 * a slow one, so the idle interval is part of the protocol config and every view's leader and advance
 * timeouts are `idleBlockTime + 2Δ` and `idleBlockTime + 3Δ` (instead of `blockTime + ...`): an idle
 * leader is never nullified, and a crashed one is replaced within `idleBlockTime + 2Δ`. Chosen over
 * proposing empty blocks at a slower fixed interval because work that arrives in an idle view is proposed
 * at once (no earlier than `blockTime` into the view), so finality from idle stays ~3 hops after the
 * leader learns of the work, while the idle cost drops to one empty block per `idleBlockTime`. The price:
 * a crashed leader under load also costs `idleBlockTime + 2Δ` instead of `blockTime + 2Δ`.
 *
 * Guarantees:
 * - never both `finalize(v)` and `nullify(v)`, never two different `notarize(v)`: every vote is appended
 *   to the injected journal before the effect that sends it is returned, and a restarted engine rebuilds
 *   its votes from the journal (so also after a crash);
 * - finalized blocks are emitted (`simplex/finalized`) in height order, each exactly once per journal;
 * - malformed, wrongly signed or wrong-chain input is rejected with a typed code
 *   (`simplex/rejected`) and changes nothing; conflicting signed votes of one signer are emitted as
 *   evidence (`simplex/evidence`);
 * - memory is bounded: votes and proposals are kept only for views in (finalized, current + maxFuture].
 * The engine never reads a clock or a random source except through its context, and takes its
 * signatures from the injected signer (the crypto suite), so the simulator can run it on model crypto.
 */
import { equalBytes, fromHex } from "../crypto/bytes.ts";
import type { Ed25519Backend } from "../crypto/ed25519.ts";
import { taggedHash } from "../crypto/sha256.ts";
import { DecodeError } from "../codec/decode-error.ts";
import type {
  Destination,
  Effect,
  Engine,
  EngineContext,
  EngineEvent,
  EngineId,
  Millis,
  Random,
} from "../engine/engine.ts";
import type { JournalRecord, SimplexJournal } from "./simplex-journal.ts";
import {
  type Block,
  Blocks,
  blockHash,
  blockHashOfBytes,
  CatchUpRequest,
  Certificate,
  decodeSimplex,
  encodeVote,
  genesisHash,
  MAX_CATCHUP_VIEWS,
  NO_BLOCK,
  Proposal,
  proposalBlockBytes,
  SIMPLEX_PROTOCOL,
  type SimplexMessage,
  type Vote,
  type VoteKind,
  voteSigningBytes,
} from "./simplex-messages.ts";

/** What the leader's host is asked when it must propose. */
export interface ProposeInfo {
  readonly view: number;
  readonly height: number;
  /** Hash of the parent block. */
  readonly parent: Uint8Array;
  /** The engine's random stream (the host must not use any other source). */
  readonly random: Random;
  /**
   * True while the engine may wait for work (`idleBlockTime` set and not yet elapsed in this view): the
   * app may then answer `null`. When false the app must give a payload (an empty one if it has nothing).
   * Always set by the engine; optional only so hosts may reuse the type for `verify`'s block facts.
   */
  readonly mayWait?: boolean;
}

/** The host application: supplies payloads and may veto them. Payloads are opaque to Simplex. */
export interface SimplexApp {
  /**
   * The payload of a new block (called on the leader only; once per view unless it answers `null`, which
   * it may only while `info.mayWait`: then again on new work or when the idle interval ends). A `null`
   * when waiting is not allowed proposes an empty payload.
   */
  propose(info: ProposeInfo): Uint8Array | null;
  /** Application validity of a proposed payload; false means this replica does not notarize it. */
  verify?(payload: Uint8Array, info: Omit<ProposeInfo, "random" | "mayWait">): boolean;
}

/** How to build a replica. */
export interface SimplexOptions {
  /** Chain (quorum) id, 32 bytes: part of every signed vote, so votes never cross chains. */
  readonly chain: Uint8Array;
  /** Member engine ids (hex public keys); a member's signer index is its position here. */
  readonly members: readonly EngineId[];
  /** This replica's 32-byte secret key; its public key must be one of `members`. */
  readonly secretKey: Uint8Array;
  /** The signer of the injected crypto suite. */
  readonly signer: Ed25519Backend;
  readonly journal: SimplexJournal;
  readonly app: SimplexApp;
  /** Δ, the assumed network delay bound (default 100 ms): leader timeout 2Δ, advance timeout 3Δ. */
  readonly delta?: Millis;
  /**
   * Pacing: a leader proposes no earlier than this long after entering its view (default 0: at once,
   * a block every 2 hops). A quorum log with little to order, or a chain with a block time, sets it;
   * the leader and advance timeouts grow by the same amount.
   */
  readonly blockTime?: Millis;
  /**
   * Idle pacing (see the module header; default off: a leader always proposes at `blockTime`). The
   * longest a leader with nothing to propose waits before proposing anyway; must be >= `blockTime` and
   * the same on every member (followers' timeouts are derived from it).
   */
  readonly idleBlockTime?: Millis;
  /** A beacon to seed leader election with; round robin (view mod n) when absent. */
  readonly leaderSeed?: Uint8Array;
  /** How many views ahead of the current one votes and proposals are buffered (default 32). */
  readonly maxFutureViews?: number;
  /** Certificates kept below the finalized view for catch-up of others (default 64 views). */
  readonly retainViews?: number;
  /** Finalized block bodies kept in memory for peers that catch up (default 4096 views). */
  readonly retainBlocks?: number;
  /** Protocol id to send and accept (default `simplex/v1`). */
  readonly protocol?: string;
}

/** Data of the `simplex/finalized` emit: one finalized block. */
export interface FinalizedBlock {
  /** Chain id, hex. */
  readonly chain: string;
  readonly height: number;
  readonly view: number;
  /** Block hash, hex. */
  readonly hash: string;
  readonly parent: string;
  /** Proposer's engine id. */
  readonly proposer: EngineId;
  readonly payload: Uint8Array;
}

/** Data of the `simplex/evidence` emit: two conflicting votes, both validly signed by `signer`. */
export interface EquivocationEvidence {
  readonly chain: string;
  readonly signer: EngineId;
  readonly view: number;
  readonly first: { readonly kind: VoteKind; readonly block: string; readonly sig: Uint8Array };
  readonly second: { readonly kind: VoteKind; readonly block: string; readonly sig: Uint8Array };
}

/** Why input was rejected (`simplex/rejected` emit data `{code, from, detail}`). */
export type SimplexRejectCode =
  | "SIMPLEX_MALFORMED"
  | "SIMPLEX_WRONG_CHAIN"
  | "SIMPLEX_BAD_SIGNER"
  | "SIMPLEX_BAD_SIGNATURE"
  | "SIMPLEX_BAD_CERTIFICATE"
  | "SIMPLEX_BAD_PROPOSAL"
  | "SIMPLEX_BAD_REQUEST";

/** Counters the simulator and tests read. */
export interface SimplexStats {
  view: number;
  finalizedHeight: number;
  finalizedView: number;
  proposals: number;
  timeouts: number;
  nullifications: number;
  notarizations: number;
  finalizations: number;
  rejected: number;
  evidence: number;
  catchUpRequests: number;
}

/** Emitted names. */
export const FINALIZED_EVENT = "simplex/finalized";
export const EVIDENCE_EVENT = "simplex/evidence";
export const REJECTED_EVENT = "simplex/rejected";
export const CONFLICT_EVENT = "simplex/conflict";
/** Input notice name: the host has new work for a leader waiting idle (`{kind: "notice", name}`). */
export const WORK_NOTICE = "simplex/work";

const LEADER_TIMER = "simplex/leader";
const ADVANCE_TIMER = "simplex/advance";
const RETRY_TIMER = "simplex/retry";
const PROPOSE_TIMER = "simplex/propose";

interface SignedVote {
  readonly block: Uint8Array;
  readonly hex: string;
  readonly sig: Uint8Array;
}

interface ViewState {
  readonly notarize: Map<number, SignedVote>;
  readonly nullify: Map<number, SignedVote>;
  readonly finalize: Map<number, SignedVote>;
  proposal: { readonly block: Block; readonly hash: Uint8Array; readonly hex: string } | undefined;
  notarization: Certificate | undefined;
  nullification: Certificate | undefined;
  finalization: Certificate | undefined;
}

interface MyVotes {
  notarize?: SignedVote;
  nullify?: SignedVote;
  finalize?: SignedVote;
}

function newViewState(): ViewState {
  return {
    notarize: new Map(),
    nullify: new Map(),
    finalize: new Map(),
    proposal: undefined,
    notarization: undefined,
    nullification: undefined,
    finalization: undefined,
  };
}

/**
 * One Simplex replica.
 *
 * @example
 * const engine = new SimplexEngine({ chain, members, secretKey, signer: suite.signer,
 *   journal: new MemoryJournal(), app: { propose: ({ random }) => random.bytes(8) } });
 * // the runtime delivers {kind: "start"}, messages and timers; finalized blocks come out as
 * // {kind: "emit", name: "simplex/finalized", data: FinalizedBlock}.
 */
export class SimplexEngine implements Engine {
  readonly id: EngineId;
  readonly protocols: readonly string[];
  readonly n: number;
  readonly f: number;
  readonly q: number;

  private readonly chain: Uint8Array;
  private readonly chainHex: string;
  private readonly members: readonly EngineId[];
  private readonly memberKeys: readonly Uint8Array[];
  /** One immutable destination per member, shared by every send to it (no object per message). */
  private readonly destinations: readonly Destination[];
  private readonly index: number;
  private readonly secretKey: Uint8Array;
  private readonly signer: Ed25519Backend;
  private readonly journal: SimplexJournal;
  private readonly app: SimplexApp;
  private readonly delta: Millis;
  private readonly blockTime: Millis;
  private readonly idleBlockTime: Millis | undefined;
  private viewEnteredAt: Millis = 0;
  private readonly leaderSeed: Uint8Array | undefined;
  private readonly maxFuture: number;
  private readonly retain: number;
  private readonly retainBlocks: number;
  private readonly protocol: string;

  private view = 1;
  private finalizedView = 0;
  private finalizedHeight = 0;
  private finalizedHash: Uint8Array;
  private readonly views = new Map<number, ViewState>();
  private readonly mine = new Map<number, MyVotes>();
  /** Block bodies by hash hex, for views above the finalized one. */
  private readonly blocks = new Map<string, Block>();
  /** Hashes (hex) of blocks we need the body of to finalize. */
  private readonly wanted = new Set<string>();
  /** Finalized blocks by view: served to peers that catch up. */
  private readonly finalizedByView = new Map<number, Block>();
  private latestFinalization: Certificate | undefined;
  private prunedVotesTo = 0;
  private readonly lastRequestAt = new Map<string, Millis>();
  private readonly certBytes = new WeakMap<Certificate, Uint8Array>();
  private readonly statsData: SimplexStats;

  // Per-handle scratch: effects being built and the context lent by the runtime.
  private out: Effect[] = [];
  private ctx: EngineContext | undefined;

  constructor(options: SimplexOptions) {
    if (!(options.chain instanceof Uint8Array) || options.chain.length !== 32) {
      throw new TypeError("chain: expected 32 bytes");
    }
    const n = options.members.length;
    if (n < 1 || n > 1024) throw new RangeError(`members: expected 1..1024, got ${n}`);
    if (new Set(options.members).size !== n) throw new TypeError("members: duplicate engine id");
    this.chain = options.chain.slice();
    this.chainHex = hexOf(this.chain);
    this.members = [...options.members];
    this.memberKeys = this.members.map((m) => fromHex(m, "members[]"));
    this.destinations = this.members.map((engine) => Object.freeze({ kind: "engine" as const, engine }));
    this.signer = options.signer;
    this.secretKey = options.secretKey.slice();
    this.id = hexOf(this.signer.publicKey(this.secretKey));
    this.index = this.members.indexOf(this.id);
    if (this.index < 0) throw new TypeError("secretKey: its public key is not among members");
    this.n = n;
    this.f = Math.floor((n - 1) / 3);
    this.q = n - this.f;
    this.journal = options.journal;
    this.app = options.app;
    this.delta = options.delta ?? 100;
    if (!(this.delta > 0)) throw new RangeError("delta: expected > 0");
    this.blockTime = options.blockTime ?? 0;
    if (!(this.blockTime >= 0)) throw new RangeError("blockTime: expected >= 0");
    this.idleBlockTime = options.idleBlockTime;
    if (this.idleBlockTime !== undefined && !(this.idleBlockTime >= this.blockTime))
      throw new RangeError("idleBlockTime: expected >= blockTime");
    this.leaderSeed = options.leaderSeed?.slice();
    this.maxFuture = options.maxFutureViews ?? 32;
    this.retain = options.retainViews ?? 64;
    this.retainBlocks = options.retainBlocks ?? 4096;
    this.protocol = options.protocol ?? SIMPLEX_PROTOCOL;
    this.protocols = [this.protocol];
    this.finalizedHash = genesisHash(this.chain);
    this.statsData = {
      view: 1,
      finalizedHeight: 0,
      finalizedView: 0,
      proposals: 0,
      timeouts: 0,
      nullifications: 0,
      notarizations: 0,
      finalizations: 0,
      rejected: 0,
      evidence: 0,
      catchUpRequests: 0,
    };
    this.replay(this.journal.records());
  }

  /** Index of the leader of `view` in `members`. */
  leaderIndex(view: number): number {
    if (this.leaderSeed === undefined) return view % this.n;
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigUint64(0, BigInt(view));
    const h = taggedHash("simplex/leader/v1", this.leaderSeed, v);
    return new DataView(h.buffer, h.byteOffset, 4).getUint32(0) % this.n;
  }

  /** A snapshot of the counters. */
  stats(): SimplexStats {
    return {
      ...this.statsData,
      view: this.view,
      finalizedHeight: this.finalizedHeight,
      finalizedView: this.finalizedView,
    };
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    this.out = [];
    this.ctx = ctx;
    switch (event.kind) {
      case "start":
        this.onStart();
        break;
      case "timer":
        this.onTimer(event.timer);
        break;
      case "message":
        if (event.protocol === this.protocol) this.onMessage(event.from, event.payload);
        break;
      case "notice":
        // Only a leader waiting idle cares; anyone else's maybePropose returns at once.
        if (event.name === WORK_NOTICE) this.maybePropose();
        break;
      default:
        break;
    }
    this.ctx = undefined;
    return this.out;
  }

  // ---------------------------------------------------------------- restart

  private replay(records: readonly JournalRecord[]): void {
    let maxView = 0;
    for (const r of records) {
      if (r.kind === "vote") {
        const m = this.mine.get(r.view) ?? {};
        const sv: SignedVote = { block: r.block, hex: hexOf(r.block), sig: r.sig };
        m[r.vote] = sv;
        this.mine.set(r.view, m);
        if (r.view > maxView) maxView = r.view;
      } else if (r.kind === "finalized") {
        this.finalizedView = r.block.view;
        this.finalizedHeight = r.block.height;
        this.finalizedHash = r.hash;
        this.finalizedByView.set(r.block.view, r.block);
      }
    }
    // Certificates we held survive too: without them nobody might be able to extend the chain.
    for (const r of records) {
      if (r.kind !== "certificate" || r.cert.view <= this.finalizedView) continue;
      const c = r.cert;
      if (c.kind !== "finalize" && c.view + 1 > maxView) maxView = c.view + 1;
      if (c.body) this.blocks.set(hexOf(c.block), c.body);
      if (c.kind === "finalize" && (this.latestFinalization?.view ?? -1) < c.view)
        this.latestFinalization = c;
    }
    this.view = Math.max(1, maxView, this.finalizedView + 1);
    for (const r of records) {
      if (r.kind !== "certificate" || r.cert.view <= this.finalizedView) continue;
      const st = this.state(r.cert.view);
      if (st === undefined) continue;
      if (r.cert.kind === "notarize") st.notarization = r.cert;
      else if (r.cert.kind === "nullify") st.nullification = r.cert;
      else st.finalization = r.cert;
    }
    for (const v of [...this.mine.keys()]) if (v <= this.finalizedView) this.mine.delete(v);
    // Our own journaled votes count towards certificates again.
    for (const [v, m] of this.mine) {
      const st = this.state(v);
      if (st === undefined) continue;
      if (m.notarize) st.notarize.set(this.index, m.notarize);
      if (m.nullify) st.nullify.set(this.index, m.nullify);
      if (m.finalize) st.finalize.set(this.index, m.finalize);
    }
  }

  private onStart(): void {
    this.armViewTimers();
    // A crash may have fallen between the journal append and the send: send recent votes again.
    for (const v of [this.view - 1, this.view]) {
      const m = this.mine.get(v);
      if (m === undefined) continue;
      for (const kind of ["notarize", "nullify", "finalize"] as const) {
        const sv = m[kind];
        if (sv) this.broadcastVote(v, kind, sv);
      }
    }
    if (this.mine.get(this.view)?.nullify) {
      this.out.push({ kind: "set-timer", timer: RETRY_TIMER, after: 2 * this.delta });
    }
    this.maybePropose();
  }

  // ---------------------------------------------------------------- views and timers

  private armViewTimers(): void {
    this.viewEnteredAt = this.ctx!.now();
    // With idle pacing a leader may legitimately stay silent for idleBlockTime: wait that long for it.
    const pace = this.idleBlockTime ?? this.blockTime;
    this.out.push({ kind: "set-timer", timer: LEADER_TIMER, after: pace + 2 * this.delta });
    this.out.push({ kind: "set-timer", timer: ADVANCE_TIMER, after: pace + 3 * this.delta });
    this.out.push({ kind: "cancel-timer", timer: RETRY_TIMER });
  }

  private enterView(v: number): void {
    if (v <= this.view) return;
    this.view = v;
    this.armViewTimers();
    this.prune();
    const m = this.mine.get(v);
    if (m?.nullify) this.out.push({ kind: "set-timer", timer: RETRY_TIMER, after: 2 * this.delta });
    this.maybePropose();
    this.tryVote();
  }

  private onTimer(timer: string): void {
    if (timer === LEADER_TIMER || timer === ADVANCE_TIMER) {
      const st = this.state(this.view);
      // The advance timer is moot once this view has a certificate (we would have moved on).
      if (st?.notarization || st?.nullification) return;
      this.statsData.timeouts++;
      this.nullify(this.view);
    } else if (timer === PROPOSE_TIMER) {
      this.maybePropose();
    } else if (timer === RETRY_TIMER) {
      const v = this.view;
      const sv = this.mine.get(v)?.nullify;
      if (sv === undefined) return;
      this.broadcastVote(v, "nullify", sv);
      // Lagging peers need the previous view's certificate to join us in v.
      const prev = this.views.get(v - 1);
      const cert = prev?.notarization ?? prev?.nullification;
      if (cert) this.broadcast(this.encodeCert(cert));
      else if (this.latestFinalization) this.broadcast(this.encodeCert(this.latestFinalization));
      this.backfill(v);
      this.out.push({ kind: "set-timer", timer: RETRY_TIMER, after: 2 * this.delta });
    }
  }

  /**
   * Stuck in view v: earlier views with no certificate at all (their votes died with crashed replicas'
   * memory, or with a withholding one) would block every proposal forever. Nullifying them is safe for
   * any view we did not vote to finalize (the only rule is never both), and lets the chain move on.
   */
  private backfill(v: number): void {
    for (let w = Math.max(this.finalizedView + 1, v - MAX_CATCHUP_VIEWS); w < v; w++) {
      const st = this.state(w);
      if (st === undefined || st.notarization || st.nullification || st.finalization) continue;
      const m = this.mine.get(w);
      if (m?.finalize) continue;
      if (m?.nullify) this.broadcastVote(w, "nullify", m.nullify);
      else this.nullify(w, false);
    }
  }

  private nullify(v: number, armRetry = true): void {
    const m = this.mine.get(v) ?? {};
    // Safety: never nullify a view we voted to finalize.
    if (m.nullify || m.finalize) return;
    const sv = this.castVote(v, "nullify", NO_BLOCK);
    this.state(v)?.nullify.set(this.index, sv);
    if (armRetry) this.out.push({ kind: "set-timer", timer: RETRY_TIMER, after: 2 * this.delta });
    this.checkNullify(v);
  }

  /** A held certificate's bytes: encoded once, however often a stuck view re-sends it. */
  private encodeCert(c: Certificate): Uint8Array {
    let b = this.certBytes.get(c);
    if (b === undefined) {
      b = Certificate.encode(c);
      this.certBytes.set(c, b);
    }
    return b;
  }

  // ---------------------------------------------------------------- proposing and voting

  private isLeader(v: number): boolean {
    return this.leaderIndex(v) === this.index;
  }

  /** The block to extend in view v: highest notarized (or finalized) one with all later views nullified. */
  private selectParent(v: number): { view: number; hash: Uint8Array; height: number } | undefined {
    for (let p = v - 1; p >= this.finalizedView; p--) {
      if (p === this.finalizedView)
        return { view: p, hash: this.finalizedHash, height: this.finalizedHeight };
      const st = this.views.get(p);
      const nz = st?.notarization;
      if (nz) {
        const body = this.blocks.get(hexOf(nz.block));
        return body ? { view: p, hash: nz.block, height: body.height } : undefined;
      }
      if (!st?.nullification) return undefined;
    }
    return undefined;
  }

  private maybePropose(): void {
    const v = this.view;
    if (!this.isLeader(v)) return;
    const m = this.mine.get(v);
    if (m?.notarize || m?.nullify) return;
    const ctx = this.ctx!;
    const wait = this.viewEnteredAt + this.blockTime - ctx.now();
    if (wait > 0) {
      this.out.push({ kind: "set-timer", timer: PROPOSE_TIMER, after: wait });
      return;
    }
    const parent = this.selectParent(v);
    if (parent === undefined) return;
    const idleLeft =
      this.idleBlockTime === undefined ? 0 : this.viewEnteredAt + this.idleBlockTime - ctx.now();
    const answer = this.app.propose({
      view: v,
      height: parent.height + 1,
      parent: parent.hash,
      random: ctx.random,
      mayWait: idleLeft > 0,
    });
    if (answer === null && idleLeft > 0) {
      // Nothing to order yet: ask again on a work notice, or propose anyway when the interval ends.
      this.out.push({ kind: "set-timer", timer: PROPOSE_TIMER, after: idleLeft });
      return;
    }
    const payload = answer ?? new Uint8Array(0);
    const block: Block = {
      chain: this.chain,
      view: v,
      height: parent.height + 1,
      parentView: parent.view,
      parent: parent.hash,
      proposer: this.index,
      payload,
    };
    const hash = blockHash(block);
    const hex = hexOf(hash);
    const sv = this.record(v, "notarize", hash);
    this.statsData.proposals++;
    this.blocks.set(hex, block);
    const st = this.state(v)!;
    st.proposal = { block, hash, hex };
    st.notarize.set(this.index, sv);
    this.out.push({ kind: "cancel-timer", timer: LEADER_TIMER });
    this.broadcast(Proposal.encode({ block, sig: sv.sig }));
    this.checkNotarize(v);
  }

  /** Vote notarize on the current view's proposal if it is valid and extends a certified parent. */
  private tryVote(): void {
    const v = this.view;
    const st = this.views.get(v);
    const p = st?.proposal;
    if (st === undefined || p === undefined) return;
    const m = this.mine.get(v);
    if (m?.notarize || m?.nullify) return;
    const b = p.block;
    let parentHeight: number;
    if (b.parentView < this.finalizedView) return;
    if (b.parentView === this.finalizedView) {
      if (!equalBytes(b.parent, this.finalizedHash)) return;
      parentHeight = this.finalizedHeight;
    } else {
      const nz = this.views.get(b.parentView)?.notarization;
      if (nz === undefined) {
        this.requestCatchUp(this.members[b.proposer]!, b.parentView, v - 1);
        return;
      }
      if (!equalBytes(nz.block, b.parent)) return;
      const parentBody = this.blocks.get(hexOf(b.parent));
      if (parentBody === undefined) {
        this.want(b.parent, b.parentView);
        return;
      }
      parentHeight = parentBody.height;
    }
    if (b.height !== parentHeight + 1) return;
    for (let w = b.parentView + 1; w < v; w++) {
      if (!this.views.get(w)?.nullification) {
        this.requestCatchUp(this.members[b.proposer]!, w, v - 1);
        return;
      }
    }
    const info = { view: v, height: b.height, parent: b.parent };
    if (this.app.verify && !this.app.verify(b.payload, info)) return;
    const sv = this.castVote(v, "notarize", p.hash);
    st.notarize.set(this.index, sv);
    this.out.push({ kind: "cancel-timer", timer: LEADER_TIMER });
    this.checkNotarize(v);
  }

  /** Journal, then sign-and-send: the journal append happens before the send effect exists. */
  private castVote(v: number, kind: VoteKind, block: Uint8Array): SignedVote {
    const sv = this.record(v, kind, block);
    this.broadcastVote(v, kind, sv);
    return sv;
  }

  private record(v: number, kind: VoteKind, block: Uint8Array): SignedVote {
    const sig = this.signer.sign(this.secretKey, voteSigningBytes(this.chain, v, kind, block));
    this.journal.append({ kind: "vote", view: v, vote: kind, block, sig });
    const sv: SignedVote = { block, hex: hexOf(block), sig };
    const m = this.mine.get(v) ?? {};
    m[kind] = sv;
    this.mine.set(v, m);
    return sv;
  }

  private broadcastVote(v: number, kind: VoteKind, sv: SignedVote): void {
    this.broadcast(
      encodeVote({ chain: this.chain, view: v, kind, block: sv.block, signer: this.index, sig: sv.sig }),
    );
  }

  private broadcast(payload: Uint8Array): void {
    const to = this.destinations;
    for (let i = 0; i < this.n; i++) {
      if (i === this.index) continue;
      this.out.push({ kind: "send", to: to[i]!, protocol: this.protocol, payload });
    }
  }

  private sendTo(to: EngineId, payload: Uint8Array): void {
    this.out.push({ kind: "send", to: { kind: "engine", engine: to }, protocol: this.protocol, payload });
  }

  // ---------------------------------------------------------------- receiving

  private reject(code: SimplexRejectCode, from: EngineId, detail: string): void {
    this.statsData.rejected++;
    this.out.push({ kind: "emit", name: REJECTED_EVENT, data: { code, from, detail } });
  }

  private onMessage(from: EngineId, payload: Uint8Array): void {
    let msg: SimplexMessage;
    try {
      msg = decodeSimplex(payload, 1 << 20);
    } catch (err) {
      if (err instanceof DecodeError) {
        this.reject("SIMPLEX_MALFORMED", from, `${err.code} ${err.message}`);
        return;
      }
      throw err;
    }
    switch (msg.name) {
      case "SimplexVote":
        this.onVote(from, msg.value);
        break;
      case "SimplexProposal":
        this.onProposal(from, msg.value, payload);
        break;
      case "SimplexCertificate":
        this.onCertificate(from, msg.value);
        break;
      case "SimplexCatchUpRequest":
        this.onCatchUpRequest(from, msg.value);
        break;
      case "SimplexBlocks":
        this.onBlocks(from, msg.value);
        break;
    }
  }

  /** The per-view state, created on demand inside the buffering window only. */
  private state(v: number): ViewState | undefined {
    // Finalized views keep their certificates for others (read from `views` directly), never new votes.
    if (v <= this.finalizedView || v > this.view + this.maxFuture) return undefined;
    let st = this.views.get(v);
    if (st !== undefined) return st;
    st = newViewState();
    this.views.set(v, st);
    return st;
  }

  private onVote(from: EngineId, vote: Vote): void {
    if (!equalBytes(vote.chain, this.chain)) {
      this.reject("SIMPLEX_WRONG_CHAIN", from, "vote");
      return;
    }
    if (vote.signer >= this.n) {
      this.reject("SIMPLEX_BAD_SIGNER", from, `signer ${vote.signer}`);
      return;
    }
    if (vote.kind === "nullify" && !equalBytes(vote.block, NO_BLOCK)) {
      this.reject("SIMPLEX_MALFORMED", from, "nullify vote names a block");
      return;
    }
    // Two or more views behind: our certificates are missing, not just late.
    if (vote.view > this.view + 1) this.requestCatchUp(from, this.view, vote.view - 1);
    const st = this.state(vote.view);
    if (st === undefined) return;
    const hex = hexOf(vote.block);
    const tally = st[vote.kind];
    const prior = tally.get(vote.signer);
    if (prior !== undefined && prior.hex === hex) return;
    const bytes = voteSigningBytes(this.chain, vote.view, vote.kind, vote.block);
    if (!this.signer.verify(this.memberKeys[vote.signer]!, bytes, vote.sig)) {
      this.reject("SIMPLEX_BAD_SIGNATURE", from, `${vote.kind} view ${vote.view}`);
      return;
    }
    const sv: SignedVote = { block: vote.block, hex, sig: vote.sig };
    if (prior !== undefined) {
      this.evidence(vote.signer, vote.view, vote.kind, prior, vote.kind, sv);
      return;
    }
    // nullify and finalize by one signer in one view is equivocation too.
    const other = vote.kind === "nullify" ? st.finalize : vote.kind === "finalize" ? st.nullify : undefined;
    const clash = other?.get(vote.signer);
    if (clash !== undefined) {
      this.evidence(
        vote.signer,
        vote.view,
        vote.kind === "nullify" ? "finalize" : "nullify",
        clash,
        vote.kind,
        sv,
      );
    }
    tally.set(vote.signer, sv);
    if (vote.kind === "notarize") this.checkNotarize(vote.view);
    else if (vote.kind === "nullify") this.checkNullify(vote.view);
    else this.checkFinalize(vote.view);
  }

  private evidence(
    signer: number,
    view: number,
    k1: VoteKind,
    a: SignedVote,
    k2: VoteKind,
    b: SignedVote,
  ): void {
    this.statsData.evidence++;
    const data: EquivocationEvidence = {
      chain: this.chainHex,
      signer: this.members[signer]!,
      view,
      first: { kind: k1, block: a.hex, sig: a.sig },
      second: { kind: k2, block: b.hex, sig: b.sig },
    };
    this.out.push({ kind: "emit", name: EVIDENCE_EVENT, data });
  }

  /** `bytes` are the proposal's canonical bytes (the block's own encoding is inside them). */
  private onProposal(from: EngineId, p: Proposal, bytes: Uint8Array): void {
    const b = p.block;
    if (!equalBytes(b.chain, this.chain)) {
      this.reject("SIMPLEX_WRONG_CHAIN", from, "proposal");
      return;
    }
    if (b.view < 1 || b.parentView >= b.view || b.height < 1 || b.proposer !== this.leaderIndex(b.view)) {
      this.reject("SIMPLEX_BAD_PROPOSAL", from, `view ${b.view} proposer ${b.proposer}`);
      return;
    }
    if (b.view > this.view + 1) this.requestCatchUp(from, this.view, b.view - 1);
    const st = this.state(b.view);
    if (st === undefined) return;
    const hash = blockHashOfBytes(proposalBlockBytes(bytes));
    const hex = hexOf(hash);
    const prior = st.notarize.get(b.proposer);
    if (prior === undefined || prior.hex !== hex) {
      const bytes = voteSigningBytes(this.chain, b.view, "notarize", hash);
      if (!this.signer.verify(this.memberKeys[b.proposer]!, bytes, p.sig)) {
        this.reject("SIMPLEX_BAD_SIGNATURE", from, `proposal view ${b.view}`);
        return;
      }
      const sv: SignedVote = { block: hash, hex, sig: p.sig };
      if (prior !== undefined) {
        this.evidence(b.proposer, b.view, "notarize", prior, "notarize", sv);
        return;
      }
      st.notarize.set(b.proposer, sv);
    }
    this.blocks.set(hex, b);
    this.wanted.delete(hex);
    if (st.proposal === undefined) st.proposal = { block: b, hash, hex };
    this.checkNotarize(b.view);
    if (b.view === this.view) this.tryVote();
    this.tryFinalize();
  }

  // ---------------------------------------------------------------- certificates

  private countFor(tally: Map<number, SignedVote>): { hex: string; count: number } | undefined {
    if (tally.size < this.q) return undefined;
    // Nearly always every vote names the same block: count that without building a map.
    let first: string | undefined;
    let same = 0;
    for (const sv of tally.values()) {
      if (first === undefined) first = sv.hex;
      else if (sv.hex !== first) {
        same = -1;
        break;
      }
      same++;
    }
    if (same >= 0) return same >= this.q && first !== undefined ? { hex: first, count: same } : undefined;
    const counts = new Map<string, number>();
    for (const sv of tally.values()) {
      const c = (counts.get(sv.hex) ?? 0) + 1;
      counts.set(sv.hex, c);
      if (c >= this.q) return { hex: sv.hex, count: c };
    }
    return undefined;
  }

  private makeCert(v: number, kind: VoteKind, tally: Map<number, SignedVote>, hex: string): Certificate {
    const signers: number[] = [];
    for (const [signer, sv] of tally) if (sv.hex === hex) signers.push(signer);
    signers.sort((a, b) => a - b);
    const sigs = signers.map((s) => tally.get(s)!.sig);
    const block = tally.get(signers[0]!)!.block;
    const body = kind === "nullify" ? null : (this.blocks.get(hex) ?? null);
    return { chain: this.chain, view: v, kind, block, signers, sigs, body };
  }

  private checkNotarize(v: number): void {
    const st = this.views.get(v);
    if (st === undefined || st.notarization) return;
    const win = this.countFor(st.notarize);
    if (win === undefined) return;
    this.onNotarization(v, this.makeCert(v, "notarize", st.notarize, win.hex));
  }

  private checkNullify(v: number): void {
    const st = this.views.get(v);
    if (st === undefined || st.nullification || st.nullify.size < this.q) return;
    this.onNullification(v, this.makeCert(v, "nullify", st.nullify, hexOf(NO_BLOCK)));
  }

  private checkFinalize(v: number): void {
    const st = this.views.get(v);
    if (st === undefined || st.finalization) return;
    const win = this.countFor(st.finalize);
    if (win === undefined) return;
    this.onFinalization(v, this.makeCert(v, "finalize", st.finalize, win.hex));
  }

  private onNotarization(v: number, cert: Certificate): void {
    const st = this.state(v);
    if (st === undefined || st.notarization) return;
    st.notarization = cert;
    this.journal.append({ kind: "certificate", cert });
    this.statsData.notarizations++;
    if (cert.body) this.blocks.set(hexOf(cert.block), cert.body);
    const m = this.mine.get(v);
    if (!m?.nullify && !m?.finalize) {
      const sv = this.castVote(v, "finalize", cert.block);
      st.finalize.set(this.index, sv);
    }
    if (v >= this.view) this.enterView(v + 1);
    else this.tryVote();
    this.checkFinalize(v);
  }

  private onNullification(v: number, cert: Certificate): void {
    const st = this.state(v);
    if (st === undefined || st.nullification) return;
    st.nullification = cert;
    this.journal.append({ kind: "certificate", cert });
    this.statsData.nullifications++;
    if (v >= this.view) this.enterView(v + 1);
    else this.tryVote();
  }

  private onFinalization(v: number, cert: Certificate): void {
    const st = this.state(v);
    if (st === undefined || st.finalization) return;
    st.finalization = cert;
    this.journal.append({ kind: "certificate", cert });
    this.statsData.finalizations++;
    if (cert.body) this.blocks.set(hexOf(cert.block), cert.body);
    if (this.latestFinalization === undefined || this.latestFinalization.view < v)
      this.latestFinalization = cert;
    this.tryFinalize();
  }

  /** Check a received certificate; false if it is not q distinct valid signatures (or its body lies). */
  private verifyCert(c: Certificate): boolean {
    if (c.signers.length !== c.sigs.length || c.signers.length < this.q) return false;
    if (c.kind === "nullify" ? !equalBytes(c.block, NO_BLOCK) || c.body !== null : false) return false;
    if (c.body !== null && (c.body.view !== c.view || !equalBytes(blockHash(c.body), c.block))) return false;
    const st = this.views.get(c.view);
    const tally = st?.[c.kind];
    let prev = -1;
    let bytes: Uint8Array | undefined;
    for (let i = 0; i < c.signers.length; i++) {
      const s = c.signers[i]!;
      if (s <= prev || s >= this.n) return false;
      prev = s;
      const known = tally?.get(s);
      if (known !== undefined && equalBytes(known.sig, c.sigs[i]!) && equalBytes(known.block, c.block))
        continue;
      bytes ??= voteSigningBytes(this.chain, c.view, c.kind, c.block);
      if (!this.signer.verify(this.memberKeys[s]!, bytes, c.sigs[i]!)) return false;
    }
    return true;
  }

  private onCertificate(from: EngineId, c: Certificate): void {
    if (!equalBytes(c.chain, this.chain)) {
      this.reject("SIMPLEX_WRONG_CHAIN", from, "certificate");
      return;
    }
    if (c.view < 1) {
      this.reject("SIMPLEX_BAD_CERTIFICATE", from, "view 0");
      return;
    }
    if (c.view <= this.finalizedView) return;
    const st = this.views.get(c.view);
    const have =
      c.kind === "notarize" ? st?.notarization : c.kind === "nullify" ? st?.nullification : st?.finalization;
    if (have !== undefined) {
      if (c.body && !have.body && equalBytes(have.block, c.block) && equalBytes(blockHash(c.body), c.block)) {
        this.acceptBody(c.body);
      }
      return;
    }
    if (!this.verifyCert(c)) {
      this.reject("SIMPLEX_BAD_CERTIFICATE", from, `${c.kind} view ${c.view}`);
      return;
    }
    // A valid certificate for a view far ahead is how a lagging replica jumps: make room for it.
    if (c.view > this.view + this.maxFuture && c.kind !== "finalize") this.enterView(c.view - this.maxFuture);
    if (c.body) this.acceptBody(c.body);
    if (c.kind === "notarize") this.onNotarization(c.view, c);
    else if (c.kind === "nullify") this.onNullification(c.view, c);
    else {
      if (this.state(c.view) === undefined) {
        // A finalization beyond the window: still the strongest statement there is; keep it.
        if (this.latestFinalization === undefined || this.latestFinalization.view < c.view)
          this.latestFinalization = c;
        this.tryFinalize();
      } else this.onFinalization(c.view, c);
      if (c.view > this.view) this.requestCatchUp(from, this.view, c.view);
    }
  }

  private acceptBody(b: Block): void {
    if (b.view <= this.finalizedView) return;
    const hex = hexOf(blockHash(b));
    this.blocks.set(hex, b);
    this.wanted.delete(hex);
    this.tryFinalize();
  }

  // ---------------------------------------------------------------- finality

  /** Finalize along the newest finalization: emit every block from our tip to it, in order. */
  private tryFinalize(): void {
    const fin = this.latestFinalization;
    if (fin === undefined || fin.view <= this.finalizedView) return;
    const chain: Block[] = [];
    // Each block's hash is known from the walk (its child names it), so it is never re-encoded.
    const hashes: Uint8Array[] = [];
    let hash = fin.block;
    let hashView = fin.view;
    while (!equalBytes(hash, this.finalizedHash)) {
      const hex = hexOf(hash);
      const b = this.blocks.get(hex);
      if (b === undefined) {
        this.want(hash, hashView);
        return;
      }
      if (b.view <= this.finalizedView) {
        this.out.push({
          kind: "emit",
          name: CONFLICT_EVENT,
          data: { chain: this.chainHex, view: fin.view, block: hex },
        });
        this.latestFinalization = undefined;
        return;
      }
      chain.push(b);
      hashes.push(hash);
      hash = b.parent;
      hashView = b.parentView;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const b = chain[i]!;
      if (b.height !== this.finalizedHeight + 1) {
        this.out.push({
          kind: "emit",
          name: CONFLICT_EVENT,
          data: { chain: this.chainHex, view: b.view, height: b.height },
        });
        this.latestFinalization = undefined;
        return;
      }
      const h = hashes[i]!;
      this.journal.append({ kind: "finalized", block: b, hash: h });
      this.finalizedView = b.view;
      this.finalizedHeight = b.height;
      this.finalizedHash = h;
      this.finalizedByView.set(b.view, b);
      const data: FinalizedBlock = {
        chain: this.chainHex,
        height: b.height,
        view: b.view,
        hash: hexOf(h),
        parent: hexOf(b.parent),
        proposer: this.members[b.proposer] ?? "",
        payload: b.payload,
      };
      this.out.push({ kind: "emit", name: FINALIZED_EVENT, data });
    }
    if (this.view <= this.finalizedView) this.enterView(this.finalizedView + 1);
    this.prune();
  }

  private want(hash: Uint8Array, view: number): void {
    // Asked again on every attempt; the per-peer rate limit bounds it, and a lost answer cannot stall us.
    this.wanted.add(hexOf(hash));
    const from = Math.max(this.finalizedView + 1, view - MAX_CATCHUP_VIEWS + 1);
    const peer = this.randomPeer();
    if (peer !== undefined) this.requestCatchUp(peer, from, view);
  }

  private randomPeer(): EngineId | undefined {
    if (this.n < 2) return undefined;
    let i = this.ctx!.random.int(0, this.n - 2);
    if (i >= this.index) i++;
    return this.members[i];
  }

  // ---------------------------------------------------------------- catch-up

  /** Ask `peer` for views from..to, at most once per Δ per peer. */
  private requestCatchUp(peer: EngineId, from: number, to: number): void {
    if (peer === this.id || to < from) return;
    const now = this.ctx!.now();
    const last = this.lastRequestAt.get(peer);
    if (last !== undefined && now - last < this.delta) return;
    this.lastRequestAt.set(peer, now);
    const lo = Math.max(from, this.finalizedView + 1, to - MAX_CATCHUP_VIEWS + 1);
    this.statsData.catchUpRequests++;
    this.sendTo(peer, CatchUpRequest.encode({ chain: this.chain, from: lo, to }));
  }

  private onCatchUpRequest(from: EngineId, r: CatchUpRequest): void {
    if (!equalBytes(r.chain, this.chain)) {
      this.reject("SIMPLEX_WRONG_CHAIN", from, "request");
      return;
    }
    if (r.to < r.from || r.to - r.from >= MAX_CATCHUP_VIEWS) {
      this.reject("SIMPLEX_BAD_REQUEST", from, `views ${r.from}..${r.to}`);
      return;
    }
    const blocks: Block[] = [];
    for (let v = r.from; v <= r.to; v++) {
      const fb = this.finalizedByView.get(v);
      if (fb) blocks.push(fb);
      const st = this.views.get(v);
      if (st === undefined) continue;
      for (const c of [st.nullification, st.notarization, st.finalization]) {
        if (c === undefined) continue;
        const body = c.kind === "nullify" ? null : (c.body ?? this.blocks.get(hexOf(c.block)) ?? null);
        this.sendTo(from, Certificate.encode({ ...c, body }));
      }
    }
    if (blocks.length > 0) this.sendTo(from, Blocks.encode({ chain: this.chain, blocks }));
    // The newest finalization lets a replica that fell far behind learn where the chain is.
    const lf = this.latestFinalization;
    if (lf !== undefined && lf.view > r.to) {
      const body = lf.body ?? this.finalizedByView.get(lf.view) ?? null;
      this.sendTo(from, Certificate.encode({ ...lf, body }));
    }
  }

  private onBlocks(from: EngineId, m: Blocks): void {
    if (!equalBytes(m.chain, this.chain)) {
      this.reject("SIMPLEX_WRONG_CHAIN", from, "blocks");
      return;
    }
    // Newest first, so each accepted body makes its parent wanted before the parent is looked at.
    const sorted = [...m.blocks].sort((a, b) => b.view - a.view);
    let accepted = false;
    for (const b of sorted) {
      if (!equalBytes(b.chain, this.chain) || b.view <= this.finalizedView) continue;
      const hex = hexOf(blockHash(b));
      if (!this.wanted.has(hex)) continue;
      this.wanted.delete(hex);
      this.blocks.set(hex, b);
      if (!this.blocks.has(hexOf(b.parent))) this.wanted.add(hexOf(b.parent));
      accepted = true;
    }
    if (accepted) {
      this.tryFinalize();
      this.tryVote();
    }
  }

  // ---------------------------------------------------------------- memory bounds

  private prune(): void {
    // Votes and proposals of finalized views are never needed again; certificates a while longer.
    const keepCertsFrom = this.finalizedView - this.retain;
    if (this.finalizedView - this.prunedVotesTo > this.views.size) {
      for (const [v, st] of this.views) {
        if (v < keepCertsFrom) this.views.delete(v);
        else if (v <= this.finalizedView) clearVotes(st);
      }
    } else {
      for (let v = this.prunedVotesTo + 1; v <= this.finalizedView; v++) {
        const st = this.views.get(v);
        if (st === undefined) continue;
        if (v < keepCertsFrom) this.views.delete(v);
        else clearVotes(st);
      }
      for (let v = Math.max(this.prunedVotesTo - this.retain, 0); v < keepCertsFrom; v++)
        this.views.delete(v);
    }
    this.prunedVotesTo = this.finalizedView;
    for (const v of this.mine.keys()) if (v <= this.finalizedView) this.mine.delete(v);
    for (const [h, b] of this.blocks) if (b.view <= this.finalizedView) this.blocks.delete(h);
    const keepBlocksFrom = this.finalizedView - this.retainBlocks;
    for (const v of this.finalizedByView.keys()) {
      if (v >= keepBlocksFrom) break;
      this.finalizedByView.delete(v);
    }
    if (this.wanted.size > 4 * MAX_CATCHUP_VIEWS) this.wanted.clear();
  }
}

function clearVotes(st: ViewState): void {
  if (st.notarize.size > 0) st.notarize.clear();
  if (st.nullify.size > 0) st.nullify.clear();
  if (st.finalize.size > 0) st.finalize.clear();
  st.proposal = undefined;
}

/** Lower-case hex via the engine's native `Uint8Array#toHex`: hashes are hex-keyed in hot maps. */
function hexOf(b: Uint8Array): string {
  return b.toHex();
}
