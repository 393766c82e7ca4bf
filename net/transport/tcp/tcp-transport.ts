/**
 * TCP transport for nodes (seed 003 "Transport": pooled, authenticated, encrypted, forward-secret
 * connections; ARCHITECTURE.md "Network"). Bun.listen / Bun.connect, one connection per peer pair.
 *
 * Per connection: 4-byte length-prefixed frames (frame-reader.ts), the handshake of handshake.ts (cap
 * 133 bytes until it completes), then ChaCha20-Poly1305 frames (session-cipher.ts) capped at `maxFrame`
 * + tag, the cap checked on the length prefix before buffering. Writes never assume `socket.write` took
 * everything: the rest waits in a queue flushed from `drain`.
 *
 * Pool: frames for a peer without a session queue (bounded) while we dial its advertised address. If both
 * sides dial at once, both sessions complete and both sides keep the one initiated by the smaller node
 * id (a tie-break both compute alike), closing the other quietly. A failed dial retries with exponential
 * backoff and jitter from the injected PRNG while frames wait; after `maxAttempts` the queue is dropped.
 *
 * Limits: per-peer token bucket on incoming frames (excess is a counted `rate-limited` drop), handshake
 * timeout, idle timeout. Anything malformed from the peer (garbage, a bad signature, a wrong identity, an
 * oversized length, a frame failing authentication) closes THAT connection and is counted; no other
 * connection is touched and nothing is thrown out of a socket callback.
 */
import type { Socket, TCPSocketListener } from "bun";
import type { Clock, ClockHandle, NodeId, Random } from "../../../core/engine/engine.ts";
import { toHex } from "../../../core/crypto/bytes.ts";
import type { KeyPair } from "../../../core/crypto/ed25519.ts";
import { isLatticeError, LatticeError } from "../../../core/errors/lattice-error.ts";
import { Counters } from "../../metrics/counters.ts";
import { type NetLogger, noopLogger } from "../../metrics/logger.ts";
import {
  assertFrameSize,
  MAX_FRAME_BYTES,
  type Transport,
  type TransportHandlers,
  type TransportStats,
} from "../transport.ts";
import { FrameReader, lengthPrefixed } from "./frame-reader.ts";
import {
  InitiatorHandshake,
  MAX_HANDSHAKE_BYTES,
  ResponderHandshake,
  type SessionKeys,
} from "./handshake.ts";
import { AEAD_TAG_BYTES, SessionCipher } from "./session-cipher.ts";
import { TokenBucket } from "./token-bucket.ts";

export interface TcpTransportOptions {
  readonly identity: KeyPair;
  readonly clock: Clock;
  /** Backoff jitter. */
  readonly random: Random;
  /** Ephemeral key material; default `crypto.getRandomValues` (never a seeded PRNG outside tests). */
  readonly secureRandom?: (n: number) => Uint8Array;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Listen port; default 0 (any free port). */
  readonly port?: number;
  readonly maxFrame?: number;
  readonly logger?: NetLogger;
  /** Incoming frames per second per peer and burst (default 20 000 / 40 000). */
  readonly rateLimit?: { readonly framesPerSecond: number; readonly burst: number };
  /** Close a session silent for this long (default 60 s; Bun counts in whole seconds). */
  readonly idleTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number; readonly maxAttempts: number };
  /** Frames held per peer while (re)connecting. */
  readonly maxQueue?: number;
  /** How long the losing session of a simultaneous dial stays readable before it is closed (1 s). */
  readonly retireGraceMs?: number;
  /** Refuse inbound sessions from some identities (checked after the initiator proves its id). */
  readonly allow?: (peer: NodeId) => boolean;
}

type Role = "initiator" | "responder";
interface SocketData {
  conn?: Conn;
}

interface PeerState {
  addresses: readonly string[];
  conn: Conn | undefined;
  dialing: Conn | undefined;
  queue: Uint8Array[];
  attempts: number;
  retry: ClockHandle | undefined;
  bucket: TokenBucket | undefined;
}

let connIds = 0;
const WRITE_SLICE = 128 * 1024;

