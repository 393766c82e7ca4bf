/**
 * The multi-core validator unit (seed 001, "Validator Unit & Validator Cores"; ARCHITECTURE "Stores"):
 * a pool of Bun Workers, each with read handles on the shared state and mempool views, validating
 * disjoint parts of a batch in parallel; results come back by message to the writer's thread.
 *
 * Partition: by sender, so one sender's transfers are checked in nonce order by one core; groups go to
 * the least-loaded worker in first-appearance order. Verdicts equal `validateBatch` (inline) exactly.
 * The worker entry URL is injected (`workerUrl`) so the compiled binary can use cmd/validator.worker.ts.
 * A worker that errors or exits has its reader slots released and its pending batches rejected with
 * `VALIDATOR_WORKER_DIED`; the pool is then closed for further batches.
 */
import { LatticeError } from "../errors/lattice-error.ts";
import type { Mempool } from "../mempool/mempool.ts";
import type { StateStore } from "../state/state-store.ts";
import { groupBySender, VERDICTS, type Verdict } from "./validate-transfers.ts";
import type { Validator } from "./validator.ts";
import type { WorkerBatch, WorkerInit, WorkerReply } from "./validator-worker.ts";

export interface ValidatorPoolOptions {
  /** URL of the worker entry (cmd/validator.worker.ts, or a test's own shim). */
  readonly workerUrl: URL | string;
  /** Worker count; default `navigator.hardwareConcurrency`. */
  readonly workers?: number;
  readonly chainId: number;
  /** Opened with `shared: true`. */
  readonly state: StateStore;
  /** Built with `shared: true`. */
  readonly mempool: Mempool;
}

/** First owner id of pool workers in the left-right liveness tables. */
export const POOL_OWNER_BASE = 1000;

interface Pending {
  resolve(v: Uint8Array): void;
  reject(e: unknown): void;
}

export class ValidatorPool implements Validator {
  readonly #workers: Worker[];
  readonly #pending: Map<number, Pending>[];
  #nextId = 1;
  #dead: LatticeError | undefined;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    this.#pending = workers.map(() => new Map());
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Start the workers and wait until each has opened its read handles. */
  static async start(options: ValidatorPoolOptions): Promise<ValidatorPool> {
    const count = options.workers ?? navigator.hardwareConcurrency;
    if (!Number.isInteger(count) || count < 1 || count > 256) {
      throw new LatticeError("VALIDATOR_BAD_ARGUMENT", `workers: 1..256 expected, got ${count}`);
    }
    const state = options.state.readSpec;
    const mempool = options.mempool.readSpec;
    if (state === undefined || mempool === undefined) {
      throw new LatticeError("VALIDATOR_BAD_ARGUMENT", "state and mempool must be opened with shared: true");
    }
    const workers = Array.from({ length: count }, () => new Worker(options.workerUrl));
    const pool = new ValidatorPool(workers);
    const ready = workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          const ownerId = POOL_OWNER_BASE + i;
          const died = (why: string) => {
            options.state.sharedLeftRight?.releaseOwner(ownerId);
            options.mempool.sharedLeftRight?.releaseOwner(ownerId);
            pool.#fail(new LatticeError("VALIDATOR_WORKER_DIED", `validator worker ${i} ${why}`));
            reject(pool.#dead);
          };
          w.addEventListener("error", (e) => died(`failed: ${e.message}`));
          w.addEventListener("close", () => died("exited"));
          w.addEventListener("message", (e: MessageEvent<WorkerReply>) => {
            const msg = e.data;
            if (msg.type === "ready") return resolve();
            const p = pool.#pending[i]!.get(msg.id);
            if (p === undefined) return;
            pool.#pending[i]!.delete(msg.id);
            if (msg.type === "result") p.resolve(msg.verdicts);
            else p.reject(new LatticeError("VALIDATOR_FAILED", msg.message));
          });
          w.postMessage({
            type: "init",
            ownerId,
            chainId: options.chainId,
            state,
            mempool,
          } satisfies WorkerInit);
        }),
    );
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  async validate(batch: readonly Uint8Array[]): Promise<Verdict[]> {
    if (this.#dead !== undefined) throw this.#dead;
    const n = this.#workers.length;
    const parts = Array.from({ length: n }, () => ({ idx: [] as number[], sizes: [] as number[] }));
    const load = new Array<number>(n).fill(0);
    for (const group of groupBySender(batch)) {
      let w = 0;
      for (let k = 1; k < n; k++) if (load[k]! < load[w]!) w = k;
      load[w]! += group.length;
      parts[w]!.idx.push(...group);
      parts[w]!.sizes.push(group.length);
    }
    const results = await Promise.all(
      parts.map((part, w) => {
        if (part.idx.length === 0) return Promise.resolve(new Uint8Array(0));
        const id = this.#nextId++;
        return new Promise<Uint8Array>((resolve, reject) => {
          this.#pending[w]!.set(id, { resolve, reject });
          const msg: WorkerBatch = {
            type: "batch",
            id,
            txs: part.idx.map((i) => batch[i]!),
            groupSizes: part.sizes,
          };
          this.#workers[w]!.postMessage(msg);
        });
      }),
    );
    const out = new Array<Verdict>(batch.length);
    for (const [w, part] of parts.entries()) {
      const codes = results[w]!;
      for (const [k, i] of part.idx.entries()) out[i] = VERDICTS[codes[k]!]!;
    }
    return out;
  }

  #fail(err: LatticeError): void {
    if (this.#dead === undefined) this.#dead = err;
    for (const m of this.#pending) {
      for (const p of m.values()) p.reject(err);
      m.clear();
    }
  }

  /** Stop all workers; pending batches are rejected. */
  async close(): Promise<void> {
    this.#fail(new LatticeError("VALIDATOR_CLOSED", "validator pool closed"));
    for (const w of this.#workers) w.terminate();
  }
}
