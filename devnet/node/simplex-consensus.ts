/**
 * `consensus.kind = "simplex"`: every validator runs one SimplexEngine replica over the node's router,
 * ordering blocks whose payload is the canonical list of transaction bytes (cluster-wire.ts).
 *
 * - Proposing: the leader takes the ledger's validated transactions (oldest first), skips those already in
 *   a block of a recent view that is not final yet, and stops at the payload byte cap.
 * - Verifying: followers check the payload's shape only (canonical list of at most 256-byte items); the
 *   transactions themselves are re-checked deterministically when the block is applied (Ledger).
 * - Certified: when a notarization of view v is journaled, the transactions of v's proposal become
 *   `certified` in the ledger; `final` comes from the finalization (applyFinalized).
 * - Idle pacing (core/bft/simplex.ts "Idle pacing"; genesis `consensus.idleBlockTimeMs`, default
 *   DEFAULT_IDLE_BLOCK_TIME_MS, 0 = off): a leader with no validated transaction to propose answers
 *   "nothing yet", and `workAvailable()` (called when the ledger validated new transactions) wakes it, so
 *   an idle cluster finalizes one empty block per idle interval instead of one per block time, and a
 *   transaction submitted to it is proposed as soon as the leader has validated it. Until this replica has
 *   seen a block finalized it always proposes (the devnet's readiness waits for the first block).
 * - Byzantine modes (chaos): the honest engine's outgoing Simplex messages are rewritten by the
 *   simulator's transformers (devnet/sim/byzantine.ts), so misbehaviour is validly signed.
 */
import { equalBytes } from "../../core/crypto/bytes.ts";
import { nativeEd25519 } from "../../core/crypto/ed25519.ts";
import type { Effect, Engine, EngineContext, EngineEvent } from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import type { JournalRecord, SimplexJournal } from "../../core/bft/simplex-journal.ts";
import {
  type FinalizedBlock,
  FINALIZED_EVENT,
  type ProposeInfo,
  SimplexEngine,
  WORK_NOTICE,
} from "../../core/bft/simplex.ts";
import { SIMPLEX_PROTOCOL } from "../../core/bft/simplex-messages.ts";
import type { Ledger } from "../../core/ledger/ledger.ts";
import { transferId } from "../../core/tx/transfer.ts";
import type { ByzantineMode } from "../../net/api/admin-app.ts";
import type { LatticeNode } from "../../net/node/node.ts";
import { hexOf as toHex } from "../../net/api/hex.ts";
import type { QuorumsJson } from "../../net/api/wire.ts";
import { byzantineTransformer } from "../sim/byzantine.ts";
import type { EffectTransformer } from "../sim/simulator.ts";
import type { ClusterConsensus, ConsensusStatus } from "./consensus.ts";
import {
  decodeBlockPayload,
  encodeBlockPayload,
  MAX_BLOCK_TXS,
  PAYLOAD_BUDGET,
  payloadBound,
} from "./cluster-wire.ts";
import type { SqliteJournal } from "./sqlite-journal.ts";
import { quorumOf } from "./sync.ts";

export interface SimplexConsensusOptions {
  readonly node: LatticeNode;
  readonly ledger: Ledger;
  readonly journal: SqliteJournal;
  readonly chain: Uint8Array;
  readonly validators: readonly string[];
  readonly secretKey: Uint8Array;
  readonly blockTimeMs: number;
  readonly deltaMs: number;
  /** Idle pacing interval (default DEFAULT_IDLE_BLOCK_TIME_MS, at least blockTimeMs; 0 = off). */
  readonly idleBlockTimeMs?: number;
  /** Most transactions per block (default MAX_BLOCK_TXS). */
  readonly maxBlockTxs?: number;
  /** A block was finalized and stored at `height`. */
  readonly onFinalized: (block: FinalizedBlock) => void;
  /** Transactions of a notarized proposal (status "certified"). */
  readonly onCertified?: (ids: readonly Uint8Array[]) => void;
  /** Something an operator should see (evidence, rejected input). */
  readonly onNotice?: (name: string, data: unknown) => void;
}

/** A leader with nothing to propose still proposes (an empty block) this long into its view. */
export const DEFAULT_IDLE_BLOCK_TIME_MS = 1000;

/** The idle interval the engine gets: undefined = off (genesis 0); never below the block time. */
export function idleBlockTimeOf(blockTimeMs: number, idleBlockTimeMs: number | undefined): number | undefined {
  if (idleBlockTimeMs === 0) return undefined;
  return Math.max(blockTimeMs, idleBlockTimeMs ?? DEFAULT_IDLE_BLOCK_TIME_MS);
}

/** Body of the local request that becomes the engine's work notice (see SwitchableEngine). */
const WORK_REQUEST = "simplex/work";

/** Views an included-but-not-final transaction is kept out of new proposals. */
const INFLIGHT_VIEWS = 8;

