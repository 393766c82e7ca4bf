/**
 * Scenario load with a history (reliability-anchors.md §1, Jepsen's ternary outcomes): every submission
 * is recorded with its outcome `ok` (final), `fail` (refused at the door or rejected in a block, with the
 * code) or `info` (indeterminate: the node could not be reached or the wait ran out; neither lost nor
 * committed), and whether the node acknowledged it (durably accepted: the durability check holds the
 * cluster to exactly these).
 *
 * Each sender has at most one transfer in flight and takes its next nonce from a node after anything but
 * `ok`, so the load itself never leaves a nonce gap that would keep a later transfer pending forever and
 * be mistaken for a lost one. The offered rate is a token bucket shared by the senders.
 */
import { fromHex } from "../../core/crypto/bytes.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { ApiRequestError } from "../../net/client/client-error.ts";
import { buildTransfer, type SignedTransfer } from "../../net/client/transfer-builder.ts";

export interface LoadOp {
  readonly id: string;
  readonly sender: number;
  readonly nonce: string;
  /** Node the transfer was submitted to. */
  readonly node: number;
  /** Milliseconds since the scenario start. */
  readonly submittedAt: number;
  /** The node acknowledged it (durably accepted). */
  ack: boolean;
  outcome: "ok" | "fail" | "info" | "pending";
  detail?: string;
  round?: string;
  endedAt?: number;
}

export interface LoadSender {
  readonly address: string;
  readonly secretKey: string;
}

export interface LoadSummary {
  readonly sent: number;
  readonly acked: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly replayed: number;
  readonly finalityMsP50: number | null;
  readonly finalityMsP99: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ScenarioLoad {
  readonly ops: LoadOp[] = [];
  /** Transfers re-submitted on purpose (replay-txs): id -> how the node answered. */
  readonly replays: { id: string; node: number; answer: string }[] = [];
  readonly #signed = new Map<string, SignedTransfer>();
  #stopped = false;
  #running: Promise<void> | null = null;
  readonly #clients = new Map<string, LatticeClient>();

  constructor(
    private readonly o: {
      readonly chainId: number;
      readonly senders: readonly LoadSender[];
      readonly tps: number;
      /** API URLs of the nodes a client may use now (running ones), by node index. */
      readonly targets: () => readonly { index: number; url: string }[];
      readonly now: () => number;
      readonly waitMs?: number;
    },
  ) {}

  #client(url: string): LatticeClient {
    let c = this.#clients.get(url);
    if (c === undefined) {
      c = new LatticeClient({ url, timeoutMs: 2_000 });
      this.#clients.set(url, c);
    }
    return c;
  }

  start(): void {
    const t0 = performance.now();
    let taken = 0;
    let k = 0;
    const take = async (): Promise<boolean> => {
      for (;;) {
        if (this.#stopped) return false;
        const owed = Math.floor(((performance.now() - t0) / 1000) * this.o.tps);
        if (taken < owed) {
          taken++;
          return true;
        }
        await sleep(10);
      }
    };
    const sender = async (si: number) => {
      const s = this.o.senders[si]!;
      const key = fromHex(s.secretKey);
      let nonce: bigint | null = null;
      const to = this.o.senders[(si + 1) % this.o.senders.length]!.address;
      while (await take()) {
        const targets = this.o.targets();
        if (targets.length === 0) {
          await sleep(50);
          continue;
        }
        const target = targets[k++ % targets.length]!;
        const client = this.#client(target.url);
        if (nonce === null) {
          try {
            nonce = await client.nextNonce(s.address);
          } catch {
            await sleep(100);
            continue;
          }
        }
        const tx = buildTransfer({ chainId: this.o.chainId, secretKey: key, to, amount: 1n, fee: 1n, nonce });
        this.#signed.set(tx.id, tx);
        const op: LoadOp = {
          id: tx.id,
          sender: si,
          nonce: nonce.toString(),
          node: target.index,
          submittedAt: this.o.now(),
          ack: false,
          outcome: "pending",
        };
        this.ops.push(op);
        try {
          await client.submit(tx);
          op.ack = true;
        } catch (err) {
          op.endedAt = this.o.now();
          nonce = null;
          if (err instanceof ApiRequestError) {
            op.outcome = "fail";
            op.detail = err.code;
          } else {
            op.outcome = "info";
            op.detail = "submit: no answer";
          }
          continue;
        }
        const r = await client.waitForFinality(tx.id, { timeoutMs: this.o.waitMs ?? 8_000, pollMs: 250 });
        op.endedAt = this.o.now();
        if (r.outcome === "final") {
          op.outcome = "ok";
          op.round = r.round.toString();
          nonce += 1n;
        } else if (r.outcome === "rejected") {
          op.outcome = "fail";
          op.detail = r.error.code;
          nonce = null;
        } else {
          op.outcome = "info";
          op.detail = `wait: ${r.lastStatus}`;
          nonce = null;
        }
      }
    };
    this.#running = Promise.all(this.o.senders.map((_, i) => sender(i))).then(() => undefined);
  }

  /** Stop sending; resolves when every sender has its last outcome. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** Re-submit up to `count` transfers that went final; the node must refuse every one. */
  async replay(count: number): Promise<number> {
    const finals = this.ops.filter((o) => o.outcome === "ok").slice(-count);
    let sent = 0;
    for (const op of finals) {
      const targets = this.o.targets();
      if (targets.length === 0) break;
      const t = targets[sent % targets.length]!;
      const tx = this.#signed.get(op.id)!;
      let answer: string;
      try {
        await this.#client(t.url).submit(tx);
        answer = "accepted";
      } catch (err) {
        answer = err instanceof ApiRequestError ? err.code : "no answer";
      }
      this.replays.push({ id: op.id, node: t.index, answer });
      if (answer !== "no answer") sent++;
    }
    return sent;
  }

  summary(): LoadSummary {
    const lat = this.ops
      .filter((o) => o.outcome === "ok" && o.endedAt !== undefined)
      .map((o) => o.endedAt! - o.submittedAt)
      .sort((a, b) => a - b);
    const pct = (q: number) =>
      lat.length === 0 ? null : lat[Math.min(lat.length - 1, Math.ceil(q * lat.length) - 1)]!;
    return {
      sent: this.ops.length,
      acked: this.ops.filter((o) => o.ack).length,
      ok: this.ops.filter((o) => o.outcome === "ok").length,
      fail: this.ops.filter((o) => o.outcome === "fail").length,
      info: this.ops.filter((o) => o.outcome === "info").length,
      replayed: this.replays.length,
      finalityMsP50: pct(0.5),
      finalityMsP99: pct(0.99),
    };
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
  }
}
