/**
 * The node's Prometheus metrics: one prom-client Registry per node (several nodes share a process in
 * tests), names `lattice_<subsystem>_<name>_<unit>` with `_total` for counters and seconds for time, and
 * bounded label values (route templates, error codes, never ids). Default process metrics are not
 * collected: prom-client's event-loop-lag collector has broken on Bun before (style anchors §5.4).
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { LedgerEvent } from "../../core/ledger/ledger-events.ts";

export class NodeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"method" | "route" | "status">;
  readonly requestSeconds: Histogram<"route">;
  readonly submissions: Counter<"outcome">;
  readonly transactions: Counter<"status">;
  readonly rejections: Counter<"code">;
  readonly rounds: Counter;
  readonly lastRound: Gauge;
  readonly mempool: Gauge;
  readonly finalitySeconds: Histogram;
  readonly subscribers: Gauge;
  readonly faults: Counter<"code">;
  readonly #acceptedAt = new Map<string, number>();

  constructor(options: { mempoolSize?: () => number; subscribers?: () => number } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "lattice_api_requests_total",
      help: "HTTP requests answered, by method, route template and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "lattice_api_request_duration_seconds",
      help: "HTTP request handling time by route template",
      labelNames: ["route"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.submissions = new Counter({
      name: "lattice_api_submissions_total",
      help: "Transaction submissions by outcome (accepted or the rejection code)",
      labelNames: ["outcome"],
      registers,
    });
    this.transactions = new Counter({
      name: "lattice_ledger_transactions_total",
      help: "Transaction status transitions (accepted, certified, final, rejected)",
      labelNames: ["status"],
      registers,
    });
    this.rejections = new Counter({
      name: "lattice_ledger_rejections_total",
      help: "Accepted transactions later rejected, by reason code",
      labelNames: ["code"],
      registers,
    });
    this.rounds = new Counter({ name: "lattice_ledger_rounds_total", help: "Rounds applied", registers });
    this.lastRound = new Gauge({ name: "lattice_ledger_last_round", help: "Last applied round", registers });
    const mempoolSize = options.mempoolSize;
    this.mempool = new Gauge({
      name: "lattice_mempool_transactions",
      help: "Transactions in the mempool",
      registers,
      ...(mempoolSize === undefined
        ? {}
        : {
            collect(this: Gauge) {
              this.set(mempoolSize());
            },
          }),
    });
    this.finalitySeconds = new Histogram({
      name: "lattice_ledger_finality_seconds",
      help: "Time from acceptance to finality",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    const subscribers = options.subscribers;
    this.subscribers = new Gauge({
      name: "lattice_api_event_subscribers",
      help: "Open event stream subscriptions",
      registers,
      ...(subscribers === undefined
        ? {}
        : {
            collect(this: Gauge) {
              this.set(subscribers());
            },
          }),
    });
    this.faults = new Counter({
      name: "lattice_node_faults_total",
      help: "Faults the node survived, by code",
      labelNames: ["code"],
      registers,
    });
  }

  /** Count a ledger event. */
  observe(e: LedgerEvent): void {
    switch (e.type) {
      case "tx.accepted":
        this.transactions.inc({ status: "accepted" });
        // Entries leave on final or rejected; the cap only guards against a stuck pipeline.
        if (this.#acceptedAt.size >= 100_000) this.#acceptedAt.clear();
        this.#acceptedAt.set(Buffer.from(e.id).toString("latin1"), e.at);
        break;
      case "tx.certified":
        this.transactions.inc({ status: "certified" });
        break;
      case "tx.final": {
        this.transactions.inc({ status: "final" });
        const k = Buffer.from(e.id).toString("latin1");
        const at = this.#acceptedAt.get(k);
        if (at !== undefined) this.finalitySeconds.observe(Math.max(0, e.at - at) / 1000);
        this.#acceptedAt.delete(k);
        break;
      }
      case "tx.rejected":
        this.transactions.inc({ status: "rejected" });
        this.rejections.inc({ code: e.rejection.code });
        this.#acceptedAt.delete(Buffer.from(e.id).toString("latin1"));
        break;
      case "round":
        this.rounds.inc();
        this.lastRound.set(Number(e.round));
        break;
      case "fault":
        this.faults.inc({ code: e.code });
        break;
    }
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
