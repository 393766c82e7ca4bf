/**
 * Deterministic devnet genesis (issue #8 item 1): one seed string gives the same genesis.json bytes and the
 * same node identity keys every time, and a different seed gives different node keys (so two devnets with
 * different seeds are different chains with different validators).
 *
 * What the seed decides and what it does not:
 * - Dev accounts are ALWAYS the well-known ones of fixtures/dev-keys.ts (anvil's mnemonic, path
 *   m/44'/7337'/0'/0'/i'), whatever the seed: the user sees the same funded accounts on every devnet.
 * - Node identity key i = SLIP-0010 Ed25519 at m/44'/7337'/1'/0'/i' of the BIP-39 seed of the dev mnemonic
 *   with the devnet seed as the BIP-39 passphrase: `mnemonicToSeed(DEV_MNEMONIC, seed)`. With the empty
 *   seed this is exactly `devNodeKey(i)`; any other seed changes every node key (PBKDF2 + HMAC chain).
 * - chainId and the consensus parameters are options with fixed defaults; they are written into the file.
 *
 * The file is a JSON encoding with a fixed key order and a trailing newline, so equal inputs give
 * byte-identical files (tested). A devnet directory's genesis.json is the truth of its chain: it is parsed
 * and validated here before reuse, never rewritten.
 */
import { pbkdf2Sync } from "node:crypto";
import { addressOf, formatAddress, parseAddress } from "../../core/crypto/address.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { accountPath, deriveSeedAtPath, purposeKeyFromSeed } from "../../core/crypto/hd.ts";
import { LatticeError } from "../../core/errors/lattice-error.ts";
import { DEV_MNEMONIC, NODE_KEY_PURPOSE } from "../../fixtures/dev-keys.ts";
import type { ClusterConsensus, ClusterGenesis } from "../contract/node-process.ts";

/** anvil's chain id, which wallets and tutorials already know as "a local devnet". */
export const DEFAULT_CHAIN_ID = 31337;
export const DEFAULT_SEED = "lattice";
/** Balance of each dev account: the same as `lattice node --solo`. */
export const DEV_ACCOUNT_BALANCE = 1_000_000_000_000n;
export const DEV_ACCOUNT_COUNT = 10;
/**
 * Simplex defaults for loopback: a proposal every 100 ms and a 100 ms delay bound (timeouts are multiples
 * of it). Loopback round trips are well under 1 ms, so the bound only matters on a loaded machine, where a
 * tighter one would turn scheduling hiccups into view changes.
 */
export const DEFAULT_BLOCK_TIME_MS = 100;
export const DEFAULT_DELTA_MS = 100;
/** Idle pacing of new devnets (see ClusterConsensus): one empty block a second when nothing happens. */
export const DEFAULT_IDLE_BLOCK_TIME_MS = 1000;
export const MAX_NODES = 64;

export class GenesisError extends LatticeError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("DEVNET_GENESIS", message, { details });
    this.name = "GenesisError";
  }
}

export interface DevnetGenesisOptions {
  readonly nodes: number;
  readonly seed?: string;
  readonly chainId?: number;
  readonly blockTimeMs?: number;
  readonly deltaMs?: number;
  /** 0 = off; otherwise at least blockTimeMs (default max(DEFAULT_IDLE_BLOCK_TIME_MS, blockTimeMs)). */
  readonly idleBlockTimeMs?: number;
  readonly accounts?: number;
  readonly balance?: bigint;
}

export interface DevnetGenesis {
  readonly genesis: ClusterGenesis;
  /** Node identity keys, index i = validator i. */
  readonly nodeKeys: readonly KeyPair[];
}

