/**
 * Consensus rejections as data (STYLE.md "Errors and inputs": serialisable `{code, ...context}` with what
 * to do with the peer). Every WAN engine and check returns these instead of throwing: malformed or invalid
 * input gets a typed rejection and changes nothing.
 */

/** What to do with the peer that sent the rejected input. */
export type PeerAction = "ignore" | "reject" | "penalise";

export interface Rejection {
  /** Stable machine-readable code, `WAN_*`. */
  readonly code: string;
  readonly peer: PeerAction;
  /** Extra context (ids in hex, indices, reasons); JSON-safe. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

export function reject(
  code: string,
  peer: PeerAction,
  detail?: Readonly<Record<string, string | number | boolean>>,
): Rejection {
  return detail === undefined ? { code, peer } : { code, peer, detail };
}
