/**
 * What the ledger tells the rest of the node: one event per transaction status transition, one per
 * applied round, and faults. The node's API turns them into the live event stream and metrics; tests
 * collect them. Delivered synchronously, in order, after the change they describe is durable.
 */
import type { Rejection } from "./rejection.ts";

export type LedgerEvent =
  | {
      readonly type: "tx.accepted";
      readonly id: Uint8Array;
      readonly sender: Uint8Array;
      readonly nonce: bigint;
      readonly at: number;
      /** The canonical transaction bytes (a multi-node node forwards them to the other validators). */
      readonly bytes: Uint8Array;
    }
  | { readonly type: "tx.certified"; readonly id: Uint8Array; readonly at: number }
  | { readonly type: "tx.final"; readonly id: Uint8Array; readonly round: bigint; readonly at: number }
  | {
      readonly type: "tx.rejected";
      readonly id: Uint8Array;
      /** Round of the block that rejected it, or null when rejected outside a block. */
      readonly round: bigint | null;
      readonly rejection: Rejection;
      readonly at: number;
    }
  | {
      readonly type: "round";
      readonly round: bigint;
      readonly root: Uint8Array;
      readonly txCount: number;
      readonly rejectedCount: number;
      readonly note: string | null;
      readonly at: number;
    }
  /** Something went wrong that the node survived (a failed write, a validator crash). */
  | { readonly type: "fault"; readonly code: string; readonly message: string; readonly at: number };

export type LedgerListener = (event: LedgerEvent) => void;
