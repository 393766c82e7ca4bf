/**
 * Reading and checking the two files of devnet/contract/node-process.ts: `node.json` (ClusterNodeConfig)
 * and `genesis.json` (ClusterGenesis). Every problem is a `ClusterConfigError` naming the file and field;
 * nothing is started before both files check out. The consensus kind `wan` is part of the contract but not
 * runnable yet: it is refused with its own code, `CLUSTER_CONSENSUS_UNSUPPORTED`.
 */
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parseAddress } from "../../core/crypto/address.ts";
import { fromHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed, type KeyPair } from "../../core/crypto/ed25519.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { LatticeError } from "../../core/errors/lattice-error.ts";
import type { ClusterGenesis, ClusterNodeConfig, PeerAddress } from "../contract/node-process.ts";

export type ClusterConfigCode =
  | "CLUSTER_CONFIG"
  | "CLUSTER_GENESIS"
  | "CLUSTER_KEY"
  | "CLUSTER_NOT_VALIDATOR"
  | "CLUSTER_CONSENSUS_UNSUPPORTED";

export class ClusterConfigError extends LatticeError {
  constructor(code: ClusterConfigCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
    this.name = "ClusterConfigError";
  }
}

/** The Simplex parameters of a runnable genesis. */
export interface SimplexParams {
  readonly kind: "simplex";
  readonly blockTimeMs: number;
  readonly deltaMs: number;
}

/** Everything the node needs from its two files, checked. */
export interface LoadedCluster {
  readonly config: ClusterNodeConfig;
  readonly genesis: ClusterGenesis;
  /** SHA-256 of the genesis file's bytes: the Simplex chain id (the chain is defined by its bytes). */
  readonly chain: Uint8Array;
  readonly accounts: readonly { readonly address: Uint8Array; readonly balance: bigint }[];
  /** Validator node ids in genesis order (= Simplex signer order). */
  readonly validators: readonly string[];
  readonly consensus: SimplexParams;
  readonly identity: KeyPair;
  readonly nodeId: string;
}

const HEX32 = /^[0-9a-f]{64}$/;
const U64 = /^(0|[1-9][0-9]{0,19})$/;
const LEVELS = ["trace", "debug", "info", "warn", "error"];

function obj(v: unknown, where: string, code: ClusterConfigCode): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ClusterConfigError(code, `${where}: a JSON object expected`);
  return v as Record<string, unknown>;
}

