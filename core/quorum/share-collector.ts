/**
 * Collects threshold signature shares per (tag, message) and combines them into a quorum certificate
 * (core-anchors.md §4.3 cost rule: combine t shares and verify once; check shares one by one only when
 * the combination fails, then drop the bad ones and wait for others).
 *
 * Shares may arrive before this member holds the key or has been asked to certify the message itself;
 * they are kept (bounded) and used once both hold. A share's index is the sender's, as the engine
 * knows it from the authenticated `from`: a share claiming another index is dropped.
 */
import type { SignatureShare, ThresholdPublicKey, ThresholdScheme } from "../threshold/scheme.ts";

/** How many (tag, message) entries are kept; the oldest is dropped first. */
export const MAX_COLLECTING = 256;

interface Entry {
  readonly shares: Map<number, Uint8Array>;
  /** Shares already parsed, so a retry with one more share parses only that one. */
  readonly parsed: Map<number, SignatureShare<unknown>>;
  readonly bad: Set<number>;
  own: boolean;
  done: boolean;
}

export class ShareCollector {
  private readonly entries = new Map<string, Entry>();
  private key: ThresholdPublicKey<unknown> | undefined;

  constructor(private readonly scheme: ThresholdScheme<unknown, unknown>) {}

  setKey(key: ThresholdPublicKey<unknown>): void {
    this.key = key;
  }

  /** Record `index`'s share; `own` marks a message this member itself certifies. */
  add(tag: string, msg: Uint8Array, index: number, share: Uint8Array, own = false): void {
    const k = `${tag}|${hex(msg)}`;
    let e = this.entries.get(k);
    if (e === undefined) {
      if (this.entries.size >= MAX_COLLECTING) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      e = { shares: new Map(), parsed: new Map(), bad: new Set(), own: false, done: false };
      this.entries.set(k, e);
    }
    if (own) e.own = true;
    if (!e.done && !e.bad.has(index) && !e.shares.has(index)) e.shares.set(index, share);
  }

  /** The combined signature's bytes, once, when this member certifies it and t valid shares are in. */
  tryCombine(tag: string, msg: Uint8Array): Uint8Array | undefined {
    const key = this.key;
    const e = this.entries.get(`${tag}|${hex(msg)}`);
    if (key === undefined || e === undefined || !e.own || e.done) return undefined;
    // Fewer than t shares cannot combine; parsing them now would only be repeated on the next one.
    if (e.shares.size < key.t) return undefined;
    const shares: SignatureShare<unknown>[] = [];
    for (const [index, bytes] of e.shares) {
      const known = e.parsed.get(index);
      if (known !== undefined) {
        shares.push(known);
        continue;
      }
      try {
        const s = this.scheme.signatureShareFromBytes(bytes);
        if (s.index === index) {
          e.parsed.set(index, s);
          shares.push(s);
          continue;
        }
      } catch {
        // falls through: undecodable
      }
      e.shares.delete(index);
      e.bad.add(index);
    }
    while (shares.length >= key.t) {
      const sig = this.scheme.combine(shares, key.t);
      if (this.scheme.verify(key.groupKey, tag, msg, sig)) {
        e.done = true;
        e.shares.clear();
        e.parsed.clear();
        return this.scheme.signatureToBytes(sig);
      }
      const bad = new Set(this.scheme.findBadShares(key, tag, msg, shares));
      if (bad.size === 0) return undefined;
      for (const i of bad) {
        e.shares.delete(i);
        e.parsed.delete(i);
        e.bad.add(i);
      }
      for (let i = shares.length - 1; i >= 0; i--) if (bad.has(shares[i]!.index)) shares.splice(i, 1);
    }
    return undefined;
  }
}

/** Native hex: entries are keyed by message in a hot path. */
function hex(b: Uint8Array): string {
  return b.toHex();
}