/** Journal wrapper: sees notarizations as they are journaled (the only place the engine shows them). */
class TappedJournal implements SimplexJournal {
  constructor(
    private readonly inner: SimplexJournal,
    private readonly onRecord: (r: JournalRecord) => void,
  ) {}
  records(): readonly JournalRecord[] {
    return this.inner.records();
  }
  append(record: JournalRecord): void {
    this.inner.append(record);
    this.onRecord(record);
  }
}

/** Most Simplex messages kept while the replica is not started yet (start-up sync). */
const EARLY_MESSAGES = 1024;

/**
 * Stands in for the replica (same engine id, Simplex protocol) from node start until the replica exists,
 * keeping the messages that arrive meanwhile: peers that finished their start-up sync first already
 * propose and vote, and a dropped view-1 proposal costs the whole cluster a view timeout.
 */
class EarlyBuffer implements Engine {
  readonly protocols: readonly string[] = [SIMPLEX_PROTOCOL];
  readonly messages: EngineEvent[] = [];
  constructor(readonly id: string) {}
  handle(event: EngineEvent): readonly Effect[] {
    if (event.kind === "message") {
      if (this.messages.length >= EARLY_MESSAGES) this.messages.shift();
      this.messages.push(event);
    }
    return [];
  }
}

/**
 * An engine whose outgoing effects pass through the current byzantine transformer, and whose every step
 * runs inside one journal transaction (sqlite-journal.ts "Group commit"): the step's votes are durable
 * when `handle` returns, before the node applies its send effects.
 */
class SwitchableEngine implements Engine {
  readonly id: string;
  readonly protocols: readonly string[];
  transform: EffectTransformer | null = null;
  readonly #prng: Prng;
  constructor(
    readonly inner: Engine,
    seed: number,
    private readonly journal: SqliteJournal,
  ) {
    this.id = inner.id;
    this.protocols = inner.protocols;
    this.#prng = new Prng(seed);
  }
  /** Messages that arrived before this replica existed, handed to it right after its `start`. */
  early: EngineEvent[] = [];
  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    // The node runtime has no public way to hand one engine a notice; a local request carries it.
    if (event.kind === "request" && event.body === WORK_REQUEST) {
      const effects = this.handle({ kind: "notice", name: WORK_NOTICE, data: null }, ctx);
      return [...effects, { kind: "reply", requestId: event.requestId, body: null }];
    }
    const effects = this.journal.batch(() => {
      const out = [...this.inner.handle(event, ctx)];
      if (event.kind === "start" && this.early.length > 0) {
        const early = this.early;
        this.early = [];
        for (const e of early) out.push(...this.inner.handle(e, ctx));
      }
      return out;
    });
    const t = this.transform;
    if (t === null) return effects;
    return effects.flatMap((e) => t(e, this.id, this.#prng));
  }
}

export class SimplexConsensus implements ClusterConsensus {
  readonly kind = "simplex" as const;
  readonly #o: SimplexConsensusOptions;
  #engine: SimplexEngine | null = null;
  #host: SwitchableEngine | null = null;
  #early: EarlyBuffer | null = null;
  #mode: ByzantineMode = "honest";
  /** Transaction ids (hex) in proposals of recent views, by view. */
  readonly #byView = new Map<number, { ids: Uint8Array[]; hexes: string[] }>();
  readonly #inflight = new Map<string, { view: number; height: number }>();
  /** Set by the first finalized block this replica sees: until then an idle leader proposes anyway. */
  #sawFinalized = false;

  constructor(options: SimplexConsensusOptions) {
    this.#o = options;
  }

