/**
 * `lattice node --solo` as a real process: killed with SIGKILL right after it acknowledged transactions,
 * then restarted on the same data dir, every acknowledged transaction is still there (pending or final)
 * and all of them go final; SIGTERM stops it cleanly with exit code 0. Usage errors exit 2.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LatticeClient } from "../net/client/client.ts";
import { buildTransfer, type SignedTransfer } from "../net/client/transfer-builder.ts";
import { devAccounts, devNodeKey } from "../fixtures/dev-keys.ts";
import { fromHex, toHex } from "../core/crypto/bytes.ts";
import { runCaptured } from "./cli-harness.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-node-cmd-"));
const dataDir = join(dir, "data");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  readonly child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  readonly info: { apiUrl: string; chainId: number; round: string; pending: number };
}

/** Start the node and read its one JSON document (printed once it is listening). */
async function start(): Promise<Started> {
  const child = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "lattice.ts"),
      "--json",
      "node",
      "--solo",
      "--data-dir",
      dataDir,
      "--api-port",
      "0",
      "--admin-port",
      "0",
      "--block-time",
      "150",
      "--sync",
      "full",
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`node exited before it was ready: ${await new Response(child.stderr).text()}`);
    text += decoder.decode(value, { stream: true });
    try {
      const info = JSON.parse(text) as Started["info"];
      reader.releaseLock();
      return { child, info };
    } catch {
      // not a complete document yet
    }
  }
}

test("SIGKILL right after acknowledgements loses nothing; a restart resumes and finalizes them", async () => {
  const first = await start();
  expect(first.info.round).toBe("0");
  const client = new LatticeClient({ url: first.info.apiUrl });
  const dev = devAccounts(3);
  const txs: SignedTransfer[] = [];
  for (const [s, a] of dev.entries()) {
    for (let n = 0; n < 60; n++) {
      txs.push(
        buildTransfer({
          chainId: first.info.chainId,
          secretKey: fromHex(a.secretKey),
          to: dev[(s + 1) % dev.length]!.address,
          amount: BigInt(n + 1),
          fee: 1n,
          nonce: BigInt(n),
        }),
      );
    }
  }
  // Wave 1 (nonces 0..29) goes final; wave 2 (30..59) is submitted all at once (nonce gaps are accepted
  // and wait) and the node is killed the moment the last one is acknowledged.
  const wave1 = txs.filter((t) => t.tx.nonce < 30n);
  const wave2 = txs.filter((t) => t.tx.nonce >= 30n);
  await Promise.all(wave1.map((t) => client.submit(t)));
  const firstOutcomes = await Promise.all(
    wave1.map((t) => client.waitForFinality(t.id, { timeoutMs: 10_000 })),
  );
  expect(firstOutcomes.every((o) => o.outcome === "final")).toBe(true);
  client.close();
  const acked = [
    ...wave1.map((t) => ({ id: t.id })),
    ...(await Promise.all(
      wave2.map((t, i) => client.submit(t, { encoding: i % 2 === 0 ? "json" : "cbor" })),
    )),
  ];
  first.child.kill("SIGKILL");
  await first.child.exited;
  expect(first.child.signalCode).toBe("SIGKILL");
  expect(acked.map((a) => a.id)).toEqual([...wave1, ...wave2].map((t) => t.id));

  const second = await start();
  const again = new LatticeClient({ url: second.info.apiUrl });
  const statuses = await Promise.all(txs.map((t) => again.status(t.id)));
  const seen = statuses.map((s) => s?.status ?? "missing");
  for (const s of seen) expect(["pending", "final"]).toContain(s);
  expect(seen.filter((s, i) => txs[i]!.tx.nonce < 30n && s === "final").length).toBe(90);
  const outcomes = await Promise.all(txs.map((t) => again.waitForFinality(t.id, { timeoutMs: 15_000 })));
  expect(outcomes.every((o) => o.outcome === "final")).toBe(true);
  again.close();
  for (const a of dev) expect((await again.getAccount(a.address)).nonce).toBe(60n);
  console.log(
    JSON.stringify({
      acknowledged: acked.length,
      finalBeforeKill: seen.filter((s) => s === "final").length,
      pendingAfterRestart: second.info.pending,
    }),
  );
  second.child.kill("SIGTERM");
  expect(await second.child.exited).toBe(0);
  const stderr = await new Response(second.child.stderr).text();
  expect(stderr).toBe("");
}, 20_000);

test("usage errors exit 2", async () => {
  const noSolo = await runCaptured(["node", "--data-dir", join(dir, "x")]);
  expect(noSolo.code).toBe(2);
  expect(noSolo.stderr).toContain("--solo");
  const badPort = await runCaptured(["node", "--solo", "--api-port", "70000"]);
  expect(badPort.code).toBe(2);
  const badKey = await runCaptured(["tx", "transfer", "--key", "zz", "--to", "lat1x", "--amount", "1"]);
  expect(badKey.code).toBe(2);
  const badAddress = await runCaptured(["account", "lat1nope"]);
  expect(badAddress.code).toBe(2);
});

test("lattice node --config with a cluster config: typed refusal of a wan genesis (exit 2); a single-validator cluster node prints its ReadyInfo and SIGTERM exits 0", async () => {
  const key = devNodeKey(0);
  const keyFile = join(dir, "cluster.key");
  writeFileSync(keyFile, toHex(key.secretKey), { mode: 0o600 });
  const write = (name: string, consensus: unknown) => {
    const genesis = join(dir, `${name}-genesis.json`);
    writeFileSync(
      genesis,
      JSON.stringify({
        version: 1,
        chainId: 5,
        seed: "t",
        accounts: [],
        validators: [{ index: 0, nodeId: toHex(key.publicKey) }],
        consensus,
      }),
    );
    const config = join(dir, `${name}-node.json`);
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: join(dir, `${name}-data`),
        genesis,
        keyFile,
        listen: { p2p: "127.0.0.1:0", api: "127.0.0.1:0", admin: "127.0.0.1:0" },
      }),
    );
    return config;
  };
  const wan = await runCaptured([
    "node",
    "--config",
    write("wan", { kind: "wan", farmerQuorums: 1, quorumSize: 4, roundMs: 500 }),
  ]);
  expect(wan.code).toBe(2);
  expect(wan.stderr).toContain("CLUSTER_CONSENSUS_UNSUPPORTED");

  const child = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "lattice.ts"),
      "--json",
      "node",
      "--config",
      write("one", { kind: "simplex", blockTimeMs: 20, deltaMs: 200 }),
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  try {
    const reader = child.stdout.getReader();
    let text = "";
    let info: { mode?: string; apiUrl?: string; nodeId?: string } | undefined;
    while (info === undefined) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`exited early: ${await new Response(child.stderr).text()}`);
      text += new TextDecoder().decode(value);
      try {
        info = JSON.parse(text);
      } catch {
        // not a whole document yet
      }
    }
    reader.releaseLock();
    expect(info.mode).toBe("cluster");
    expect(info.nodeId).toBe(toHex(key.publicKey));
    const deadline = performance.now() + 10_000;
    while ((await fetch(`${info.apiUrl}/readyz`)).status !== 200) {
      if (performance.now() > deadline) throw new Error("not ready in 10 s");
      await Bun.sleep(25);
    }
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}, 20_000);
