/**
 * `lattice devnet load`: signed transfers from dev accounts through the SDK to every node of a devnet,
 * at a target rate for a bounded time, then a report: throughput (final transfers per second), finality
 * latency (submit to final) p50/p95/p99, and how many ended final, rejected (with the node's codes) or
 * indeterminate (Jepsen's ternary outcome: not known within the wait; never counted as a failure or a
 * success). Each sender submits to one node (sender i to node i mod nodes) and keeps its own nonce counter and re-reads it after a failed submission, so one
 * refused transfer does not strand the sender's later ones behind a nonce gap.
 */
import { LatticeClient } from "../../net/client/client.ts";
import { ApiRequestError } from "../../net/client/client-error.ts";
import { buildTransfer } from "../../net/client/transfer-builder.ts";

export interface LoadSender {
  readonly address: string;
  readonly secretKey: Uint8Array;
}

export interface LoadOptions {
  /** API URLs; transfers go round-robin to them. */
  readonly urls: readonly string[];
  readonly tps: number;
  readonly durationMs: number;
  readonly senders: readonly LoadSender[];
  /** How long to wait for each transfer's outcome after the sending phase (default 15 s). */
  readonly finalityTimeoutMs?: number;
  /** Upper bound on transfers waiting for an outcome (default 10,000): the generator slows down beyond it. */
  readonly maxInFlight?: number;
  readonly amount?: bigint;
  readonly onProgress?: (sent: number, done: number) => void;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface LoadReport {
  readonly targetTps: number;
  readonly durationMs: number;
  /** Time from the first submission to the last outcome. */
  readonly elapsedMs: number;
  readonly sent: number;
  readonly final: number;
  readonly rejected: number;
  readonly indeterminate: number;
  /** Submissions the node refused outright (counted in `rejected` too), by error code. */
  readonly rejectedCodes: Readonly<Record<string, number>>;
  /** Final transfers per second over the sending phase plus the wait for its outcomes. */
  readonly throughputTps: number;
  /** Submit to final, milliseconds; null when nothing went final. */
  readonly finalityMs: LatencySummary | null;
}

/** Nearest-rank percentile of ascending `sorted` (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarize(latencies: readonly number[]): LatencySummary | null {
  if (latencies.length === 0) return null;
  const s = [...latencies].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: r(percentile(s, 0.5)),
    p95: r(percentile(s, 0.95)),
    p99: r(percentile(s, 0.99)),
    max: r(s.at(-1)!),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run the load; resolves once every transfer has an outcome (or its wait timed out). */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  if (o.urls.length === 0 || o.senders.length === 0)
    throw new RangeError("load: urls and senders must not be empty");
  const clients = o.urls.map((url) => new LatticeClient({ url, timeoutMs: 10_000 }));
  const chainId = await clients[0]!.chainId();
  const nonces = await Promise.all(o.senders.map((s) => clients[0]!.nextNonce(s.address)));
  const stale = new Set<number>();
  const finalityTimeoutMs = o.finalityTimeoutMs ?? 15_000;
  const maxInFlight = o.maxInFlight ?? 10_000;
  const amount = o.amount ?? 1n;
  const latencies: number[] = [];
  const rejectedCodes: Record<string, number> = {};
  let sent = 0;
  let final = 0;
  let rejected = 0;
  let indeterminate = 0;
  let inFlight = 0;
  let k = 0;
  const waits: Promise<void>[] = [];

  const sendOne = async () => {
    const si = k % o.senders.length;
    // Each sender talks to one node (as a wallet does to its RPC): that node holds every earlier
    // transaction of the sender, so a nonce it reports after a failure is never behind the ones in
    // flight (re-reading from a node that gossip had not reached yet re-built an already sent transfer:
    // TX_DUPLICATE, then nonce gaps, under load).
    const client = clients[si % clients.length]!;
    const to = o.senders[(si + 1) % o.senders.length]!.address;
    k++;
    const sender = o.senders[si]!;
    if (stale.has(si)) {
      stale.delete(si);
      try {
        nonces[si] = await client.nextNonce(sender.address);
      } catch {
        // Keep the local counter; the next failure re-reads again.
      }
    }
    const nonce = nonces[si]!;
    nonces[si] = nonce + 1n;
    const tx = buildTransfer({ chainId, secretKey: sender.secretKey, to, amount, fee: 1n, nonce });
    sent++;
    inFlight++;
    const t = performance.now();
    try {
      await client.submit(tx);
    } catch (err) {
      stale.add(si);
      if (err instanceof ApiRequestError) {
        rejected++;
        rejectedCodes[err.code] = (rejectedCodes[err.code] ?? 0) + 1;
      } else {
        indeterminate++; // the node may or may not have it
      }
      inFlight--;
      return;
    }
    const outcome = await client.waitForFinality(tx.id, { timeoutMs: finalityTimeoutMs, pollMs: 500 });
    inFlight--;
    if (outcome.outcome === "final") {
      final++;
      latencies.push(performance.now() - t);
    } else if (outcome.outcome === "rejected") {
      rejected++;
      rejectedCodes[outcome.error.code] = (rejectedCodes[outcome.error.code] ?? 0) + 1;
      stale.add(si);
    } else indeterminate++;
  };

  const t0 = performance.now();
  // Paced in 10 ms ticks: each tick sends what the target rate owes so far, so timer jitter self-corrects.
  let scheduled = 0;
  while (performance.now() - t0 < o.durationMs) {
    const owed = Math.floor(((performance.now() - t0) / 1000) * o.tps) - scheduled;
    for (let i = 0; i < owed && inFlight < maxInFlight; i++) {
      scheduled++;
      waits.push(sendOne());
    }
    o.onProgress?.(sent, final + rejected + indeterminate);
    await sleep(10);
  }
  await Promise.all(waits);
  for (const c of clients) c.close();
  const elapsedMs = Math.round(performance.now() - t0);
  return {
    targetTps: o.tps,
    durationMs: o.durationMs,
    elapsedMs,
    sent,
    final,
    rejected,
    indeterminate,
    rejectedCodes,
    throughputTps: Math.round((final / (elapsedMs / 1000)) * 10) / 10,
    finalityMs: summarize(latencies),
  };
}