function checkInt(value: number, what: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${what}: expected an integer in ${min}..${max}, got ${value}`);
}

/**
 * BIP-39 seed of the (valid, fixed) dev mnemonic with `passphrase`: PBKDF2-HMAC-SHA512, 2048 rounds, salt
 * "mnemonic" + passphrase, both NFKD. Native PBKDF2 here because the JS one costs ~150 ms, a good part of a
 * devnet's start-up budget; equality with core/crypto/hd.ts's mnemonicToSeed is tested.
 */
export function devSeed(passphrase: string): Uint8Array {
  const seed = pbkdf2Sync(
    Buffer.from(DEV_MNEMONIC.normalize("NFKD"), "utf8"),
    Buffer.from(`mnemonic${passphrase}`.normalize("NFKD"), "utf8"),
    2048,
    64,
    "sha512",
  );
  return new Uint8Array(seed.buffer, seed.byteOffset, seed.length);
}

function nodeKeyRoot(seed: string): Uint8Array {
  return devSeed(seed);
}

/** The well-known dev accounts (fixtures/dev-keys.ts, same keys and order), derived with native PBKDF2. */
export function devnetAccounts(count: number): { index: number; address: string; secretKey: string }[] {
  const root = devSeed("");
  return Array.from({ length: count }, (_, index) => {
    const kp = keyPairFromSeed(deriveSeedAtPath(root, accountPath(index)));
    return { index, address: addressOf(kp.publicKey), secretKey: toHex(kp.secretKey) };
  });
}

/** Node identity keys 0..count-1 of devnet seed `seed` (see the module header for the derivation). */
export function devnetNodeKeys(seed: string, count: number): KeyPair[] {
  checkInt(count, "count", 0, MAX_NODES);
  const root = nodeKeyRoot(seed);
  return Array.from({ length: count }, (_, i) => purposeKeyFromSeed(root, NODE_KEY_PURPOSE, i));
}

/** Build the genesis of a devnet of `nodes` validators from `seed`. Pure: same options, same result. */
export function buildDevnetGenesis(options: DevnetGenesisOptions): DevnetGenesis {
  const seed = options.seed ?? DEFAULT_SEED;
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const blockTimeMs = options.blockTimeMs ?? DEFAULT_BLOCK_TIME_MS;
  const deltaMs = options.deltaMs ?? DEFAULT_DELTA_MS;
  const idleBlockTimeMs = options.idleBlockTimeMs ?? Math.max(DEFAULT_IDLE_BLOCK_TIME_MS, blockTimeMs);
  const count = options.accounts ?? DEV_ACCOUNT_COUNT;
  const balance = options.balance ?? DEV_ACCOUNT_BALANCE;
  checkInt(options.nodes, "nodes", 1, MAX_NODES);
  checkInt(chainId, "chainId", 0, 0xffff_ffff);
  checkInt(blockTimeMs, "blockTimeMs", 1, 60_000);
  checkInt(deltaMs, "deltaMs", 1, 60_000);
  if (idleBlockTimeMs !== 0) checkInt(idleBlockTimeMs, "idleBlockTimeMs", blockTimeMs, 600_000);
  checkInt(count, "accounts", 1, 1000);
  if (balance < 0n || balance >= 1n << 64n) throw new RangeError(`balance: expected a u64, got ${balance}`);
  if (seed.length > 256) throw new RangeError(`seed: at most 256 characters, got ${seed.length}`);

  const nodeKeys = devnetNodeKeys(seed, options.nodes);
  const consensus: ClusterConsensus = { kind: "simplex", blockTimeMs, deltaMs, idleBlockTimeMs };
  const genesis: ClusterGenesis = {
    version: 1,
    chainId,
    seed,
    accounts: devnetAccounts(count).map((a) => ({ address: a.address, balance: balance.toString() })),
    validators: nodeKeys.map((k, index) => ({ index, nodeId: toHex(k.publicKey) })),
    consensus,
  };
  return { genesis, nodeKeys };
}

/** genesis.json bytes: keys in a fixed order (the ClusterGenesis field order), 2-space indent, final newline. */
export function encodeGenesis(g: ClusterGenesis): string {
  const consensus =
    g.consensus.kind === "simplex"
      ? {
          kind: g.consensus.kind,
          blockTimeMs: g.consensus.blockTimeMs,
          deltaMs: g.consensus.deltaMs,
          ...(g.consensus.idleBlockTimeMs === undefined ? {} : { idleBlockTimeMs: g.consensus.idleBlockTimeMs }),
        }
      : {
          kind: g.consensus.kind,
          farmerQuorums: g.consensus.farmerQuorums,
          quorumSize: g.consensus.quorumSize,
          roundMs: g.consensus.roundMs,
        };
  const ordered = {
    version: g.version,
    chainId: g.chainId,
    seed: g.seed,
    accounts: g.accounts.map((a) => ({ address: a.address, balance: a.balance })),
    validators: g.validators.map((v) => ({ index: v.index, nodeId: v.nodeId })),
    consensus,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function posInt(v: unknown, what: string, max = 0xffff_ffff): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
    throw new GenesisError(`${what}: expected an integer in 0..${max}`);
  return v;
}

/** Parse and validate genesis.json text (as written by encodeGenesis or by hand); throws GenesisError. */
export function parseGenesis(text: string): ClusterGenesis {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GenesisError(`genesis is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(raw)) throw new GenesisError("genesis: a JSON object expected");
  if (raw.version !== 1) throw new GenesisError(`genesis.version: expected 1, got ${String(raw.version)}`);
  const chainId = posInt(raw.chainId, "genesis.chainId");
  if (typeof raw.seed !== "string") throw new GenesisError("genesis.seed: a string expected");
  if (!Array.isArray(raw.accounts)) throw new GenesisError("genesis.accounts: an array expected");
  const accounts = raw.accounts.map((a: unknown, i) => {
    if (!isRecord(a) || typeof a.address !== "string" || typeof a.balance !== "string")
      throw new GenesisError(`genesis.accounts[${i}]: {address, balance} expected`);
    if (!/^(0|[1-9][0-9]{0,19})$/.test(a.balance) || BigInt(a.balance) >= 1n << 64n)
      throw new GenesisError(`genesis.accounts[${i}].balance: a u64 decimal string expected`);
    let address: string;
    try {
      address = formatAddress(parseAddress(a.address));
    } catch (err) {
      throw new GenesisError(`genesis.accounts[${i}].address: ${err instanceof Error ? err.message : err}`);
    }
    return { address, balance: a.balance };
  });
  if (!Array.isArray(raw.validators) || raw.validators.length === 0)
    throw new GenesisError("genesis.validators: a non-empty array expected");
  const validators = raw.validators.map((v: unknown, i) => {
    if (!isRecord(v) || v.index !== i || typeof v.nodeId !== "string" || !/^[0-9a-f]{64}$/.test(v.nodeId))
      throw new GenesisError(`genesis.validators[${i}]: {index: ${i}, nodeId: 64 hex} expected`);
    return { index: i, nodeId: v.nodeId };
  });
  const c = raw.consensus;
  if (!isRecord(c)) throw new GenesisError("genesis.consensus: an object expected");
  let consensus: ClusterConsensus;
  if (c.kind === "simplex") {
    const blockTimeMs = posInt(c.blockTimeMs, "genesis.consensus.blockTimeMs");
    const deltaMs = posInt(c.deltaMs, "genesis.consensus.deltaMs");
    // Optional (older genesis files lack it; the node then uses its default).
    const idle =
      c.idleBlockTimeMs === undefined
        ? undefined
        : posInt(c.idleBlockTimeMs, "genesis.consensus.idleBlockTimeMs", 600_000);
    if (idle !== undefined && idle !== 0 && idle < blockTimeMs)
      throw new GenesisError("genesis.consensus.idleBlockTimeMs: 0 or at least blockTimeMs expected");
    consensus = { kind: "simplex", blockTimeMs, deltaMs, ...(idle === undefined ? {} : { idleBlockTimeMs: idle }) };
  } else if (c.kind === "wan") {
    consensus = {
      kind: "wan",
      farmerQuorums: posInt(c.farmerQuorums, "genesis.consensus.farmerQuorums"),
      quorumSize: posInt(c.quorumSize, "genesis.consensus.quorumSize"),
      roundMs: posInt(c.roundMs, "genesis.consensus.roundMs"),
    };
  } else {
    throw new GenesisError(`genesis.consensus.kind: "simplex" or "wan" expected, got ${String(c.kind)}`);
  }
  return { version: 1, chainId, seed: raw.seed, accounts, validators, consensus };
}
