/**
 * `lattice node`: run one node process, in one of two modes.
 * - `--solo`, the single-node dev mode (like `anvil`): the node alone finalizes rounds (automine, or every
 *   --block-time ms), dev accounts are prefunded and printed with their keys, the HTTP API and the admin
 *   listener bind 127.0.0.1, and a restart with the same --data-dir resumes where it stopped.
 * - `--config node.json` with a cluster node config (devnet/contract/node-process.ts ClusterNodeConfig:
 *   dataDir, genesis, keyFile, listen, peers?, logLevel?): one validator of a multi-node cluster
 *   (devnet/node/cluster-node.ts). It writes `<dataDir>/ready.json` once listening, takes its peers from
 *   the admin API, and prints one JSON document (with --json) or a summary.
 * SIGTERM and SIGINT stop either gracefully (exit 0 / 130).
 *
 * Config file (--config, JSON; flags win): {"dataDir", "apiPort", "adminPort", "solo", "blockTimeMs",
 * "genesis", "chainId", "logLevel", "sync"}. Genesis file: {"chainId"?, "accounts": [{"address": "lat1...",
 * "balance": "<u64>"}]}.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parseAddress } from "../core/crypto/address.ts";
import { LOG_LEVELS, type LogLevelName } from "../net/api/admin-app.ts";
import type { GenesisAccount, SoloNode } from "../net/api/solo-node.ts";
import { DEV_MNEMONIC, devAccounts } from "../fixtures/dev-keys.ts";
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";
import { VERSION } from "./version.ts";
import { isLatticeError } from "../core/errors/lattice-error.ts";
import type { ClusterNode } from "../devnet/node/cluster-node.ts";

export const DEFAULT_API_PORT = 8645;
export const DEFAULT_ADMIN_PORT = 8646;
export const DEFAULT_CHAIN_ID = 31337;
export const DEV_BALANCE = 1_000_000_000_000n;

interface NodeFlags {
  config?: string;
  dataDir?: string;
  apiPort?: string;
  adminPort?: string;
  solo?: boolean;
  blockTime?: string;
  genesis?: string;
  chainId?: string;
  logLevel?: string;
  accounts?: string;
  sync?: string;
}

interface NodeConfig {
  dataDir?: string;
  apiPort?: number;
  adminPort?: number;
  solo?: boolean;
  blockTimeMs?: number;
  genesis?: string;
  chainId?: number;
  logLevel?: string;
  sync?: string;
}

function int(value: string | number | undefined, what: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be an integer in ${min}..${max}, got ${value}`);
  return n;
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const CONFIG_KEYS = new Set([
  "dataDir",
  "apiPort",
  "adminPort",
  "solo",
  "blockTimeMs",
  "genesis",
  "chainId",
  "logLevel",
  "sync",
]);

function readConfig(path: string): NodeConfig {
  const raw = readJson(path, "config file");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new UsageError(`config file ${path}: a JSON object expected`);
  for (const k of Object.keys(raw))
    if (!CONFIG_KEYS.has(k)) throw new UsageError(`config file ${path}: unknown key "${k}"`);
  return raw as NodeConfig;
}

/** A cluster node config names a key file and listen addresses; a solo config never does. */
function isClusterConfig(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && ("keyFile" in raw || "listen" in raw);
}

async function runCluster(configPath: string, out: ReturnType<OutputFor>): Promise<void> {
  // Imported here: the cluster node's modules are what a node process needs, no other command.
  const [{ loadCluster }, { startClusterNode }] = await Promise.all([
    import("../devnet/node/cluster-config.ts"),
    import("../devnet/node/cluster-node.ts"),
  ]);
  let node: ClusterNode;
  try {
    node = await startClusterNode({
      cluster: loadCluster(resolve(configPath)),
      version: VERSION,
      ...(out.options.verbose > 0 && !out.options.json ? { logEcho: process.stderr } : {}),
    });
  } catch (err) {
    // Bad files are the caller's mistake (exit 2), with the typed code in the message.
    if (isLatticeError(err) && err.code.startsWith("CLUSTER_"))
      throw new UsageError(`${err.code}: ${err.message}`);
    throw err;
  }
  const stopped = untilSignal();
  const data = { mode: "cluster", ...node.ready, logPath: node.logPath };
  out.result(data, () =>
    [
      "",
      "Lattice cluster node",
      "",
      `Node id:     ${node.nodeId}`,
      `P2P:         ${node.p2p}`,
      `Admin:       ${node.adminUrl} (bearer token in ${node.tokenPath})`,
      `Log:         ${node.logPath}`,
      "",
      `Listening on ${node.apiUrl}`,
    ].join("\n"),
  );
  const code = await stopped;
  out.info("stopping...");
  await node.stop();
  out.info("stopped");
  process.exitCode = code;
}