class Conn {
  readonly id = ++connIds;
  socket: Socket<SocketData> | undefined;
  state: "connecting" | "handshake" | "open" | "closed" = "connecting";
  peer: NodeId | undefined;
  readonly reader = new FrameReader(MAX_HANDSHAKE_BYTES);
  initiator: InitiatorHandshake | undefined;
  responder: ResponderHandshake | undefined;
  tx: SessionCipher | undefined;
  rx: SessionCipher | undefined;
  readonly out: Uint8Array[] = [];
  outBytes = 0;
  hsTimer: ClockHandle | undefined;
  quiet = false;
  /** No longer used for sending (lost a simultaneous-dial tie-break); still read until closed. */
  retired = false;
  retireTimer: ClockHandle | undefined;
  constructor(readonly role: Role) {}
}

/** A node's TCP endpoint. */
export class TcpTransport implements Transport {
  readonly local: NodeId;
  readonly maxFrame: number;
  private readonly opts: TcpTransportOptions;
  private readonly logger: NetLogger;
  private readonly secureRandom: (n: number) => Uint8Array;
  private handlers: TransportHandlers | undefined;
  private listener: TCPSocketListener<SocketData> | undefined;
  private readonly peers = new Map<NodeId, PeerState>();
  private readonly conns = new Set<Conn>();
  private readonly drops = new Counters();
  private readonly counts = {
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sessionsOpened: 0,
  };
  private closed = false;
  private closeWaiters: (() => void)[] = [];

  constructor(options: TcpTransportOptions) {
    this.opts = options;
    this.local = toHex(options.identity.publicKey);
    this.maxFrame = options.maxFrame ?? MAX_FRAME_BYTES;
    this.logger = options.logger ?? noopLogger;
    this.secureRandom = options.secureRandom ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
  }

  async start(handlers: TransportHandlers): Promise<void> {
    if (this.closed) throw new LatticeError("NET_CLOSED", "transport is closed");
    this.handlers = handlers;
    this.listener = Bun.listen<SocketData>({
      hostname: this.opts.host ?? "127.0.0.1",
      port: this.opts.port ?? 0,
      data: {},
      allowHalfOpen: true,
      socket: this.socketHandlers(),
    });
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    if (this.listener === undefined) throw new LatticeError("NET_STATE", "transport not started");
    return this.listener.port;
  }

  addresses(): readonly string[] {
    return this.listener === undefined ? [] : [`tcp://${this.listener.hostname}:${this.listener.port}`];
  }

  learn(peer: NodeId, addresses: readonly string[]): void {
    if (peer === this.local) return;
    this.peerState(peer).addresses = addresses.filter((a) => parseAddress(a) !== undefined);
  }

  send(peer: NodeId, frame: Uint8Array): void {
    if (this.closed) throw new LatticeError("NET_CLOSED", "transport is closed");
    assertFrameSize(frame, this.maxFrame);
    const ps = this.peers.get(peer);
    if (ps?.conn?.state === "open") {
      this.writeFrame(ps.conn, frame);
      return;
    }
    if (ps === undefined || ps.addresses.length === 0) {
      this.drops.inc("unreachable");
      return;
    }
    if (ps.queue.length >= (this.opts.maxQueue ?? 4096)) {
      this.drops.inc("queue-full");
      return;
    }
    ps.queue.push(frame.slice());
    this.dial(peer, ps);
  }

  stats(): TransportStats {
    return { ...this.counts, drops: this.drops.snapshot() };
  }

  /** Live connections (any state): zero after `close()`. */
  openConnections(): number {
    return this.conns.size;
  }

  /** Peers with an established session. */
  connectedPeers(): NodeId[] {
    return [...this.peers].filter(([, p]) => p.conn?.state === "open").map(([id]) => id);
  }

  /** Drop the session with `peer` (tests, admin); the next send reconnects. */
  disconnect(peer: NodeId): void {
    const c = this.peers.get(peer)?.conn;
    if (c !== undefined) this.closeConn(c, "disconnect");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listener?.stop(false);
    for (const ps of this.peers.values()) {
      if (ps.retry !== undefined) this.opts.clock.cancel(ps.retry);
      ps.retry = undefined;
      ps.queue = [];
    }
    for (const c of [...this.conns]) this.closeConn(c, "closed");
    if (this.conns.size > 0) {
      await new Promise<void>((resolve) => {
        this.closeWaiters.push(resolve);
        // A peer that never acknowledges our FIN must not hold shutdown hostage.
        const t = setTimeout(() => {
          for (const c of this.conns) c.socket?.terminate();
        }, 1000);
        this.closeWaiters.push(() => clearTimeout(t));
      });
    }
    this.listener?.stop(true);
    this.listener = undefined;
    this.handlers = undefined;
  }

