/**
 * The domain system engine (seed 003 "Domains", "Joining a domain", "Membership"; seed 002 "why
 * domains"; core-anchors §5.3). Sans-I/O, protocol `domain/v1`, engine id = the node id. One engine
 * serves every domain its node knows, each identified by an owner-signed DomainAdvert.
 *
 * Join: the joiner sends a JoinRequest to an introducer named in the advert. In a PSK domain it carries
 * HMAC-SHA256(psk, domain, node, nonce) (join-auth.ts), never the key. The introducer refuses with a
 * typed reason, counted (`unknown-domain`, `not-introducer`, `node-mismatch`, `bad-psk`, `replayed`: a
 * nonce it has already accepted), or authors a signed `add` operation and answers with every operation it
 * holds. A lost request or reply is retried with a fresh nonce, up to `joinAttempts`.
 *
 * Membership (member-log.ts): signed CRDT operations, verified on merge; new operations are pushed to up
 * to `pushFanout` members at once and anti-entropy repairs the rest: every `syncInterval` ms a member
 * sends its heads to one random member, which answers with what the sender lacks and, when it lacks
 * something itself, with its own heads. Only members (and the owner and introducers) are answered, so a
 * PSK domain does not leak its membership. Leave is a signed `remove` of the node's own tags; rejoin is a
 * new join (a new add tag: add-wins). Members' metadata are the CRDT's LWW registers (`set-meta`).
 *
 * Overlay: the composition root registers `members(domain)` with the router's Directory, so the router's
 * pub/sub (full mesh up to its mesh limit, bounded-fanout gossip above) and anycast run per domain.
 *
 * Client requests (`request` events) and their replies:
 *   {op: "join", domain, meta?}   -> {ok: true, members} | {ok: false, reason}
 *   {op: "leave", domain}         -> {ok: true} | {ok: false, reason: "not-member"}
 *   {op: "set-meta", domain, value} -> {ok: true} | {ok: false, reason}
 *   {op: "members", domain}       -> {status, members}
 *   {op: "remove", domain, member} -> {ok: true} | {ok: false, reason: "not-owner" | "not-member"}
 *   {op: "add-domain", advert, psk?} -> {ok: true, domain} | {ok: false, reason}
 */
import type {
  DomainId,
  Effect,
  Engine,
  EngineContext,
  EngineEvent,
  NodeId,
} from "../../core/engine/engine.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { type DomainAdvert, openAdvert } from "../advert/advert.ts";
import { Counters } from "../metrics/counters.ts";
import {
  DOMAIN_PROTOCOL,
  DomainWire,
  JoinReplyCodec,
  JoinRequestCodec,
  MAX_OPS_PER_MESSAGE,
  NONCE_BYTES,
  SyncDigestCodec,
  SyncOpsCodec,
} from "./domain-messages.ts";
import { checkJoinMac, joinMac } from "./join-auth.ts";
import { type LogHead, MemberLog } from "./member-log.ts";
import type { MetaRegister } from "./membership.ts";

/** Why a join was refused (by the introducer, or locally for `timeout` and `unknown-domain`). */
export type JoinRefusal =
  | "unknown-domain"
  | "not-introducer"
  | "node-mismatch"
  | "bad-psk"
  | "replayed"
  | "timeout"
  | "bad-request";

const REFUSALS: readonly string[] = [
  "unknown-domain",
  "not-introducer",
  "node-mismatch",
  "bad-psk",
  "replayed",
  "timeout",
  "bad-request",
];

/** A domain this node knows: its signed advert and, for PSK domains, the key. */
export interface DomainConfig {
  /** Wire bytes of the owner-signed DomainAdvert. */
  readonly advert: Uint8Array;
  readonly psk?: Uint8Array;
  /** Join as soon as the engine starts (with this metadata). */
  readonly join?: { readonly meta?: string };
}

export interface DomainEngineOptions {
  readonly identity: KeyPair;
  readonly domains?: readonly DomainConfig[];
  /** Mean anti-entropy period, ms (default 1000). */
  readonly syncInterval?: number;
  /** Wait for a join reply this long before retrying, ms (default 500). */
  readonly joinTimeout?: number;
  readonly joinAttempts?: number;
  /** Members a new operation is pushed to at once (default 8). */
  readonly pushFanout?: number;
  /** Accepted join nonces remembered per domain (default 4096). */
  readonly nonceMemory?: number;
  /** Epoch of this replica's operations; default `now` at start (must grow across restarts). */
  readonly epoch?: number;
}

