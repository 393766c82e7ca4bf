/**
 * The cluster node in-process, as a single-validator cluster (Simplex with one member finalizes alone):
 * config and genesis errors are typed (a `wan` genesis is refused as CLUSTER_CONSENSUS_UNSUPPORTED), a
 * transfer goes final, rounds carry the block hash and a verifiable finalization certificate, /v1/node
 * the view and leader, /v1/peers each peer's reputation, and the admin API's peers, chaos, byzantine and clock routes do what they say,
 * refuse bad input without changing anything, and refuse a wrong token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { voteSigningBytes } from "../../core/bft/simplex-messages.ts";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { nativeEd25519 } from "../../core/crypto/ed25519.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import {
  NodeInfoSchema,
  PeersSchema,
  ReputationSchema,
  RoundDetailSchema,
  RoundPageSchema,
} from "../../net/api/schemas.ts";
import { Reputation } from "../../net/reputation/reputation.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { buildTransfer } from "../../net/client/transfer-builder.ts";
import { devAccounts, devNodeKey } from "../../fixtures/dev-keys.ts";
import type { ClusterGenesis, ReadyInfo } from "../contract/node-process.ts";
import { loadCluster } from "./cluster-config.ts";
import { type ClusterNode, reputationJson, startClusterNode } from "./cluster-node.ts";
import { waitFor } from "./cluster-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-cluster-node-"));
const key = devNodeKey(0);
const nodeId = toHex(key.publicKey);
const accounts = devAccounts(2);
const keyFile = join(dir, "node.key");
writeFileSync(keyFile, toHex(key.secretKey), { mode: 0o600 });
const genesis = (consensus: ClusterGenesis["consensus"], validator = nodeId): ClusterGenesis => ({
  version: 1,
  chainId: 77,
  seed: "t",
  accounts: accounts.map((a) => ({ address: a.address, balance: "1000000" })),
  validators: [{ index: 0, nodeId: validator }],
  consensus,
});
function files(name: string, g: ClusterGenesis): string {
  const gp = join(dir, `${name}.genesis.json`);
  writeFileSync(gp, JSON.stringify(g));
  const cp = join(dir, `${name}.node.json`);
  writeFileSync(
    cp,
    JSON.stringify({
      dataDir: join(dir, name),
      genesis: gp,
      keyFile,
      listen: { p2p: "127.0.0.1:0", api: "127.0.0.1:0", admin: "127.0.0.1:0" },
    }),
  );
  return cp;
}

let node: ClusterNode;
let token: string;
beforeAll(async () => {
  node = await startClusterNode({
    cluster: loadCluster(files("ok", genesis({ kind: "simplex", blockTimeMs: 20, deltaMs: 200 }))),
    version: "test",
    synchronous: "normal",
  });
  token = readFileSync(node.tokenPath, "utf8").trim();
});
afterAll(async () => {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

const admin = (method: string, path: string, body?: unknown, bearer = token) =>
  fetch(`${node.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test("config errors are typed: wan is not runnable yet, a non-validator key is refused", () => {
  const code = (path: string) => {
    try {
      loadCluster(path);
      return "ok";
    } catch (err) {
      return isLatticeError(err) ? err.code : String(err);
    }
  };
  expect(code(files("wan", genesis({ kind: "wan", farmerQuorums: 2, quorumSize: 4, roundMs: 500 })))).toBe(
    "CLUSTER_CONSENSUS_UNSUPPORTED",
  );
  expect(
    code(files("other", genesis({ kind: "simplex", blockTimeMs: 20, deltaMs: 200 }, "ab".repeat(32)))),
  ).toBe("CLUSTER_NOT_VALIDATOR");
  expect(code(join(dir, "missing.json"))).toBe("CLUSTER_CONFIG");
});

test("ready.json follows the contract and a transfer goes final", async () => {
  const ready = JSON.parse(readFileSync(join(dir, "ok", "ready.json"), "utf8")) as ReadyInfo;
  expect(ready).toEqual({ ...node.ready });
  expect(ready.nodeId).toBe(nodeId);
  expect(ready.p2p).toMatch(/^127\.0\.0\.1:[0-9]+$/);
  await waitFor(
    "readyz",
    async () => ((await fetch(`${node.apiUrl}/readyz`)).status === 200 ? true : undefined),
    10_000,
  );
  const client = new LatticeClient({ url: node.apiUrl });
  const t = buildTransfer({
    chainId: 77,
    secretKey: accounts[0]!.keyPair.secretKey,
    to: accounts[1]!.address,
    amount: 5n,
    fee: 1n,
    nonce: 0n,
  });
  await client.submit(t);
  expect((await client.waitForFinality(t.id, { timeoutMs: 10_000 })).outcome).toBe("final");
  expect((await client.getAccount(accounts[1]!.address, { proof: true })).balance).toBe(1_000_005n);
  const q = (await (await fetch(`${node.apiUrl}/v1/quorums`)).json()) as {
    quorums: { kind: string; members: string[] }[];
  };
  expect(q.quorums[0]).toMatchObject({ kind: "simplex", members: [nodeId] });
  client.close();
});

test("rounds carry the block hash and a finalization certificate whose signatures verify", async () => {
  const res = await fetch(`${node.apiUrl}/v1/rounds/latest`);
  const round = RoundDetailSchema.parse(await res.json());
  expect(round.hash).toMatch(/^[0-9a-f]{64}$/);
  const cert = round.certificate;
  if (cert === null) throw new Error("the latest round of a one-validator cluster has its own certificate");
  expect(cert).toMatchObject({ kind: "finalize", block: round.hash, signers: [nodeId] });
  const chain = cert.quorum;
  const q = (await (await fetch(`${node.apiUrl}/v1/quorums`)).json()) as { quorums: { id: string }[] };
  expect(chain).toBe(q.quorums[0]!.id);
  const message = voteSigningBytes(fromHex(chain), cert.view, "finalize", fromHex(cert.block));
  expect(nativeEd25519.verify(key.publicKey, message, fromHex(cert.signatures[0]!))).toBe(true);
  const forged = fromHex(cert.signatures[0]!);
  forged[0]! ^= 1;
  expect(nativeEd25519.verify(key.publicKey, message, forged)).toBe(false);

  const page = RoundPageSchema.parse(await (await fetch(`${node.apiUrl}/v1/rounds?limit=3`)).json());
  expect(page.rounds.length).toBeGreaterThan(0);
  // Round 0 is genesis (no block); every later round is a finalized block.
  for (const r of page.rounds) {
    if (r.round === "0") expect(r).toMatchObject({ hash: null, certificate: null });
    else expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  }
  expect(page.rounds.find((r) => r.round === round.round)?.certificate).toEqual(cert);
});

test("a peer's reputation as /v1/peers shows it: net/reputation's stats and score", () => {
  const r = new Reputation();
  const peer = "ef".repeat(32);
  expect(reputationJson(r, peer)).toEqual({
    score: 1,
    latencyMs: null,
    latencySamples: 0,
    accepted: 0,
    failures: 0,
    invalid: {},
    invalidTotal: 0,
  });
  r.recordAccepted(peer);
  r.recordFailure(peer);
  r.recordInvalid(peer, "bad-signature");
  r.recordLatency(peer, 40);
  const j = ReputationSchema.parse(reputationJson(r, peer));
  expect(j).toEqual({
    score: r.score(peer),
    latencyMs: 40,
    latencySamples: 1,
    accepted: 1,
    failures: 1,
    invalid: { "bad-signature": 1 },
    invalidTotal: 1,
  });
  expect(j.score).toBeLessThan(1);
});

test("/v1/node shows the consensus view and its leader", async () => {
  const info = NodeInfoSchema.parse(await (await fetch(`${node.apiUrl}/v1/node`)).json());
  expect(info.consensus).toMatchObject({ kind: "simplex", running: true, leader: nodeId });
  expect(info.consensus!.view).toBeGreaterThanOrEqual(1);
  expect(info.consensus!.finalizedHeight).toBeGreaterThanOrEqual(Number(info.round));
});

test("admin: peers, chaos, byzantine and clock routes; bad input and a wrong token change nothing", async () => {
  const peer = { nodeId: "cd".repeat(32), addr: "127.0.0.1:1" };
  expect((await admin("POST", "/admin/v1/peers", { peers: [peer] })).status).toBe(200);
  expect(await (await admin("GET", "/admin/v1/peers")).json()).toEqual({ peers: [peer] });
  expect((await admin("POST", "/admin/v1/peers", { peers: [{ nodeId: "x", addr: "y" }] })).status).toBe(400);
  expect((await admin("POST", "/admin/v1/peers", { peers: [] }, "wrong")).status).toBe(401);
  expect(await (await admin("GET", "/admin/v1/peers")).json()).toEqual({ peers: [peer] });

  const peers = PeersSchema.parse(await (await fetch(`${node.apiUrl}/v1/peers`)).json()).peers;
  expect(peers).toEqual([expect.objectContaining({ nodeId, self: true, reputation: null })]);

  const rule = { from: nodeId, to: peer.nodeId, rule: { partition: true } };
  expect((await admin("PUT", "/admin/v1/chaos", { rules: [rule] })).status).toBe(200);
  const bad = await admin("PUT", "/admin/v1/chaos", { rules: [{ ...rule, from: "nobody" }] });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("VALIDATION");
  expect(await (await admin("GET", "/admin/v1/chaos")).json()).toEqual({ rules: [rule], report: {} });
  // An all-clear rule lifts the fault on that link: it is no longer in force.
  const latency = { from: peer.nodeId, to: nodeId, rule: { latencyMs: 50 } };
  await admin("PUT", "/admin/v1/chaos", { rules: [latency, { ...rule, rule: { partition: false } }] });
  expect(await (await admin("GET", "/admin/v1/chaos")).json()).toEqual({ rules: [latency], report: {} });
  expect((await admin("DELETE", "/admin/v1/chaos")).status).toBe(200);
  expect(await (await admin("GET", "/admin/v1/chaos")).json()).toEqual({ rules: [], report: {} });

  expect(await (await admin("GET", "/admin/v1/byzantine")).json()).toEqual({ mode: "honest" });
  expect(await (await admin("PUT", "/admin/v1/byzantine", { mode: "withhold" })).json()).toEqual({
    mode: "withhold",
  });
  expect((await admin("PUT", "/admin/v1/byzantine", { mode: "nonsense" })).status).toBe(400);
  expect(await (await admin("PUT", "/admin/v1/byzantine", { mode: "honest" })).json()).toEqual({
    mode: "honest",
  });

  expect(await (await admin("PUT", "/admin/v1/clock", { offsetMs: 1500 })).json()).toEqual({
    offsetMs: 1500,
  });
  expect((await admin("PUT", "/admin/v1/clock", { offsetMs: 1.5 })).status).toBe(400);
  expect(await (await admin("GET", "/admin/v1/clock")).json()).toEqual({ offsetMs: 1500 });
  expect((await admin("PUT", "/admin/v1/clock", { offsetMs: 0 })).status).toBe(200);
});