  // ---- connection management ----

  private peerState(peer: NodeId): PeerState {
    let ps = this.peers.get(peer);
    if (ps === undefined) {
      ps = {
        addresses: [],
        conn: undefined,
        dialing: undefined,
        queue: [],
        attempts: 0,
        retry: undefined,
        bucket: undefined,
      };
      this.peers.set(peer, ps);
    }
    return ps;
  }

  private dial(peer: NodeId, ps: PeerState): void {
    if (this.closed || ps.dialing !== undefined || ps.retry !== undefined || ps.conn?.state === "open")
      return;
    const addr = ps.addresses.map(parseAddress).find((a) => a !== undefined);
    if (addr === undefined) {
      this.drops.inc("unreachable", ps.queue.length);
      ps.queue = [];
      return;
    }
    const conn = new Conn("initiator");
    conn.peer = peer;
    conn.initiator = new InitiatorHandshake(this.opts.identity, peer, this.secureRandom);
    ps.dialing = conn;
    this.conns.add(conn);
    this.armHandshakeTimer(conn);
    Bun.connect<SocketData>({
      hostname: addr.host,
      port: addr.port,
      data: { conn },
      allowHalfOpen: true,
      socket: this.socketHandlers(),
    }).catch(() => {
      // connectError has already handled it.
    });
  }

  private armHandshakeTimer(conn: Conn): void {
    conn.hsTimer = this.opts.clock.schedule(this.opts.handshakeTimeoutMs ?? 5000, () => {
      conn.hsTimer = undefined;
      if (conn.state !== "open" && conn.state !== "closed") {
        this.drops.inc("handshake-timeout");
        this.closeConn(conn, "handshake-timeout");
      }
    });
  }

  private scheduleRetry(peer: NodeId, ps: PeerState): void {
    if (this.closed || ps.queue.length === 0) {
      ps.attempts = 0;
      return;
    }
    const b = this.opts.backoff ?? { baseMs: 50, maxMs: 2000, maxAttempts: 8 };
    ps.attempts++;
    if (ps.attempts > b.maxAttempts) {
      this.drops.inc("unreachable", ps.queue.length);
      this.logger.log("warn", "peer-unreachable", { peer, attempts: ps.attempts - 1 });
      ps.queue = [];
      ps.attempts = 0;
      return;
    }
    const base = Math.min(b.maxMs, b.baseMs * 2 ** (ps.attempts - 1));
    // Jitter in [0.5, 1.5) x base: peers that failed together do not retry together.
    const delay = base * (0.5 + this.opts.random.nextFloat());
    ps.retry = this.opts.clock.schedule(delay, () => {
      ps.retry = undefined;
      this.dial(peer, ps);
    });
  }

  private socketHandlers() {
    return {
      binaryType: "uint8array" as const,
      open: (socket: Socket<SocketData>) => {
        if (this.closed) {
          socket.terminate();
          return;
        }
        let conn = socket.data?.conn;
        if (conn === undefined) {
          conn = new Conn("responder");
          conn.responder = new ResponderHandshake(this.opts.identity, this.secureRandom);
          socket.data = { conn };
          this.conns.add(conn);
          this.armHandshakeTimer(conn);
        }
        conn.socket = socket;
        conn.state = "handshake";
        socket.setNoDelay(true);
        if (conn.role === "initiator") this.writeRaw(conn, lengthPrefixed(conn.initiator!.hello()));
      },
      data: (socket: Socket<SocketData>, chunk: Uint8Array) => {
        const conn = socket.data?.conn;
        if (conn === undefined || conn.state === "closed") return;
        this.onData(conn, chunk);
      },
      drain: (socket: Socket<SocketData>) => {
        const conn = socket.data?.conn;
        if (conn !== undefined) this.flush(conn);
      },
      close: (socket: Socket<SocketData>) => {
        const conn = socket.data?.conn;
        if (conn !== undefined) this.onClosed(conn, "closed");
      },
      // Half-open sockets: the peer finished writing; finish ours (after our queue drains) so it closes.
      end: (socket: Socket<SocketData>) => {
        const conn = socket.data?.conn;
        if (conn === undefined) {
          socket.end();
          return;
        }
        if (conn.state !== "closed") this.closeConn(conn, "peer-closed");
        else if (conn.out.length === 0) socket.end();
      },
      error: (socket: Socket<SocketData>, error: Error) => {
        this.logger.log("warn", "socket-error", { peer: socket.data?.conn?.peer, error: error.message });
      },
      timeout: (socket: Socket<SocketData>) => {
        const conn = socket.data?.conn;
        if (conn !== undefined) {
          this.drops.inc("idle-timeout");
          this.closeConn(conn, "idle");
        }
      },
      connectError: (socket: Socket<SocketData>) => {
        const conn = socket.data?.conn;
        if (conn !== undefined) {
          this.drops.inc("connect-failed");
          this.onClosed(conn, "connect-failed");
        }
      },
    };
  }