function readGenesis(path: string): { chainId?: number; accounts: GenesisAccount[] } {
  const raw = readJson(path, "genesis file") as { chainId?: unknown; accounts?: unknown };
  if (!Array.isArray(raw.accounts)) throw new UsageError(`genesis file ${path}: "accounts" must be an array`);
  const accounts = raw.accounts.map((a: { address?: unknown; balance?: unknown }, i: number) => {
    if (
      typeof a.address !== "string" ||
      typeof a.balance !== "string" ||
      !/^(0|[1-9][0-9]{0,19})$/.test(a.balance)
    ) {
      throw new UsageError(
        `genesis file ${path}: accounts[${i}] needs "address" (lat1...) and "balance" (decimal string)`,
      );
    }
    let address: Uint8Array;
    try {
      address = parseAddress(a.address);
    } catch (err) {
      throw new UsageError(
        `genesis file ${path}: accounts[${i}].address: ${err instanceof Error ? err.message : err}`,
      );
    }
    return { address, balance: BigInt(a.balance) };
  });
  const chainId =
    raw.chainId === undefined ? undefined : int(raw.chainId as number, "genesis chainId", 0, 0xffff_ffff);
  return chainId === undefined ? { accounts } : { chainId, accounts };
}

/** Wait for SIGINT or SIGTERM; resolves with the exit code to use. */
function untilSignal(): Promise<number> {
  return new Promise((resolveCode) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolveCode(sig === "SIGINT" ? EXIT_INTERRUPTED : EXIT_OK);
    };
    const onInt = () => on("SIGINT");
    const onTerm = () => on("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

export function registerNode(program: Command, outputFor: OutputFor): void {
  program
    .command("node")
    .description(
      "run a node: --solo (single-node dev mode, like anvil) or --config node.json (a cluster validator)",
    )
    .option("--config <file>", "JSON config file (flags override it)")
    .option(
      "--data-dir <dir>",
      "data directory; a restart with the same one resumes (default: a fresh temporary one)",
    )
    .option(
      "--api-port <port>",
      `HTTP API port on 127.0.0.1 (0 = any free port; default ${DEFAULT_API_PORT})`,
    )
    .option(
      "--admin-port <port>",
      `admin port on 127.0.0.1 (0 = any free port; default ${DEFAULT_ADMIN_PORT})`,
    )
    .option("--solo", "single-node dev mode: this node alone finalizes rounds")
    .option(
      "--block-time <ms>",
      "a round every MS milliseconds (default 0: a round right after each submission)",
    )
    .option("--genesis <file>", "genesis accounts (default: the 10 dev accounts, each prefunded)")
    .option("--chain-id <n>", `chain id (default ${DEFAULT_CHAIN_ID})`)
    .option("--log-level <level>", `log level: ${LOG_LEVELS.join(", ")} (default info)`)
    .option(
      "--sync <mode>",
      "SQLite durability: full (survives power loss, default) or normal (survives crashes)",
    )
    .action(async (flags: NodeFlags, cmd: Command) => {
      const out = outputFor(cmd);
      if (flags.config !== undefined && flags.solo !== true) {
        if (isClusterConfig(readJson(flags.config, "config file"))) {
          await runCluster(flags.config, out);
          return;
        }
      }
      const config: NodeConfig = flags.config === undefined ? {} : readConfig(flags.config);
      const solo = flags.solo === true || config.solo === true;
      if (!solo) {
        throw new UsageError(
          "pass --solo (single-node dev mode) or --config with a cluster node config (devnet/contract/node-process.ts)",
        );
      }
      const apiPort = int(flags.apiPort ?? config.apiPort, "--api-port", 0, 65535) ?? DEFAULT_API_PORT;
      const adminPort =
        int(flags.adminPort ?? config.adminPort, "--admin-port", 0, 65535) ?? DEFAULT_ADMIN_PORT;
      const blockTimeMs = int(flags.blockTime ?? config.blockTimeMs, "--block-time", 0, 86_400_000) ?? 0;
      const logLevel = flags.logLevel ?? config.logLevel ?? "info";
      if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
        throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
      const sync = flags.sync ?? config.sync ?? "full";
      if (sync !== "full" && sync !== "normal") throw new UsageError("--sync must be full or normal");
      const genesisPath = flags.genesis ?? config.genesis;
      const genesis = genesisPath === undefined ? undefined : readGenesis(genesisPath);
      const chainId =
        int(flags.chainId ?? config.chainId, "--chain-id", 0, 0xffff_ffff) ??
        genesis?.chainId ??
        DEFAULT_CHAIN_ID;
      const dev = genesis === undefined ? devAccounts(10) : [];
      const accounts =
        genesis?.accounts ?? dev.map((a) => ({ address: parseAddress(a.address), balance: DEV_BALANCE }));
      const ephemeral = (flags.dataDir ?? config.dataDir) === undefined;
      const dataDir = resolve(
        flags.dataDir ?? config.dataDir ?? mkdtempSync(join(tmpdir(), "lattice-node-")),
      );

      const { startSoloNode } = await import("../net/api/solo-node.ts");
      let node: SoloNode;
      try {
        node = await startSoloNode({
          dataDir,
          chainId,
          genesis: accounts,
          version: VERSION,
          blockTimeMs,
          apiPort,
          adminPort,
          logLevel: logLevel as LogLevelName,
          synchronous: sync,
          ...(out.options.verbose > 0 && !out.options.json ? { logEcho: process.stderr } : {}),
        });
      } catch (err) {
        if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
        throw err;
      }
      const stopped = untilSignal();
      const data = {
        mode: "solo",
        chainId,
        nodeId: node.nodeId,
        apiUrl: node.apiUrl,
        adminUrl: node.adminUrl,
        adminTokenPath: node.adminTokenPath,
        dataDir,
        logPath: node.logPath,
        ephemeral,
        round: node.ledger.round.toString(),
        pending: node.ledger.mempoolSize,
        blockTimeMs,
        accounts: dev.map((a) => ({
          index: a.index,
          address: a.address,
          secretKey: a.secretKey,
          balance: DEV_BALANCE,
        })),
        genesisAccounts: accounts.length,
      };
      out.result(data, () => {
        const lines = ["", "Lattice solo node (single-node dev mode: this node alone finalizes rounds)", ""];
        if (dev.length > 0) {
          lines.push("Available accounts", "==================");
          for (const a of dev) lines.push(`(${a.index}) ${a.address} (${DEV_BALANCE})`);
          lines.push("", "Secret keys", "==================");
          for (const a of dev) lines.push(`(${a.index}) ${a.secretKey}`);
          lines.push("", `Mnemonic:  ${DEV_MNEMONIC}`, "Path:      m/44'/7337'/0'/0'/<index>'", "");
        } else {
          lines.push(`Genesis: ${accounts.length} accounts from ${genesisPath}`, "");
        }
        lines.push(
          `Chain id:    ${chainId}`,
          `Rounds:      ${blockTimeMs === 0 ? "automine (right after each submission)" : `every ${blockTimeMs} ms`}`,
          `Head:        round ${data.round}${data.pending > 0 ? `, ${data.pending} pending recovered` : ""}`,
          `Data dir:    ${dataDir}${ephemeral ? " (temporary: pass --data-dir to keep it)" : ""}`,
          `Log:         ${node.logPath}`,
          `Admin:       ${node.adminUrl} (bearer token in ${node.adminTokenPath})`,
          "",
          `Listening on ${node.apiUrl}`,
        );
        return lines.join("\n");
      });
      const code = await stopped;
      out.info("stopping...");
      await node.stop();
      if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
      out.info("stopped");
      process.exitCode = code;
    });
}
