/**
 * Chaos for one node process, driven by the admin API (ARCHITECTURE.md "Chaos on a running devnet").
 *
 * Rules are per directed link (from -> to, node ids; `*` = every validator). Outgoing faults of this
 * node's links (from = this node) go through net/chaos (partition, latency with jitter, loss, duplication,
 * reorder, bandwidth), fired faults counted per link. A partition is also enforced on the receiving side
 * (from = peer, to = this node: its frames are dropped on arrival), so a cut holds whether the orchestrator
 * tells one end or both; the other faults act at the sender only, so they fire once per frame.
 * Clock skew: an offset added to the node's clock (timestamps and the engines' `now`).
 */
import type { Clock, ClockHandle, NodeId } from "../../core/engine/engine.ts";
import type { ChaosRuleJson } from "../../net/api/admin-app.ts";
import { ApiError } from "../../net/api/api-error.ts";
import type { ChaosController, LinkRule } from "../../net/chaos/chaos.ts";
import type { Transport, TransportHandlers, TransportStats } from "../../net/transport/transport.ts";

/** A clock whose `now()` is the inner clock's plus an adjustable offset. */
export class SkewedClock implements Clock {
  offsetMs = 0;
  constructor(private readonly inner: Clock) {}
  now(): number {
    return this.inner.now() + this.offsetMs;
  }
  schedule(after: number, fn: () => void): ClockHandle {
    return this.inner.schedule(after, fn);
  }
  cancel(handle: ClockHandle): void {
    this.inner.cancel(handle);
  }
}

/** Drops incoming frames from peers partitioned towards this node. */
export class InboundPartition implements Transport {
  readonly local: NodeId;
  readonly maxFrame: number;
  readonly blocked = new Set<NodeId>();
  readonly dropped = new Map<NodeId, number>();
  constructor(readonly inner: Transport) {
    this.local = inner.local;
    this.maxFrame = inner.maxFrame;
  }
  start(handlers: TransportHandlers): Promise<void> {
    return this.inner.start({
      ...handlers,
      frame: (peer, frame) => {
        if (this.blocked.size > 0 && this.blocked.has(peer)) {
          this.dropped.set(peer, (this.dropped.get(peer) ?? 0) + 1);
          return;
        }
        handlers.frame(peer, frame);
      },
    });
  }
  addresses(): readonly string[] {
    return this.inner.addresses();
  }
  learn(peer: NodeId, addresses: readonly string[]): void {
    this.inner.learn(peer, addresses);
  }
  send(peer: NodeId, frame: Uint8Array): void {
    this.inner.send(peer, frame);
  }
  stats(): TransportStats {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const HEX32 = /^[0-9a-f]{64}$/;

/** A rule that changes something (an all-zero rule is how a fault is lifted on one link). */
function ruleActive(r: LinkRule): boolean {
  return Object.entries(r).some(([k, v]) => (k === "partition" ? v === true : v !== undefined && v !== 0));
}

/** The admin `chaos` hook of a cluster node. */
export function nodeChaosHook(
  self: NodeId,
  validators: readonly NodeId[],
  controller: ChaosController,
  inbound: InboundPartition,
) {
  const expand = (id: string, field: string): NodeId[] => {
    if (id === "*") return [...validators];
    if (!HEX32.test(id)) throw new ApiError("VALIDATION", `${field}: a node id (64 hex) or "*" expected`);
    return [id];
  };
  // The rules in force per directed link, for GET /admin/v1/chaos (the controller keeps them unkeyed).
  const inForce = new Map<string, ChaosRuleJson>();
  return {
    rules(): ChaosRuleJson[] {
      return [...inForce.values()];
    },
    apply(rules: readonly ChaosRuleJson[]): void {
      // Check everything first: a refused request changes nothing.
      const expanded = rules.flatMap((r, i) => {
        const froms = expand(r.from, `rules.${i}.from`);
        const tos = expand(r.to, `rules.${i}.to`);
        return froms.flatMap((f) =>
          tos.filter((t) => t !== f).map((t) => ({ from: f, to: t, rule: r.rule })),
        );
      });
      for (const r of expanded) {
        controller.setRule(r.from, r.to, r.rule);
        if (ruleActive(r.rule)) inForce.set(`${r.from}>${r.to}`, r);
        else inForce.delete(`${r.from}>${r.to}`);
        if (r.to === self) {
          if (r.rule.partition === true) inbound.blocked.add(r.from);
          else inbound.blocked.delete(r.from);
        }
      }
    },
    heal(): void {
      controller.clearAll();
      inbound.blocked.clear();
      inForce.clear();
    },
    report(): Record<string, Record<string, number>> {
      const out = controller.report();
      for (const [peer, n] of inbound.dropped) {
        const k = `${peer}>${self}`;
        out[k] = { ...(out[k] ?? {}), "partition-in": n };
      }
      return out;
    },
  };
}
