/**
 * The engine contract: the one design rule of Lattice (ARCHITECTURE.md "The one design rule"; seed 003
 * "engines are actors addressed by cryptographic identities").
 *
 * An engine is a deterministic, sans-I/O state machine. The runtime hands it one `EngineEvent` at a time
 * together with an `EngineContext`; the engine updates its own state and returns a list of `Effect`s. It
 * never reads the wall clock (use `ctx.now()`), never calls `Math.random` (use `ctx.random`), never does
 * I/O and never awaits. Two runtimes drive the same engines:
 * - the node runtime (`net/node`): real clock, TCP transport, signed envelopes;
 * - the simulator and most tests: a `VirtualClock`, the memory transport, a seeded PRNG.
 *
 * Guarantees the runtimes give every engine:
 * - events are delivered one at a time, never re-entrantly; effects are applied in list order after
 *   `handle` returns;
 * - `start` is the first event, `stop` the last; after `stop` nothing else arrives;
 * - a timer set with an id replaces any pending timer of that id; a cancelled timer never fires;
 *   timers due at the same instant fire in the order they were set;
 * - message delivery is unreliable and unordered (seed 003: "unreliable, unordered delivery"), but a
 *   delivered message is authentic: `from` is the engine that sent it, vouched for by its node's
 *   signature, and the same message is never delivered twice to one engine.
 *
 * This file holds types only (plus two tiny helpers) so consensus engines in `core/` can implement it
 * without importing any runtime.
 */

/**
 * An engine identity: the lower-case hex of its 32-byte Ed25519 public key. Strings, not bytes, so ids
 * are usable as Map keys and compare with `===`; the wire form is the 32 raw bytes.
 */
export type EngineId = string;
/** A node identity: the hex public key of the node's router engine (seed 003 "node address"). */
export type NodeId = string;
/** A domain identity (hex, 32 bytes): see `net/domain`. */
export type DomainId = string;
/** A timer name chosen by the engine; setting the same id again re-arms it. */
export type TimerId = string;
/** Milliseconds on the runtime's clock (virtual or real). Only differences are meaningful. */
export type Millis = number;

/**
 * Where a message goes; the kind of destination picks the communication pattern (seed 003 "Routing").
 * - `engine`: unicast to one engine instance, local or remote;
 * - `topic`: multicast to every subscriber of `topic` inside `domain` (pub/sub over the domain overlay);
 * - `domain`: anycast to any one member of `domain` hosting an engine for the message's protocol.
 */
export type Destination =
  | { readonly kind: "engine"; readonly engine: EngineId }
  | { readonly kind: "topic"; readonly domain: DomainId; readonly topic: string }
  | { readonly kind: "domain"; readonly domain: DomainId };

/** A message delivered to an engine. */
export interface MessageEvent {
  readonly kind: "message";
  /** Sending engine. */
  readonly from: EngineId;
  /** Node that hosts the sender (equal to the local node for intra-node messages). */
  readonly fromNode: NodeId;
  /** How it was addressed: lets an engine tell a unicast from a topic or anycast delivery. */
  readonly to: Destination;
  /** Versioned protocol identifier, e.g. `simplex/v1`. */
  readonly protocol: string;
  readonly payload: Uint8Array;
}

/** Every input an engine can receive. */
export type EngineEvent =
  | { readonly kind: "start" }
  | { readonly kind: "stop" }
  | MessageEvent
  | { readonly kind: "timer"; readonly timer: TimerId }
  /** A request from a local client (CLI, HTTP API, test); answer with a `reply` effect. */
  | { readonly kind: "request"; readonly requestId: string; readonly body: unknown }
  /** The answer to a `service` effect. `ok: false` carries a machine-readable error code. */
  | {
      readonly kind: "service-result";
      readonly requestId: string;
      readonly service: string;
      readonly ok: boolean;
      readonly result: unknown;
    }
  /** A runtime notification, e.g. a domain membership change or a topic sequence gap. */
  | { readonly kind: "notice"; readonly name: string; readonly data: unknown };

