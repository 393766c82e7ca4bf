/**
 * The WAN member engine (ARCHITECTURE.md "WAN consensus" steps 1-7; seed 001 from entry to certified
 * convergence block): one sans-I/O Engine per node, with the roles the committee gives it (farmer of one
 * farmer quorum, harvester, miner; any mix). Pure: time from `ctx.now()`, no randomness needed, crypto from
 * the injected suite, I/O only as effects.
 *
 * Flow of a transfer (protocol `lattice/wan/v1`, every payload a canonical message of wan-messages.ts):
 *  1. a client `request` {kind: "submit", tx} at any node -> TxForward to the sender's batcher (entry
 *     quorum by Maglev over the farmer quorum ids, batcher by Maglev over that quorum's members);
 *  2. the batcher queues it (nonce order), cuts chained batches (B txs or D ms) and sends each to the first
 *     t members of the batch's validator ranking; on a late or split vote it asks more members;
 *  3. a member validates the batch against finalized state + pending view once the batch it chains onto is
 *     certified, and returns a verdict share to the batcher;
 *  4. t matching shares -> batch certificate -> CertifiedBatch to every node: each verifies it with the
 *     quorum key alone and adds the valid transfers to its certified pool; the quorum's members apply them
 *     to their pending view without re-validating;
 *  5. `proposeAfterMs` into each round, every harvester proposes from its pool by MEV-aware selection for
 *     its place in the round's resolution order, to every node;
 *  6. `mineAfterMs` (+ `backupDelayMs` per lottery place) into the round, a miner in the first
 *     `minerPlaces` merges the round's proposals and sends the signed convergence block to every node;
 *  7. harvesters agree on ONE block for the round through Simplex (certificate/round-agreement.ts,
 *     protocol `lattice/wan/agree/v1`: a replica notarizes a choice only if it holds the block and it
 *     re-checks), then threshold-sign that block only and broadcast shares to the harvesters; t shares ->
 *     certificate -> CertifiedConvergence to every node; each node recomputes the merge, appends
 *     (certificate verified) and starts the next round. Work that waits for data (a proposal or certificate
 *     still in flight) is retried when new data arrives;
 *  8. a node whose chain stalls (a certificate from beyond its next round, or catchUpAfterMs without
 *     progress) asks a peer for the missed rounds (CatchUpRequest -> RoundArchive) and appends them only
 *     if its own merge gives the certified roots.
 * Construction (stable; additive only): `new WanNode({suite, chainId, secretKey, committee, genesis,
 * farmer?, harvester?, miner?, params?, byzantine?, agreementJournal?, mergeMemo?})`.
 * Inputs: `start`; `request` {kind: "submit", tx} (reply {ok} or {ok: false, code}); messages on
 * `lattice/wan/v1` and `lattice/wan/agree/v1`; its own timers ("cut", "ask/...", "propose", "mine",
 * "catch-up", "simplex/...").
 * Emits: `wan/finalized` {round, kept (hex ids), stateRoot (hex)}, `wan/certified-batch` {digest, valid},
 * `wan/decided` {round, block} (harvesters: the agreement's choice), `wan/evidence` {kind:
 * "verdict-equivocation" | "batch-fork" | "batch-certificates", ...} naming the offender where the
 * evidence can, `wan/rejected` {code, peer, from, detail}, and the agreement's `wan/agree/evidence`,
 * `wan/agree/rejected`, `wan/agree/conflict`.
 * Byzantine modes (`byzantine`, simulator and devnet chaos only) are described at `WanByzantine`; what a
 * mode did is counted in `faultCounts()`.
 * Not here yet (see the issue): the task scheduler's backpressure offloading in routing, epochs and
 * elections at run time, the harvester failover timeout, validation as a `service` effect.
 */
import { hexOf } from "../encoding/hex.ts";
import { addressBytesOf } from "../../crypto/address.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import { equalBytes, fromHex } from "../../crypto/bytes.ts";
import type { CryptoSuite } from "../../crypto/suite.ts";
import type { Ed25519Backend } from "../../crypto/ed25519.ts";
import { memoByPair, memoDecode } from "../memo/identity-memo.ts";
import type { Effect, Engine, EngineContext, EngineEvent, EngineId } from "../../engine/engine.ts";
import { buildMaglevTable, type MaglevTable, nextPrime } from "../../maglev/maglev.ts";
import type {
  KeyShare,
  SignatureShare,
  ThresholdPublicKey,
  ThresholdScheme,
} from "../../threshold/scheme.ts";
import { combineVerified } from "../../threshold/combine-verified.ts";
import { encodeTransfer, openTransfer, type Transfer, type TransferEnvelope } from "../../tx/transfer.ts";
import { type Batch, type BatchCertificate, WAN_PROTOCOL } from "../batch/batch-messages.ts";
import {
  Batcher,
  BatcherMap,
  batchDigest,
  decodeBitmap,
  encodeBitmap,
  rankValidators,
  ZERO_DIGEST,
} from "../batch/batch.ts";
import { ShareCollector, signVerdict, verifyBatchCertificate } from "../batch/batch-certificate.ts";
import {
  CONVERGENCE_CERT_TAG,
  type ConvergenceCertificate,
  certificationBytes,
  checkConvergence,
  type RoundContext,
  voteOnConvergence,
} from "../certificate/certification.ts";
import { WanChain } from "../certificate/wan-chain.ts";
import { AGREE_PROTOCOL, RoundAgreement } from "../certificate/round-agreement.ts";
import type { SimplexJournal } from "../../bft/simplex-journal.ts";
import {
  type ConvergenceBlock,
  ConvergenceBlockCodec,
  convergenceBodyOf,
  convergenceHash,
  signConvergence,
} from "../convergence/convergence-block.ts";
import { type MergeMemo, sharedMergeMemo } from "../convergence/merge-memo.ts";
import { minerRank, resolutionOrder } from "../convergence/round-order.ts";
import { type Ledger, PendingView } from "../ledger/ledger.ts";
import { type Candidate, selectForPosition } from "../proposal/mev-selection.ts";
import {
  type ProposalBlock,
  ProposalBlockCodec,
  proposalHash,
  proposalIsWellFormed,
  signProposal,
} from "../proposal/proposal-block.ts";
import type { Rejection } from "../rejection/rejection.ts";
import {
  CatchUpRequestCodec,
  CertifiedBatchCodec,
  CertifiedConvergenceCodec,
  ConvergenceShareCodec,
  MAX_CATCHUP_ROUNDS,
  RoundArchiveCodec,
  TxForwardCodec,
  wanWire,
} from "./wan-messages.ts";
import { BatchCodec, BatchShareCodec } from "../batch/batch-messages.ts";

