/**
 * DKG log entries (types only): what members append to the quorum's ordered log and what every
 * engine reads back from it, in the same order. Wire format and validation: codec.ts.
 * Protocol: engine.ts header. Seed 001 "dealerless DKG"; core-anchors.md §4.2.
 *
 * Member references: `from` is the sender's member id (the log authenticates it: the quorum's
 * BFT log only accepts an entry signed by that member's node key); `dealer` and `complainer` are
 * 1-based indices into the canonically sorted member list. Phase markers have no sender: the
 * log itself appends them (see engine.ts "Phases").
 *
 * `E` is the commitment group element (G1 point for BLS, bigint for the model).
 */

/** Round 1: a dealer's Feldman commitments and one encrypted share per member. */
export interface DkgDeal<E> {
  readonly kind: "deal";
  /** 32-byte id of this DKG instance (binds every entry and ciphertext to it). */
  readonly session: Uint8Array;
  readonly from: Uint8Array;
  /** C_k = a_k·G for k = 0..t-1: the dealer's polynomial of degree t-1, committed. */
  readonly commitments: readonly E[];
  /** The dealer's ephemeral box public key for this deal (32 bytes). */
  readonly ephemeralKey: Uint8Array;
  /** `ciphertexts[j - 1]` is F(j) sealed to member j's encryption key. */
  readonly ciphertexts: readonly Uint8Array[];
}

/** Round 2: member `from` says its share from `dealer` is missing or wrong. Reveals nothing secret. */
export interface DkgComplaint {
  readonly kind: "complaint";
  readonly session: Uint8Array;
  readonly from: Uint8Array;
  readonly dealer: number;
}

/** Round 3: the accused dealer reveals the disputed share F(complainer) in clear for everyone to check. */
export interface DkgJustification {
  readonly kind: "justification";
  readonly session: Uint8Array;
  readonly from: Uint8Array;
  readonly complainer: number;
  readonly share: bigint;
}

/** Phase boundaries, appended by the log (not by a member) so every engine switches at one position. */
export type DkgPhaseKind = "end-dealing" | "end-complaints" | "end-justifications";

export interface DkgPhaseMarker {
  readonly kind: DkgPhaseKind;
  readonly session: Uint8Array;
}

export type DkgMessage<E> = DkgDeal<E> | DkgComplaint | DkgJustification | DkgPhaseMarker;
