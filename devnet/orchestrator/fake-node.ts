/**
 * A test double of a cluster node: the smallest process that honours devnet/contract/node-process.ts
 * (reads node.json and genesis.json, binds 127.0.0.1:0, writes ready.json atomically, accepts
 * `POST /admin/v1/peers` with the bearer token, answers /readyz 200 once it has peers, counts rounds,
 * serves dev accounts from genesis, stops on SIGTERM). The orchestrator's own tests run against it, so
 * they test the orchestrator and not the consensus node. Run as `bun fake-node.ts node --config FILE`.
 *
 * FAKE_NODE_FAIL=1 in the environment makes it exit 3 before writing ready.json (a node that cannot start).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterGenesis, ClusterNodeConfig, PeersUpdate, ReadyInfo } from "../contract/node-process.ts";

const configPath = process.argv[process.argv.indexOf("--config") + 1];
if (configPath === undefined) process.exit(2);
const config = JSON.parse(readFileSync(configPath, "utf8")) as ClusterNodeConfig;
const genesis = JSON.parse(readFileSync(config.genesis, "utf8")) as ClusterGenesis;
if (process.env.FAKE_NODE_FAIL === "1") {
  console.error("fake node: failing on purpose");
  process.exit(3);
}
const token = randomBytes(16).toString("hex");
const tokenFile = join(config.dataDir, "admin.token");
writeFileSync(tokenFile, token, { mode: 0o600 });
const roundFile = join(config.dataDir, "round");
let round = 0;
try {
  round = Number(readFileSync(roundFile, "utf8"));
} catch {
  // First start.
}
let peers: PeersUpdate["peers"] = [];
const need = genesis.validators.length - 1;
const timer = setInterval(() => {
  if (peers.length >= need) {
    round++;
    writeFileSync(roundFile, String(round));
  }
}, 20);

const api = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/healthz") return Response.json({ status: "ok" });
    if (url.pathname === "/readyz")
      return peers.length >= need && round > 0
        ? Response.json({ status: "ready", round: String(round) })
        : Response.json({ error: { code: "NOT_READY", message: "starting" } }, { status: 503 });
    if (url.pathname === "/v1/peers")
      return Response.json({
        peers: peers.map((p) => ({
          nodeId: p.nodeId,
          addresses: [p.addr],
          self: false,
          connected: true,
          latencyMs: 0,
        })),
      });
    const m = /^\/v1\/accounts\/([^/?]+)$/.exec(url.pathname);
    if (m !== null) {
      const a = genesis.accounts.find((x) => x.address === m[1]);
      return Response.json({
        address: m[1],
        exists: a !== undefined,
        balance: a?.balance ?? "0",
        nonce: "0",
        nextNonce: "0",
        round: String(round),
      });
    }
    return Response.json({ error: { code: "NOT_FOUND", message: url.pathname } }, { status: 404 });
  },
});
const admin = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    if (req.headers.get("authorization") !== `Bearer ${token}`)
      return Response.json({ error: { code: "UNAUTHORIZED", message: "token" } }, { status: 401 });
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname === "/admin/v1/peers") {
      peers = ((await req.json()) as PeersUpdate).peers;
      return Response.json({ peers: peers.length });
    }
    return Response.json({ error: { code: "NOT_IMPLEMENTED", message: url.pathname } }, { status: 501 });
  },
});
const p2p = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
const info: ReadyInfo = {
  pid: process.pid,
  nodeId: genesis.validators.find((v) => v.index >= 0)?.nodeId ?? "",
  chainId: genesis.chainId,
  apiUrl: `http://127.0.0.1:${api.port}`,
  adminUrl: `http://127.0.0.1:${admin.port}`,
  p2p: `127.0.0.1:${p2p.port}`,
  tokenFile,
  startedAt: Date.now(),
};
const ready = join(config.dataDir, "ready.json");
writeFileSync(`${ready}.tmp`, JSON.stringify(info));
renameSync(`${ready}.tmp`, ready);
const stop = () => {
  clearInterval(timer);
  api.stop(true);
  admin.stop(true);
  p2p.stop(true);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
