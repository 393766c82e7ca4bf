/**
 * The simulator's network (ARCHITECTURE.md "The one design rule", "Network" chaos layer;
 * reliability-anchors.md §2 and §4): every message between hosts is decided here by net/chaos's
 * `ChaosController`, the same per-directed-link rules (`LinkRule`: partition incl. one-way, latency with
 * jitter, loss, duplication, reordering, bandwidth), the same per-link seeded streams and the same
 * fired-fault report as a devnet's chaos-wrapped transports. A scenario written in that vocabulary means
 * the same thing in the simulator and on a devnet.
 *
 * What the simulator skips, and why: it does not send frames through `MemoryTransport` + `ChaosTransport`
 * or `LatticeNode` envelopes. Envelope signatures would put an Ed25519 sign and verify on every message
 * (the model suite already signs every vote at the engine level, which is what consensus safety rests on),
 * and the transport path copies each frame twice and schedules it twice (measured: ~4.5 us per message
 * against ~1 us here, about a fifth of a 16-node run). So the simulator asks the controller for a frame's
 * fate (`plan`: the delays of the copies that arrive, none if dropped) and puts the copies on its own
 * event queue (sim-clock.ts).
 *
 * Guarantees: decisions depend only on the seed and the order of sends on each link (one stream per
 * directed link, so traffic on one link never shifts another's faults); a partitioned link delivers
 * nothing; `fired()` counts faults that actually fired (a scenario whose faults never fired is vacuous).
 */
import type { Clock, Millis } from "../../core/engine/engine.ts";
import type { Prng } from "../../core/engine/prng.ts";
import { ChaosController, type FaultKind as ChaosFault, type LinkRule } from "../../net/chaos/chaos.ts";

/** The rule every link has unless a fault overrides it: LAN-like 5-15 ms. */
export const CLEAN_LINKS: LinkRule = { latencyMs: 10, jitterMs: 5 };

/** Totals of the fired-fault report, by net/chaos fault kind, plus traffic. */
export interface NetworkFaultCounts {
  sent: number;
  delivered: number;
  partition: number;
  loss: number;
  duplicate: number;
  latency: number;
  reorder: number;
  bandwidth: number;
}

const CHAOS_FAULTS: readonly ChaosFault[] = [
  "partition",
  "loss",
  "duplicate",
  "latency",
  "reorder",
  "bandwidth",
];

export class SimNetwork {
  /** The controller: per-link rules, streams and the per-link fired-fault report. */
  readonly chaos: ChaosController;
  private base: LinkRule;
  private readonly hosts: string[] = [];
  private sent = 0;
  private delivered = 0;

  constructor(clock: Clock, rng: Prng, base: LinkRule = CLEAN_LINKS) {
    this.chaos = new ChaosController(rng, clock);
    this.base = base;
  }

  /** Register a host: every link to and from it gets the current base rule. */
  addHost(name: string): void {
    if (this.hosts.includes(name)) return;
    for (const h of this.hosts) {
      this.chaos.setRule(h, name, this.base);
      this.chaos.setRule(name, h, this.base);
    }
    this.hosts.push(name);
  }

  /** The rule every link has outside partitions. */
  get profile(): LinkRule {
    return this.base;
  }

  /** Replace the base rule of every link; partitions in force stay. */
  set profile(rule: LinkRule) {
    this.base = rule;
    for (const a of this.hosts) {
      for (const b of this.hosts) {
        if (a === b) continue;
        const cut = this.chaos.rule(a, b)?.partition === true;
        this.chaos.setRule(a, b, cut ? { ...rule, partition: true } : rule);
      }
    }
  }

  /** Split hosts into groups that cannot talk to each other; hosts not named form one more group. */
  partition(groups: readonly (readonly string[])[]): void {
    const named = new Set(groups.flat());
    const rest = this.hosts.filter((h) => !named.has(h));
    const all = rest.length > 0 ? [...groups, rest] : groups;
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) this.chaos.partition(all[i]!, all[j]!);
  }

  /** Cut the link from `from` to `to` only (an asymmetric fault). */
  cut(from: string, to: string): void {
    if (from !== to) this.chaos.partition([from], [to], { oneWay: true });
  }

  /** Lift every partition and cut (other faults stay). */
  heal(): void {
    this.chaos.heal();
  }

  /** Whether `from` can currently reach `to`. */
  connected(from: string, to: string): boolean {
    return from === to || this.chaos.rule(from, to)?.partition !== true;
  }

  /**
   * Decide one message of `size` bytes on from -> to: the delay (ms) of each copy that arrives, none
   * when it is dropped. The caller schedules the copies and calls `arrived` for each.
   */
  send(from: string, to: string, size: number): readonly Millis[] {
    this.sent++;
    return this.chaos.plan(from, to, size);
  }

  /** Count one copy delivered. */
  arrived(): void {
    this.delivered++;
  }

  /** The fired-fault totals (per link: `chaos.report()`). */
  fired(): NetworkFaultCounts {
    const out = { sent: this.sent, delivered: this.delivered } as NetworkFaultCounts;
    for (const k of CHAOS_FAULTS) out[k] = this.chaos.total(k);
    return out;
  }
}
