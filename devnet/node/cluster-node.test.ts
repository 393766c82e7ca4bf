/**
 * The cluster node in-process, as a single-validator cluster (Simplex with one member finalizes alone):
 * config and genesis errors are typed (a `wan` genesis is refused as CLUSTER_CONSENSUS_UNSUPPORTED), a
 * transfer goes final, and the admin API's peers, chaos, byzantine and clock routes do what they say,
 * refuse bad input without changing anything, and refuse a wrong token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../core/crypto/bytes.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { buildTransfer } from "../../net/client/transfer-builder.ts";
import { devAccounts, devNodeKey } from "../../fixtures/dev-keys.ts";
import type { ClusterGenesis, ReadyInfo } from "../contract/node-process.ts";
import { loadCluster } from "./cluster-config.ts";
import { type ClusterNode, startClusterNode } from "./cluster-node.ts";
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

test("admin: peers, chaos, byzantine and clock routes; bad input and a wrong token change nothing", async () => {
  const peer = { nodeId: "cd".repeat(32), addr: "127.0.0.1:1" };
  expect((await admin("POST", "/admin/v1/peers", { peers: [peer] })).status).toBe(200);
  expect(await (await admin("GET", "/admin/v1/peers")).json()).toEqual({ peers: [peer] });
  expect((await admin("POST", "/admin/v1/peers", { peers: [{ nodeId: "x", addr: "y" }] })).status).toBe(400);
  expect((await admin("POST", "/admin/v1/peers", { peers: [] }, "wrong")).status).toBe(401);
  expect(await (await admin("GET", "/admin/v1/peers")).json()).toEqual({ peers: [peer] });

  const rule = { from: nodeId, to: peer.nodeId, rule: { partition: true } };
  expect((await admin("PUT", "/admin/v1/chaos", { rules: [rule] })).status).toBe(200);
  const bad = await admin("PUT", "/admin/v1/chaos", { rules: [{ ...rule, from: "nobody" }] });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("VALIDATION");
  expect(await (await admin("GET", "/admin/v1/chaos")).json()).toEqual({ report: {} });
  expect((await admin("DELETE", "/admin/v1/chaos")).status).toBe(200);

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
