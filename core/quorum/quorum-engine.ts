/**
 * A quorum: a Simplex log whose first job is the quorum's own threshold key (ARCHITECTURE.md "WAN
 * consensus" step 0 "Quorum logs and keys"; "The one design rule": a sans-I/O engine). One
 * `QuorumEngine` is one member of one quorum epoch; it composes a `SimplexEngine` (the ordered log)
 * with a `QuorumKeying` (the DKG over that log, quorum-keying.ts) and a share collector (certificates).
 *
 * - Log payloads: each block carries the pending signed DKG items the leader knows of (its own and
 *   those gossiped to it; bounded by MAX_ITEMS_PER_BLOCK / MAX_PAYLOAD_BYTES), then the host app's
 *   payload as an opaque tail. Members gossip their items to every member (`quorum/v1`) and re-send
 *   them every `regossipMs` until they are finalized, so one honest leader suffices to include them.
 * - Every member feeds finalized blocks to its keying in height order; the phase markers follow the
 *   rule in quorum-keying.ts, a function of the finalized log only.
 * - Key state: none (not started) → keying → ready(epoch, key, height) or failed(epoch, code).
 *   Emitted as `quorum/key` whenever it changes (and again on every start).
 * - **A quorum certifies nothing before its key exists.** `signShare` throws QuorumError
 *   QUORUM_KEY_NOT_READY, and a `certify` request is answered `{ok: false, code}` (and emitted as
 *   `quorum/refused`) while the key is not ready. With the key, a member signs a share, sends it to
 *   every member and combines t shares (cost rule: one verify of the combination, share checks only
 *   if it fails) into a certificate, emitted as `quorum/certificate`.
 * - With `checkpointEvery = k`, the quorum certifies every k-th finalized height of its own log after
 *   its key is ready (tag `lattice/quorum-log/v1`, message chain ‖ u64 height ‖ block hash).
 * - Restart: everything durable is the Simplex journal; a new instance replays its finalized blocks
 *   through a fresh keying (same seed → same Deal), so it ends with the same key state.
 *
 * Re-keying: a new member set is a new quorum epoch, i.e. a new `QuorumEngine` with its own chain id
 * and its own Simplex instance (members of a Simplex instance are fixed, and the new members need not
 * be members of the old log). It runs the same DKG; `KeyRotation` (rotation.ts) puts its key in force
 * only once it is ready, and keeps the old key if the new DKG fails.
 */
import { concatBytes, toHex, utf8 } from "../crypto/bytes.ts";
import type { Ed25519Backend } from "../crypto/ed25519.ts";
import { taggedHash } from "../crypto/sha256.ts";
import {
  FINALIZED_EVENT,
  type FinalizedBlock,
  type ProposeInfo,
  type SimplexApp,
  SimplexEngine,
} from "../bft/simplex.ts";
import type { SimplexJournal } from "../bft/simplex-journal.ts";
import type { DkgResult } from "../dkg/contract.ts";
import type { ShareBox } from "../dkg/share-box.ts";
import type {
  Destination,
  Effect,
  Engine,
  EngineContext,
  EngineEvent,
  EngineId,
  Millis,
} from "../engine/engine.ts";
import type { KeyShare, SignatureShare, ThresholdPublicKey, ThresholdScheme } from "../threshold/scheme.ts";
import { seededRandom } from "../threshold/seeded-random.ts";
import { QuorumError, type QuorumErrorCode } from "./errors.ts";
import { itemDigest, type KeyingWindows, QuorumKeying } from "./quorum-keying.ts";
import {
  decodeGossip,
  decodePayload,
  encodeGossip,
  encodePayload,
  MAX_ITEMS_PER_BLOCK,
  MAX_PAYLOAD_BYTES,
  QUORUM_PROTOCOL,
} from "./quorum-wire.ts";
import { ShareCollector } from "./share-collector.ts";

export const KEY_EVENT = "quorum/key";
export const CERTIFICATE_EVENT = "quorum/certificate";
export const REFUSED_EVENT = "quorum/refused";
export const PROPOSED_EVENT = "quorum/proposed";
export const QUORUM_REJECTED_EVENT = "quorum/rejected";
export const CHECKPOINT_TAG = "lattice/quorum-log/v1";
const REGOSSIP_TIMER = "quorum/regossip";

