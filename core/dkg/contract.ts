/**
 * The DKG engine's contract (types only): configuration, effects and result. Consumers (the
 * quorum runtime, the simulator, the node) depend on this file, not on engine.ts.
 */
import type { Group, RandomBytes } from "../threshold/group.ts";
import type { KeyShare, ThresholdPublicKey } from "../threshold/scheme.ts";
import type { DkgFaultCode } from "./errors.ts";
import type { DkgMessage } from "./messages.ts";
import type { ShareBox } from "./share-box.ts";

/** A quorum member as the DKG sees it: its id and its share-box (X25519) public key. */
export interface DkgMember {
  /** 1..64 bytes, e.g. the node's Ed25519 public key. Members are ordered by these bytes. */
  readonly id: Uint8Array;
  /** 32-byte X25519 public key that dealers seal this member's shares to. */
  readonly encryptionKey: Uint8Array;
}

export interface DkgConfig<E> {
  /** The algebra: `blsGroup` in nodes, `modelGroup` in model simulations. */
  readonly group: Group<E>;
  /** 32 bytes naming this DKG instance, e.g. H(epoch ‖ quorum id ‖ member ids); same for all members. */
  readonly session: Uint8Array;
  /** Every member, in any order: the engine sorts them canonically (index = position + 1). */
  readonly members: readonly DkgMember[];
  /** This member: its id (must be in `members`) and its share-box secret key. */
  readonly self: { readonly id: Uint8Array; readonly encryptionSecret: Uint8Array };
  /** Injected randomness: polynomial, ephemeral box key, batch-verification weights. */
  readonly random: RandomBytes;
  /** How shares are sealed; defaults to the real X25519 box. The model box only with the model group. */
  readonly box?: ShareBox;
}

/** What the engine asks its runtime to do. Plain data: the engine performs no I/O. */
export type DkgEffect<E> =
  /** Append this entry to the quorum's ordered log (signed by this member's node key). */
  | { readonly kind: "append"; readonly entry: DkgMessage<E> }
  /** The DKG ended (EndJustifications was processed); `result` is final. */
  | { readonly kind: "done"; readonly result: DkgResult<E> }
  /**
   * An entry was rejected without changing state, or a dealer was disqualified. `who` is the
   * offending member's id when known (for reputation), undefined for sender-less entries.
   */
  | {
      readonly kind: "fault";
      readonly who: Uint8Array | undefined;
      readonly code: DkgFaultCode;
      readonly detail: string;
    };

/** Why a dealer is not in QUAL. */
export type DkgExclusion = "no-deal" | "no-justification" | "bad-justification";

export interface DkgExcludedDealer {
  readonly index: number;
  readonly id: Uint8Array;
  readonly reason: DkgExclusion;
}

interface DkgOutcomeCommon {
  readonly n: number;
  readonly t: number;
  /** Indices of the qualified dealers, ascending. A function of the log alone. */
  readonly qual: readonly number[];
  /** Every dealer not in QUAL, ascending by index, with the reason. */
  readonly excluded: readonly DkgExcludedDealer[];
  /** SHA-256 over the accepted log entries in order: equal transcripts, equal outcomes. */
  readonly transcript: Uint8Array;
}

export interface DkgSuccess<E> extends DkgOutcomeCommon, ThresholdPublicKey<E> {
  readonly ok: true;
  /**
   * This member's secret share, or undefined if it failed its own check (it would only fail
   * if the member's complaint missed the complaint window). It then verifies but cannot sign.
   */
  readonly share: KeyShare | undefined;
}

export interface DkgFailure extends DkgOutcomeCommon {
  readonly ok: false;
  /** Fewer than t qualified dealers, or (never with an honest dealer in QUAL) an identity group key. */
  readonly code: "DKG_TOO_FEW_DEALERS" | "DKG_DEGENERATE_KEY";
}

/** Every honest member computes the same result from the same log, except `share`. */
export type DkgResult<E> = DkgSuccess<E> | DkgFailure;