export type DomainStatus = "outside" | "joining" | "member" | "left";

interface PendingJoin {
  readonly requestId: string | undefined;
  readonly meta: string | undefined;
  /** Every attempt's nonce (hex) -> the introducer asked: a late reply to an earlier attempt counts. */
  readonly sent: Map<string, NodeId>;
  to: NodeId;
  attempts: number;
}

interface DomainState {
  readonly advert: DomainAdvert;
  readonly psk: Uint8Array | undefined;
  readonly config: DomainConfig | undefined;
  log: MemberLog | undefined;
  status: DomainStatus;
  pending: PendingJoin | undefined;
  readonly nonces: Set<string>;
  readonly nonceOrder: string[];
}

const SYNC = "domain-sync";

/** Joins, admits, syncs and leaves domains. */
export class DomainEngine implements Engine {
  readonly id: NodeId;
  readonly protocols = [DOMAIN_PROTOCOL];
  /** `join-refused:<reason>` (as introducer), `bad-message`, `sync-refused`, `ops-received`, ... */
  readonly counts = new Counters();
  private readonly opts: DomainEngineOptions;
  private readonly domains = new Map<DomainId, DomainState>();
  private epoch: number | undefined;
  private started = false;

  constructor(options: DomainEngineOptions) {
    this.opts = options;
    this.id = toHex(options.identity.publicKey);
    for (const c of options.domains ?? []) {
      const r = this.addDomain(c);
      if (!r.ok) throw new RangeError(`domains: ${r.reason}`);
    }
  }

  /** Current members of `domain` as this node sees them (sorted); empty when unknown. */
  members(domain: DomainId): readonly NodeId[] {
    return this.domains.get(domain)?.log?.members() ?? [];
  }

  status(domain: DomainId): DomainStatus | undefined {
    return this.domains.get(domain)?.status;
  }

  metaOf(domain: DomainId, member: NodeId): MetaRegister | undefined {
    return this.domains.get(domain)?.log?.metaOf(member);
  }

  /** The replica of `domain` (read-only use: tests, API). */
  log(domain: DomainId): MemberLog | undefined {
    return this.domains.get(domain)?.log;
  }

  knownDomains(): DomainId[] {
    return [...this.domains.keys()].sort();
  }

  private addDomain(c: DomainConfig): { ok: true; domain: DomainId } | { ok: false; reason: string } {
    const opened = openAdvert(c.advert);
    if (!opened.ok) return { ok: false, reason: `advert ${opened.reason}: ${opened.detail}` };
    const a = opened.advert;
    if (a.kind !== "domain") return { ok: false, reason: "not a domain advert" };
    const cur = this.domains.get(a.domain);
    // A newer advert of a known domain (gossiped by its owner) keeps the key and configuration.
    const psk = c.psk ?? cur?.psk;
    if (a.policy === "psk" && psk === undefined) return { ok: false, reason: "psk domain without a key" };
    if (cur !== undefined && cur.advert.version >= a.version) return { ok: true, domain: a.domain };
    const st: DomainState = {
      advert: a,
      psk,
      config: cur?.config ?? c,
      log: undefined,
      status: cur?.status ?? "outside",
      pending: undefined,
      nonces: cur?.nonces ?? new Set(),
      nonceOrder: cur?.nonceOrder ?? [],
    };
    if (this.epoch !== undefined) st.log = this.newLog(a, cur?.log);
    this.domains.set(a.domain, st);
    return { ok: true, domain: a.domain };
  }