/** The quorum's key, as every member of one epoch sees it (identical except `canSign`). */
export type QuorumKeyState =
  | { readonly status: "none"; readonly epoch: number }
  | { readonly status: "keying"; readonly epoch: number; readonly phase: string }
  | {
      readonly status: "ready";
      readonly epoch: number;
      /** Log height after which the key came into existence. */
      readonly height: number;
      readonly key: ThresholdPublicKey<unknown>;
      /** Hex of the group key's canonical bytes. */
      readonly groupKey: string;
      /** Hex SHA-256 of the DKG transcript: equal transcripts, equal keys. */
      readonly transcript: string;
      readonly qual: readonly number[];
      /** Whether this member holds a valid share (it can sign, not only verify). */
      readonly canSign: boolean;
    }
  | {
      readonly status: "failed";
      readonly epoch: number;
      readonly height: number;
      readonly code: string;
      readonly transcript: string;
    };

/** Data of a `quorum/key` emit. */
export interface KeyEvent {
  readonly chain: string;
  readonly epoch: number;
  readonly status: QuorumKeyState["status"];
  readonly height?: number;
  readonly groupKey?: string;
  readonly transcript?: string;
  readonly code?: string;
}

/** A quorum certificate: one threshold signature verifiable with the quorum's group key alone. */
export interface QuorumCertificate {
  readonly chain: string;
  readonly epoch: number;
  readonly tag: string;
  /** Hex of the certified message. */
  readonly msg: string;
  /** Hex of the combined signature. */
  readonly signature: string;
  /** This member's finalized log height when the certificate was made. */
  readonly height: number;
  /** The height at which the certifying key became ready. */
  readonly keyHeight: number;
}

/** Body of a `certify` request event. */
export interface CertifyRequest {
  readonly op: "certify";
  readonly tag: string;
  readonly msg: Uint8Array;
}

export interface QuorumOptions {
  /** The quorum epoch's log id (32 bytes). */
  readonly chain: Uint8Array;
  /** Member engine ids (hex Ed25519 public keys), in Simplex order. */
  readonly members: readonly EngineId[];
  /** This member's Simplex (and item-signing) secret key. */
  readonly secretKey: Uint8Array;
  readonly signer: Ed25519Backend;
  readonly journal: SimplexJournal;
  /** The threshold scheme of the crypto suite; its group is the DKG's group. */
  readonly scheme: ThresholdScheme<unknown, unknown>;
  /** How Deals seal shares: x25519ShareBox with the real suite, modelShareBox with the model suite. */
  readonly box: ShareBox;
  /** Share-box public keys of the members, in `members` order. */
  readonly encryptionKeys: readonly Uint8Array[];
  readonly encryptionSecret: Uint8Array;
  /** Epoch number (default 0): part of the DKG session id. */
  readonly epoch?: number;
  /** Durable secret seed of the DKG randomness (default: derived from `secretKey`). */
  readonly dkgSeed?: Uint8Array;
  readonly windows?: Partial<KeyingWindows>;
  /** Certify every k-th finalized height once the key is ready (default 0: off). */
  readonly checkpointEvery?: number;
  /** Re-send own unfinalized items this often (default 2·blockTime + 4Δ). */
  readonly regossipMs?: Millis;
  readonly delta?: Millis;
  readonly blockTime?: Millis;
  readonly leaderSeed?: Uint8Array;
  /** The host application riding on the log: its payload is the tail of each block. */
  readonly app?: SimplexApp;
  /** False: this member does not deal (fault injection for tests and the simulator). */
  readonly dealer?: boolean;
}

/** The DKG session id of a quorum epoch. */
export function quorumSession(chain: Uint8Array, epoch: number): Uint8Array {
  const e = new Uint8Array(4);
  new DataView(e.buffer).setUint32(0, epoch);
  return taggedHash("lattice/quorum-dkg/v1", chain, e);
}

/** The message a checkpoint certificate signs. */
export function checkpointMessage(chain: Uint8Array, height: number, blockHash: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  new DataView(h.buffer).setBigUint64(0, BigInt(height));
  return concatBytes(chain, h, blockHash);
}

/** One member of one quorum epoch. */
export class QuorumEngine implements Engine {
  readonly id: EngineId;
  readonly protocols: readonly string[];
  readonly epoch: number;
  readonly simplex: SimplexEngine;

  private readonly chain: Uint8Array;
  private readonly chainHex: string;
  private readonly members: readonly EngineId[];
  /** One immutable destination per member, shared by every send to it. */
  private readonly destinations: readonly Destination[];
  private readonly scheme: ThresholdScheme<unknown, unknown>;
  private readonly keying: QuorumKeying<unknown>;
  private readonly app: SimplexApp | undefined;
  private readonly regossipMs: Millis;
  private readonly checkpointEvery: number;
  private readonly self: number;
  /** Verified items not yet finalized, in arrival order (own ones included). */
  private readonly pool = new Map<string, Uint8Array>();
  private readonly own = new Set<string>();
  private readonly collector: ShareCollector;
  private state: QuorumKeyState;
  private share: KeyShare | undefined;
  private started = false;
  private out: Effect[] = [];
  private pendingEmits: Effect[] = [];

