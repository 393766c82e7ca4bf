/**
 * The cluster node's own protocols as one sans-I/O engine (ARCHITECTURE.md "The one design rule"): it
 * decodes transaction gossip and sync messages, asks the runtime for the sync answer (a `service`
 * effect: reading the chain is disk I/O) and sends it back, and hands everything else to the host as
 * `emit` effects. It shares the node's identity as its engine id (like a node's system engines), so a
 * peer addresses it by node id.
 *
 * Emits: `cluster/txs` {from, txs}, `cluster/sync` {from, response}, `cluster/rejected` {from, code, detail}.
 */
import { DecodeError } from "../../core/codec/decode-error.ts";
import { equalBytes } from "../../core/crypto/bytes.ts";
import type { Effect, Engine, EngineContext, EngineEvent, EngineId } from "../../core/engine/engine.ts";
import {
  clusterWire,
  SYNC_PROTOCOL,
  type SyncRequest,
  type SyncResponse,
  SyncResponse as SyncResponseCodec,
  TX_PROTOCOL,
} from "./cluster-wire.ts";

export const SYNC_SERVICE = "cluster/sync-answer";
export const TXS_EVENT = "cluster/txs";
export const SYNC_EVENT = "cluster/sync";
export const WIRE_REJECTED_EVENT = "cluster/rejected";

export interface TxsEmit {
  readonly from: EngineId;
  readonly txs: readonly Uint8Array[];
}
export interface SyncEmit {
  readonly from: EngineId;
  readonly response: SyncResponse;
}
/** Input of the sync-answer service. */
export interface SyncServiceInput {
  readonly request: SyncRequest;
}

export class ClusterWireEngine implements Engine {
  readonly protocols = [TX_PROTOCOL, SYNC_PROTOCOL] as const;
  readonly #chain: Uint8Array;
  readonly #members: ReadonlySet<EngineId>;
  readonly #pending = new Map<string, EngineId>();
  #seq = 0;

  constructor(
    readonly id: EngineId,
    options: { readonly chain: Uint8Array; readonly members: readonly EngineId[] },
  ) {
    this.#chain = options.chain.slice();
    this.#members = new Set(options.members);
  }

  handle(event: EngineEvent, _ctx: EngineContext): readonly Effect[] {
    if (event.kind === "service-result") {
      const to = this.#pending.get(event.requestId);
      this.#pending.delete(event.requestId);
      if (to === undefined || !event.ok) return [];
      return [
        {
          kind: "send",
          to: { kind: "engine", engine: to },
          protocol: SYNC_PROTOCOL,
          payload: SyncResponseCodec.encode(event.result as SyncResponse),
        },
      ];
    }
    if (event.kind !== "message") return [];
    const reject = (code: string, detail: string): Effect[] => [
      { kind: "emit", name: WIRE_REJECTED_EVENT, data: { from: event.from, code, detail } },
    ];
    // Only validators take part: anything else is a stranger's traffic.
    if (!this.#members.has(event.from)) return reject("CLUSTER_NOT_MEMBER", "sender is not a validator");
    let msg: ReturnType<typeof clusterWire.decode>;
    try {
      msg = clusterWire.decode(event.payload, { maxBytes: 1 << 20 });
    } catch (err) {
      if (err instanceof DecodeError) return reject("CLUSTER_MALFORMED", `${err.code} ${err.message}`);
      throw err;
    }
    const expected = msg.name === "ClusterTxGossip" ? TX_PROTOCOL : SYNC_PROTOCOL;
    if (event.protocol !== expected) return reject("CLUSTER_MALFORMED", `${msg.name} on ${event.protocol}`);
    switch (msg.name) {
      case "ClusterTxGossip":
        return [
          { kind: "emit", name: TXS_EVENT, data: { from: event.from, txs: msg.value.txs } satisfies TxsEmit },
        ];
      case "ClusterSyncRequest": {
        if (!equalBytes(msg.value.chain, this.#chain)) return reject("CLUSTER_WRONG_CHAIN", "sync request");
        const requestId = `sync-${++this.#seq}`;
        // Bounded: a peer cannot make us hold more than a few outstanding reads.
        if (this.#pending.size >= 64) return reject("CLUSTER_BUSY", "too many sync requests in flight");
        this.#pending.set(requestId, event.from);
        return [
          {
            kind: "service",
            requestId,
            service: SYNC_SERVICE,
            input: { request: msg.value } satisfies SyncServiceInput,
          },
        ];
      }
      case "ClusterSyncResponse":
        return [
          {
            kind: "emit",
            name: SYNC_EVENT,
            data: { from: event.from, response: msg.value } satisfies SyncEmit,
          },
        ];
    }
  }
}
