/**
 * The account table that both left-right copies of the state store hold (seed 001, "Left-Right Wrapped
 * State Database"): fixed-size records in an open-addressing hash table inside one (Shared)ArrayBuffer,
 * so reader workers can look accounts up in shared memory without copying the state.
 *
 * Layout (little-endian):
 *   header, 64 bytes: count u32 @0, slots u32 @4, round u64 @8, state root 32 bytes @16
 *   record i at 64 + 48*i: address 20 bytes @0, used u8 @20, balance u64 @24, nonce u64 @32
 * `slots` is a power of two; linear probing from the address's first 4 bytes (addresses are hashes,
 * hence uniform). Accounts are never deleted, so there are no tombstones. The root and round live in the
 * copy, so a reader always gets the root that matches the accounts it reads.
 *
 * Guarantees: `put` is deterministic (left-right applies it to both copies); lookups do a bounded
 * number of probes, so even a torn copy cannot make a reader loop forever.
 */
import { ADDRESS_BYTES } from "../crypto/address.ts";

export const TABLE_HEADER_BYTES = 64;
export const RECORD_BYTES = 48;
/** Tables are filled to at most 3/4 of their slots. */
export const MAX_LOAD_NUMERATOR = 3;
export const MAX_LOAD_DENOMINATOR = 4;

/** An account as the state store holds it. */
export interface Account {
  readonly balance: bigint;
  readonly nonce: bigint;
}

/** Bytes needed for a table of `slots` records. */
export function tableBytes(slots: number): number {
  return TABLE_HEADER_BYTES + slots * RECORD_BYTES;
}

/** Smallest power-of-two slot count holding `accounts` within the load limit. */
export function slotsFor(accounts: number): number {
  let slots = 16;
  while (slots * MAX_LOAD_NUMERATOR < accounts * MAX_LOAD_DENOMINATOR) slots *= 2;
  return slots;
}

/** One copy's view of the table. Construct over a fresh zeroed buffer with `init`, or `attach` to one. */
export class AccountTable {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly slots: number;
  readonly #mask: number;

  private constructor(buffer: ArrayBufferLike) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.slots = this.view.getUint32(4, true);
    this.#mask = this.slots - 1;
  }

  /** Write the header of a fresh zeroed buffer (before it is shared) and view it. */
  static init(buffer: ArrayBufferLike, slots: number): AccountTable {
    if (!Number.isInteger(slots) || slots < 16 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`slots: a power of two >= 16 expected, got ${slots}`);
    }
    if (buffer.byteLength !== tableBytes(slots)) throw new RangeError("buffer size does not match slots");
    new DataView(buffer).setUint32(4, slots, true);
    return new AccountTable(buffer);
  }

  /** View an initialised buffer (e.g. received by a worker). */
  static attach(buffer: ArrayBufferLike): AccountTable {
    return new AccountTable(buffer);
  }

  get count(): number {
    return this.view.getUint32(0, true);
  }

  get round(): bigint {
    return this.view.getBigUint64(8, true);
  }

  /** A copy of the state root stored with this copy. */
  root(): Uint8Array {
    return this.bytes.slice(16, 48);
  }

  #find(address: Uint8Array): number {
    const b = this.bytes;
    let i = ((address[0]! << 24) | (address[1]! << 16) | (address[2]! << 8) | address[3]!) & this.#mask;
    for (let probes = 0; probes < this.slots; probes++) {
      const at = TABLE_HEADER_BYTES + i * RECORD_BYTES;
      if (b[at + 20] === 0) return -1 - i;
      let same = true;
      for (let k = 0; k < ADDRESS_BYTES; k++) {
        if (b[at + k] !== address[k]) {
          same = false;
          break;
        }
      }
      if (same) return at;
      i = (i + 1) & this.#mask;
    }
    return -1 - this.slots;
  }

  /** The account at `address` (copied out), or null. */
  get(address: Uint8Array): Account | null {
    const at = this.#find(address);
    if (at < 0) return null;
    return { balance: this.view.getBigUint64(at + 24, true), nonce: this.view.getBigUint64(at + 32, true) };
  }

  /** Insert or overwrite. The caller keeps the load limit; a full table is a caller bug. */
  put(address: Uint8Array, balance: bigint, nonce: bigint): void {
    let at = this.#find(address);
    if (at < 0) {
      const slot = -1 - at;
      if (slot >= this.slots) throw new RangeError("account table full");
      at = TABLE_HEADER_BYTES + slot * RECORD_BYTES;
      this.bytes.set(address.subarray(0, ADDRESS_BYTES), at);
      this.bytes[at + 20] = 1;
      this.view.setUint32(0, this.count + 1, true);
    }
    this.view.setBigUint64(at + 24, balance, true);
    this.view.setBigUint64(at + 32, nonce, true);
  }

  /** Remove every record (keeps slots, round and root); used to compact a table of transient entries. */
  clear(): void {
    this.bytes.fill(0, TABLE_HEADER_BYTES);
    this.view.setUint32(0, 0, true);
  }

  /** Set the round and root this copy stands for. */
  setMeta(round: bigint, root: Uint8Array): void {
    this.view.setBigUint64(8, round, true);
    this.bytes.set(root, 16);
  }
}

/** An operation on the table, as the state store's left-right carries it. */
export type TableOp =
  | { readonly kind: "put"; readonly address: Uint8Array; readonly balance: bigint; readonly nonce: bigint }
  | { readonly kind: "meta"; readonly round: bigint; readonly root: Uint8Array }
  | { readonly kind: "clear" };

/** Deterministic apply of a `TableOp` (applied to each copy once). */
export function applyTableOp(table: AccountTable, op: TableOp): void {
  if (op.kind === "put") table.put(op.address, op.balance, op.nonce);
  else if (op.kind === "meta") table.setMeta(op.round, op.root);
  else table.clear();
}
