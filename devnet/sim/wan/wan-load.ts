/**
 * A seeded client load of signed transfers for a simulated WAN (issue #6 item 5), with the attacks a
 * client can make: double spends (a second transfer with the same (sender, nonce) to another node a few
 * ms later) and overspends (a transfer costing more than the whole supply, at the sender's next nonce,
 * followed by an honest one at the same nonce).
 *
 * Clients behave like real ones under faults: a transfer that is not final after `retryMs` is sent again
 * (same bytes) to another random node, until it is final or provably invalid (reliability-anchors.md §2
 * TigerBeetle: requests must complete). Without retries a message lost on the way to the batcher would
 * lose the transfer, which is the client's to fix, not the protocol's. Overspends are never retried.
 */
import { encodeTransfer, envelopeOf } from "../../../core/tx/transfer.ts";
import { hexOf } from "../../../core/wan/encoding/hex.ts";
import { signTransferWith } from "../../../core/wan/ledger/transfer-suite.ts";
import type { WanWorld } from "./wan-world.ts";
import { WAN_CHAIN_ID } from "./wan-world.ts";

export interface WanLoadOptions {
  /** Transfers offered per simulated second (double spends and overspends come on top). */
  readonly perSecond: number;
  /** New transfers stop at this virtual time; retries go on. */
  readonly until: number;
  /** Probability that a transfer gets a double-spend twin, and that an overspend precedes it. */
  readonly twinRate: number;
  readonly overspendRate: number;
  readonly retryMs: number;
}

export const DEFAULT_WAN_LOAD: Omit<WanLoadOptions, "until"> = {
  perSecond: 40,
  twinRate: 0.08,
  overspendRate: 0.03,
  retryMs: 3000,
};

export interface LoadStats {
  submitted: number;
  twins: number;
  overspends: number;
  retries: number;
  /** Transfers still open (neither final nor provably invalid). */
  open(): number;
}

const TICK_MS = 100;

export function startLoad(w: WanWorld, o: WanLoadOptions): LoadStats {
  const { sim, checker } = w;
  const rng = sim.rng.fork("wan-load");
  const nonces = w.accounts.map(() => 0n);
  const hosts = w.layout.hosts;
  const open = new Map<string, { bytes: Uint8Array; last: number }>();
  const stats: LoadStats = { submitted: 0, twins: 0, overspends: 0, retries: 0, open: () => open.size };
  const supply = w.genesis.supply();

  const send = (bytes: Uint8Array) => {
    const host = hosts[rng.int(0, hosts.length - 1)]!;
    if (sim.isUp(host)) sim.request(host, w.idOf.get(host)!, { kind: "submit", tx: bytes });
  };
  const make = (from: number, to: number, nonce: bigint, amount: bigint, fee: bigint) => {
    const a = w.accounts[from]!;
    const tx = signTransferWith(
      w.suite.signer,
      { chainId: WAN_CHAIN_ID, from: a.publicKey, to: w.accounts[to]!.address, amount, fee, nonce },
      a.secretKey,
    );
    const env = envelopeOf(tx);
    const id = hexOf(env.id);
    w.transfers.set(id, tx);
    stats.submitted++;
    return { id, bytes: encodeTransfer(tx) };
  };
  const submit = (t: { id: string; bytes: Uint8Array }, after: number, retry = true) => {
    sim.clock.schedule(after, () => {
      if (retry) open.set(t.id, { bytes: t.bytes, last: sim.clock.now() });
      send(t.bytes);
    });
  };

  const perTick = (o.perSecond * TICK_MS) / 1000;
  let carry = 0;
  const tick = () => {
    const now = sim.clock.now();
    if (now < o.until) {
      carry += perTick;
      for (; carry >= 1; carry--) {
        const from = rng.int(0, w.accounts.length - 1);
        const to = (from + rng.int(1, w.accounts.length - 1)) % w.accounts.length;
        const nonce = nonces[from]!;
        nonces[from] = nonce + 1n;
        const at = rng.int(0, TICK_MS - 1);
        if (rng.nextFloat() < o.overspendRate) {
          stats.overspends++;
          submit(make(from, to, nonce, supply + 1n, 1n), at, false);
        }
        submit(make(from, to, nonce, BigInt(rng.int(1, 1000)), BigInt(rng.int(1, 20))), at + 1);
        if (rng.nextFloat() < o.twinRate) {
          stats.twins++;
          const other =
            (to + 1) % w.accounts.length === from
              ? (to + 2) % w.accounts.length
              : (to + 1) % w.accounts.length;
          submit(make(from, other, nonce, BigInt(rng.int(1, 1000)), 1n), at + 1 + rng.int(1, 20));
        }
      }
    }
    // Retries: anything open for retryMs goes again to another node; final or provably invalid closes.
    for (const [id, t] of open) {
      if (checker.isFinal(id) || checker.provablyInvalid(id) !== null) {
        open.delete(id);
        continue;
      }
      if (now - t.last >= o.retryMs) {
        t.last = now;
        stats.retries++;
        send(t.bytes);
      }
    }
    sim.clock.schedule(TICK_MS, tick);
  };
  sim.clock.schedule(TICK_MS, tick);
  return stats;
}
