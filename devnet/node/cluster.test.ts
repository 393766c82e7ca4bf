/**
 * Acceptance (issue #7): 4 real `lattice node --config` processes on loopback, set up through the
 * node-process contract. Transfers go in through the SDK at different nodes and end final; every node
 * reports the same balances with Merkle proofs the SDK verifies. One node is SIGKILLed, the others keep
 * finalizing without it, and the restarted node (same data dir) catches up to the same state root.
 */
import { afterAll, expect, test } from "bun:test";
import { addressBytesOf, formatAddress } from "../../core/crypto/address.ts";
import type { PeerJson, RoundDetailJson } from "../../net/api/wire.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { buildTransfer, type SignedTransfer } from "../../net/client/transfer-builder.ts";
import { ClusterFixture, waitFor } from "./cluster-fixture.ts";

const BALANCE = 1_000_000_000n;
const fixture = new ClusterFixture({
  nodes: 4,
  accounts: 4,
  balance: BALANCE,
  blockTimeMs: 100,
  deltaMs: 250,
});
afterAll(() => fixture.close());

const clients: LatticeClient[] = [];
const client = (i: number) => {
  clients[i] ??= new LatticeClient({ url: fixture.apiUrl(i), timeoutMs: 5000 });
  return clients[i]!;
};
afterAll(() => {
  for (const c of clients) c?.close();
});

/** Account i sends `count` transfers to account i+1, through node i, from nonce `from`. */
function plan(i: number, count: number, from: bigint): SignedTransfer[] {
  const a = fixture.accounts[i]!;
  const to = fixture.accounts[(i + 1) % fixture.accounts.length]!.address;
  return Array.from({ length: count }, (_, n) =>
    buildTransfer({
      chainId: fixture.chainId,
      secretKey: a.keyPair.secretKey,
      to,
      amount: BigInt(100 + n),
      fee: 1n,
      nonce: from + BigInt(n),
    }),
  );
}

async function submitAndFinalize(txs: readonly { node: number; t: SignedTransfer }[]): Promise<bigint> {
  for (const { node, t } of txs) await client(node).submit(t);
  const outcomes = await Promise.all(
    txs.map(({ node, t }) => client(node).waitForFinality(t.id, { timeoutMs: 15_000, pollMs: 200 })),
  );
  let last = 0n;
  for (const o of outcomes) {
    expect(o.outcome).toBe("final");
    if (o.outcome === "final" && o.round > last) last = o.round;
  }
  return last;
}

async function fetchJson<T>(i: number, path: string): Promise<T> {
  return (await (await fetch(`${fixture.apiUrl(i)}${path}`)).json()) as T;
}

/** Expected balances after the final transfers, from genesis. */
function expectedBalances(all: readonly SignedTransfer[]): Map<string, bigint> {
  const m = new Map(fixture.accounts.map((a) => [a.address as string, BALANCE]));
  for (const t of all) {
    const from = formatAddress(addressBytesOf(t.tx.from));
    m.set(from, (m.get(from) ?? 0n) - t.tx.amount - t.tx.fee);
    const to = formatAddress(t.tx.to);
    m.set(to, (m.get(to) ?? 0n) + t.tx.amount);
  }
  return m;
}

/** Every listed node reports `expected` balances with verified proofs, all against the same root. */
async function checkAccounts(nodes: readonly number[], expected: Map<string, bigint>, atLeast: bigint) {
  // Wait until each node has applied the round the last transfer went final in.
  await Promise.all(
    nodes.map((i) =>
      waitFor(
        `node ${i} at round ${atLeast}`,
        async () => ((await fixture.head(i)).round >= atLeast ? true : undefined),
        15_000,
      ),
    ),
  );
  for (const i of nodes) {
    for (const [address, balance] of expected) {
      const acc = await client(i).getAccount(address, { proof: true });
      expect(acc.proof?.verified).toBe(true);
      expect({ node: i, address, balance: acc.balance }).toEqual({ node: i, address, balance });
    }
  }
}

test("4 node processes: transfers via different nodes go final with equal balances and proofs everywhere; a SIGKILLed node restarts and catches up to the same root", async () => {
  const t0 = performance.now();
  await fixture.up(25_000);
  const upMs = performance.now() - t0;
  console.log(`4 nodes: spawn to all ready (first block finalized everywhere): ${Math.round(upMs)} ms`);

  // Each account sends through "its" node: the transfers reach the leaders by forwarding.
  const first = [0, 1, 2, 3].flatMap((i) => plan(i, 5, 0n).map((t) => ({ node: i, t })));
  const r1 = await submitAndFinalize(first);
  await checkAccounts([0, 1, 2, 3], expectedBalances(first.map((x) => x.t)), r1);

  // Every node holds the same block and certificate for a round; peers' reputation counts their frames.
  const [b0, b1] = await Promise.all(
    [0, 1].map((i) => fetchJson<RoundDetailJson>(i, `/v1/rounds/${r1}`)),
  );
  if (b0 === undefined || b1 === undefined) throw new Error("two answers");
  expect(b0.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(b1.hash).toBe(b0.hash);
  const { peers } = await fetchJson<{ peers: PeerJson[] }>(0, "/v1/peers");
  expect(peers.filter((p) => !p.self).map((p) => (p.reputation?.accepted ?? 0) > 0)).toEqual([true, true, true]);

  // The status of a transfer is known on a node it was not submitted to.
  const someone = first[0]!.t.id;
  expect((await client(2).status(someone))?.status).toBe("final");

  expect(await fixture.kill(3, "SIGKILL")).toBeNull();
  // Three of four are a quorum: the chain goes on without node 3 (also for transfers of account 3).
  const second = [0, 1, 2].flatMap((i) => plan(i, 4, 5n).map((t) => ({ node: i, t })));
  second.push(...plan(3, 3, 5n).map((t) => ({ node: 0, t })));
  const r2 = await submitAndFinalize(second);
  const all = [...first, ...second].map((x) => x.t);
  await checkAccounts([0, 1, 2], expectedBalances(all), r2);
  const downHead = await fixture.head(0);

  const t1 = performance.now();
  const again = await fixture.spawn(3);
  await fixture.announce();
  await fixture.waitReady(3);
  console.log(`node 3 restart to ready (caught up): ${Math.round(performance.now() - t1)} ms`);
  expect(again.nodeId).toBe(fixture.nodes[3]!.nodeId);
  // Same state root as the others at the same round, for a round past the outage.
  const target = downHead.round + 2n;
  // Node 0 too: node 3 reaching the round does not mean node 0 has applied it yet (3 of 4 finalize it).
  await Promise.all(
    [3, 0].map((i) =>
      waitFor(
        `node ${i} at round ${target}`,
        async () => ((await fixture.head(i)).round >= target ? true : undefined),
        20_000,
      ),
    ),
  );
  const [mine, theirs] = await Promise.all([client(3).round(target), client(0).round(target)]);
  expect(mine.root).toBe(theirs.root);
  await checkAccounts([3], expectedBalances(all), r2);
  // And it takes part again: a new transfer through node 3 goes final everywhere.
  const third = plan(3, 1, 8n).map((t) => ({ node: 3, t }));
  const r3 = await submitAndFinalize(third);
  await checkAccounts([0, 1, 2, 3], expectedBalances([...all, ...third.map((x) => x.t)]), r3);
}, 60_000);