  hold(): void {
    if (this.#engine !== null || this.#early !== null) return;
    this.#early = new EarlyBuffer(toHex(nativeEd25519.publicKey(this.#o.secretKey)));
    this.#o.node.addEngine(this.#early);
  }

  start(): void {
    if (this.#engine !== null) return;
    const o = this.#o;
    const journal = new TappedJournal(o.journal, (r) => this.#onJournal(r));
    const idleBlockTime = idleBlockTimeOf(o.blockTimeMs, o.idleBlockTimeMs);
    const engine = new SimplexEngine({
      chain: o.chain,
      members: o.validators,
      secretKey: o.secretKey,
      signer: nativeEd25519,
      journal,
      delta: o.deltaMs,
      blockTime: o.blockTimeMs,
      ...(idleBlockTime === undefined ? {} : { idleBlockTime }),
      app: {
        propose: (info) => this.#propose(info),
        verify: (payload, info) => this.#verify(payload, info.view, info.height),
      },
    });
    this.#engine = engine;
    this.#host = new SwitchableEngine(engine, o.validators.indexOf(engine.id) + 1, o.journal);
    this.#applyMode();
    if (this.#early !== null) {
      o.node.removeEngine(this.#early);
      this.#host.early = this.#early.messages;
      this.#early = null;
    }
    o.node.onEmit((e) => {
      if (e.engine !== engine.id) return;
      if (e.name === FINALIZED_EVENT) this.#finalized(e.data as FinalizedBlock);
      else if (e.name.startsWith("simplex/")) o.onNotice?.(e.name, e.data);
    });
    o.node.addEngine(this.#host);
  }

  /** The ledger has newly validated transactions: a leader waiting idle proposes them now. */
  workAvailable(): void {
    const host = this.#host;
    if (host === null) return;
    void this.#o.node.request(host.id, WORK_REQUEST, SIMPLEX_PROTOCOL).catch(() => {});
  }

  stop(): void {
    if (this.#host === null) return;
    this.#o.node.removeEngine(this.#host);
    this.#host = null;
  }

  status(): ConsensusStatus {
    const e = this.#engine;
    const s = e?.stats();
    return {
      kind: "simplex",
      running: this.#host !== null,
      view: s?.view ?? 0,
      leader: e === null || s === undefined ? null : (this.#o.validators[e.leaderIndex(s.view)] ?? null),
      finalizedHeight: s?.finalizedHeight ?? this.#o.journal.height,
      timeouts: s?.timeouts ?? 0,
      nullifications: s?.nullifications ?? 0,
      rejected: s?.rejected ?? 0,
      evidence: s?.evidence ?? 0,
    };
  }

  quorums(): QuorumsJson {
    return {
      epoch: "0",
      quorums: [
        {
          id: toHex(this.#o.chain),
          kind: "simplex",
          members: [...this.#o.validators],
          threshold: quorumOf(this.#o.validators.length),
          publicKey: null,
        },
      ],
    };
  }

  readonly byzantine = {
    get: (): ByzantineMode => this.#mode,
    set: (mode: ByzantineMode): void => {
      this.#mode = mode;
      this.#applyMode();
    },
  };

  #applyMode(): void {
    if (this.#host === null) return;
    this.#host.transform =
      this.#mode === "honest" ? null : byzantineTransformer(this.#mode, this.#o.secretKey, nativeEd25519);
  }

  #remember(view: number, height: number, txs: readonly Uint8Array[]): void {
    const ids = txs.map((t) => transferId(t));
    const hexes = ids.map((id) => toHex(id));
    this.#byView.set(view, { ids, hexes });
    for (const h of hexes) this.#inflight.set(h, { view, height });
    // Forget views long past: their blocks are final (and left the mempool) or were nullified.
    for (const v of this.#byView.keys()) {
      if (v >= view - INFLIGHT_VIEWS) break;
      for (const h of this.#byView.get(v)!.hexes)
        if (this.#inflight.get(h)?.view === v) this.#inflight.delete(h);
      this.#byView.delete(v);
    }
  }

  #propose(info: ProposeInfo): Uint8Array | null {
    const { view, height } = info;
    const max = this.#o.maxBlockTxs ?? MAX_BLOCK_TXS;
    // Ask for more than fit: some are in flight in a recent block.
    const candidates = this.#o.ledger.takeValidated(max + this.#inflight.size);
    const txs: Uint8Array[] = [];
    let bytes = 0;
    for (const env of candidates) {
      if (txs.length >= max) break;
      const inflight = this.#inflight.get(toHex(env.id));
      // Only a block below this height can be an ancestor of this one (one at or above it lost its
      // view): skip what is there, include the sender's later nonces after it.
      if (inflight !== undefined && inflight.height < height) continue;
      if (payloadBound(txs.length + 1, bytes + env.bytes.length) > PAYLOAD_BUDGET) break;
      txs.push(env.bytes);
      bytes += env.bytes.length;
    }
    if (txs.length === 0 && info.mayWait && this.#sawFinalized) return null;
    this.#remember(view, height, txs);
    return encodeBlockPayload(txs);
  }

  #verify(payload: Uint8Array, view: number, height: number): boolean {
    const txs = decodeBlockPayload(payload);
    if (txs === null) return false;
    this.#remember(view, height, txs);
    return true;
  }

  #onJournal(r: JournalRecord): void {
    if (r.kind !== "certificate" || r.cert.kind !== "notarize") return;
    const known = this.#byView.get(r.cert.view);
    const body = r.cert.body;
    // The proposal we saw is the one notarized unless the certificate's body says otherwise.
    if (known === undefined || (body !== null && body.view !== r.cert.view)) return;
    if (body !== null) {
      const txs = decodeBlockPayload(body.payload);
      if (txs === null || txs.length !== known.ids.length) return;
      if (txs.length > 0 && !equalBytes(transferId(txs[0]!), known.ids[0]!)) return;
    }
    if (known.ids.length > 0) this.#o.onCertified?.(known.ids);
  }

  #finalized(b: FinalizedBlock): void {
    this.#sawFinalized = true;
    // Views below a finalized one are settled (final or dead); its own transactions stay in flight
    // until the ledger has applied the block and dropped them from the validated set.
    for (const [v, rec] of this.#byView) {
      if (v >= b.view) break;
      for (const h of rec.hexes) if ((this.#inflight.get(h)?.view ?? v + 1) <= v) this.#inflight.delete(h);
      this.#byView.delete(v);
    }
    this.#o.onFinalized(b);
  }
}