  constructor(o: QuorumOptions) {
    this.epoch = o.epoch ?? 0;
    this.chain = o.chain.slice();
    this.chainHex = toHex(this.chain);
    this.members = [...o.members];
    this.destinations = this.members.map((engine) => Object.freeze({ kind: "engine" as const, engine }));
    this.scheme = o.scheme;
    this.app = o.app;
    this.checkpointEvery = o.checkpointEvery ?? 0;
    const blockTime = o.blockTime ?? 0;
    const delta = o.delta ?? 100;
    this.regossipMs = o.regossipMs ?? 2 * blockTime + 4 * delta;
    if (o.encryptionKeys.length !== o.members.length)
      throw new QuorumError("QUORUM_CONFIG", "one encryption key per member");
    const memberKeys = this.members.map((m) => Buffer.from(m, "hex") as Uint8Array);
    this.id = toHex(o.signer.publicKey(o.secretKey));
    this.self = this.members.indexOf(this.id);
    if (this.self < 0) throw new QuorumError("QUORUM_CONFIG", "secretKey is not a member's");
    const session = quorumSession(this.chain, this.epoch);
    const seed = o.dkgSeed ?? taggedHash("lattice/quorum-dkg-seed/v1", o.secretKey);
    this.keying = new QuorumKeying<unknown>({
      group: o.scheme.group,
      box: o.box,
      chain: this.chain,
      session,
      members: memberKeys.map((id, i) => ({ id, encryptionKey: o.encryptionKeys[i]! })),
      self: this.self,
      encryptionSecret: o.encryptionSecret,
      random: seededRandom(concatBytes(utf8("lattice/quorum-dkg-random/v1"), seed, session)),
      sign: (m) => o.signer.sign(o.secretKey, m),
      verify: (author, m, sig) => o.signer.verify(memberKeys[author]!, m, sig),
      ...(o.windows ? { windows: o.windows } : {}),
      ...(o.dealer === false ? { deal: false } : {}),
    });
    this.collector = new ShareCollector(o.scheme);
    this.state = { status: "keying", epoch: this.epoch, phase: "dealing" };
    for (const item of this.keying.start()) this.addOwn(item);
    this.simplex = new SimplexEngine({
      chain: this.chain,
      members: this.members,
      secretKey: o.secretKey,
      signer: o.signer,
      journal: o.journal,
      app: { propose: (info) => this.propose(info), verify: (p, info) => this.verify(p, info) },
      ...(o.delta !== undefined ? { delta: o.delta } : {}),
      ...(o.blockTime !== undefined ? { blockTime: o.blockTime } : {}),
      ...(o.leaderSeed !== undefined ? { leaderSeed: o.leaderSeed } : {}),
    });
    this.protocols = [...this.simplex.protocols, QUORUM_PROTOCOL];
    // Restart: the journal's finalized blocks rebuild the key state (same seed, same items).
    for (const r of o.journal.records())
      if (r.kind === "finalized") this.applyBlock(r.block.height, r.block.payload);
    this.pendingEmits = [];
  }

  /** The key state (see the module header). */
  keyState(): QuorumKeyState {
    return this.state;
  }

  /** Items this member still waits to see finalized (tests and reports). */
  pendingItems(): number {
    return this.pool.size;
  }

  /**
   * This member's signature share on (tag, msg). Throws QuorumError QUORUM_KEY_NOT_READY before the
   * key exists (or after a failed DKG) and QUORUM_NO_SHARE if this member holds no valid share.
   */
  signShare(tag: string, msg: Uint8Array): SignatureShare<unknown> {
    const code = this.refusal();
    if (code !== undefined)
      throw new QuorumError(
        code,
        `quorum ${this.chainHex.slice(0, 16)} epoch ${this.epoch}: ${this.state.status}`,
        {
          details: { status: this.state.status },
        },
      );
    return this.scheme.signShare(this.share!, tag, msg);
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    this.out = this.pendingEmits;
    this.pendingEmits = [];
    switch (event.kind) {
      case "message":
        if (event.protocol === QUORUM_PROTOCOL) {
          this.onGossip(event.from, event.payload);
          return this.out;
        }
        break;
      case "timer":
        if (event.timer === REGOSSIP_TIMER) {
          this.regossip();
          return this.out;
        }
        break;
      case "request":
        this.onRequest(event.requestId, event.body);
        return this.out;
      default:
        break;
    }
    const inner = this.simplex.handle(event, ctx);
    // Effects keep their order: pending emits, then Simplex's, each followed by what it caused here.
    // Simplex's own list is extended in place when nothing was pending (the common case).
    let finalized = false;
    for (const e of inner) if (e.kind === "emit" && e.name === FINALIZED_EVENT) finalized = true;
    if (!finalized && this.out.length === 0 && event.kind !== "start") return inner;
    const mine = this.out;
    this.out = [];
    for (const e of inner) {
      this.out.push(e);
      if (e.kind === "emit" && e.name === FINALIZED_EVENT) this.onFinalized(e.data as FinalizedBlock);
    }
    if (mine.length > 0) this.out = [...mine, ...this.out];
    if (event.kind === "start") this.onStart();
    return this.out;
  }

