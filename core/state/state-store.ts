/**
 * The state store, "Integral DB" (seed 001, "Left-Right Wrapped State Database" and "Integral DB - a
 * Left-Right Wrapped Persistent Database with Merkle Proofing"): accounts (balance, nonce) in a
 * left-right wrapped account table, a sparse Merkle commitment with inclusion and absence proofs, and
 * persistence of every finalized round through an injected `RoundStore` (SQLite in a node).
 *
 * One writer calls `commitRound`. In order: validate (a bad round throws a `StateError` and changes
 * nothing), compute the new tree version (O(k log n) hashes for k changed accounts), persist the round
 * (one transaction), then publish to readers. So readers never see a round that is not durable, and the
 * root stored in each left-right copy is the root of the accounts in that same copy.
 *
 * Readers: `reader()` on the writer's thread; in workers, `openStateReader(store.readSpec, id)` when the
 * store was opened with `shared: true`.
 *
 * Opening a store with persisted data rebuilds the tree from the accounts and refuses (`STATE_CORRUPT`)
 * if its root differs from the persisted root of the last round.
 */
import { ADDRESS_BYTES } from "../crypto/address.ts";
import { equalBytes } from "../crypto/bytes.ts";
import type { LeftRight, ReadHandle } from "../leftright/left-right.ts";
import { LocalLeftRight } from "../leftright/local-left-right.ts";
import {
  openSharedReader,
  SharedLeftRight,
  type SharedLeftRightSpec,
} from "../leftright/shared-left-right.ts";
import { type AccountProof, accountKey, accountValue } from "./account-proof.ts";
import {
  type Account,
  AccountTable,
  applyTableOp,
  slotsFor,
  type TableOp,
  tableBytes,
} from "./account-table.ts";
import { type AccountChange, MemoryRoundStore, type RoundStore } from "./round-store.ts";
import { type SmtNode, nodeHash, smtProve, smtUpdate } from "./sparse-merkle.ts";
import { StateError } from "./state-error.ts";

const MAX_U64 = (1n << 64n) - 1n;

export interface StateStoreOptions {
  /** Most accounts the store will ever hold (the shared table cannot grow in place). */
  readonly capacity: number;
  /** Put the copies in shared memory for reader workers (default false: in-thread left-right). */
  readonly shared?: boolean;
  /** Reader slots when shared (default 64). */
  readonly readerSlots?: number;
  /** Persistence (default: in memory). */
  readonly roundStore?: RoundStore;
  /** Accounts of round 0, committed when the round store is empty. */
  readonly genesis?: readonly AccountChange[];
}

/** What a worker needs to read the state; send it with `postMessage`. */
export interface StateReadSpec {
  readonly leftRight: SharedLeftRightSpec;
}

/** A read handle on the published state: `read((table) => table.get(address))`. */
export type StateReader = ReadHandle<AccountTable>;

/** Open a state reader in a worker. `ownerId` identifies the worker in the liveness table. */
export function openStateReader(spec: StateReadSpec, ownerId: number): StateReader {
  return openSharedReader(spec.leftRight, AccountTable.attach, ownerId);
}

function keyOf(address: Uint8Array): string {
  return Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString("latin1");
}

function isU64(v: unknown): v is bigint {
  return typeof v === "bigint" && v >= 0n && v <= MAX_U64;
}

export class StateStore {
  readonly capacity: number;
  readonly #lr: LeftRight<AccountTable, TableOp>;
  readonly #shared: SharedLeftRight<AccountTable, TableOp> | undefined;
  readonly #store: RoundStore;
  readonly #accounts = new Map<string, AccountChange>();
  #tree: SmtNode = null;
  #round = -1n;

