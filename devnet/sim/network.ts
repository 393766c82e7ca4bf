/**
 * The simulator's network (ARCHITECTURE.md "The one design rule", reliability-anchors.md §2 and §4):
 * every message between hosts goes through here, so loss, duplication, reordering (latency jitter) and
 * partitions are decisions of one seeded stream, and every fault that fires is counted.
 *
 * This is a small internal stand-in until net/'s memory transport and chaos layer can be driven from a
 * virtual clock; it keeps the same vocabulary (per-link latency, loss, duplication, partitions, a report
 * of fired faults) so swapping it out changes no scenario.
 *
 * Guarantees: decisions depend only on the seed and the order of `send` calls; a partitioned link
 * delivers nothing; counters say how many faults actually fired (a scenario whose faults never fired
 * is vacuous, not passed).
 */
import type { Millis } from "../../core/engine/engine.ts";
import type { Prng } from "../../core/engine/prng.ts";
import type { VirtualClock } from "../../core/engine/virtual-clock.ts";

/** Link behaviour, the same for every link unless overridden by a partition. */
export interface LinkProfile {
  /** One-way latency range in ms, uniform; its width is what reorders messages. */
  latency: readonly [Millis, Millis];
  /** Probability a message is lost. */
  loss: number;
  /** Probability a message is delivered twice (the copy with its own latency). */
  duplicate: number;
}

/** Counts of faults that fired: the simulator's fired-fault report. */
export interface NetworkFaultCounts {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  partitioned: number;
  /** Delivered after a message that was sent later on the same link. */
  reordered: number;
}

export const CLEAN_LINKS: LinkProfile = { latency: [5, 15], loss: 0, duplicate: 0 };

export class SimNetwork {
  profile: LinkProfile;
  readonly counts: NetworkFaultCounts = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    partitioned: 0,
    reordered: 0,
  };
  /** Group id per host while a partition is active: hosts in different groups cannot talk. */
  private groups: Map<string, number> | undefined;
  /** One-way cuts (asymmetric partitions): "from>to". */
  private readonly cuts = new Set<string>();
  private readonly lastDeliverAt = new Map<string, Millis>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly rng: Prng,
    profile: LinkProfile = CLEAN_LINKS,
  ) {
    this.profile = { ...profile };
  }

  /** Split hosts into groups; hosts not named are in group 0. */
  partition(groups: readonly (readonly string[])[]): void {
    this.groups = new Map();
    groups.forEach((g, i) => {
      for (const h of g) this.groups!.set(h, i + 1);
    });
  }

  /** Cut the link from `from` to `to` only (an asymmetric fault). */
  cut(from: string, to: string): void {
    this.cuts.add(`${from}>${to}`);
  }

  /** Remove every partition and cut. */
  heal(): void {
    this.groups = undefined;
    this.cuts.clear();
  }

  get partitioned(): boolean {
    return this.groups !== undefined || this.cuts.size > 0;
  }

  /** Whether `from` can currently reach `to`. */
  connected(from: string, to: string): boolean {
    if (from === to) return true;
    if (this.cuts.has(`${from}>${to}`)) return false;
    if (this.groups === undefined) return true;
    return (this.groups.get(from) ?? 0) === (this.groups.get(to) ?? 0);
  }

  /** Send one message: `deliver` runs once per copy that arrives, at its arrival time. */
  send(from: string, to: string, deliver: () => void): void {
    this.counts.sent++;
    if (!this.connected(from, to)) {
      this.counts.partitioned++;
      return;
    }
    const p = this.profile;
    if (p.loss > 0 && this.rng.nextFloat() < p.loss) {
      this.counts.lost++;
      return;
    }
    const copies = p.duplicate > 0 && this.rng.nextFloat() < p.duplicate ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    const link = `${from}>${to}`;
    for (let c = 0; c < copies; c++) {
      const delay = this.rng.int(p.latency[0], p.latency[1]);
      const at = this.clock.now() + delay;
      const last = this.lastDeliverAt.get(link);
      if (last !== undefined && at < last) this.counts.reordered++;
      else this.lastDeliverAt.set(link, at);
      this.clock.schedule(delay, () => {
        this.counts.delivered++;
        deliver();
      });
    }
  }
}