  // ---------------------------------------------------------------- lifecycle

  private onStart(): void {
    this.started = true;
    this.out.push({ kind: "emit", name: KEY_EVENT, data: this.keyEvent() });
    this.regossip();
  }

  private regossip(): void {
    if (this.keying.result() !== undefined) return;
    for (const d of this.own) {
      const item = this.pool.get(d);
      if (item !== undefined) this.broadcast(encodeGossip({ type: "item", item }));
    }
    this.out.push({ kind: "set-timer", timer: REGOSSIP_TIMER, after: this.regossipMs });
  }

  private addOwn(item: Uint8Array): void {
    const d = itemDigest(item);
    if (this.keying.isApplied(d)) return;
    this.own.add(d);
    this.pool.set(d, item);
    if (this.started) this.broadcast(encodeGossip({ type: "item", item }));
  }

  private broadcast(payload: Uint8Array): void {
    const to = this.destinations;
    for (let i = 0; i < to.length; i++) {
      if (i === this.self) continue;
      this.out.push({ kind: "send", to: to[i]!, protocol: QUORUM_PROTOCOL, payload });
    }
  }

  // ---------------------------------------------------------------- the log

  private propose(info: ProposeInfo): Uint8Array {
    const items: Uint8Array[] = [];
    let size = 16;
    for (const [d, item] of this.pool) {
      if (this.keying.isApplied(d)) continue;
      if (items.length >= MAX_ITEMS_PER_BLOCK || size + item.length + 4 > MAX_PAYLOAD_BYTES / 2) break;
      items.push(item);
      size += item.length + 4;
    }
    const app = this.app?.propose(info) ?? new Uint8Array(0);
    const payload = encodePayload(items, app);
    this.out.push({ kind: "emit", name: PROPOSED_EVENT, data: { chain: this.chainHex, payload } });
    return payload;
  }

  private verify(payload: Uint8Array, info: Omit<ProposeInfo, "random">): boolean {
    let decoded: ReturnType<typeof decodePayload>;
    try {
      decoded = decodePayload(payload);
    } catch (e) {
      if (e instanceof QuorumError) return false;
      throw e;
    }
    for (const item of decoded.items) {
      if (this.pool.has(itemDigest(item))) continue;
      if (!this.keying.check(item)) return false;
    }
    return this.app?.verify?.(decoded.app, info) ?? true;
  }

  private onFinalized(b: FinalizedBlock): void {
    this.applyBlock(b.height, b.payload);
    if (this.checkpointEvery > 0 && b.height % this.checkpointEvery === 0 && this.refusal() === undefined) {
      this.certify(CHECKPOINT_TAG, checkpointMessage(this.chain, b.height, Buffer.from(b.hash, "hex")));
    }
  }

  private applyBlock(height: number, payload: Uint8Array): void {
    let items: readonly Uint8Array[] = [];
    try {
      items = decodePayload(payload).items;
    } catch (e) {
      // Never finalized by honest replicas (verify rejects it); tolerated so replay cannot wedge.
      if (!(e instanceof QuorumError)) throw e;
    }
    const before = this.state.status;
    const r = this.keying.applyBlock(height, items);
    for (const item of items) {
      const d = itemDigest(item);
      this.pool.delete(d);
      this.own.delete(d);
    }
    if (r.rejected > 0)
      this.out.push({
        kind: "emit",
        name: QUORUM_REJECTED_EVENT,
        data: { chain: this.chainHex, height, items: r.rejected },
      });
    for (const item of r.items) this.addOwn(item);
    if (r.result !== undefined) this.finish(r.result, height);
    else if (this.state.status === "keying" && this.state.phase !== this.keying.phase)
      this.state = { status: "keying", epoch: this.epoch, phase: this.keying.phase };
    if (this.state.status !== before) this.out.push({ kind: "emit", name: KEY_EVENT, data: this.keyEvent() });
  }

