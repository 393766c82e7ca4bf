/**
 * A live subscription to a node's GET /v1/events that survives disconnects: it reconnects with backoff and
 * sends Last-Event-ID, so events the node still holds in its replay ring are not missed. `healthy` says
 * whether it is connected right now; callers that must not miss anything (waitForFinality) poll while it
 * is not. Events are delivered in order, each once per connection (a replay never repeats a delivered seq).
 */
import type { ApiEvent, ApiEventType } from "../api/wire.ts";
import { readSse } from "./sse.ts";

export interface EventStreamOptions {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly types: readonly ApiEventType[] | null;
  readonly onEvent: (e: ApiEvent) => void;
  /** Reported on every connection failure (the stream keeps retrying until closed). */
  readonly onError?: (err: unknown) => void;
}

export class EventStream {
  /** Resolves true once subscribed, false if the first attempt failed (retries go on). */
  readonly ready: Promise<boolean>;
  #healthy = false;
  #closed = false;
  #lastSeq: number | null = null;
  #abort: AbortController | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #readyResolve: (ok: boolean) => void = () => undefined;
  readonly #o: EventStreamOptions;

  constructor(options: EventStreamOptions) {
    this.#o = options;
    this.ready = new Promise((resolve) => {
      this.#readyResolve = resolve;
    });
    void this.#run(0);
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  async #run(attempt: number): Promise<void> {
    if (this.#closed) return;
    const abort = new AbortController();
    this.#abort = abort;
    const query = this.#o.types === null ? "" : `?types=${this.#o.types.join(",")}`;
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.#lastSeq !== null) headers["last-event-id"] = String(this.#lastSeq);
    try {
      const res = await this.#o.fetch(`${this.#o.url}/v1/events${query}`, { headers, signal: abort.signal });
      if (!res.ok || res.body === null) throw new Error(`event stream answered ${res.status}`);
      attempt = 0;
      for await (const m of readSse(res.body, (comment) => {
        if (comment.startsWith("subscribed")) {
          this.#healthy = true;
          this.#readyResolve(true);
        }
      })) {
        let e: ApiEvent;
        try {
          e = JSON.parse(m.data) as ApiEvent;
        } catch {
          continue;
        }
        if (this.#lastSeq !== null && e.seq <= this.#lastSeq) continue;
        this.#lastSeq = e.seq;
        if (e.type === "overflow") break; // resume from lastSeq on a fresh connection
        this.#o.onEvent(e);
      }
    } catch (err) {
      if (!this.#closed) this.#o.onError?.(err);
    }
    this.#healthy = false;
    this.#readyResolve(false);
    if (this.#closed) return;
    const delay = Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
    this.#retry = setTimeout(() => void this.#run(attempt + 1), delay);
  }

  close(): void {
    this.#closed = true;
    this.#healthy = false;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#abort?.abort();
    this.#readyResolve(false);
  }
}
