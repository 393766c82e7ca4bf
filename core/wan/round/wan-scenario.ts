/**
 * A seeded load of signed transfers over a WanHarness, and the safety invariants every WAN run must keep
 * (ARCHITECTURE.md "Invariants checked everywhere"). Test and bench support only: devnet/sim has its own
 * checker; this one lets core tests judge byzantine runs without importing it.
 *
 * Invariants (each violation is a string naming it):
 * - agreement: at most one certified convergence block per round on the wire; every node's chain is a
 *   prefix of the longest one, with the same state root at the same round;
 * - validity: replaying every finalized transfer in order on the genesis state applies each one;
 * - no double spend: no (sender, nonce) finalized twice;
 * - conservation: every node's ledger holds the genesis supply.
 */
import { addressBytesOf } from "../../crypto/address.ts";
import { toHex } from "../../crypto/bytes.ts";
import type { CryptoSuite } from "../../crypto/suite.ts";
import { encodeTransfer, envelopeOf, type Transfer } from "../../tx/transfer.ts";
import { convergenceHash } from "../convergence/convergence-block.ts";
import { CHAIN_ID, transfer } from "../testing/fixtures.ts";
import { WanHarness, type WanHarnessOptions } from "./wan-harness.ts";

export interface LoadOptions {
  readonly transfers: number;
  /** Virtual ms between submissions. */
  readonly spacingMs: number;
  /** Every `twinEvery`-th transfer also gets a same-(sender, nonce) twin to another account. */
  readonly twinEvery?: number;
}

export interface LoadedRun {
  readonly h: WanHarness;
  /** Every signed transfer submitted (twins included), by id hex. */
  readonly submitted: Map<string, Transfer>;
  /** The transfers that are valid if their twin is not (one per twin pair counted here). */
  readonly plain: Transfer[];
}

export function harness(
  suite: CryptoSuite,
  seed: number,
  extra: Partial<WanHarnessOptions> = {},
): WanHarness {
  return new WanHarness({
    suite,
    seed,
    farmerQuorums: 2,
    quorumSize: 5,
    harvesters: 5,
    miners: 3,
    accounts: 12,
    balance: 10_000n,
    chainId: CHAIN_ID,
    audit: true,
    ...extra,
  });
}

/** Submit a seeded load of transfers (nonce chains per sender), with optional double-spend twins. */
export function load(h: WanHarness, suite: CryptoSuite, o: LoadOptions): LoadedRun {
  const nonces = new Map<string, bigint>();
  const submitted = new Map<string, Transfer>();
  const plain: Transfer[] = [];
  for (let i = 0; i < o.transfers; i++) {
    const from = h.accounts[h.rng.int(0, h.accounts.length - 1)]!;
    const to = h.accounts[h.rng.int(0, h.accounts.length - 1)]!;
    const k = toHex(from.address);
    const nonce = nonces.get(k) ?? 0n;
    nonces.set(k, nonce + 1n);
    const tx = transfer(
      suite.signer,
      from,
      to.address,
      nonce,
      BigInt(h.rng.int(1, 50)),
      BigInt(h.rng.int(1, 20)),
    );
    submitted.set(toHex(envelopeOf(tx).id), tx);
    const at = i * o.spacingMs;
    h.submit(encodeTransfer(tx), at);
    if (o.twinEvery !== undefined && i % o.twinEvery === o.twinEvery - 1) {
      const twin = transfer(suite.signer, from, h.accounts[0]!.address, nonce, 2n, 1n);
      submitted.set(toHex(envelopeOf(twin).id), twin);
      h.submit(encodeTransfer(twin), at + 1);
    } else plain.push(tx);
  }
  return { h, submitted, plain };
}

/** Every safety violation of the run (empty = safe). */
export function safetyViolations(run: LoadedRun): string[] {
  const { h, submitted } = run;
  const bad: string[] = [];
  for (const [round, set] of h.certifiedBlocks)
    if (set.size > 1) bad.push(`agreement: ${set.size} certified blocks for round ${round}`);
  const engines = h.engines();
  const longest = engines.reduce((a, b) => (b.chain.head.round > a.chain.head.round ? b : a)).chain;
  const hashes = longest.history.map((r) => toHex(convergenceHash(r.block)));
  for (const e of engines) {
    const mine = e.chain.history.map((r) => toHex(convergenceHash(r.block)));
    if (mine.some((x, i) => x !== hashes[i])) bad.push(`agreement: node ${e.id.slice(0, 8)} forked`);
    if (e.chain.ledger.supply() !== h.genesis.supply()) bad.push(`conservation: node ${e.id.slice(0, 8)}`);
  }
  const replay = h.genesis.clone();
  const slots = new Set<string>();
  for (const r of longest.history) {
    r.kept.forEach((id, i) => {
      const tx = submitted.get(toHex(id));
      if (tx === undefined) {
        bad.push(`validity: round ${r.round} finalized an unknown transfer`);
        return;
      }
      if (replay.applyTransfer(tx, addressBytesOf(r.keptBy[i]!)) !== null)
        bad.push(`validity: round ${r.round} finalized an invalid transfer`);
      const slot = `${toHex(tx.from)}/${tx.nonce}`;
      if (slots.has(slot)) bad.push(`double spend: ${slot}`);
      slots.add(slot);
    });
  }
  if (toHex(replay.root()) !== toHex(longest.head.stateRoot)) bad.push("validity: replayed root differs");
  return bad;
}

/** Ids finalized on the longest chain. */
export function finalizedIds(h: WanHarness): Set<string> {
  const engines = h.engines();
  const longest = engines.reduce((a, b) => (b.chain.head.round > a.chain.head.round ? b : a)).chain;
  return new Set(longest.history.flatMap((r) => r.kept.map(toHex)));
}
