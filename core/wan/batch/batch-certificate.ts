/**
 * Verdict shares and batch certificates (ARCHITECTURE.md "WAN consensus" steps 3-4; seed 001 "Each quorum
 * has a unique, verifiable distributed secret key ... once the threshold, 60% herein, has been reached, the
 * threshold signature can be verified using a public key which is known to all members of the network").
 *
 * A validating member signs a threshold share over VerdictSigning(epoch, quorum, digest, bitmap) under the
 * domain tag "lattice/batch-verdict/v1". The collector groups shares by (digest, bitmap): only identical
 * verdicts combine, one vote per member index, a member that signs two bitmaps for one batch is reported
 * (evidence), and t matching shares are combined and verified once (the cost rule; shares are checked one
 * by one only when the combination fails, and the bad ones are dropped and reported).
 *
 * Guarantees: a certificate made here verifies under the quorum's group key alone; `verifyBatchCertificate`
 * never throws.
 */
import { hexOf } from "../encoding/hex.ts";
import { equalBytes } from "../../crypto/bytes.ts";
import type {
  KeyShare,
  SignatureShare,
  ThresholdPublicKey,
  ThresholdScheme,
} from "../../threshold/scheme.ts";
import { combineVerified } from "../../threshold/combine-verified.ts";
import { type Rejection, reject } from "../rejection/rejection.ts";
import { BATCH_VERDICT_TAG, type BatchCertificate, VerdictSigningCodec } from "./batch-messages.ts";

type Scheme = ThresholdScheme<unknown, unknown>;

/** The bytes a verdict share signs. */
export function verdictSigningBytes(
  epoch: number,
  quorum: Uint8Array,
  digest: Uint8Array,
  bitmap: Uint8Array,
): Uint8Array {
  return VerdictSigningCodec.encode({ epoch, quorum, digest, bitmap });
}

/** Member `share.index` signs its verdict; returns the share's wire bytes. */
export function signVerdict(
  scheme: Scheme,
  share: KeyShare,
  epoch: number,
  quorum: Uint8Array,
  digest: Uint8Array,
  bitmap: Uint8Array,
): Uint8Array {
  const s = scheme.signShare(share, BATCH_VERDICT_TAG, verdictSigningBytes(epoch, quorum, digest, bitmap));
  return scheme.signatureShareToBytes(s);
}

/** A batch certificate against the quorum's group key; false on any mismatch or malformed signature. */
export function verifyBatchCertificate(scheme: Scheme, groupKey: unknown, cert: BatchCertificate): boolean {
  let sig: unknown;
  try {
    sig = scheme.signatureFromBytes(cert.signature);
  } catch {
    return false;
  }
  return scheme.verify(
    groupKey,
    BATCH_VERDICT_TAG,
    verdictSigningBytes(cert.epoch, cert.quorum, cert.digest, cert.bitmap),
    sig,
  );
}

/** What adding a share produced. */
export interface CollectOutcome {
  readonly certificate: BatchCertificate | null;
  readonly rejections: readonly Rejection[];
}

/** Collects the shares of one batch until some verdict has t of them. */
export class ShareCollector {
  /** bitmap hex -> member index -> share. */
  private readonly groups = new Map<string, Map<number, SignatureShare<unknown>>>();
  private readonly voted = new Map<number, string>();
  private done: BatchCertificate | null = null;

  constructor(
    private readonly scheme: Scheme,
    private readonly key: ThresholdPublicKey<unknown>,
    readonly epoch: number,
    readonly quorum: Uint8Array,
    readonly digest: Uint8Array,
  ) {}

  get certificate(): BatchCertificate | null {
    return this.done;
  }

  /** Indices that have voted (any verdict). */
  voters(): number[] {
    return [...this.voted.keys()].sort((a, b) => a - b);
  }

  /** Number of distinct verdicts seen (more than one = disagreement: ask more members). */
  verdicts(): number {
    return this.groups.size;
  }

  /** Largest number of shares behind one verdict. */
  best(): number {
    let m = 0;
    for (const g of this.groups.values()) m = Math.max(m, g.size);
    return m;
  }

  /**
   * Add the share `shareBytes` of member `member` (1-based index, known from the authenticated sender)
   * for verdict `bitmap` on this batch.
   */
  add(member: number, digest: Uint8Array, bitmap: Uint8Array, shareBytes: Uint8Array): CollectOutcome {
    const none = (r: Rejection[]) => ({ certificate: this.done, rejections: r });
    if (!equalBytes(digest, this.digest))
      return none([reject("WAN_SHARE_WRONG_BATCH", "ignore", { member })]);
    let share: SignatureShare<unknown>;
    try {
      share = this.scheme.signatureShareFromBytes(shareBytes);
    } catch {
      return none([reject("WAN_SHARE_MALFORMED", "penalise", { member })]);
    }
    if (share.index !== member)
      return none([reject("WAN_SHARE_WRONG_INDEX", "penalise", { member, index: share.index })]);
    const verdict = hexOf(bitmap);
    const prior = this.voted.get(member);
    if (prior !== undefined) {
      if (prior === verdict) return none([]);
      // Two verdicts on one batch from one member: evidence; the first vote stands.
      return none([reject("WAN_SHARE_EQUIVOCATION", "penalise", { member })]);
    }
    if (this.done !== null) return none([]);
    this.voted.set(member, verdict);
    let g = this.groups.get(verdict);
    if (g === undefined) {
      g = new Map();
      this.groups.set(verdict, g);
    }
    g.set(member, share);
    if (g.size < this.key.t) return none([]);
    const msg = verdictSigningBytes(this.epoch, this.quorum, this.digest, bitmap);
    const out = combineVerified(this.scheme, this.key, BATCH_VERDICT_TAG, msg, [...g.values()]);
    const rejections = out.bad.map((i) => reject("WAN_SHARE_INVALID", "penalise", { member: i }));
    for (const i of out.bad) {
      g.delete(i);
      this.voted.delete(i);
    }
    if (!out.ok) return none(rejections);
    this.done = {
      epoch: this.epoch,
      quorum: this.quorum,
      digest: this.digest,
      bitmap,
      signature: this.scheme.signatureToBytes(out.sig),
    };
    return { certificate: this.done, rejections };
  }
}