  private onData(conn: Conn, chunk: Uint8Array): void {
    conn.reader.push(chunk);
    for (;;) {
      if (conn.state === "closed") return;
      let frame: Uint8Array | undefined;
      try {
        frame = conn.reader.next();
      } catch (err) {
        this.fail(conn, "oversized", err);
        return;
      }
      if (frame === undefined) return;
      if (conn.state === "open") this.onSessionFrame(conn, frame);
      else this.onHandshakeFrame(conn, frame);
    }
  }

  private onHandshakeFrame(conn: Conn, frame: Uint8Array): void {
    try {
      if (conn.role === "initiator") {
        const { finish, keys } = conn.initiator!.finish(frame);
        this.writeRaw(conn, lengthPrefixed(finish));
        this.established(conn, keys);
      } else if (conn.responder!.peer === undefined) {
        const reply = conn.responder!.reply(frame);
        this.writeRaw(conn, lengthPrefixed(reply));
      } else {
        const keys = conn.responder!.complete(frame);
        if (this.opts.allow !== undefined && !this.opts.allow(keys.peer)) {
          this.fail(conn, "refused", undefined);
          return;
        }
        this.established(conn, keys);
      }
    } catch (err) {
      if (!isLatticeError(err)) throw err;
      this.fail(conn, "handshake-failed", err);
    }
  }

  private established(conn: Conn, keys: SessionKeys): void {
    conn.peer = keys.peer;
    conn.tx = new SessionCipher(keys.sendKey);
    conn.rx = new SessionCipher(keys.receiveKey);
    conn.state = "open";
    conn.reader.cap = this.maxFrame + AEAD_TAG_BYTES;
    if (conn.hsTimer !== undefined) this.opts.clock.cancel(conn.hsTimer);
    conn.hsTimer = undefined;
    conn.socket?.timeout(Math.max(1, Math.ceil((this.opts.idleTimeoutMs ?? 60_000) / 1000)));
    const ps = this.peerState(keys.peer);
    if (ps.dialing === conn) ps.dialing = undefined;
    const existing = ps.conn;
    if (existing !== undefined && existing !== conn && existing.state === "open") {
      if (this.keeps(existing, conn)) {
        this.closeQuietly(conn);
        return;
      }
      this.closeQuietly(existing);
    }
    ps.conn = conn;
    ps.attempts = 0;
    if (ps.retry !== undefined) this.opts.clock.cancel(ps.retry);
    ps.retry = undefined;
    this.counts.sessionsOpened++;
    this.logger.log("debug", "session", { peer: keys.peer, role: conn.role });
    this.handlers?.session?.(keys.peer);
    const queued = ps.queue;
    ps.queue = [];
    for (const f of queued) this.writeFrame(conn, f);
  }

  // Simultaneous dial: keep the session initiated by the smaller node id; same-role races keep the newer.
  private keeps(existing: Conn, fresh: Conn): boolean {
    if (existing.role === fresh.role) return false;
    const peer = fresh.peer!;
    const smallerIsLocal = this.local < peer;
    const existingInitiatedBySmaller = (existing.role === "initiator") === smallerIsLocal;
    return existingInitiatedBySmaller;
  }

  // The losing session of a simultaneous dial: stop writing to it, but keep reading until the peer's FIN,
  // so frames the peer wrote on it before it made the same decision are still delivered.
  // Bun closes both directions on `end()`, so the loser is closed only after a grace period that lets
  // in-flight frames land; neither side writes to it meanwhile.
  private closeQuietly(conn: Conn): void {
    conn.quiet = true;
    conn.retired = true;
    const ps = conn.peer === undefined ? undefined : this.peers.get(conn.peer);
    if (ps?.conn === conn) ps.conn = undefined;
    conn.retireTimer = this.opts.clock.schedule(this.opts.retireGraceMs ?? 1000, () => {
      conn.retireTimer = undefined;
      this.closeConn(conn, "duplicate");
    });
  }