  private finish(result: DkgResult<unknown>, height: number): void {
    const transcript = toHex(result.transcript);
    this.pool.clear();
    this.own.clear();
    if (!result.ok) {
      this.state = { status: "failed", epoch: this.epoch, height, code: result.code, transcript };
      return;
    }
    this.share = result.share;
    const key: ThresholdPublicKey<unknown> = {
      n: result.n,
      t: result.t,
      groupKey: result.groupKey,
      publicShares: result.publicShares,
    };
    this.state = {
      status: "ready",
      epoch: this.epoch,
      height,
      key,
      groupKey: toHex(this.scheme.publicKeyToBytes(result.groupKey)),
      transcript,
      qual: result.qual,
      canSign: result.share !== undefined,
    };
    this.collector.setKey(key);
  }

  private keyEvent(): KeyEvent {
    const s = this.state;
    const base = { chain: this.chainHex, epoch: this.epoch, status: s.status };
    if (s.status === "ready")
      return { ...base, height: s.height, groupKey: s.groupKey, transcript: s.transcript };
    if (s.status === "failed") return { ...base, height: s.height, code: s.code, transcript: s.transcript };
    return base;
  }

  // ---------------------------------------------------------------- gossip and certificates

  private onGossip(from: EngineId, bytes: Uint8Array): void {
    const sender = this.members.indexOf(from);
    let m: ReturnType<typeof decodeGossip>;
    try {
      if (sender < 0) throw new QuorumError("QUORUM_MALFORMED", "sender is not a member");
      m = decodeGossip(bytes);
    } catch (e) {
      if (!(e instanceof QuorumError)) throw e;
      this.out.push({
        kind: "emit",
        name: QUORUM_REJECTED_EVENT,
        data: { chain: this.chainHex, from, gossip: 1 },
      });
      return;
    }
    if (m.type === "item") {
      const d = itemDigest(m.item);
      if (this.keying.result() !== undefined || this.pool.has(d) || this.keying.isApplied(d)) return;
      // Bounded: a member has at most a few items per session; a flood cannot grow the pool.
      if (this.pool.size >= 8 * this.members.length + 16) return;
      if (this.keying.check(m.item)) this.pool.set(d, m.item);
      return;
    }
    this.collector.add(m.tag, m.msg, this.keying.shareIndexOf(sender), m.share);
    this.tryCombine(m.tag, m.msg);
  }

  private refusal(): QuorumErrorCode | undefined {
    if (this.state.status !== "ready") return "QUORUM_KEY_NOT_READY";
    if (this.share === undefined) return "QUORUM_NO_SHARE";
    return undefined;
  }

  private onRequest(requestId: string, body: unknown): void {
    const req = body as Partial<CertifyRequest> | null;
    if (req?.op !== "certify" || typeof req.tag !== "string" || !(req.msg instanceof Uint8Array)) {
      this.out.push({ kind: "reply", requestId, body: { ok: false, code: "QUORUM_MALFORMED" } });
      return;
    }
    const code = this.refusal();
    if (code !== undefined) {
      this.out.push({
        kind: "emit",
        name: REFUSED_EVENT,
        data: { chain: this.chainHex, epoch: this.epoch, code, status: this.state.status },
      });
      this.out.push({ kind: "reply", requestId, body: { ok: false, code } });
      return;
    }
    this.certify(req.tag, req.msg);
    this.out.push({ kind: "reply", requestId, body: { ok: true } });
  }

  /** Sign a share, send it to every member, and combine if t shares are in. Key must be ready. */
  private certify(tag: string, msg: Uint8Array): void {
    const share = this.signShare(tag, msg);
    const bytes = this.scheme.signatureShareToBytes(share);
    this.collector.add(tag, msg, share.index, bytes, true);
    this.broadcast(encodeGossip({ type: "share", tag, msg, share: bytes }));
    this.tryCombine(tag, msg);
  }

  private tryCombine(tag: string, msg: Uint8Array): void {
    if (this.state.status !== "ready") return;
    const sig = this.collector.tryCombine(tag, msg);
    if (sig === undefined) return;
    const cert: QuorumCertificate = {
      chain: this.chainHex,
      epoch: this.epoch,
      tag,
      msg: msg.toHex(),
      signature: sig.toHex(),
      height: this.simplex.stats().finalizedHeight,
      keyHeight: this.state.height,
    };
    this.out.push({ kind: "emit", name: CERTIFICATE_EVENT, data: cert });
  }
}
