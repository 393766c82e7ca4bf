/**
 * The multi-core validator unit (seed 001, "Validator Unit & Validator Cores"; ARCHITECTURE "Stores"):
 * a pool of Bun Workers, each with read handles on the shared state and mempool views, validating
 * disjoint parts of a batch in parallel; results come back by message to the writer's thread.
 *
 * Partition: by sender, so one sender's transfers are checked in nonce order by one core; groups go to
 * the least-loaded live worker in first-appearance order. Verdicts equal `validateBatch` (inline) exactly.
 * Each worker's part travels as one transferred buffer (`WorkerPackedBatch`), not one clone per transfer.
 * The worker entry URL is injected (`workerUrl`) so the compiled binary can use cmd/validator.worker.ts.
 *
 * A worker that dies (an `error` event, or `close` without `close()` having been called): its reader
 * slots in both left-rights are released (so publishes never wait on it), every batch with a part on it
 * is rejected with `VALIDATOR_WORKER_DIED` (details: worker index), and the pool goes on with the
 * remaining workers: the caller retries the batch, which is then partitioned over the live ones.
 * `alive` says how many are left; with none left, `validate` throws `VALIDATOR_WORKER_DIED`. A dead worker
 * is not restarted automatically: a death is a bug or resource exhaustion, and a silent restart loop
 * would hide it; the owner can close the pool and start a new one.
 */
import { LatticeError } from "../errors/lattice-error.ts";
import type { Mempool } from "../mempool/mempool.ts";
import type { StateStore } from "../state/state-store.ts";
import { groupBySender, VERDICTS, type Verdict } from "./validate-transfers.ts";
import type { Validator } from "./validator.ts";
import {
  packTransfers,
  type WorkerBatch,
  type WorkerInit,
  type WorkerPackedBatch,
  type WorkerReply,
} from "./validator-worker.ts";

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
  /**
   * Send each part as one transferred buffer (default true). False sends one structured clone per
   * transfer, the earlier protocol; kept so the benchmark can compare both in one run.
   */
  readonly packed?: boolean;
}

/** First owner id of pool workers in the left-right liveness tables. */
export const POOL_OWNER_BASE = 1000;
/**
 * Owner ids are unique per process, not per pool: two pools may read the same stores (a bench, a node
 * restarting its pool), and releasing a dead worker's slots by owner id must never free a live
 * worker's slot in another pool.
 */
let nextOwnerId = POOL_OWNER_BASE;

interface Pending {
  resolve(v: Uint8Array): void;
  reject(e: unknown): void;
}

interface Core {
  readonly worker: Worker;
  readonly index: number;
  readonly ownerId: number;
  readonly pending: Map<number, Pending>;
  alive: boolean;
}

export class ValidatorPool implements Validator {
  readonly #cores: Core[];
  readonly #packed: boolean;
  #nextId = 1;
  #dead: LatticeError | undefined;
  #closed = false;

  private constructor(workers: Worker[], packed: boolean) {
    this.#cores = workers.map((worker, index) => ({
      worker,
      index,
      ownerId: nextOwnerId++,
      pending: new Map(),
      alive: true,
    }));
    this.#packed = packed;
  }

  /** Workers started. */
  get size(): number {
    return this.#cores.length;
  }

  /** The left-right owner ids of the workers, in worker order (their slots in `slotTable()`). */
  get ownerIds(): readonly number[] {
    return this.#cores.map((c) => c.ownerId);
  }

  /** Workers still running (size minus those that died). */
  get alive(): number {
    let n = 0;
    for (const c of this.#cores) if (c.alive) n++;
    return n;
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
    const pool = new ValidatorPool(workers, options.packed ?? true);
    const ready = pool.#cores.map(
      (core) =>
        new Promise<void>((resolve, reject) => {
          const ownerId = core.ownerId;
          let started = false;
          const died = (why: string) => {
            if (!core.alive) return;
            core.alive = false;
            options.state.sharedLeftRight?.releaseOwner(ownerId);
            options.mempool.sharedLeftRight?.releaseOwner(ownerId);
            if (pool.#closed) return;
            const err = new LatticeError("VALIDATOR_WORKER_DIED", `validator worker ${core.index} ${why}`, {
              details: { worker: core.index, alive: pool.alive },
            });
            pool.#failCore(core, err);
            if (!started) {
              // A pool that cannot start all its workers is not handed out.
              pool.#dead ??= err;
              reject(err);
            } else if (pool.alive === 0) {
              pool.#dead ??= err;
            }
          };
          core.worker.addEventListener("error", (e) => died(`failed: ${e.message}`));
          core.worker.addEventListener("close", () => died("exited"));
          core.worker.addEventListener("message", (e: MessageEvent<WorkerReply>) => {
            const msg = e.data;
            if (msg.type === "ready") {
              started = true;
              return resolve();
            }
            const p = core.pending.get(msg.id);
            if (p === undefined) return;
            core.pending.delete(msg.id);
            if (msg.type === "result") p.resolve(msg.verdicts);
            else p.reject(new LatticeError("VALIDATOR_FAILED", msg.message));
          });
          core.worker.postMessage({
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
    const cores = this.#cores.filter((c) => c.alive);
    const n = cores.length;
    const parts = Array.from({ length: n }, () => ({ idx: [] as number[], sizes: [] as number[] }));
    const load = new Array<number>(n).fill(0);
    for (const group of groupBySender(batch)) {
      let w = 0;
      for (let k = 1; k < n; k++) if (load[k]! < load[w]!) w = k;
      load[w]! += group.length;
      const part = parts[w]!;
      for (const i of group) part.idx.push(i);
      part.sizes.push(group.length);
    }
    const results = await Promise.all(
      parts.map((part, w) => {
        if (part.idx.length === 0) return Promise.resolve(new Uint8Array(0));
        const id = this.#nextId++;
        const core = cores[w]!;
        return new Promise<Uint8Array>((resolve, reject) => {
          core.pending.set(id, { resolve, reject });
          const txs = part.idx.map((i) => batch[i]!);
          if (this.#packed) {
            const { data, ends } = packTransfers(txs);
            const msg: WorkerPackedBatch = {
              type: "packed",
              id,
              data,
              ends,
              groupSizes: Uint32Array.from(part.sizes),
            };
            core.worker.postMessage(msg, [
              data,
              ends.buffer as ArrayBuffer,
              msg.groupSizes.buffer as ArrayBuffer,
            ]);
          } else {
            const msg: WorkerBatch = { type: "batch", id, txs, groupSizes: part.sizes };
            core.worker.postMessage(msg);
          }
        });
      }),
    );
    const out = new Array<Verdict>(batch.length);
    for (const [w, part] of parts.entries()) {
      const codes = results[w]!;
      if (codes.length !== part.idx.length) {
        throw new LatticeError(
          "VALIDATOR_FAILED",
          `worker returned ${codes.length} verdicts for ${part.idx.length}`,
        );
      }
      for (const [k, i] of part.idx.entries()) out[i] = VERDICTS[codes[k]!]!;
    }
    return out;
  }

  #failCore(core: Core, err: LatticeError): void {
    for (const p of core.pending.values()) p.reject(err);
    core.pending.clear();
  }

  /** Stop all workers; pending batches are rejected with `VALIDATOR_CLOSED`. */
  async close(): Promise<void> {
    const err = new LatticeError("VALIDATOR_CLOSED", "validator pool closed");
    this.#dead ??= err;
    this.#closed = true;
    for (const c of this.#cores) this.#failCore(c, err);
    for (const c of this.#cores) c.worker.terminate();
  }
}