  private newLog(a: DomainAdvert, old: MemberLog | undefined): MemberLog {
    const log = new MemberLog(a, this.id, this.epoch!, this.opts.identity.secretKey);
    // Under a newer advert every held operation is judged again by its permissions: the replica state
    // stays a function of (newest advert, operations held), the same on every node that holds both.
    if (old !== undefined) for (const w of old.all()) log.ingest(w);
    return log;
  }

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    switch (event.kind) {
      case "start": {
        this.epoch ??= this.opts.epoch ?? Math.floor(ctx.now());
        this.started = true;
        for (const st of this.domains.values()) st.log ??= this.newLog(st.advert, undefined);
        const out: Effect[] = [this.syncTimer(ctx)];
        for (const st of this.domains.values()) {
          const j = st.config?.join;
          if (j !== undefined) out.push(...this.startJoin(st, undefined, j.meta, ctx));
        }
        return out;
      }
      case "stop":
        this.started = false;
        return [];
      case "timer":
        return this.onTimer(event.timer, ctx);
      case "message":
        return this.onMessage(event.fromNode, event.payload, ctx);
      case "request":
        return this.onRequest(event.requestId, event.body, ctx);
      default:
        return [];
    }
  }

  // ---- client requests ----

  private onRequest(requestId: string, body: unknown, ctx: EngineContext): Effect[] {
    const reply = (b: unknown): Effect[] => [{ kind: "reply", requestId, body: b }];
    if (typeof body !== "object" || body === null) return reply({ ok: false, reason: "bad-request" });
    const b = body as Record<string, unknown>;
    if (b.op === "add-domain") {
      if (!(b.advert instanceof Uint8Array) || (b.psk !== undefined && !(b.psk instanceof Uint8Array)))
        return reply({ ok: false, reason: "bad-request" });
      return reply(this.addDomain({ advert: b.advert, ...(b.psk === undefined ? {} : { psk: b.psk }) }));
    }
    const st = typeof b.domain === "string" ? this.domains.get(b.domain) : undefined;
    if (st === undefined || st.log === undefined) return reply({ ok: false, reason: "unknown-domain" });
    const log = st.log;
    switch (b.op) {
      case "join": {
        if (b.meta !== undefined && typeof b.meta !== "string")
          return reply({ ok: false, reason: "bad-request" });
        if (st.status === "member") return reply({ ok: true, members: log.members() });
        return this.startJoin(st, requestId, b.meta, ctx);
      }
      case "leave": {
        if (st.status !== "member") return reply({ ok: false, reason: "not-member" });
        const peers = log.members().filter((m) => m !== this.id);
        const op = log.remove(this.id);
        st.status = "left";
        const out = op === undefined ? [] : this.push(st, [op], peers, ctx);
        out.push({ kind: "emit", name: "domain-left", data: { domain: st.advert.domain } });
        return [...out, ...reply({ ok: true })];
      }
      case "set-meta": {
        if (typeof b.value !== "string") return reply({ ok: false, reason: "bad-request" });
        if (st.status !== "member") return reply({ ok: false, reason: "not-member" });
        let op: Uint8Array;
        try {
          op = log.setMeta(this.id, b.value);
        } catch (err) {
          if (!isLatticeError(err)) throw err;
          return reply({ ok: false, reason: "bad-request" });
        }
        return [...this.push(st, [op], log.members(), ctx), ...reply({ ok: true })];
      }
      case "members":
        return reply({ status: st.status, members: log.members() });
      case "remove": {
        // Eviction: only the owner may remove another member (member-log.ts permissions).
        if (typeof b.member !== "string") return reply({ ok: false, reason: "bad-request" });
        if (st.advert.owner !== this.id) return reply({ ok: false, reason: "not-owner" });
        const before = log.members().join();
        const audience = log.members();
        const op = log.remove(b.member);
        if (op === undefined) return reply({ ok: false, reason: "not-member" });
        // The evicted node hears it from us directly: nobody answers its digests any more.
        const member = b.member;
        const out = [
          ...this.push(
            st,
            [op],
            audience.filter((m) => m !== member),
            ctx,
          ),
          ...this.membersChanged(st, before),
        ];
        if (member !== this.id)
          out.push(this.send(member, SyncOpsCodec.encode({ domain: fromHex(st.advert.domain), ops: [op] })));
        return [...out, ...reply({ ok: true })];
      }
      default:
        return reply({ ok: false, reason: "bad-request" });
    }
  }

  // ---- joining ----

  private introducers(st: DomainState): NodeId[] {
    const xs = [st.advert.owner, ...st.advert.introducers];
    return [...new Set(xs)];
  }

  private startJoin(
    st: DomainState,
    requestId: string | undefined,
    meta: string | undefined,
    ctx: EngineContext,
  ): Effect[] {
    const log = st.log!;
    const domain = st.advert.domain;
    if (this.introducers(st).includes(this.id)) {
      // We may admit ourselves: the same signed add any introducer would author.
      const ops = log.has(this.id) ? [] : [log.add(this.id)];
      if (meta !== undefined) ops.push(log.setMeta(this.id, meta));
      st.status = "member";
      const out = this.push(st, ops, log.members(), ctx);
      out.push({ kind: "emit", name: "domain-joined", data: { domain, via: this.id } });
      if (requestId !== undefined)
        out.push({ kind: "reply", requestId, body: { ok: true, members: log.members() } });
      return out;
    }
    const prev = st.pending;
    if (prev?.requestId !== undefined && prev.requestId !== requestId) {
      // A join already under way: the older caller learns it was superseded.
      st.pending = undefined;
    }
    st.status = "joining";
    st.pending = { requestId, meta, sent: new Map(), to: "", attempts: 0 };
    const out = this.sendJoin(st, ctx);
    if (prev?.requestId !== undefined && prev.requestId !== requestId)
      out.push({ kind: "reply", requestId: prev.requestId, body: { ok: false, reason: "superseded" } });
    return out;
  }

  private sendJoin(st: DomainState, ctx: EngineContext): Effect[] {
    const p = st.pending!;
    const intro = this.introducers(st).filter((n) => n !== this.id);
    const to = intro[p.attempts % intro.length]!;
    p.attempts++;
    p.to = to;
    // Time plus randomness: a restarted node with the same seed still never repeats a nonce.
    const nonce = new Uint8Array(NONCE_BYTES);
    new DataView(nonce.buffer).setFloat64(0, ctx.now());
    nonce.set(ctx.random.bytes(8), 8);
    p.sent.set(toHex(nonce), to);
    const domain = fromHex(st.advert.domain);
    const node = fromHex(this.id);
    const mac =
      st.advert.policy === "psk" && st.psk !== undefined
        ? joinMac(st.psk, domain, node, nonce)
        : new Uint8Array(0);
    return [
      this.send(to, JoinRequestCodec.encode({ domain, node, nonce, mac })),
      { kind: "set-timer", timer: `join:${st.advert.domain}`, after: this.opts.joinTimeout ?? 500 },
    ];
  }

  private onJoinTimeout(st: DomainState, ctx: EngineContext): Effect[] {
    const p = st.pending;
    if (p === undefined || st.status !== "joining") return [];
    if (p.attempts >= (this.opts.joinAttempts ?? 8)) return this.finishJoin(st, "timeout");
    return this.sendJoin(st, ctx);
  }

  private finishJoin(st: DomainState, refusal: JoinRefusal | undefined): Effect[] {
    const p = st.pending;
    st.pending = undefined;
    const domain = st.advert.domain;
    const out: Effect[] = [{ kind: "cancel-timer", timer: `join:${domain}` }];
    if (refusal !== undefined) {
      st.status = "outside";
      out.push({ kind: "emit", name: "domain-join-refused", data: { domain, reason: refusal } });
      if (p?.requestId !== undefined)
        out.push({ kind: "reply", requestId: p.requestId, body: { ok: false, reason: refusal } });
      return out;
    }
    st.status = "member";
    out.push({ kind: "emit", name: "domain-joined", data: { domain, via: p?.to } });
    if (p?.requestId !== undefined)
      out.push({ kind: "reply", requestId: p.requestId, body: { ok: true, members: st.log!.members() } });
    return out;
  }

  /** Introducer side: admit or refuse. */
  private onJoinRequest(
    peer: NodeId,
    m: ReturnType<typeof JoinRequestCodec.decode>,
    ctx: EngineContext,
  ): Effect[] {
    const domain = toHex(m.domain);
    const st = this.domains.get(domain);
    const refuse = (reason: JoinRefusal): Effect[] => {
      this.counts.inc(`join-refused:${reason}`);
      return [
        this.send(
          peer,
          JoinReplyCodec.encode({ domain: m.domain, nonce: m.nonce, ok: false, reason, ops: [] }),
        ),
        { kind: "emit", name: "domain-join-refused-peer", data: { domain, peer, reason } },
      ];
    };
    if (st === undefined || st.log === undefined) return refuse("unknown-domain");
    if (!this.introducers(st).includes(this.id)) return refuse("not-introducer");
    if (toHex(m.node) !== peer) return refuse("node-mismatch");
    if (st.advert.policy === "psk") {
      if (st.psk === undefined || !checkJoinMac(st.psk, m.domain, m.node, m.nonce, m.mac))
        return refuse("bad-psk");
    }
    const nk = toHex(m.nonce);
    if (st.nonces.has(nk)) return refuse("replayed");
    st.nonces.add(nk);
    st.nonceOrder.push(nk);
    if (st.nonceOrder.length > (this.opts.nonceMemory ?? 4096)) st.nonces.delete(st.nonceOrder.shift()!);
    const log = st.log;
    const out: Effect[] = [];
    if (!log.has(peer)) {
      const others = log.members().filter((x) => x !== peer);
      out.push(...this.push(st, [log.add(peer)], others, ctx));
    }
    this.counts.inc("join-accepted");
    const all = log.all();
    out.push(
      this.send(
        peer,
        JoinReplyCodec.encode({
          domain: m.domain,
          nonce: m.nonce,
          ok: true,
          reason: "",
          ops: all.slice(0, MAX_OPS_PER_MESSAGE),
        }),
      ),
    );
    for (let i = MAX_OPS_PER_MESSAGE; i < all.length; i += MAX_OPS_PER_MESSAGE)
      out.push(
        this.send(
          peer,
          SyncOpsCodec.encode({ domain: m.domain, ops: all.slice(i, i + MAX_OPS_PER_MESSAGE) }),
        ),
      );
    out.push({ kind: "emit", name: "domain-admitted", data: { domain, peer } });
    return out;
  }

  private onJoinReply(
    peer: NodeId,
    m: ReturnType<typeof JoinReplyCodec.decode>,
    ctx: EngineContext,
  ): Effect[] {
    const st = this.domains.get(toHex(m.domain));
    const p = st?.pending;
    if (
      st === undefined ||
      p === undefined ||
      st.status !== "joining" ||
      p.sent.get(toHex(m.nonce)) !== peer
    ) {
      this.counts.inc("unexpected-reply");
      return [];
    }
    if (!m.ok) {
      const reason = REFUSALS.includes(m.reason) ? (m.reason as JoinRefusal) : "bad-request";
      return this.finishJoin(st, reason);
    }
    const before = st.log!.members().join();
    for (const w of m.ops) st.log!.ingest(w);
    const out = this.finishJoin(st, undefined);
    if (p.meta !== undefined)
      out.push(...this.push(st, [st.log!.setMeta(this.id, p.meta)], st.log!.members(), ctx));
    out.push(...this.membersChanged(st, before));
    return out;
  }

  // ---- anti-entropy ----

  private syncTimer(ctx: EngineContext): Effect {
    const base = this.opts.syncInterval ?? 1000;
    return {
      kind: "set-timer",
      timer: SYNC,
      after: Math.round(base * (0.75 + 0.5 * ctx.random.nextFloat())),
    };
  }

  private onTimer(timer: string, ctx: EngineContext): Effect[] {
    if (timer.startsWith("join:")) {
      const st = this.domains.get(timer.slice(5));
      return st === undefined ? [] : this.onJoinTimeout(st, ctx);
    }
    if (timer !== SYNC || !this.started) return [];
    const out: Effect[] = [];
    for (const st of this.domains.values()) {
      if (st.status !== "member" || st.log === undefined) continue;
      const peers = st.log.members().filter((m) => m !== this.id);
      if (peers.length === 0) continue;
      const peer = peers[ctx.random.int(0, peers.length - 1)]!;
      out.push(this.digest(st, peer, true));
    }
    out.push(this.syncTimer(ctx));
    return out;
  }

  private digest(st: DomainState, peer: NodeId, reply: boolean): Effect {
    this.counts.inc("digest-sent");
    const heads = st.log!.heads().map((h) => ({ author: fromHex(h.author), epoch: h.epoch, count: h.count }));
    return this.send(peer, SyncDigestCodec.encode({ domain: fromHex(st.advert.domain), reply, heads }));
  }

  /** Peers we talk membership with: members in our view, the owner and the introducers. */
  private trusted(st: DomainState, peer: NodeId): boolean {
    return st.log?.has(peer) === true || this.introducers(st).includes(peer);
  }

  private onDigest(peer: NodeId, m: ReturnType<typeof SyncDigestCodec.decode>): Effect[] {
    const st = this.domains.get(toHex(m.domain));
    if (st === undefined || st.log === undefined || !this.trusted(st, peer)) {
      this.counts.inc("sync-refused");
      return [];
    }
    this.counts.inc("digest-received");
    const heads: LogHead[] = m.heads.map((h) => ({
      author: toHex(h.author),
      epoch: h.epoch,
      count: h.count,
    }));
    const out: Effect[] = [];
    const missing = st.log.missingFor(heads);
    for (let i = 0; i < missing.length; i += MAX_OPS_PER_MESSAGE)
      out.push(
        this.send(
          peer,
          SyncOpsCodec.encode({ domain: m.domain, ops: missing.slice(i, i + MAX_OPS_PER_MESSAGE) }),
        ),
      );
    if (m.reply && st.log.lacks(heads)) out.push(this.digest(st, peer, false));
    return out;
  }

  private onOps(peer: NodeId, m: ReturnType<typeof SyncOpsCodec.decode>): Effect[] {
    const st = this.domains.get(toHex(m.domain));
    if (st === undefined || st.log === undefined || !this.trusted(st, peer)) {
      this.counts.inc("sync-refused");
      return [];
    }
    const before = st.log.members().join();
    this.counts.inc("ops-received", m.ops.length);
    for (const w of m.ops) st.log.ingest(w);
    return this.membersChanged(st, before);
  }

  private membersChanged(st: DomainState, before: string): Effect[] {
    const members = st.log!.members();
    if (members.join() === before) return [];
    const out: Effect[] = [
      { kind: "emit", name: "domain-members", data: { domain: st.advert.domain, members } },
    ];
    if (st.status === "member" && !members.includes(this.id)) {
      // Removed by the owner.
      st.status = "outside";
      out.push({ kind: "emit", name: "domain-removed", data: { domain: st.advert.domain } });
    }
    return out;
  }

  /** Send new operations to up to `pushFanout` of `to` (never to ourselves). */
  private push(
    st: DomainState,
    ops: readonly Uint8Array[],
    to: readonly NodeId[],
    ctx: EngineContext,
  ): Effect[] {
    if (ops.length === 0) return [];
    const peers = to.filter((n) => n !== this.id);
    const k = this.opts.pushFanout ?? 8;
    // Partial Fisher-Yates over the engine's own stream: which members hear first is seeded.
    for (let i = 0; i < Math.min(k, peers.length); i++) {
      const j = ctx.random.int(i, peers.length - 1);
      const t = peers[i]!;
      peers[i] = peers[j]!;
      peers[j] = t;
    }
    const payload = SyncOpsCodec.encode({ domain: fromHex(st.advert.domain), ops: [...ops] });
    return peers.slice(0, k).map((p) => this.send(p, payload));
  }

  // ---- dispatch ----

  private onMessage(peer: NodeId, payload: Uint8Array, ctx: EngineContext): Effect[] {
    let m: ReturnType<typeof DomainWire.decode>;
    try {
      m = DomainWire.decode(payload);
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.counts.inc("bad-message");
      return [{ kind: "emit", name: "domain-bad-message", data: { peer, error: err.message } }];
    }
    switch (m.name) {
      case "JoinRequest":
        return this.onJoinRequest(peer, m.value, ctx);
      case "JoinReply":
        return this.onJoinReply(peer, m.value, ctx);
      case "SyncDigest":
        return this.onDigest(peer, m.value);
      case "SyncOps":
        return this.onOps(peer, m.value);
    }
  }

  private send(peer: NodeId, payload: Uint8Array): Effect {
    return { kind: "send", to: { kind: "engine", engine: peer }, protocol: DOMAIN_PROTOCOL, payload };
  }
}