/** A quorum as every node knows it for the epoch: id, members (engine ids, threshold order), public key. */
export interface QuorumInfo {
  readonly id: Uint8Array;
  readonly members: readonly EngineId[];
  readonly key: ThresholdPublicKey<unknown>;
}

/** The epoch's committee (from the election; dealer-made keys in tests). */
export interface WanCommittee {
  readonly epoch: number;
  readonly farmers: readonly QuorumInfo[];
  readonly harvesters: QuorumInfo;
  /** Eligible miners' engine ids. */
  readonly miners: readonly EngineId[];
}

export interface WanParams {
  /** B: transfers per batch. */
  readonly maxBatchTxs: number;
  /** D: the longest a ready transfer waits for its batch, ms. */
  readonly batchDelayMs: number;
  /** Ask more members when a batch has no certificate after this long, ms. */
  readonly shareTimeoutMs: number;
  /** Members asked beyond t at each timeout. */
  readonly extraAsk: number;
  readonly proposeAfterMs: number;
  readonly mineAfterMs: number;
  readonly backupDelayMs: number;
  /** Lottery places whose convergence blocks are accepted (winner + backups). */
  readonly minerPlaces: number;
  readonly maxBlockBytes: number;
  /** Δ of the harvesters' round agreement (Simplex): leader timeout 2Δ, advance 3Δ. */
  readonly agreeDeltaMs: number;
  /** Pacing of the agreement log: a leader proposes this long after entering its view. */
  readonly agreeBlockTimeMs: number;
  /** A node whose chain has not moved for this long asks a random peer for the rounds it missed. */
  readonly catchUpAfterMs: number;
  /** Finalized rounds kept (block, proposals, kept transfers) to serve peers that catch up. */
  readonly archiveRounds: number;
}

export const DEFAULT_WAN_PARAMS: WanParams = Object.freeze({
  maxBatchTxs: 64,
  batchDelayMs: 20,
  shareTimeoutMs: 60,
  extraAsk: 2,
  proposeAfterMs: 60,
  mineAfterMs: 120,
  backupDelayMs: 80,
  minerPlaces: 3,
  maxBlockBytes: 25_000,
  agreeDeltaMs: 40,
  agreeBlockTimeMs: 30,
  catchUpAfterMs: 1000,
  archiveRounds: 64,
});

/**
 * Byzantine behaviour of one node (simulator and devnet chaos only; an honest node has none). Each mode
 * counts what it did in `faultCounts()`, so a test can tell a mode that acted from one that never fired.
 * - farmer `wrong-verdict`: signs the inverted verdict bitmap; `equivocate`: signs the true AND the
 *   inverted bitmap and sends both; `double-spend`: as a batcher, forks its batch chain to put the second
 *   of two same-(sender, nonce) transfers in a batch of its own with the same seq and prev;
 * - harvester `withhold`: proposes, votes and agrees on nothing; `equivocate`: two proposals per round,
 *   and a share for EVERY block that checks, combining any certificate it can; `invalid-proposal`: adds
 *   transfer ids nobody certified to its proposals;
 * - miner `invalid-block`: mines every round whatever it saw, with a wrong state root.
 */
export interface WanByzantine {
  readonly farmer?: "wrong-verdict" | "equivocate" | "double-spend";
  readonly harvester?: "withhold" | "equivocate" | "invalid-proposal";
  readonly miner?: "invalid-block";
}

export interface WanNodeOptions {
  readonly suite: CryptoSuite;
  readonly chainId: number;
  readonly secretKey: Uint8Array;
  readonly committee: WanCommittee;
  readonly genesis: Ledger;
  /** Farmer role: index into committee.farmers and this node's key share of that quorum. */
  readonly farmer?: { readonly quorum: number; readonly share: KeyShare };
  /** Harvester role: this node's key share of the harvester quorum. */
  readonly harvester?: { readonly share: KeyShare };
  readonly miner?: boolean;
  readonly params?: Partial<WanParams>;
  /** Memo of convergence merges (default: one shared by the process's engines; results are exact). */
  readonly mergeMemo?: MergeMemo;
  /** Byzantine modes (simulator, devnet chaos); absent = honest. */
  readonly byzantine?: WanByzantine;
  /** Write-ahead journal of the harvester agreement (default: in memory; a node backs it with SQLite). */
  readonly agreementJournal?: SimplexJournal;
}

interface PoolEntry {
  readonly env: TransferEnvelope;
  readonly order: number;
}

interface Collecting {
  readonly batch: Batch;
  readonly collector: ShareCollector;
  readonly ranking: number[];
  asked: number;
}

interface FarmerState {
  readonly quorum: QuorumInfo;
  readonly index: number;
  readonly share: KeyShare;
  readonly view: PendingView;
  readonly batcher: Batcher;
  readonly collecting: Map<string, Collecting>;
  /** Digests of this quorum's certified batches: a batch is validated once its predecessor is here. */
  readonly certifiedDigests: Set<string>;
  /** Batches waiting for their predecessor's certificate, by prev digest. */
  readonly waiting: Map<string, { batch: Batch; from: EngineId }>;
}

// Pure work on shared wire objects, done once per object (memo/identity-memo.ts).
const decodeWire = memoDecode((b) => wanWire.decode(b));
const openTx = memoDecode(openTransfer);
const proposalOk = memoByPair((signer: Ed25519Backend, p: ProposalBlock) => proposalIsWellFormed(signer, p));
/** Batch certificate checks by certificate object: the key and scheme it was checked under, and the answer. */
const batchCertChecks = new WeakMap<
  BatchCertificate,
  { key: unknown; scheme: ThresholdScheme<unknown, unknown>; ok: boolean }
>();

const out = (effects: Effect[], to: EngineId, payload: Uint8Array) =>
  effects.push({ kind: "send", to: { kind: "engine", engine: to }, protocol: WAN_PROTOCOL, payload });

