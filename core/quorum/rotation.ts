/**
 * Which quorum key is in force across epochs (re-keying; core-anchors.md §4.2 "run a fresh DKG per
 * epoch"). Each epoch's member set runs its own DKG over its own log (QuorumEngine); this records
 * what each epoch's DKG ended with and answers which key a verifier must use:
 * - a new epoch takes over only once its key is ready (while it is keying the old key stays);
 * - if its DKG fails, the old key stays in force (a failed epoch never replaces anything);
 * - keys only move forward: a ready epoch older than the one in force changes nothing.
 * A pure function of the observed key states, so every observer that saw the same states agrees.
 */
import type { QuorumKeyState } from "./quorum-engine.ts";

export interface KeyInForce {
  readonly epoch: number;
  readonly groupKey: string;
  readonly height: number;
}

export class KeyRotation {
  private current: KeyInForce | undefined;
  private readonly seen = new Map<number, QuorumKeyState["status"]>();

  /** Record an epoch's key state (as emitted by its members' `quorum/key`). */
  observe(state: QuorumKeyState): void {
    this.seen.set(state.epoch, state.status);
    if (state.status !== "ready") return;
    if (this.current !== undefined && this.current.epoch >= state.epoch) return;
    this.current = { epoch: state.epoch, groupKey: state.groupKey, height: state.height };
  }

  /** The key certificates must verify under now, or undefined before any epoch has a key. */
  inForce(): KeyInForce | undefined {
    return this.current;
  }

  /** The last status observed for `epoch`. */
  statusOf(epoch: number): QuorumKeyState["status"] | undefined {
    return this.seen.get(epoch);
  }
}
