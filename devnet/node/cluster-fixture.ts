/**
 * Multi-process test fixture: N real `lattice node --config` processes on 127.0.0.1, set up exactly as
 * devnet/contract/node-process.ts says (genesis.json, nodes/<i>/node.json, ready.json, peers announced
 * through the admin API). Every process it starts is tracked by PID and killed by `close()` (SIGTERM,
 * then SIGKILL after a bound), so a failing test leaves nothing running. Waits are on conditions with
 * deadlines, never fixed sleeps.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../core/crypto/bytes.ts";
import { devAccounts, devNodeKey } from "../../fixtures/dev-keys.ts";
import type { ClusterGenesis, ClusterNodeConfig, ReadyInfo } from "../contract/node-process.ts";

const LATTICE = join(import.meta.dir, "..", "..", "cmd", "lattice.ts");

export interface ClusterFixtureOptions {
  readonly nodes: number;
  readonly accounts: number;
  readonly balance?: bigint;
  readonly blockTimeMs?: number;
  readonly deltaMs?: number;
  readonly chainId?: number;
}

export interface FixtureNode {
  readonly index: number;
  readonly nodeId: string;
  readonly dataDir: string;
  readonly configPath: string;
  child: Bun.Subprocess<"ignore", "ignore", "pipe"> | null;
  ready: ReadyInfo | null;
  token: string;
}

/** Poll `check` until it returns a value other than undefined, or throw after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  pollMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    await Bun.sleep(pollMs);
  }
}

export class ClusterFixture {
  readonly dir: string;
  readonly genesisPath: string;
  readonly nodes: FixtureNode[] = [];
  readonly chainId: number;
  readonly accounts: ReturnType<typeof devAccounts>;
  readonly spawnedAt: number[] = [];

  constructor(options: ClusterFixtureOptions) {
    this.dir = mkdtempSync(join(tmpdir(), "lattice-cluster-"));
    this.chainId = options.chainId ?? 4242;
    this.accounts = devAccounts(options.accounts);
    const keys = Array.from({ length: options.nodes }, (_, i) => devNodeKey(i));
    const genesis: ClusterGenesis = {
      version: 1,
      chainId: this.chainId,
      seed: "cluster-fixture",
      accounts: this.accounts.map((a) => ({
        address: a.address,
        balance: (options.balance ?? 1_000_000_000n).toString(),
      })),
      validators: keys.map((k, index) => ({ index, nodeId: toHex(k.publicKey) })),
      consensus: {
        kind: "simplex",
        blockTimeMs: options.blockTimeMs ?? 100,
        deltaMs: options.deltaMs ?? 250,
      },
    };
    this.genesisPath = join(this.dir, "genesis.json");
    writeFileSync(this.genesisPath, `${JSON.stringify(genesis, null, 2)}\n`);
    for (const [index, k] of keys.entries()) {
      const nodeDir = join(this.dir, "nodes", String(index));
      mkdirSync(nodeDir, { recursive: true });
      const keyFile = join(nodeDir, "node.key");
      writeFileSync(keyFile, `${toHex(k.secretKey)}\n`, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      const config: ClusterNodeConfig = {
        dataDir: join(nodeDir, "data"),
        genesis: this.genesisPath,
        keyFile,
        listen: { p2p: "127.0.0.1:0", api: "127.0.0.1:0", admin: "127.0.0.1:0" },
        logLevel: "info",
      };
      const configPath = join(nodeDir, "node.json");
      writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
      this.nodes.push({
        index,
        nodeId: toHex(k.publicKey),
        dataDir: config.dataDir,
        configPath,
        child: null,
        ready: null,
        token: "",
      });
    }
  }

  /** Spawn node `i` (again); resolves with its ReadyInfo (a fresh one: written after this spawn). */
  async spawn(i: number, timeoutMs = 15_000): Promise<ReadyInfo> {
    const n = this.nodes[i]!;
    const readyPath = join(n.dataDir, "ready.json");
    rmSync(readyPath, { force: true });
    n.ready = null;
    this.spawnedAt[i] = performance.now();
    n.child = Bun.spawn([process.execPath, LATTICE, "--json", "node", "--config", n.configPath], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    });
    const child = n.child;
    const ready = await waitFor(
      `ready.json of node ${i}`,
      () => {
        if (child.exitCode !== null) throw new Error(`node ${i} exited with ${child.exitCode}`);
        return existsSync(readyPath) ? (JSON.parse(readFileSync(readyPath, "utf8")) as ReadyInfo) : undefined;
      },
      timeoutMs,
      20,
    );
    n.ready = ready;
    n.token = readFileSync(ready.tokenFile, "utf8").trim();
    return ready;
  }

  /** Tell every running node the full peer list (PeersUpdate). */
  async announce(): Promise<void> {
    const peers = this.nodes
      .filter((n) => n.ready !== null)
      .map((n) => ({ nodeId: n.nodeId, addr: n.ready!.p2p }));
    await Promise.all(
      this.nodes
        .filter((n) => n.ready !== null && n.child?.exitCode === null)
        .map(async (n) => {
          const res = await this.admin(n.index, "POST", "/admin/v1/peers", { peers });
          if (res.status !== 200)
            throw new Error(`peers update of node ${n.index}: ${res.status} ${await res.text()}`);
        }),
    );
  }

  admin(i: number, method: string, path: string, body?: unknown): Promise<Response> {
    const n = this.nodes[i]!;
    return fetch(`${n.ready!.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${n.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
  }

  apiUrl(i: number): string {
    return this.nodes[i]!.ready!.apiUrl;
  }

  /** Wait until /readyz answers 200 on node `i`. */
  async waitReady(i: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `readyz of node ${i}`,
      async () => {
        const child = this.nodes[i]!.child;
        if (child?.exitCode !== null) throw new Error(`node ${i} exited: ${await this.stderr(i)}`);
        const res = await fetch(`${this.apiUrl(i)}/readyz`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200 ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** Latest finalized round and root of node `i`. */
  async head(i: number): Promise<{ round: bigint; root: string }> {
    const res = await fetch(`${this.apiUrl(i)}/v1/node`, { signal: AbortSignal.timeout(3000) });
    const j = (await res.json()) as { round: string; root: string };
    return { round: BigInt(j.round), root: j.root };
  }

  async stderr(i: number): Promise<string> {
    const c = this.nodes[i]!.child;
    if (c === null || c.exitCode === null) return "";
    return new Response(c.stderr).text();
  }

  /** Send `signal` to node `i` and wait for it to exit; returns the exit code. */
  async kill(i: number, signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<number | null> {
    const c = this.nodes[i]!.child;
    if (c === null) return null;
    if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    await c.exited;
    return c.exitCode;
  }

  /** Start every node, announce peers, wait until all are ready. */
  async up(timeoutMs = 25_000): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.spawn(n.index, timeoutMs)));
    await this.announce();
    await Promise.all(this.nodes.map((n) => this.waitReady(n.index, timeoutMs)));
  }

  /** Stop every process this fixture started (SIGTERM, SIGKILL after 3 s), then remove the directory. */
  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        const c = n.child;
        if (c === null || c.exitCode !== null || c.signalCode !== null) return;
        c.kill("SIGTERM");
        const t = setTimeout(() => c.kill("SIGKILL"), 3000);
        await c.exited;
        clearTimeout(t);
      }),
    );
    // LATTICE_KEEP_CLUSTER=1 keeps the logs and stores for a look after a failure.
    if (process.env.LATTICE_KEEP_CLUSTER === undefined) rmSync(this.dir, { recursive: true, force: true });
    else console.log(`cluster kept in ${this.dir}`);
  }
}
