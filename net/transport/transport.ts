/**
 * The transport contract (seed 003 "Transport"; ARCHITECTURE.md "Network"): unreliable, unordered
 * delivery of opaque frames between authenticated nodes. The router sits on top and never knows which
 * transport carries a frame. Implementations: `memory/` (simulator, unit tests) and `tcp/` (nodes);
 * `chaos/` wraps either. All of them pass `transport-compliance.ts`.
 *
 * Guarantees every implementation gives:
 * - the `peer` passed to `frame` is the authenticated node identity of the sender (TCP proves it in the
 *   handshake; the memory network by construction);
 * - frames arrive whole (never split or merged) and at most `maxFrame` bytes long;
 * - `session(peer)` fires before the first frame of every new session with `peer` (first contact, or a
 *   reconnect or restart), so the router can reset per-session state such as replay windows;
 * - `send` never throws for network reasons: an unreachable peer is a counted drop, queued frames wait
 *   for a connection, and failures show in `stats()`;
 * - `close()` resolves when every socket and timer the transport owns is released.
 */
import type { NodeId } from "../../core/engine/engine.ts";
import { LatticeError } from "../../core/errors/lattice-error.ts";

/** The largest frame any transport carries: 1 MiB (checked on the length prefix before buffering). */
export const MAX_FRAME_BYTES = 1 << 20;

/** Callbacks a transport calls; set once by `start`. */
export interface TransportHandlers {
  frame(peer: NodeId, frame: Uint8Array): void;
  /** A new authenticated session with `peer` begins (called before its first frame). */
  session?(peer: NodeId): void;
  /** The session with `peer` ended (closed, failed, timed out). */
  down?(peer: NodeId, reason: string): void;
}

/** Counters every transport exposes. `drops` is keyed by reason, e.g. `unreachable`, `oversized`. */
export interface TransportStats {
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Sessions established (both directions); with pooling, one per peer until a reconnect. */
  sessionsOpened: number;
  drops: Record<string, number>;
}

/** A way to move frames between nodes. */
export interface Transport {
  /** This node's identity. */
  readonly local: NodeId;
  /** Largest frame `send` accepts and `frame` delivers. */
  readonly maxFrame: number;
  /** Begin accepting sessions and delivering frames to `handlers`. */
  start(handlers: TransportHandlers): Promise<void>;
  /** Addresses peers can reach this node at (for its NodeAdvert), e.g. `tcp://127.0.0.1:4100`. */
  addresses(): readonly string[];
  /** Tell the transport where `peer` can be reached (from a NodeAdvert or configuration). */
  learn(peer: NodeId, addresses: readonly string[]): void;
  /**
   * Queue `frame` for `peer`. Throws only for caller bugs (`NET_FRAME_TOO_LARGE`, `NET_CLOSED`); network
   * failures are counted drops.
   */
  send(peer: NodeId, frame: Uint8Array): void;
  stats(): TransportStats;
  close(): Promise<void>;
}

/** Throw the typed error for a frame over the transport's cap. */
export function assertFrameSize(frame: Uint8Array, maxFrame: number): void {
  if (frame.length > maxFrame) {
    throw new LatticeError("NET_FRAME_TOO_LARGE", `frame of ${frame.length} bytes exceeds ${maxFrame}`, {
      details: { size: frame.length, max: maxFrame },
    });
  }
}

/** A zeroed stats record. */
export function emptyStats(): TransportStats {
  return { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, sessionsOpened: 0, drops: {} };
}
