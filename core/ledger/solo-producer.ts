/**
 * SoloProducer: the single-node dev mode, like anvil's automine and interval mining. It stands in for
 * the whole consensus pipeline (batching, quorum certificates, harvester proposals, convergence blocks):
 * this one node decides alone that its validated transactions are final and applies them as the next
 * round. The multi-node node replaces it with the WAN engines, which call `ledger.markCertified` and
 * `ledger.applyFinalized` from certified convergence blocks; nothing else in the ledger or the API
 * changes. Never use it where more than one node must agree.
 *
 * Modes:
 *   automine (blockTimeMs 0): a round right after submissions arrive (coalesced: submissions that land
 *     while a round is being produced go into the next one);
 *   interval (blockTimeMs > 0): a round every blockTimeMs when something is pending (empty rounds are
 *     skipped, so an idle devnet does not grow its database); `produce()` forces one, even empty.
 * The clock is injected (core/engine Clock): a VirtualClock in tests, the real clock in a node.
 */
import type { Clock, ClockHandle } from "../engine/engine.ts";
import type { AppliedRound, Ledger } from "./ledger.ts";

export interface SoloProducerOptions {
  readonly ledger: Ledger;
  readonly clock: Clock;
  /** 0 = automine. */
  readonly blockTimeMs: number;
  /** Most transactions per round (default 5000). */
  readonly maxBlockTxs?: number;
  /** Called when producing a round failed (the producer keeps going). */
  readonly onError?: (err: unknown) => void;
}

export class SoloProducer {
  readonly blockTimeMs: number;
  readonly #ledger: Ledger;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #onError: (err: unknown) => void;
  #timer: ClockHandle | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #busy = false;
  #again = false;
  #stopped = true;
  #unsubscribe: (() => void) | null = null;

  constructor(options: SoloProducerOptions) {
    if (!Number.isInteger(options.blockTimeMs) || options.blockTimeMs < 0) {
      throw new RangeError(`blockTimeMs: a non-negative integer expected, got ${options.blockTimeMs}`);
    }
    this.blockTimeMs = options.blockTimeMs;
    this.#ledger = options.ledger;
    this.#clock = options.clock;
    this.#max = options.maxBlockTxs ?? 5000;
    this.#onError = options.onError ?? (() => undefined);
  }

  get mode(): "automine" | "interval" {
    return this.blockTimeMs === 0 ? "automine" : "interval";
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    if (this.blockTimeMs === 0) {
      this.#unsubscribe = this.#ledger.subscribe((e) => {
        if (e.type === "tx.accepted") this.#kick();
      });
      if (this.#ledger.mempoolSize > 0) this.#kick(); // recovered transactions
    } else {
      this.#arm();
    }
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.schedule(this.blockTimeMs, () => {
      this.#timer = null;
      void this.#cycle(false).finally(() => this.#arm());
    });
  }

  #kick(): void {
    if (this.#stopped) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    if (this.#timer !== null) return;
    this.#timer = this.#clock.schedule(0, () => {
      this.#timer = null;
      void this.#cycle(false);
    });
  }

  async #cycle(allowEmpty: boolean): Promise<AppliedRound | null> {
    this.#busy = true;
    let result: AppliedRound | null = null;
    try {
      do {
        this.#again = false;
        const run = this.#ledger.produceLocal({ maxTxs: this.#max, allowEmpty });
        this.#running = run.catch(() => undefined);
        result = await run;
        allowEmpty = false;
        // In automine, keep going while a round was full or submissions arrived during it.
      } while (
        !this.#stopped &&
        this.blockTimeMs === 0 &&
        (this.#again || this.#ledger.mempoolSize > 0) &&
        result !== null
      );
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#busy = false;
    }
    return result;
  }

  /** Produce one round now, even an empty one (the admin "produce-round" cheat, like anvil_mine). */
  async produce(): Promise<AppliedRound | null> {
    const run = this.#ledger.produceLocal({ maxTxs: this.#max, allowEmpty: true });
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** Stop scheduling; resolves after a round in progress is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#clock.cancel(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#running;
  }
}
