/**
 * The validator unit's contract and its inline form (seed 001, "Validator Unit"). `Validator.validate`
 * takes a batch of canonical transfer bytes and resolves to one verdict per transfer, in order. The
 * inline validator runs the same rules (`validate-transfers.ts`) on the calling thread, for the simulator
 * and tests; `ValidatorPool` (validator-pool.ts) spreads sender groups over worker cores.
 */
import type { PendingReader } from "../mempool/mempool.ts";
import type { StateReader } from "../state/state-store.ts";
import { groupBySender, type Verdict, validateSenderGroup, type ViewOf } from "./validate-transfers.ts";

export interface Validator {
  validate(batch: readonly Uint8Array[]): Promise<Verdict[]>;
  close(): Promise<void>;
}

/** Read one sender's account and pending view, each inside its own short read guard. */
export function viewFrom(state: StateReader, pending: PendingReader): ViewOf {
  return (sender) => ({
    account: state.read((t) => t.get(sender)),
    pending: pending.read((t) => t.get(sender)),
  });
}

/** Validate a whole batch on this thread; the reference for the pool's results. */
export function validateBatch(batch: readonly Uint8Array[], chainId: number, view: ViewOf): Verdict[] {
  const out = new Array<Verdict>(batch.length);
  for (const group of groupBySender(batch)) {
    const verdicts = validateSenderGroup(
      group.map((i) => batch[i]!),
      chainId,
      view,
    );
    for (const [k, i] of group.entries()) out[i] = verdicts[k]!;
  }
  return out;
}

export interface InlineValidatorOptions {
  readonly chainId: number;
  readonly state: { reader(): StateReader };
  readonly mempool: { reader(): PendingReader };
}

/** The validator without workers. */
export class InlineValidator implements Validator {
  readonly #chainId: number;
  readonly #state: StateReader;
  readonly #pending: PendingReader;

  constructor(options: InlineValidatorOptions) {
    this.#chainId = options.chainId;
    this.#state = options.state.reader();
    this.#pending = options.mempool.reader();
  }

  async validate(batch: readonly Uint8Array[]): Promise<Verdict[]> {
    return validateBatch(batch, this.#chainId, viewFrom(this.#state, this.#pending));
  }

  async close(): Promise<void> {
    this.#state.close();
    this.#pending.close();
  }
}
