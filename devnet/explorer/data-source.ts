/**
 * Where the explorer's data comes from. The UI only knows this interface: `start` pushes reducer actions
 * (node polls, events, link reports, log lines) until `stop`; the rest answer the user's requests. The
 * HTTP implementation (http-source.ts) serves real devnets, the memory one (memory-source.ts) tests.
 */
import type { Control, LookupResult, RoundDetail } from "./model.ts";
import type { Action } from "./store.ts";

export type Dispatch = (action: Action) => void;

export interface DataSource {
  /** What is being watched, for the header ("devnet /tmp/d (4 nodes)", "http://127.0.0.1:8645"). */
  readonly label: string;
  /** Begin pushing actions; resolves once the first snapshot (nodes, rounds, quorums) is dispatched. */
  start(dispatch: Dispatch): Promise<void>;
  stop(): Promise<void>;
  /** One round with its transactions (and certificate when exposed); rejects with a readable message. */
  loadRound(round: number): Promise<RoundDetail>;
  /** A transaction id or an address; accounts come with their Merkle proof checked here. */
  lookup(query: string): Promise<LookupResult>;
  /** Drive a fault; resolves with a message for the status line, rejects when it could not be done. */
  control(control: Control): Promise<string>;
}