export class WanNode implements Engine {
  readonly id: EngineId;
  readonly protocols = [WAN_PROTOCOL, AGREE_PROTOCOL] as const;
  readonly chain: WanChain;
  private readonly params: WanParams;
  private readonly publicKey: Uint8Array;
  private readonly entry: MaglevTable;
  private readonly batcherMaps: BatcherMap[];
  private readonly everyone: EngineId[];
  private readonly farmer: FarmerState | null;
  /** Certified, not yet finalized transfers by id hex. */
  private readonly pool = new Map<string, PoolEntry>();
  private poolCounter = 0;
  private readonly certifiedSeen = new Set<string>();
  private readonly proposals = new Map<number, Map<string, ProposalBlock>>();
  /** Convergence blocks seen for the current round, by hash hex. */
  private readonly blocks = new Map<string, ConvergenceBlock>();
  private readonly voted = new Set<string>();
  private readonly checkMemo = new Map<string, { version: number; ok: boolean }>();
  private readonly shares = new Map<string, Map<number, SignatureShare<unknown>>>();
  private readonly pendingFinal = new Map<
    number,
    { block: ConvergenceBlock; cert: ConvergenceCertificate }
  >();
  /** Bumped whenever a certified transfer or a proposal arrives: work waiting for data retries only then. */
  private dataVersion = 0;
  private readonly triedAt = new Map<string, number>();
  private proposedRound = 0;
  private minedRound = 0;
  /** Rounds this harvester has voted in: one block per round, ever (two certified blocks would fork). */
  private votedRound = 0;
  /** Best lottery place among the convergence blocks seen this round (a backup miner stays quiet). */
  private bestSeen = Number.POSITIVE_INFINITY;
  /** Harvesters only: the quorum's agreement on one convergence block per round. */
  private readonly agreement: RoundAgreement | null;
  /** The context of the event being handled (engines are called one event at a time). */
  private ctx: EngineContext | null = null;
  private readonly memo: MergeMemo;
  private readonly minerKeys: Uint8Array[];
  private readonly byz: WanByzantine;
  private readonly faults = new Map<string, number>();
  /** Evidence bookkeeping: certified batch slot (quorum/batcher/seq) -> digest; digest -> bitmap. */
  private readonly certifiedSlots = new Map<string, string>();
  private readonly certifiedBitmaps = new Map<string, string>();
  /** Byzantine double-spend batcher: first transfer id per (sender, nonce), batches sent, held twins. */
  private readonly slotFirst = new Map<string, string>();
  private readonly slotBatch = new Map<string, Batch>();
  private readonly twins = new Map<string, Uint8Array>();
  /** Finalized rounds served to peers catching up: the proposals merged and the transfers kept. */
  private readonly archive = new Map<number, { proposals: ProposalBlock[]; txs: Uint8Array[] }>();
  /** Transfers received in round archives: certified by the round's certificate, used to append it. */
  private readonly fetched = new Map<string, Transfer>();
  private lastCatchUpAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WanNodeOptions) {
    const { suite, committee } = options;
    this.params = { ...DEFAULT_WAN_PARAMS, ...(options.params ?? {}) };
    this.memo = options.mergeMemo ?? sharedMergeMemo;
    this.minerKeys = committee.miners.map((m) => fromHex(m));
    this.byz = options.byzantine ?? {};
    this.publicKey = suite.signer.publicKey(options.secretKey);
    this.id = hexOf(this.publicKey);
    this.entry = buildMaglevTable(
      committee.farmers.map((q) => q.id),
      nextPrime(Math.max(101, 100 * committee.farmers.length)),
    );
    this.batcherMaps = committee.farmers.map((q) => new BatcherMap(q.members.map((m) => fromHex(m))));
    const all = new Set<EngineId>([
      ...committee.farmers.flatMap((q) => q.members),
      ...committee.harvesters.members,
      ...committee.miners,
    ]);
    this.everyone = [...all].sort();
    this.chain = new WanChain(suite.threshold, options.chainId, options.genesis, (epoch) =>
      epoch === committee.epoch ? { active: committee.harvesters.key.groupKey, backup: null } : undefined,
    );
    this.agreement =
      options.harvester === undefined
        ? null
        : new RoundAgreement({
            signer: suite.signer,
            secretKey: options.secretKey,
            chainId: options.chainId,
            epoch: committee.epoch,
            quorum: committee.harvesters.id,
            members: committee.harvesters.members,
            delta: this.params.agreeDeltaMs,
            blockTime: this.params.agreeBlockTimeMs,
            ...(options.agreementJournal === undefined ? {} : { journal: options.agreementJournal }),
            candidate: () => this.candidate(),
            check: (round, block) => round === this.round && this.checks(hexOf(block)),
          });
    if (options.farmer === undefined) {
      this.farmer = null;
    } else {
      const quorum = committee.farmers[options.farmer.quorum]!;
      const index = quorum.members.indexOf(this.id);
      if (index < 0) throw new RangeError("farmer: this node is not a member of its quorum");
      const view = new PendingView(this.chain.ledger, options.chainId, suite.signer);
      this.farmer = {
        quorum,
        index,
        share: options.farmer.share,
        view,
        batcher: new Batcher(
          {
            epoch: committee.epoch,
            quorum: quorum.id,
            batcher: this.publicKey,
            maxTxs: this.params.maxBatchTxs,
            maxDelayMs: this.params.batchDelayMs,
          },
          (k) => view.senderState(k).nonce,
        ),
        collecting: new Map(),
        certifiedDigests: new Set(),
        waiting: new Map(),
      };
    }
  }

  /** What this node's byzantine modes did, by action (empty for an honest node). */
  faultCounts(): Record<string, number> {
    return Object.fromEntries([...this.faults].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }

  /** Batch certificates are verified once per (scheme, group key, certificate object) in a process. */
  private batchCertificateOk(groupKey: unknown, cert: BatchCertificate): boolean {
    const scheme = this.options.suite.threshold;
    const memo = batchCertChecks.get(cert);
    if (memo !== undefined && memo.key === groupKey && memo.scheme === scheme) return memo.ok;
    const ok = verifyBatchCertificate(scheme, groupKey, cert);
    batchCertChecks.set(cert, { key: groupKey, scheme, ok });
    return ok;
  }

  private fault(name: string): void {
    this.faults.set(name, (this.faults.get(name) ?? 0) + 1);
  }

  private evidence(effects: Effect[], data: Record<string, unknown>): void {
    effects.push({ kind: "emit", name: "wan/evidence", data });
  }

  /** Certified transfers not yet final (for invariant checks). */
  pendingIds(): string[] {
    return [...this.pool.keys()];
  }

  /** Every transfer id this node has seen certified. */
  certifiedIds(): ReadonlySet<string> {
    return this.certifiedSeen;
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    const effects: Effect[] = [];
    this.ctx = ctx;
    switch (event.kind) {
      case "start":
        this.startRound(effects);
        this.agree(event, effects);
        break;
      case "request":
        this.onRequest(event.requestId, event.body, effects, ctx);
        break;
      case "timer":
        if (event.timer.startsWith("simplex/")) this.agree(event, effects);
        else this.onTimer(event.timer, effects, ctx);
        break;
      case "message":
        if (event.protocol === WAN_PROTOCOL) this.onMessage(event.from, event.payload, effects, ctx);
        else if (event.protocol === AGREE_PROTOCOL) this.agree(event, effects);
        break;
      default:
        break;
    }
    this.ctx = null;
    return effects;
  }

  // ---- entry ----

  private onRequest(requestId: string, body: unknown, effects: Effect[], ctx: EngineContext): void {
    const tx = (body as { kind?: unknown; tx?: unknown } | null)?.tx;
    if (!(tx instanceof Uint8Array)) {
      effects.push({ kind: "reply", requestId, body: { ok: false, code: "WAN_BAD_REQUEST" } });
      return;
    }
    const r = this.route(tx, effects, ctx);
    effects.push({ kind: "reply", requestId, body: r === null ? { ok: true } : { ok: false, code: r.code } });
  }

  /** Send a transfer to its batcher (or batch it here). */
  private route(bytes: Uint8Array, effects: Effect[], ctx: EngineContext): Rejection | null {
    let env: TransferEnvelope;
    try {
      env = openTx(bytes);
    } catch {
      return this.rejected(effects, { code: "WAN_TX_MALFORMED", peer: "penalise" }, "client");
    }
    const q = this.entry.lookup(env.sender);
    const quorum = this.options.committee.farmers.findIndex((f) => equalBytes(f.id, this.entry.quorums[q]!));
    const batcher =
      this.options.committee.farmers[quorum]!.members[this.batcherMaps[quorum]!.batcherOf(env.sender)]!;
    if (batcher !== this.id) {
      out(effects, batcher, TxForwardCodec.encode({ tx: bytes }));
      return null;
    }
    const f = this.farmer!;
    if (this.byz.farmer === "double-spend") {
      const slot = `${hexOf(env.sender)}/${env.tx.nonce}`;
      const first = this.slotFirst.get(slot);
      if (first === undefined) this.slotFirst.set(slot, hexOf(env.id));
      else if (first !== hexOf(env.id)) {
        const sent = this.slotBatch.get(slot);
        if (sent !== undefined) this.sendBatch({ ...sent, txs: [bytes] }, effects, true);
        else this.twins.set(slot, bytes);
        return null;
      }
    }
    if (f.batcher.add(env, ctx.now())) this.maybeCut(effects, ctx);
    return null;
  }

  private maybeCut(effects: Effect[], ctx: EngineContext): void {
    const f = this.farmer;
    if (f === null) return;
    for (let b = f.batcher.cut(ctx.now()); b !== null; b = f.batcher.cut(ctx.now()))
      this.sendBatch(b, effects);
    const due = f.batcher.dueAt();
    if (due !== null) effects.push({ kind: "set-timer", timer: "cut", after: Math.max(0, due - ctx.now()) });
  }

  private sendBatch(batch: Batch, effects: Effect[], fork = false): void {
    const f = this.farmer!;
    if (fork) this.fault("farmer/forked-batch");
    else if (this.byz.farmer === "double-spend") {
      for (const bytes of batch.txs) {
        const env = openTx(bytes);
        const slot = `${hexOf(env.sender)}/${env.tx.nonce}`;
        this.slotBatch.set(slot, batch);
        const twin = this.twins.get(slot);
        if (twin !== undefined) {
          this.twins.delete(slot);
          this.sendBatch({ ...batch, txs: [twin] }, effects, true);
        }
      }
    }
    const digest = batchDigest(batch);
    const members = f.quorum.members.map((m) => fromHex(m));
    const ranking = rankValidators(members, digest);
    const c: Collecting = {
      batch,
      collector: new ShareCollector(
        this.options.suite.threshold,
        f.quorum.key,
        batch.epoch,
        f.quorum.id,
        digest,
      ),
      ranking,
      asked: 0,
    };
    f.collecting.set(hexOf(digest), c);
    this.ask(c, f.quorum.key.t, effects);
  }

  private ask(c: Collecting, upTo: number, effects: Effect[]): void {
    const f = this.farmer!;
    const payload = BatchCodec.encode(c.batch);
    for (; c.asked < Math.min(upTo, c.ranking.length); c.asked++)
      out(effects, f.quorum.members[c.ranking[c.asked]!]!, payload);
    if (c.asked < c.ranking.length) {
      effects.push({
        kind: "set-timer",
        timer: `ask/${hexOf(c.collector.digest)}`,
        after: this.params.shareTimeoutMs,
      });
    }
  }

  // ---- timers ----

  private onTimer(timer: string, effects: Effect[], ctx: EngineContext): void {
    if (timer === "cut") {
      const f = this.farmer;
      if (f === null) return;
      const b = f.batcher.cut(ctx.now());
      if (b !== null) this.sendBatch(b, effects);
      this.maybeCut(effects, ctx);
    } else if (timer.startsWith("ask/")) {
      const c = this.farmer?.collecting.get(timer.slice(4));
      if (c !== undefined && c.collector.certificate === null)
        this.ask(c, c.asked + this.params.extraAsk, effects);
    } else if (timer === "catch-up") {
      const peers = this.everyone.filter((x) => x !== this.id);
      if (peers.length > 0) this.askRounds(peers[ctx.random.int(0, peers.length - 1)]!, effects, ctx, true);
      effects.push({ kind: "set-timer", timer: "catch-up", after: this.params.catchUpAfterMs });
    } else if (timer === "propose") {
      this.propose(effects);
    } else if (timer === "mine") {
      this.mine(effects);
    }
  }

  // ---- messages ----

  private onMessage(from: EngineId, payload: Uint8Array, effects: Effect[], ctx: EngineContext): void {
    let m: ReturnType<typeof wanWire.decode>;
    try {
      m = decodeWire(payload);
    } catch {
      this.rejected(effects, { code: "WAN_MALFORMED", peer: "penalise" }, from);
      return;
    }
    switch (m.name) {
      case "TxForward":
        this.route(m.value.tx, effects, ctx);
        break;
      case "Batch":
        this.onBatch(from, m.value, effects);
        break;
      case "BatchShare":
        this.onBatchShare(from, m.value, effects);
        break;
      case "CertifiedBatch":
        this.onCertifiedBatch(from, m.value.batch, m.value.certificate, effects, ctx);
        break;
      case "ProposalBlock":
        this.onProposal(from, m.value, effects);
        break;
      case "ConvergenceBlock":
        this.onConvergence(m.value, effects);
        break;
      case "ConvergenceShare":
        this.onConvergenceShare(from, m.value, effects);
        break;
      case "CertifiedConvergence":
        if (m.value.block.round < this.round) break;
        this.pendingFinal.set(m.value.block.round, { block: m.value.block, cert: m.value.certificate });
        this.tryFinalize(effects);
        // A certificate from beyond the next round: this node missed rounds; ask the sender for them.
        if (m.value.block.round > this.round) this.askRounds(from, effects, ctx, false);
        break;
      case "CatchUpRequest":
        this.serveRounds(from, m.value.from, m.value.to, effects);
        break;
      case "RoundArchive":
        this.onRoundArchive(m.value, effects);
        break;
    }
  }

  // ---- catch-up ----

  /** Ask `peer` for the rounds from this node's next one (rate-limited unless forced by the timer). */
  private askRounds(peer: EngineId, effects: Effect[], ctx: EngineContext, force: boolean): void {
    const now = ctx.now();
    if (!force && now - this.lastCatchUpAt < this.params.catchUpAfterMs / 4) return;
    this.lastCatchUpAt = now;
    out(
      effects,
      peer,
      CatchUpRequestCodec.encode({ from: this.round, to: this.round + MAX_CATCHUP_ROUNDS - 1 }),
    );
  }

  private serveRounds(to: EngineId, from: number, upTo: number, effects: Effect[]): void {
    const last = Math.min(upTo, from + MAX_CATCHUP_ROUNDS - 1, this.chain.head.round);
    for (let r = Math.max(1, from); r <= last; r++) {
      const fin = this.chain.history[r - 1];
      const a = this.archive.get(r);
      if (fin === undefined || fin.round !== r || a === undefined) continue;
      out(
        effects,
        to,
        RoundArchiveCodec.encode({
          block: fin.block,
          certificate: fin.certificate,
          proposals: a.proposals,
          txs: a.txs,
        }),
      );
    }
  }

  private onRoundArchive(
    a: {
      block: ConvergenceBlock;
      certificate: ConvergenceCertificate;
      proposals: readonly ProposalBlock[];
      txs: readonly Uint8Array[];
    },
    effects: Effect[],
  ): void {
    const round = a.block.round;
    if (round < this.round) return;
    let m = this.proposals.get(round);
    if (m === undefined) {
      m = new Map();
      this.proposals.set(round, m);
    }
    for (const p of a.proposals)
      if (proposalOk(this.options.suite.signer, p)) m.set(hexOf(proposalHash(p)), p);
    for (const bytes of a.txs) {
      try {
        const env = openTx(bytes);
        this.fetched.set(hexOf(env.id), env.tx);
      } catch {
        // A malformed transfer only means the recomputed merge will not match: nothing is appended.
      }
    }
    this.pendingFinal.set(round, { block: a.block, cert: a.certificate });
    this.dataVersion++;
    this.tryFinalize(effects);
  }

  private rejected(effects: Effect[], r: Rejection, from: string): Rejection {
    effects.push({ kind: "emit", name: "wan/rejected", data: { ...r, from } });
    return r;
  }

  // ---- farmers: validation and certificates ----

  private onBatch(from: EngineId, batch: Batch, effects: Effect[]): void {
    const f = this.farmer;
    if (
      f === null ||
      !equalBytes(batch.quorum, f.quorum.id) ||
      batch.epoch !== this.options.committee.epoch
    ) {
      this.rejected(effects, { code: "WAN_BATCH_NOT_MINE", peer: "ignore" }, from);
      return;
    }
    if (hexOf(batch.batcher) !== from || !f.quorum.members.includes(from)) {
      this.rejected(effects, { code: "WAN_BATCH_WRONG_BATCHER", peer: "penalise" }, from);
      return;
    }
    const prev = hexOf(batch.prev);
    if (batch.seq > 0 && !f.certifiedDigests.has(prev)) {
      f.waiting.set(prev, { batch, from });
      return;
    }
    if (batch.seq === 0 && !equalBytes(batch.prev, ZERO_DIGEST)) {
      this.rejected(effects, { code: "WAN_BATCH_BAD_CHAIN", peer: "penalise" }, from);
      return;
    }
    const digest = batchDigest(batch);
    const truth = encodeBitmap(f.view.validate(batch.txs));
    const inverted = encodeBitmap(decodeBitmap(truth, batch.txs.length)!.map((v) => !v));
    const verdicts =
      this.byz.farmer === "wrong-verdict"
        ? [inverted]
        : this.byz.farmer === "equivocate"
          ? [truth, inverted]
          : [truth];
    if (this.byz.farmer === "wrong-verdict") this.fault("farmer/wrong-verdict");
    if (this.byz.farmer === "equivocate") this.fault("farmer/equivocated-verdict");
    for (const bitmap of verdicts) {
      const share = signVerdict(
        this.options.suite.threshold,
        f.share,
        batch.epoch,
        f.quorum.id,
        digest,
        bitmap,
      );
      const msg = BatchShareCodec.encode({ epoch: batch.epoch, quorum: f.quorum.id, digest, bitmap, share });
      if (from === this.id) this.onBatchShare(this.id, BatchShareCodec.decode(msg), effects);
      else out(effects, from, msg);
    }
  }

  private onBatchShare(
    from: EngineId,
    s: { epoch: number; quorum: Uint8Array; digest: Uint8Array; bitmap: Uint8Array; share: Uint8Array },
    effects: Effect[],
  ): void {
    const f = this.farmer;
    const c = f?.collecting.get(hexOf(s.digest));
    if (f === null || c === undefined) return; // late share for a certified batch, or not ours
    const member = f.quorum.members.indexOf(from) + 1;
    if (member === 0) {
      this.rejected(effects, { code: "WAN_SHARE_NOT_MEMBER", peer: "penalise" }, from);
      return;
    }
    const r = c.collector.add(member, s.digest, s.bitmap, s.share);
    for (const x of r.rejections) {
      this.rejected(effects, x, from);
      if (x.code === "WAN_SHARE_EQUIVOCATION")
        this.evidence(effects, {
          kind: "verdict-equivocation",
          quorum: hexOf(f.quorum.id),
          digest: hexOf(s.digest),
          member: from,
        });
    }
    if (r.certificate !== null && c.asked > 0) {
      c.asked = -1; // certified: sent once
      effects.push({ kind: "cancel-timer", timer: `ask/${hexOf(s.digest)}` });
      const payload = CertifiedBatchCodec.encode({ batch: c.batch, certificate: r.certificate });
      for (const to of this.everyone) if (to !== this.id) out(effects, to, payload);
      this.onCertifiedBatch(this.id, c.batch, r.certificate, effects, null);
      f.collecting.delete(hexOf(s.digest));
    } else if (r.certificate === null && c.collector.verdicts() > 1 && c.asked < c.ranking.length) {
      // Split verdicts: more members now rather than at the timeout.
      this.ask(c, c.asked + 1, effects);
    }
  }

  private onCertifiedBatch(
    from: EngineId,
    batch: Batch,
    cert: BatchCertificate,
    effects: Effect[],
    ctx: EngineContext | null,
  ): void {
    const digest = batchDigest(batch);
    const quorum = this.options.committee.farmers.find((q) => equalBytes(q.id, batch.quorum));
    if (quorum === undefined || !equalBytes(cert.digest, digest) || !equalBytes(cert.quorum, batch.quorum)) {
      this.rejected(effects, { code: "WAN_CERT_MISMATCH", peer: "penalise" }, from);
      return;
    }
    if (!this.batchCertificateOk(quorum.key.groupKey, cert)) {
      this.rejected(effects, { code: "WAN_CERT_INVALID", peer: "penalise" }, from);
      return;
    }
    const verdicts = decodeBitmap(cert.bitmap, batch.txs.length);
    if (verdicts === null) {
      this.rejected(effects, { code: "WAN_CERT_BAD_BITMAP", peer: "penalise" }, from);
      return;
    }
    this.noteCertifiedBatch(batch, cert, digest, from, effects);
    const f = this.farmer;
    const mine = f !== null && equalBytes(f.quorum.id, batch.quorum);
    if (mine && f.certifiedDigests.has(hexOf(digest))) return;
    let valid = 0;
    const invalidSenders = new Set<string>();
    batch.txs.forEach((bytes, i) => {
      const env = openTx(bytes);
      const k = hexOf(env.id);
      if (!verdicts[i]) {
        invalidSenders.add(hexOf(env.sender));
        return;
      }
      valid++;
      if (!this.certifiedSeen.has(k)) {
        this.certifiedSeen.add(k);
        if (env.tx.nonce >= this.chain.ledger.get(env.sender).nonce)
          this.pool.set(k, { env, order: this.poolCounter++ });
      }
      if (mine) f.view.applyCertified(env.tx);
    });
    this.dataVersion++;
    if (mine) {
      f.certifiedDigests.add(hexOf(digest));
      if (equalBytes(batch.batcher, this.publicKey)) f.batcher.resync(invalidSenders);
      effects.push({ kind: "emit", name: "wan/certified-batch", data: { digest: hexOf(digest), valid } });
      const next = f.waiting.get(hexOf(digest));
      if (next !== undefined) {
        f.waiting.delete(hexOf(digest));
        this.onBatch(next.from, next.batch, effects);
      }
      if (ctx !== null && equalBytes(batch.batcher, this.publicKey)) this.maybeCut(effects, ctx);
    }
    this.retry(effects);
  }

  /**
   * Conflicting certified batches are evidence: two certified batches of one batcher with one seq (a
   * forked chain: the batcher is named, the quorum key vouches for both), or two certificates with
   * different verdicts on one digest (the quorum split; the shares' collector names who signed both).
   * Neither can break the ledger: every node's merge re-checks nonce and balance at convergence.
   */
  private noteCertifiedBatch(
    batch: Batch,
    cert: BatchCertificate,
    digest: Uint8Array,
    from: EngineId,
    effects: Effect[],
  ): void {
    const d = hexOf(digest);
    const slot = `${hexOf(batch.quorum)}/${hexOf(batch.batcher)}/${batch.seq}`;
    const prior = this.certifiedSlots.get(slot);
    if (prior === undefined) this.certifiedSlots.set(slot, d);
    else if (prior !== d) {
      this.evidence(effects, {
        kind: "batch-fork",
        quorum: hexOf(batch.quorum),
        batcher: hexOf(batch.batcher),
        seq: batch.seq,
        digests: [prior, d],
      });
      this.rejected(effects, { code: "WAN_BATCH_FORK", peer: "penalise" }, hexOf(batch.batcher));
    }
    const bitmap = hexOf(cert.bitmap);
    const seen = this.certifiedBitmaps.get(d);
    if (seen === undefined) this.certifiedBitmaps.set(d, bitmap);
    else if (seen !== bitmap) {
      this.evidence(effects, {
        kind: "batch-certificates",
        quorum: hexOf(batch.quorum),
        digest: d,
        bitmaps: [seen, bitmap],
        from,
      });
    }
  }

  // ---- rounds ----

  private get round(): number {
    return this.chain.head.round + 1;
  }

  private startRound(effects: Effect[]): void {
    const { committee } = this.options;
    effects.push({ kind: "set-timer", timer: "catch-up", after: this.params.catchUpAfterMs });
    if (this.options.harvester !== undefined)
      effects.push({ kind: "set-timer", timer: "propose", after: this.params.proposeAfterMs });
    if (this.options.miner === true) {
      const rank = minerRank(
        this.chain.head.beacon,
        this.round,
        committee.miners.map((m) => fromHex(m)),
        this.publicKey,
      );
      if (rank >= 0 && rank < this.params.minerPlaces) {
        effects.push({
          kind: "set-timer",
          timer: "mine",
          after: this.params.mineAfterMs + rank * this.params.backupDelayMs,
        });
      }
    }
  }

  private propose(effects: Effect[]): void {
    const round = this.round;
    if (this.proposedRound >= round || this.options.harvester === undefined) return;
    this.proposedRound = round;
    if (this.byz.harvester === "withhold") {
      this.fault("harvester/withheld-proposal");
      return;
    }
    const head = this.chain.head;
    const harvesters = this.options.committee.harvesters.members.map((m) => fromHex(m));
    const position = resolutionOrder(head.beacon, round, harvesters).findIndex((h) =>
      equalBytes(h, this.publicKey),
    );
    const ledger = this.chain.ledger;
    const candidates: Candidate[] = [];
    for (const [id, e] of this.pool) {
      candidates.push({
        id,
        sender: hexOf(e.env.sender),
        nonce: e.env.tx.nonce,
        size: e.env.bytes.length,
        fee: e.env.tx.fee,
      });
    }
    const picked = selectForPosition(
      candidates,
      position,
      this.params.maxBlockBytes,
      (s) => ledger.getHex(s).nonce,
    );
    const txs = picked.map((c) => fromHex(c.id));
    if (this.byz.harvester === "invalid-proposal") {
      this.fault("harvester/invalid-proposal");
      txs.push(taggedHash("lattice/wan/byzantine-id", this.publicKey, Uint8Array.of(round & 0xff)));
    }
    const bodies = [txs];
    if (this.byz.harvester === "equivocate") {
      this.fault("harvester/equivocated-proposal");
      bodies.push(txs.slice(0, Math.max(0, txs.length - 1)).concat([head.hash]));
    }
    for (const ids of bodies) {
      const block = signProposal(
        this.options.suite.signer,
        { epoch: this.options.committee.epoch, round, ref: head.hash, proposer: this.publicKey, txs: ids },
        this.options.secretKey,
      );
      const payload = ProposalBlockCodec.encode(block);
      for (const to of this.everyone) if (to !== this.id) out(effects, to, payload);
      this.onProposal(this.id, block, effects);
    }
  }

  private onProposal(from: EngineId, p: ProposalBlock, effects: Effect[]): void {
    if (p.round < this.round) return;
    if (hexOf(p.proposer) !== from || !this.options.committee.harvesters.members.includes(from)) {
      this.rejected(effects, { code: "WAN_PROPOSAL_NOT_HARVESTER", peer: "penalise" }, from);
      return;
    }
    if (!proposalOk(this.options.suite.signer, p)) {
      this.rejected(effects, { code: "WAN_PROPOSAL_INVALID", peer: "penalise" }, from);
      return;
    }
    let m = this.proposals.get(p.round);
    if (m === undefined) {
      m = new Map();
      this.proposals.set(p.round, m);
    }
    m.set(hexOf(proposalHash(p)), p);
    this.dataVersion++;
    this.retry(effects);
  }

  private mine(effects: Effect[]): void {
    const round = this.round;
    if (this.minedRound >= round) return;
    const miners = this.minerKeys;
    const invalid = this.byz.miner === "invalid-block";
    if (!invalid && this.bestSeen < minerRank(this.chain.head.beacon, round, miners, this.publicKey)) return;
    this.minedRound = round;
    const head = this.chain.head;
    const merge = this.memo.merge({
      round,
      beacon: head.beacon,
      ref: head.hash,
      proposals: [...(this.proposals.get(round)?.values() ?? [])],
      state: this.chain.ledger,
      certified: (k) => this.pool.get(k)?.env.tx,
    });
    const body = convergenceBodyOf(merge, {
      epoch: this.options.committee.epoch,
      round,
      prev: head.hash,
      beacon: head.beacon,
      miner: this.publicKey,
    });
    if (invalid) this.fault("miner/invalid-block");
    const block = signConvergence(
      this.options.suite.signer,
      invalid ? { ...body, stateRoot: taggedHash("lattice/wan/byzantine-root", body.stateRoot) } : body,
      this.options.secretKey,
    );
    const payload = ConvergenceBlockCodec.encode(block);
    for (const to of this.everyone) if (to !== this.id) out(effects, to, payload);
    this.onConvergence(block, effects);
  }

  private roundContext(): RoundContext {
    const head = this.chain.head;
    const round = this.round;
    return {
      signer: this.options.suite.signer,
      epoch: this.options.committee.epoch,
      round,
      prev: head.hash,
      beacon: head.beacon,
      miners: this.minerKeys,
      minerPlaces: this.params.minerPlaces,
      proposal: (h) => this.proposals.get(round)?.get(h),
      state: this.chain.ledger,
      certified: (k) => this.pool.get(k)?.env.tx,
      memo: this.memo,
    };
  }

  private onConvergence(block: ConvergenceBlock, effects: Effect[]): void {
    if (block.round !== this.round) return;
    const miners = this.minerKeys;
    const rank = minerRank(block.beacon, block.round, miners, block.miner);
    // A backup miner stays quiet only for a better-placed block it has checked itself: an invalid one
    // (or one it cannot check yet) must not silence it, or one bad miner stalls the round.
    if (
      this.options.miner === true &&
      rank >= 0 &&
      rank < this.bestSeen &&
      checkConvergence(block, this.roundContext()).ok
    )
      this.bestSeen = rank;
    if (this.options.harvester === undefined) return;
    const h = hexOf(convergenceHash(block));
    if (this.voted.has(h) || this.blocks.has(h)) return;
    this.blocks.set(h, block);
    this.vote(h, effects);
    this.replayAgreement(effects);
  }

  /** Whether stored block `h` passes this node's re-check now (memoised per data version). */
  private checks(h: string): boolean {
    const block = this.blocks.get(h);
    if (block === undefined) return false;
    const memo = this.checkMemo.get(h);
    if (memo !== undefined && memo.version === this.dataVersion) return memo.ok;
    const ok = checkConvergence(block, this.roundContext()).ok;
    this.checkMemo.set(h, { version: this.dataVersion, ok });
    return ok;
  }

  /** What this harvester proposes to the agreement: the best-placed block it has checked this round. */
  private candidate(): { round: number; block: Uint8Array } | null {
    const round = this.round;
    const miners = this.minerKeys;
    let best: { rank: number; h: string } | null = null;
    for (const [h, b] of this.blocks) {
      if (b.round !== round || !this.checks(h)) continue;
      const rank = minerRank(b.beacon, b.round, miners, b.miner);
      if (best === null || rank < best.rank || (rank === best.rank && h < best.h)) best = { rank, h };
    }
    return best === null ? null : { round, block: fromHex(best.h) };
  }

  /** Hand an event to the agreement and act on what it decided. */
  private agree(event: EngineEvent, effects: Effect[]): void {
    if (this.agreement === null || this.ctx === null) return;
    if (this.byz.harvester === "withhold") return;
    this.afterAgreement(this.agreement.handle(event, this.ctx), effects);
  }

  private replayAgreement(effects: Effect[]): void {
    if (this.agreement === null || this.ctx === null) return;
    this.afterAgreement(this.agreement.replay(this.ctx), effects);
  }

  private afterAgreement(
    r: { effects: Effect[]; decisions: { round: number; block: string }[] },
    effects: Effect[],
  ): void {
    effects.push(...r.effects);
    for (const d of r.decisions) {
      effects.push({ kind: "emit", name: "wan/decided", data: d });
      if (d.round === this.round) this.vote(d.block, effects);
    }
  }

  /**
   * Vote on a stored block if the agreement decided it for its round and it checks now; data-dependent
   * failures are retried when data arrives.
   */
  private vote(h: string, effects: Effect[]): void {
    const block = this.blocks.get(h);
    const share = this.options.harvester?.share;
    if (block === undefined || share === undefined || this.voted.has(h) || this.votedRound >= block.round)
      return;
    // The safety rule: sign only the round's decided block (see certificate/round-agreement.ts).
    const equivocate = this.byz.harvester === "equivocate";
    if (this.byz.harvester === "withhold") return;
    if (!equivocate && this.agreement?.decision(block.round) !== h) return;
    const v = voteOnConvergence(this.options.suite.threshold, share, block, this.roundContext());
    if (v.share === null) {
      // A state or tx root that differs may only mean a certified batch is still in flight: keep the block.
      const dataDependent = [
        "WAN_CONVERGENCE_MISSING_PROPOSAL",
        "WAN_CONVERGENCE_BAD_TXS",
        "WAN_CONVERGENCE_BAD_STATE_ROOT",
      ];
      if (!dataDependent.includes(v.rejection.code)) {
        this.blocks.delete(h);
        this.rejected(effects, v.rejection, hexOf(block.miner));
      }
      return;
    }
    this.voted.add(h);
    if (equivocate) {
      if (this.agreement?.decision(block.round) !== h) this.fault("harvester/equivocated-share");
    } else this.votedRound = block.round;
    const msg = ConvergenceShareCodec.encode({
      epoch: block.epoch,
      round: block.round,
      block: fromHex(h),
      stateRoot: block.stateRoot,
      share: v.share,
    });
    for (const to of this.options.committee.harvesters.members) if (to !== this.id) out(effects, to, msg);
    this.onConvergenceShare(this.id, ConvergenceShareCodec.decode(msg), effects);
  }

  private onConvergenceShare(
    from: EngineId,
    s: { epoch: number; round: number; block: Uint8Array; stateRoot: Uint8Array; share: Uint8Array },
    effects: Effect[],
  ): void {
    if (this.options.harvester === undefined || s.round !== this.round) return;
    const { harvesters } = this.options.committee;
    const member = harvesters.members.indexOf(from) + 1;
    const scheme = this.options.suite.threshold;
    let share: SignatureShare<unknown>;
    try {
      share = scheme.signatureShareFromBytes(s.share);
    } catch {
      this.rejected(effects, { code: "WAN_SHARE_MALFORMED", peer: "penalise" }, from);
      return;
    }
    if (member === 0 || share.index !== member) {
      this.rejected(effects, { code: "WAN_SHARE_WRONG_INDEX", peer: "penalise" }, from);
      return;
    }
    const h = hexOf(s.block);
    let m = this.shares.get(h);
    if (m === undefined) {
      m = new Map();
      this.shares.set(h, m);
    }
    if (m.has(member)) return;
    m.set(member, share);
    const block = this.blocks.get(h);
    if (m.size < harvesters.key.t || block === undefined || !this.voted.has(h)) return;
    const msg = certificationBytes(s.epoch, s.round, s.block, block.stateRoot);
    const r = combineVerified(scheme, harvesters.key, CONVERGENCE_CERT_TAG, msg, [...m.values()]);
    for (const bad of r.bad) m.delete(bad);
    if (!r.ok) return;
    const cert: ConvergenceCertificate = {
      epoch: s.epoch,
      round: s.round,
      block: s.block,
      stateRoot: block.stateRoot,
      signature: scheme.signatureToBytes(r.sig),
    };
    const payload = CertifiedConvergenceCodec.encode({ block, certificate: cert });
    for (const to of this.everyone) if (to !== this.id) out(effects, to, payload);
    this.pendingFinal.set(block.round, { block, cert });
    this.tryFinalize(effects);
  }

  /** Append every certified round this node can now recompute, in order. */
  private tryFinalize(effects: Effect[]): void {
    for (
      let next = this.pendingFinal.get(this.round);
      next !== undefined;
      next = this.pendingFinal.get(this.round)
    ) {
      const { block, cert } = next;
      const round = block.round;
      const attempt = `final/${hexOf(convergenceHash(block))}`;
      if (this.triedAt.get(attempt) === this.dataVersion) return;
      this.triedAt.set(attempt, this.dataVersion);
      const props: ProposalBlock[] = [];
      for (const h of block.proposals) {
        const p = this.proposals.get(round)?.get(hexOf(h));
        if (p === undefined) return; // wait for it
        props.push(p);
      }
      const head = this.chain.head;
      const merge = this.memo.merge({
        round,
        beacon: head.beacon,
        ref: head.hash,
        proposals: props,
        state: this.chain.ledger,
        certified: (k) => this.pool.get(k)?.env.tx ?? this.fetched.get(k),
      });
      const r = this.chain.append(block, cert, merge);
      if (r !== null) {
        if (r.code === "WAN_APPEND_STATE_MISMATCH") return; // a certified batch still in flight: retry later
        this.pendingFinal.delete(round);
        this.rejected(effects, r, "certificate");
        continue;
      }
      this.pendingFinal.delete(round);
      this.archive.set(round, {
        proposals: props,
        txs: merge.kept.map((id) => {
          const k = hexOf(id);
          return this.pool.get(k)?.env.bytes ?? encodeTransfer(this.fetched.get(k)!);
        }),
      });
      this.archive.delete(round - this.params.archiveRounds);
      this.afterFinal(merge.kept);
      effects.push({
        kind: "emit",
        name: "wan/finalized",
        data: { round, kept: merge.kept.map(hexOf), stateRoot: hexOf(block.stateRoot) },
      });
      this.startRound(effects);
    }
  }

  private afterFinal(kept: readonly Uint8Array[]): void {
    for (const id of kept) {
      this.pool.delete(hexOf(id));
      this.fetched.delete(hexOf(id));
    }
    const ledger = this.chain.ledger;
    for (const [k, e] of this.pool) if (e.env.tx.nonce < ledger.get(e.env.sender).nonce) this.pool.delete(k);
    this.proposals.delete(this.round - 1);
    this.blocks.clear();
    this.checkMemo.clear();
    this.agreement?.prune(this.round);
    this.triedAt.clear();
    this.bestSeen = Number.POSITIVE_INFINITY;
    this.shares.clear();
    this.voted.clear();
    const f = this.farmer;
    if (f !== null) {
      const pending: Transfer[] = [...this.pool.values()]
        .sort((a, b) => a.order - b.order)
        .map((e) => e.env.tx);
      f.view.rebase(ledger, pending);
    }
  }

  /** New data arrived: the decided block may check now, the agreement may vote, rounds may append. */
  private retry(effects: Effect[]): void {
    const decided = this.agreement?.decision(this.round);
    if (decided !== undefined) this.vote(decided, effects);
    if (this.byz.harvester === "equivocate") for (const h of [...this.blocks.keys()]) this.vote(h, effects);
    this.replayAgreement(effects);
    this.tryFinalize(effects);
  }

  /** This node's fee address (tests). */
  get address(): Uint8Array {
    return addressBytesOf(this.publicKey);
  }
}