/** Every output an engine can produce. */
export type Effect =
  | {
      readonly kind: "send";
      readonly to: Destination;
      readonly protocol: string;
      readonly payload: Uint8Array;
    }
  /** Arm (or re-arm) timer `timer` to fire `after` ms from now (>= 0). */
  | { readonly kind: "set-timer"; readonly timer: TimerId; readonly after: Millis }
  | { readonly kind: "cancel-timer"; readonly timer: TimerId }
  /** Receive topic messages of `topic` in `domain`; the node must be a member of the domain. */
  | { readonly kind: "subscribe"; readonly domain: DomainId; readonly topic: string }
  | { readonly kind: "unsubscribe"; readonly domain: DomainId; readonly topic: string }
  /** Something observable happened (logs, metrics, tests, the explorer). Has no effect on routing. */
  | { readonly kind: "emit"; readonly name: string; readonly data: unknown }
  /** Answer a `request` event. */
  | { readonly kind: "reply"; readonly requestId: string; readonly body: unknown }
  /**
   * Ask the runtime for expensive or parallel work (batch signature checks, contract runs, disk
   * writes). The result comes back as a `service-result` event with the same `requestId`; the
   * simulator answers inline at a virtual-time cost, the node in workers.
   */
  | {
      readonly kind: "service";
      readonly requestId: string;
      readonly service: string;
      readonly input: unknown;
    };

/** Deterministic random source; see `prng.ts` for the implementation. */
export interface Random {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform float in [0, 1) with 53 bits of precision. */
  nextFloat(): number;
  /** Uniform integer in [lo, hi] (inclusive); both safe integers with hi - lo < 2^32. */
  int(lo: number, hi: number): number;
  /** `n` uniform bytes. */
  bytes(n: number): Uint8Array;
  /** An independent stream named `label`, derived from this stream's seed (not from its position). */
  fork(label: string): Random;
}

/** What the runtime lends an engine for one `handle` call. */
export interface EngineContext {
  /** Current time on the runtime's clock; constant during one `handle` call. */
  now(): Millis;
  /** The engine's own seeded random stream (forked from the node's by engine id). */
  readonly random: Random;
  /** This engine's identity. */
  readonly self: EngineId;
  /** The hosting node's identity. */
  readonly node: NodeId;
}

/**
 * A protocol participant. Implementations keep all state in the object and must be deterministic:
 * the same sequence of (event, ctx.now(), ctx.random draws) gives the same effects.
 *
 * @example
 * class Echo implements Engine {
 *   readonly protocols = ["echo/v1"];
 *   constructor(readonly id: EngineId) {}
 *   handle(ev: EngineEvent): Effect[] {
 *     return ev.kind === "message"
 *       ? [{ kind: "send", to: { kind: "engine", engine: ev.from }, protocol: "echo/v1", payload: ev.payload }]
 *       : [];
 *   }
 * }
 */
export interface Engine {
  readonly id: EngineId;
  /** Protocols this engine accepts; messages for any other protocol are dropped before `handle`. */
  readonly protocols: readonly string[];
  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[];
}

/**
 * The time source a runtime drives engines with. `VirtualClock` (core/engine/virtual-clock.ts) for the
 * simulator and deterministic tests, `RealClock` (net/clock) for nodes.
 */
export interface Clock {
  now(): Millis;
  /** Call `fn` once at `now() + after`; returns a handle for `cancel`. */
  schedule(after: Millis, fn: () => void): ClockHandle;
  cancel(handle: ClockHandle): void;
}

/** Opaque handle of a scheduled callback. */
export type ClockHandle = number;

/** Shorthand for a unicast destination. */
export function toEngine(engine: EngineId): Destination {
  return { kind: "engine", engine };
}

/** Canonical string of a destination: usable as a Map key and in logs. */
export function destinationKey(d: Destination): string {
  switch (d.kind) {
    case "engine":
      return `engine:${d.engine}`;
    case "topic":
      return `topic:${d.domain}/${d.topic}`;
    case "domain":
      return `domain:${d.domain}`;
  }
}
