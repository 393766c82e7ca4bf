/**
 * Fan-out of the node's events to live stream subscribers (GET /v1/events). Ledger events are turned into
 * their JSON form once, numbered (`seq`, starting at 1 per node run), kept in a ring buffer so a client
 * reconnecting with `Last-Event-ID` gets what it missed, and queued per subscriber.
 *
 * Bounds: at most `maxSubscribers` subscribers; each queue holds at most `maxQueue` events, and a
 * subscriber that falls further behind gets one `overflow` event and is closed (its client resumes with
 * Last-Event-ID, or falls back to polling). A slow reader never slows the node.
 */
import { formatAddress } from "../../core/crypto/address.ts";
import { hexOf as toHex } from "./hex.ts";
import type { LedgerEvent } from "../../core/ledger/ledger-events.ts";
import type { ApiEvent, ApiEventType } from "./wire.ts";

export interface EventHubOptions {
  readonly maxSubscribers?: number;
  readonly maxQueue?: number;
  readonly replay?: number;
}

type Unnumbered = ApiEvent extends infer E ? (E extends ApiEvent ? Omit<E, "seq"> : never) : never;

/** The JSON form of a ledger event. */
export function apiEventOf(e: LedgerEvent): Unnumbered {
  switch (e.type) {
    case "round":
      return {
        type: "round",
        round: e.round.toString(),
        root: toHex(e.root),
        txCount: e.txCount,
        rejectedCount: e.rejectedCount,
        note: e.note,
        time: e.at,
      };
    case "tx.accepted":
      return {
        type: "tx.accepted",
        id: toHex(e.id),
        sender: formatAddress(e.sender),
        nonce: e.nonce.toString(),
        time: e.at,
      };
    case "tx.certified":
      return { type: "tx.certified", id: toHex(e.id), time: e.at };
    case "tx.final":
      return { type: "tx.final", id: toHex(e.id), round: e.round.toString(), time: e.at };
    case "tx.rejected": {
      const error =
        e.rejection.details === undefined
          ? { code: e.rejection.code, message: e.rejection.message }
          : { code: e.rejection.code, message: e.rejection.message, details: e.rejection.details };
      return {
        type: "tx.rejected",
        id: toHex(e.id),
        round: e.round === null ? null : e.round.toString(),
        error,
        time: e.at,
      };
    }
    case "fault":
      return { type: "fault", code: e.code, message: e.message, time: e.at };
  }
}

/** One live subscription. */
export class Subscription {
  #queue: ApiEvent[] = [];
  #wake: (() => void) | null = null;
  #closed = false;
  constructor(
    readonly types: ReadonlySet<ApiEventType> | null,
    readonly maxQueue: number,
    private readonly onClose: (s: Subscription) => void,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Queue an event; past the bound, queue one overflow event and close. */
  push(e: ApiEvent): void {
    if (this.#closed) return;
    if (this.types !== null && !this.types.has(e.type)) return;
    if (this.#queue.length >= this.maxQueue) {
      this.#queue.push({ type: "overflow", seq: e.seq, time: e.time });
      this.close();
      return;
    }
    this.#queue.push(e);
    this.#wake?.();
  }

  /** Wait for queued events (or `timeoutMs`, for heartbeats); returns them and empties the queue. */
  async next(timeoutMs: number): Promise<ApiEvent[]> {
    if (this.#queue.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = null;
    }
    const out = this.#queue;
    this.#queue = [];
    return out;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    this.onClose(this);
  }
}

export class EventHub {
  readonly maxSubscribers: number;
  readonly #maxQueue: number;
  readonly #replay: number;
  readonly #ring: ApiEvent[] = [];
  readonly #subs = new Set<Subscription>();
  #seq = 0;

  constructor(options: EventHubOptions = {}) {
    this.maxSubscribers = options.maxSubscribers ?? 64;
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#replay = options.replay ?? 4096;
  }

  get subscribers(): number {
    return this.#subs.size;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** Number and publish an event. */
  publish(e: Unnumbered): ApiEvent {
    const event = { ...e, seq: ++this.#seq } as ApiEvent;
    this.#ring.push(event);
    if (this.#ring.length > this.#replay) this.#ring.shift();
    for (const s of this.#subs) s.push(event);
    return event;
  }

  /**
   * Subscribe; with `after` (a Last-Event-ID), events after it still in the ring are queued first.
   * Returns null when the subscriber limit is reached.
   */
  subscribe(types: ReadonlySet<ApiEventType> | null, after?: number): Subscription | null {
    if (this.#subs.size >= this.maxSubscribers) return null;
    const sub = new Subscription(types, this.#maxQueue, (s) => this.#subs.delete(s));
    if (after !== undefined) for (const e of this.#ring) if (e.seq > after) sub.push(e);
    this.#subs.add(sub);
    return sub;
  }

  /** Close every subscription (node shutdown). */
  closeAll(): void {
    for (const s of [...this.#subs]) s.close();
  }
}