  private onSessionFrame(conn: Conn, frame: Uint8Array): void {
    let plain: Uint8Array;
    try {
      plain = conn.rx!.open(frame);
    } catch (err) {
      this.fail(conn, "decrypt-failed", err);
      return;
    }
    const peer = conn.peer!;
    const ps = this.peerState(peer);
    const rl = this.opts.rateLimit ?? { framesPerSecond: 20_000, burst: 40_000 };
    ps.bucket ??= new TokenBucket(rl.framesPerSecond, rl.burst, this.opts.clock.now());
    if (!ps.bucket.take(this.opts.clock.now())) {
      this.drops.inc("rate-limited");
      return;
    }
    this.counts.framesReceived++;
    this.counts.bytesReceived += plain.length;
    try {
      this.handlers?.frame(peer, plain);
    } catch (err) {
      this.logger.log("error", "handler-error", { peer, error: String(err) });
    }
  }

  private fail(conn: Conn, reason: string, err: unknown): void {
    this.drops.inc(reason);
    this.logger.log("warn", "connection-rejected", {
      reason,
      peer: conn.peer,
      ...(err === undefined ? {} : { error: String(err) }),
    });
    this.closeConn(conn, reason);
  }

  private writeFrame(conn: Conn, frame: Uint8Array): void {
    const sealed = conn.tx!.seal(frame);
    this.counts.framesSent++;
    this.counts.bytesSent += frame.length;
    this.writeRaw(conn, lengthPrefixed(sealed));
  }

  private writeRaw(conn: Conn, bytes: Uint8Array): void {
    if (conn.socket === undefined || conn.state === "closed") return;
    conn.out.push(bytes);
    conn.outBytes += bytes.length;
    if (conn.out.length === 1) this.flush(conn);
  }

  // Writes at most WRITE_SLICE bytes per call: handing Bun a megabyte that it accepts 64 KiB of costs a
  // copy of the whole rest on every retry (measured: 7 s instead of 1 s for 24 MiB).
  private flush(conn: Conn): void {
    const s = conn.socket;
    if (s === undefined) return;
    while (conn.out.length > 0) {
      const head = conn.out[0]!;
      const slice = head.length > WRITE_SLICE ? head.subarray(0, WRITE_SLICE) : head;
      const n = Math.max(0, s.write(slice));
      conn.outBytes -= n;
      if (n < head.length) conn.out[0] = head.subarray(n);
      else conn.out.shift();
      if (n < slice.length) return; // the kernel buffer is full: continue from `drain`
    }
    if (conn.state === "closed") s.end();
  }

  private closeConn(conn: Conn, reason: string): void {
    if (conn.state === "closed") return;
    const wasSocket = conn.socket;
    this.onClosed(conn, reason);
    // Flush what we owe first; `end` after the queue drains (see `flush`).
    if (wasSocket !== undefined) {
      if (conn.out.length === 0) wasSocket.end();
    }
  }

  private onClosed(conn: Conn, reason: string): void {
    const first = conn.state !== "closed";
    conn.state = "closed";
    if (conn.hsTimer !== undefined) this.opts.clock.cancel(conn.hsTimer);
    conn.hsTimer = undefined;
    if (conn.retireTimer !== undefined) this.opts.clock.cancel(conn.retireTimer);
    conn.retireTimer = undefined;
    if (first) {
      const peer = conn.peer;
      const ps = peer === undefined ? undefined : this.peers.get(peer);
      if (ps !== undefined && peer !== undefined) {
        if (ps.dialing === conn) {
          ps.dialing = undefined;
          this.scheduleRetry(peer, ps);
        }
        if (ps.conn === conn) {
          ps.conn = undefined;
          if (!conn.quiet) this.handlers?.down?.(peer, reason);
          if (ps.queue.length > 0) this.dial(peer, ps);
        }
      }
    }
    // The socket is gone for good only when Bun reports close (or the connect failed).
    if (reason === "closed" || reason === "connect-failed" || conn.socket === undefined) {
      this.conns.delete(conn);
      if (this.conns.size === 0 && this.closeWaiters.length > 0) {
        const ws = this.closeWaiters;
        this.closeWaiters = [];
        for (const w of ws) w();
      }
    }
  }
}

/** Parse `tcp://host:port`; undefined when it is not one. */
export function parseAddress(addr: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/([^:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(addr);
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!, port };
}