  private constructor(options: StateStoreOptions) {
    const { capacity } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new StateError("STATE_BAD_ARGUMENT", `capacity: positive integer expected, got ${capacity}`);
    }
    this.capacity = capacity;
    const slots = slotsFor(capacity);
    this.#store = options.roundStore ?? new MemoryRoundStore();
    if (options.shared === true) {
      this.#shared = new SharedLeftRight<AccountTable, TableOp>({
        copyBytes: tableBytes(slots),
        init: (buffer) => AccountTable.init(buffer, slots),
        attach: AccountTable.attach,
        apply: applyTableOp,
        ...(options.readerSlots === undefined ? {} : { slots: options.readerSlots }),
      });
      this.#lr = this.#shared;
    } else {
      this.#shared = undefined;
      this.#lr = new LocalLeftRight<AccountTable, TableOp>({
        create: () => AccountTable.init(new ArrayBuffer(tableBytes(slots)), slots),
        apply: applyTableOp,
      });
    }
  }

  /** Open a store: recover the last persisted round, or commit `genesis` as round 0 if there is none. */
  static open(options: StateStoreOptions): StateStore {
    const store = new StateStore(options);
    try {
      store.#recover(options.genesis ?? []);
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  #recover(genesis: readonly AccountChange[]): void {
    const persisted = this.#store.load();
    if (persisted === null) {
      this.commitRound(0n, genesis);
      return;
    }
    if (persisted.accounts.length > this.capacity) {
      throw new StateError(
        "STATE_FULL",
        `persisted state holds ${persisted.accounts.length} accounts, capacity ${this.capacity}`,
      );
    }
    const tree = smtUpdate(
      null,
      persisted.accounts.map((a) => ({ key: accountKey(a.address), value: accountValue(a) })),
    );
    if (!equalBytes(nodeHash(tree), persisted.root)) {
      throw new StateError(
        "STATE_CORRUPT",
        `persisted accounts do not match the root of round ${persisted.round}`,
        {
          details: { round: persisted.round.toString() },
        },
      );
    }
    for (const a of persisted.accounts) {
      this.#accounts.set(keyOf(a.address), a);
      this.#lr.append({ kind: "put", address: a.address, balance: a.balance, nonce: a.nonce });
    }
    this.#tree = tree;
    this.#round = persisted.round;
    this.#lr.append({ kind: "meta", round: persisted.round, root: persisted.root });
    this.#lr.publish();
  }

  /** The last committed (and published) round. */
  get round(): bigint {
    return this.#round;
  }

  /** The state root of the last committed round. */
  get root(): Uint8Array {
    return nodeHash(this.#tree).slice();
  }

  get accountCount(): number {
    return this.#accounts.size;
  }

  /** The account at `address` after the last committed round (writer's view), or null. */
  getAccount(address: Uint8Array): Account | null {
    const a = this.#accounts.get(keyOf(address));
    return a === undefined ? null : { balance: a.balance, nonce: a.nonce };
  }

  /** Every account (writer's view), for snapshots and invariant checks. */
  accounts(): AccountChange[] {
    return [...this.#accounts.values()].map((a) => ({
      address: a.address.slice(),
      balance: a.balance,
      nonce: a.nonce,
    }));
  }

  /** For workers, when opened with `shared: true`. */
  get readSpec(): StateReadSpec | undefined {
    return this.#shared === undefined ? undefined : { leftRight: this.#shared.spec };
  }

  /** The underlying shared left-right (to release a dead worker's slots), when shared. */
  get sharedLeftRight(): SharedLeftRight<AccountTable, TableOp> | undefined {
    return this.#shared;
  }

  /** A read handle on the writer's thread. */
  reader(): StateReader {
    return this.#lr.reader();
  }

  /** Prove the presence (with its value) or absence of `address` at the last committed root. */
  prove(address: Uint8Array): AccountProof {
    if (!(address instanceof Uint8Array) || address.length !== ADDRESS_BYTES) {
      throw new StateError("STATE_BAD_ARGUMENT", `address: ${ADDRESS_BYTES} bytes expected`);
    }
    return {
      address: address.slice(),
      account: this.getAccount(address),
      round: this.#round,
      root: this.root,
      proof: smtProve(this.#tree, accountKey(address)),
    };
  }

  /**
   * Commit a finalized round: the new values of the accounts it changed. Rounds strictly increase. On any
   * error nothing changes. If publishing to readers fails after persisting (a reader stuck under policy
   * "throw"), the round is durable and the writer's view has it; readers get it at the next publish.
   */
  commitRound(round: bigint, changes: readonly AccountChange[]): void {
    if (typeof round !== "bigint" || round <= this.#round || round > MAX_U64) {
      throw new StateError("STATE_ROUND_ORDER", `round ${round} must be greater than ${this.#round}`, {
        details: { round: String(round), last: this.#round.toString() },
      });
    }
    const seen = new Set<string>();
    let added = 0;
    for (const [i, c] of changes.entries()) {
      const bad = (what: string) =>
        new StateError("STATE_BAD_CHANGE", `changes[${i}].${what}`, {
          details: { index: i, round: round.toString() },
        });
      if (!(c.address instanceof Uint8Array) || c.address.length !== ADDRESS_BYTES)
        throw bad("address: 20 bytes expected");
      if (!isU64(c.balance)) throw bad("balance: u64 expected");
      if (!isU64(c.nonce)) throw bad("nonce: u64 expected");
      const k = keyOf(c.address);
      if (seen.has(k)) throw bad("address: appears twice in one round");
      seen.add(k);
      if (!this.#accounts.has(k)) added++;
    }
    if (this.#accounts.size + added > this.capacity) {
      throw new StateError(
        "STATE_FULL",
        `round ${round} would hold ${this.#accounts.size + added} accounts, capacity ${this.capacity}`,
      );
    }
    const copies = changes.map((c) => ({ address: c.address.slice(), balance: c.balance, nonce: c.nonce }));
    const tree = smtUpdate(
      this.#tree,
      copies.map((c) => ({ key: accountKey(c.address), value: accountValue(c) })),
    );
    const root = nodeHash(tree);
    this.#store.commit(round, root, copies);
    this.#tree = tree;
    this.#round = round;
    for (const c of copies) {
      this.#accounts.set(keyOf(c.address), c);
      this.#lr.append({ kind: "put", address: c.address, balance: c.balance, nonce: c.nonce });
    }
    this.#lr.append({ kind: "meta", round, root });
    this.#lr.publish();
  }

  /** Close the round store. Reader handles stay readable until closed. */
  close(): void {
    this.#store.close();
  }
}