function readJson(path: string, code: ClusterConfigCode): { raw: unknown; bytes: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new ClusterConfigError(code, `${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return { raw: JSON.parse(new TextDecoder().decode(bytes)), bytes };
  } catch (err) {
    throw new ClusterConfigError(code, `${path}: not JSON (${err instanceof Error ? err.message : err})`);
  }
}

/** "127.0.0.1:PORT" -> [host, port]; port 0 allowed for listen addresses. */
export function parseHostPort(s: unknown, where: string, allowZero: boolean): { host: string; port: number } {
  const m = typeof s === "string" ? /^([0-9.]+|localhost):([0-9]{1,5})$/.exec(s) : null;
  const port = m === null ? -1 : Number(m[2]);
  if (m === null || port > 65535 || (!allowZero && port === 0))
    throw new ClusterConfigError(
      "CLUSTER_CONFIG",
      `${where}: "HOST:PORT" expected, got ${JSON.stringify(s)}`,
    );
  return { host: m[1]!, port };
}

/** Check a peer list (config `peers` or a PeersUpdate body). */
export function checkPeers(v: unknown, where: string): PeerAddress[] {
  if (!Array.isArray(v)) throw new ClusterConfigError("CLUSTER_CONFIG", `${where}: an array expected`);
  if (v.length > 1024) throw new ClusterConfigError("CLUSTER_CONFIG", `${where}: at most 1024 peers`);
  return v.map((p, i) => {
    const o = obj(p, `${where}[${i}]`, "CLUSTER_CONFIG");
    for (const k of Object.keys(o))
      if (k !== "nodeId" && k !== "addr")
        throw new ClusterConfigError("CLUSTER_CONFIG", `${where}[${i}]: unknown key "${k}"`);
    if (typeof o.nodeId !== "string" || !HEX32.test(o.nodeId))
      throw new ClusterConfigError(
        "CLUSTER_CONFIG",
        `${where}[${i}].nodeId: 64 lower-case hex characters expected`,
      );
    parseHostPort(o.addr, `${where}[${i}].addr`, false);
    return { nodeId: o.nodeId, addr: o.addr as string };
  });
}

/** Check a ClusterNodeConfig value. */
export function checkNodeConfig(raw: unknown, path: string): ClusterNodeConfig {
  const o = obj(raw, path, "CLUSTER_CONFIG");
  const known = new Set(["dataDir", "genesis", "keyFile", "listen", "peers", "logLevel"]);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw new ClusterConfigError("CLUSTER_CONFIG", `${path}: unknown key "${k}"`);
  for (const k of ["dataDir", "genesis", "keyFile"] as const) {
    const v = o[k];
    if (typeof v !== "string" || !isAbsolute(v))
      throw new ClusterConfigError("CLUSTER_CONFIG", `${path}: "${k}" must be an absolute path`);
  }
  const listen = obj(o.listen, `${path}: listen`, "CLUSTER_CONFIG");
  for (const k of ["p2p", "api", "admin"] as const) parseHostPort(listen[k], `${path}: listen.${k}`, true);
  for (const k of Object.keys(listen))
    if (!["p2p", "api", "admin"].includes(k))
      throw new ClusterConfigError("CLUSTER_CONFIG", `${path}: listen: unknown key "${k}"`);
  if (o.peers !== undefined) checkPeers(o.peers, `${path}: peers`);
  if (o.logLevel !== undefined && !LEVELS.includes(o.logLevel as string))
    throw new ClusterConfigError("CLUSTER_CONFIG", `${path}: logLevel must be one of ${LEVELS.join(", ")}`);
  return o as unknown as ClusterNodeConfig;
}

/** Check a ClusterGenesis value (its `consensus` may still be a kind this node cannot run). */
export function checkGenesis(raw: unknown, path: string): ClusterGenesis {
  const g = obj(raw, path, "CLUSTER_GENESIS");
  const bad = (m: string): never => {
    throw new ClusterConfigError("CLUSTER_GENESIS", `${path}: ${m}`);
  };
  if (g.version !== 1) bad(`version 1 expected, got ${JSON.stringify(g.version)}`);
  if (!Number.isInteger(g.chainId) || (g.chainId as number) < 0 || (g.chainId as number) > 0xffff_ffff)
    bad("chainId: u32 expected");
  if (typeof g.seed !== "string") bad("seed: a string expected");
  if (!Array.isArray(g.accounts)) bad("accounts: an array expected");
  for (const [i, a] of (g.accounts as unknown[]).entries()) {
    const o = obj(a, `${path}: accounts[${i}]`, "CLUSTER_GENESIS");
    if (typeof o.balance !== "string" || !U64.test(o.balance) || BigInt(o.balance) >= 1n << 64n)
      bad(`accounts[${i}].balance: decimal u64 string expected`);
    try {
      parseAddress(o.address as string);
    } catch (err) {
      bad(`accounts[${i}].address: ${err instanceof Error ? err.message : err}`);
    }
  }
  if (!Array.isArray(g.validators) || g.validators.length === 0)
    bad("validators: a non-empty array expected");
  const seen = new Set<string>();
  for (const [i, v] of (g.validators as unknown[]).entries()) {
    const o = obj(v, `${path}: validators[${i}]`, "CLUSTER_GENESIS");
    if (o.index !== i) bad(`validators[${i}].index: ${i} expected (validators in index order)`);
    if (typeof o.nodeId !== "string" || !HEX32.test(o.nodeId))
      bad(`validators[${i}].nodeId: 64 hex characters expected`);
    if (seen.has(o.nodeId as string)) bad(`validators[${i}].nodeId: duplicate`);
    seen.add(o.nodeId as string);
  }
  const c = obj(g.consensus, `${path}: consensus`, "CLUSTER_GENESIS");
  if (c.kind !== "simplex" && c.kind !== "wan") bad(`consensus.kind: "simplex" or "wan" expected`);
  return g as unknown as ClusterGenesis;
}

/** Read and check `node.json`, its genesis and its key file. */
export function loadCluster(configPath: string): LoadedCluster {
  const config = checkNodeConfig(readJson(configPath, "CLUSTER_CONFIG").raw, configPath);
  const { raw, bytes } = readJson(config.genesis, "CLUSTER_GENESIS");
  const genesis = checkGenesis(raw, config.genesis);
  const c = genesis.consensus;
  if (c.kind !== "simplex") {
    throw new ClusterConfigError(
      "CLUSTER_CONSENSUS_UNSUPPORTED",
      `${config.genesis}: consensus.kind "${c.kind}" is not runnable yet (the WAN pipeline comes later); use "simplex"`,
      { kind: c.kind },
    );
  }
  for (const k of ["blockTimeMs", "deltaMs"] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < (k === "deltaMs" ? 1 : 0) || v > 600_000)
      throw new ClusterConfigError(
        "CLUSTER_GENESIS",
        `${config.genesis}: consensus.${k}: integer ms expected`,
      );
  }
  let identity: KeyPair;
  try {
    identity = keyPairFromSeed(fromHex(readFileSync(config.keyFile, "utf8").trim(), "keyFile"));
  } catch (err) {
    throw new ClusterConfigError(
      "CLUSTER_KEY",
      `${config.keyFile}: ${err instanceof Error ? err.message : err}`,
    );
  }
  const nodeId = Buffer.from(identity.publicKey).toString("hex");
  const validators = genesis.validators.map((v) => v.nodeId);
  if (!validators.includes(nodeId)) {
    throw new ClusterConfigError(
      "CLUSTER_NOT_VALIDATOR",
      `node ${nodeId} is not among the genesis validators`,
      {
        nodeId,
      },
    );
  }
  return {
    config,
    genesis,
    chain: sha256(bytes),
    accounts: genesis.accounts.map((a) => ({ address: parseAddress(a.address), balance: BigInt(a.balance) })),
    validators,
    consensus: { kind: "simplex", blockTimeMs: c.blockTimeMs, deltaMs: c.deltaMs },
    identity,
    nodeId,
  };
}
