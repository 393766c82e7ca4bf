/**
 * HttpSource against a real solo node (in-process, port 0): polls and events fill the store (head,
 * finality from tx.accepted -> tx.final, transactions/s), lookups go through the SDK with the account
 * proof checked here — and a proxy that tampers with the balance makes the proof show as failed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { addressBytesOf, addressOf, type KeyPair, keyPairFromSeed } from "../../net/client/keys.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { type SoloNode, startSoloNode } from "../../net/api/solo-node.ts";
import { HttpSource } from "./http-source.ts";
import { createStore, type ExplorerState, initialState, type Store } from "./store.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-explorer-http-"));
const keys: KeyPair[] = [0, 1].map((i) => keyPairFromSeed(sha256(Uint8Array.of(0x7e, i))));
let node: SoloNode;
let proxy: ReturnType<typeof Bun.serve>;
const sources: HttpSource[] = [];

beforeAll(async () => {
  node = await startSoloNode({
    dataDir: dir,
    chainId: 4343,
    genesis: keys.map((k) => ({ address: addressBytesOf(k.publicKey), balance: 10_000n })),
    version: "test",
    blockTimeMs: 30,
    synchronous: "normal",
  });
  // Forwards everything; account answers come back with a balance the proof does not cover.
  proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const res = await fetch(`${node.apiUrl}${url.pathname}${url.search}`, { headers: req.headers });
      if (!url.pathname.startsWith("/v1/accounts/")) return res;
      const body = (await res.json()) as { balance: string };
      return Response.json({ ...body, balance: String(BigInt(body.balance) + 1n) }, { status: res.status });
    },
  });
});

afterAll(async () => {
  for (const s of sources) await s.stop();
  proxy.stop(true);
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(store: Store, check: (s: ExplorerState) => boolean, what: string): Promise<ExplorerState> {
  const deadline = performance.now() + 10_000;
  while (!check(store.get())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
  return store.get();
}

function started(url: string): { source: HttpSource; store: Store } {
  const source = new HttpSource({ kind: "url", url }, { pollMs: 100 });
  sources.push(source);
  const store = createStore(initialState(source.label));
  void source.start(store.dispatch);
  return { source, store };
}

test("a solo node: polled, followed on its event stream, looked up with the proof verified", async () => {
  const { source, store } = started(node.apiUrl);
  const s0 = await until(store, (s) => s.nodes[0]?.health === "up" && s.epoch !== null, "the node up");
  expect(s0.nodes[0]?.role).toBe("solo");
  const client = new LatticeClient({ url: node.apiUrl });
  await until(store, (s) => s.connected, "connected");
  await source.eventsReady();
  const t = await client.transfer({ secretKey: keys[0]!.secretKey, to: addressOf(keys[1]!.publicKey), amount: 5n });
  const outcome = await client.waitForFinality(t.id, { timeoutMs: 10_000 });
  client.close();
  expect(outcome.outcome).toBe("final");
  const s = await until(store, (x) => x.finalityMs !== null && x.rate.some((v) => v > 0), "finality and tx/s");
  expect(s.finalityMs).toBeGreaterThanOrEqual(0);

  const tx = await source.lookup(t.id);
  expect(tx).toMatchObject({ kind: "tx", status: "final", amount: "5" });
  const acct = await source.lookup(addressOf(keys[1]!.publicKey));
  expect(acct).toMatchObject({ kind: "account", balance: "10005", proof: "verified" });
  if (outcome.outcome !== "final") throw new Error("not final");
  const block = await source.loadRound(Number(outcome.round));
  expect(block.txs.map((x) => x.id)).toContain(t.id);
  expect(block.certificate).toBeNull();
  expect((await source.lookup("ff".repeat(32))).kind).toBe("not-found");
  await expect(source.control({ kind: "kill", node: "n0" })).rejects.toThrow(/--dir/);
}, 30_000);

test("an account whose balance does not match its proof shows as failed", async () => {
  const { source, store } = started(`http://127.0.0.1:${proxy.port}`);
  await until(store, (s) => s.nodes[0]?.health === "up", "the node up through the proxy");
  const r = await source.lookup(addressOf(keys[0]!.publicKey));
  expect(r).toMatchObject({ kind: "account", proof: "failed" });
  if (r.kind === "account") expect(r.proofError).toContain("does not verify");
}, 30_000);
