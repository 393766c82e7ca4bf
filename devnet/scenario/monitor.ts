/**
 * The live invariant monitor of a scenario run (devnet-anchors.md §10.4): polls every running node's
 * finalized rounds through the public API while faults and load run, and feeds them to the invariant
 * checker shared with the simulator (devnet/invariants/checker.ts) and to the ledger replay (replay.ts).
 *
 * Per node and round it records (root, transfers, rejected) as the block identity and the root as the
 * state digest, so agreement and state agreement are checked as the rounds arrive; a node whose latest
 * round goes backwards (it lost finalized rounds, e.g. over a crash) is a durability failure on the spot.
 * Rounds with transfers are fetched once in full, from an honest node that has them, and replayed from
 * genesis in order. Nodes that were ever byzantine are left out of the honest records (S1 is about honest
 * nodes), and paused or killed nodes are not asked (their silence is the fault, not a failure).
 */
import { InvariantChecker } from "../invariants/checker.ts";
import type { RoundDetailJson, RoundJson, RoundPageJson } from "../../net/api/wire.ts";
import type { LedgerReplay } from "./replay.ts";

export interface MonitorTarget {
  readonly index: number;
  readonly url: string;
}

export interface Regression {
  readonly node: number;
  readonly at: number;
  readonly was: number;
  readonly now: number;
}

async function getJson<T>(url: string, timeoutMs: number): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    return (await res.json()) as T;
  } catch {
    return null;
  }
}

export class LiveMonitor {
  readonly checker = new InvariantChecker();
  readonly regressions: Regression[] = [];
  /** Highest round seen per node. */
  readonly height = new Map<number, number>();
  /** When (ms since start) each node first showed each round: node -> round -> at. */
  readonly seenAt = new Map<number, Map<number, number>>();
  /** Rounds known (from any honest node) but not replayed yet: round -> summary. */
  readonly #summaries = new Map<number, RoundJson>();
  readonly #lastBlock = new Map<number, string>();
  readonly #byzantine = new Set<number>();
  #seq = 0;
  #stopped = false;
  #loop: Promise<void> | null = null;
  lastPollAt = 0;
  polls = 0;

  constructor(
    private readonly o: {
      readonly targets: () => readonly MonitorTarget[];
      readonly replay: LedgerReplay;
      readonly now: () => number;
      readonly pollMs?: number;
    },
  ) {}

  /** A node turned byzantine: from now on it is not an honest witness. */
  markByzantine(index: number): void {
    this.#byzantine.add(index);
  }

  isHonest(index: number): boolean {
    return !this.#byzantine.has(index);
  }

  start(): void {
    this.#loop = (async () => {
      while (!this.#stopped) {
        await this.poll();
        await new Promise((r) => setTimeout(r, this.o.pollMs ?? 200));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  /** Highest round any honest node has shown. */
  clusterRound(): number {
    let m = 0;
    for (const [i, h] of this.height) if (this.isHonest(i) && h > m) m = h;
    return m;
  }

  /** Wait until `cond` holds (checked after each poll) or `timeoutMs` passes; returns whether it held. */
  async until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (cond()) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  #chain: Promise<void> = Promise.resolve();

  /** One pass over every target node, then the replay catches up; passes never overlap. */
  poll(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#pollOnce());
    return this.#chain;
  }

  async #pollOnce(): Promise<void> {
    const targets = this.o.targets();
    await Promise.all(targets.map((t) => this.#pollNode(t)));
    await this.#advanceReplay(targets.filter((t) => this.isHonest(t.index)));
    this.lastPollAt = this.o.now();
    this.polls++;
  }

  async #pollNode(t: MonitorTarget): Promise<void> {
    const last = this.height.get(t.index) ?? 0;
    const fresh: RoundJson[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const q: string = before === null ? "limit=100" : `limit=100&before=${before}`;
      const page: RoundPageJson | null = await getJson<RoundPageJson>(`${t.url}/v1/rounds?${q}`, 800);
      if (page === null) return;
      if (pages === 0) {
        const top = Number(page.rounds[0]?.round ?? "0");
        if (top < last) {
          this.regressions.push({ node: t.index, at: this.o.now(), was: last, now: top });
          this.height.set(t.index, top);
          return;
        }
      }
      let reached = false;
      for (const r of page.rounds) {
        if (Number(r.round) <= last) {
          reached = true;
          break;
        }
        fresh.push(r);
      }
      if (reached || page.next === null) break;
      before = page.next;
    }
    fresh.reverse();
    const at = this.o.now();
    const honest = this.isHonest(t.index);
    let seen = this.seenAt.get(t.index);
    if (seen === undefined) {
      seen = new Map();
      this.seenAt.set(t.index, seen);
    }
    for (const r of fresh) {
      const h = Number(r.round);
      if (h !== (this.height.get(t.index) ?? 0) + 1) break; // a gap: the next poll pages further back
      this.height.set(t.index, h);
      seen.set(h, at);
      if (!honest) continue;
      const block = `${r.root}:${r.txCount}:${r.rejectedCount}`;
      this.checker.recordFinalized(
        {
          seq: this.#seq++,
          at,
          node: `node${t.index}`,
          chain: "lattice",
          height: h,
          block,
          parent: this.#lastBlock.get(t.index) ?? "genesis",
          payload: block,
        },
        r.root,
      );
      this.#lastBlock.set(t.index, block);
      if (!this.#summaries.has(h) && h > this.o.replay.lastRound) this.#summaries.set(h, r);
    }
  }

  async #advanceReplay(honest: readonly MonitorTarget[]): Promise<void> {
    const replay = this.o.replay;
    for (let fetched = 0; fetched < 100; ) {
      const next = replay.lastRound + 1;
      const s = this.#summaries.get(next);
      if (s === undefined) return;
      let detail: RoundDetailJson | null = null;
      if (s.txCount === 0) detail = { ...s, txs: [] };
      else {
        fetched++;
        for (const t of honest) {
          if ((this.height.get(t.index) ?? 0) < next) continue;
          detail = await getJson<RoundDetailJson>(`${t.url}/v1/rounds/${next}`, 2_000);
          if (detail !== null) break;
        }
      }
      if (detail === null) return;
      replay.apply(detail);
      this.#summaries.delete(next);
    }
  }
}
