/**
 * The composition root of a cluster node process (`lattice node --config node.json`;
 * devnet/contract/node-process.ts is its contract with the devnet orchestrator; STYLE.md "one
 * composition root per process"). It builds, in one place, and starts and stops through one lifecycle:
 * the stores, the Ledger, the Simplex journal, TCP transport wrapped by the chaos layer, the LatticeNode
 * with the cluster wire engine and the consensus engine, the HTTP API and admin listeners, metrics, the
 * event hub and the JSON-lines log.
 *
 * Data directory (the solo node's layout plus consensus files; nothing outside it is written):
 *   state.db, ledger.db, admin.token, node.log   as for `--solo` (net/api/solo-node.ts)
 *   consensus.db   Simplex journal, finalized blocks and their finalization certificates (sqlite-journal.ts)
 *   chain.json     chain id and genesis hash fixed at first start; another genesis is refused
 *   ports.json     the ports bound last time, tried first on a restart so peers' knowledge stays valid
 *   peers.json     the last peer list announced, so a restarted node can reach its peers at once
 *   ready.json     ReadyInfo, written atomically once the listeners are bound
 *
 * Transactions: a client submits to any node; the ledger makes it durable (group commit, fsync'd) and
 * only then acknowledges it; the node forwards it to every other validator (`lattice/tx/v1`, gathered
 * for GOSSIP_BATCH_MS so one signed envelope carries many, re-sent while it is not final) so any leader
 * can include it. A peer's copy goes through the same `submit` door (its signature is verified once
 * there, never again on this node: see core/ledger/door-checked-validator.ts). Blocks are applied to the ledger in height order from the stored chain, on every node,
 * so an invalid transaction is rejected identically everywhere.
 *
 * Start-up catch-up: before its consensus engine starts, the node asks its peers for the finalized
 * blocks above its height (`lattice/sync/v1`), checks each answer (hash chain + q finalization
 * signatures, sync.ts), stores and applies them, and only then builds the Simplex replica from its
 * journal, so the replica starts at the synced height and Simplex's own by-view catch-up covers the rest.
 * Peers arrive one by one (the orchestrator announces each node as soon as its API answers); every
 * announcement wakes the sync wait, so a fresh chain starts once f + 1 peers answered "nothing above 0".
 *
 * Durability: votes are fsync'd before they are sent (sqlite-journal.ts, "Durability, exactly"); an
 * acknowledged transaction is fsync'd before the acknowledgement (core/ledger); the ledger and state
 * stores are derived from the stored chain and re-applied from it in height order after a crash.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { genesisHash, SIMPLEX_PROTOCOL } from "../../core/bft/simplex-messages.ts";
import { equalBytes } from "../../core/crypto/bytes.ts";
import { nativeEd25519 } from "../../core/crypto/ed25519.ts";
import { type Engine, toEngine } from "../../core/engine/engine.ts";
import { Prng } from "../../core/engine/prng.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { Ledger } from "../../core/ledger/ledger.ts";
import { SqliteLedgerStore } from "../../core/ledger/sqlite-ledger-store.ts";
import { SqliteRoundStore } from "../../core/state/sqlite-round-store.ts";
import { StateStore } from "../../core/state/state-store.ts";
import { transferId } from "../../core/tx/transfer.ts";
import { createAdminApp, type LogLevelName, type PeerAddressJson } from "../../net/api/admin-app.ts";
import { writeAdminToken } from "../../net/api/admin-token.ts";
import { createApiApp } from "../../net/api/app.ts";
import { apiEventOf, EventHub } from "../../net/api/event-hub.ts";
import { hexOf as toHex } from "../../net/api/hex.ts";
import { NodeMetrics } from "../../net/api/metrics.ts";
import { type HttpServer, listen } from "../../net/api/server.ts";
import type { Topology } from "../../net/api/topology.ts";
import type { CertificateJson, ReputationJson } from "../../net/api/wire.ts";
import type { ReputationView } from "../../net/reputation/reputation.ts";
import { ChaosController } from "../../net/chaos/chaos.ts";
import { RealClock } from "../../net/clock/real-clock.ts";
import type { NetLogger } from "../../net/metrics/logger.ts";
import { LatticeNode } from "../../net/node/node.ts";
import { TcpTransport } from "../../net/transport/tcp/tcp-transport.ts";
import type { PeerAddress, ReadyInfo } from "../contract/node-process.ts";
import { ClusterConfigError, checkPeers, type LoadedCluster, parseHostPort } from "./cluster-config.ts";
import {
  ClusterWireEngine,
  SYNC_EVENT,
  SYNC_SERVICE,
  type SyncEmit,
  type SyncServiceInput,
  TXS_EVENT,
  type TxsEmit,
  WIRE_REJECTED_EVENT,
} from "./cluster-wire-engine.ts";
import {
  decodeBlockPayload,
  MAX_GOSSIP_TXS,
  MAX_SYNC_BLOCKS,
  SYNC_PROTOCOL,
  SyncRequest,
  TX_PROTOCOL,
  TxGossip,
} from "./cluster-wire.ts";
import type { ClusterConsensus } from "./consensus.ts";
import { InboundPartition, nodeChaosHook, SkewedClock } from "./node-chaos.ts";
import { SimplexConsensus } from "./simplex-consensus.ts";
import { SqliteJournal } from "./sqlite-journal.ts";
import { answerSync, checkSyncResponse, quorumOf } from "./sync.ts";

/** How long client transactions gather before one forward to the peers. */
const GOSSIP_BATCH_MS = 3;
/** Peers' transactions admitted per macrotask, and most waiting (see admitPeerTxs). */
const PEER_TX_SLICE = 128;
const PEER_TX_BACKLOG = 20_000;

export interface ClusterNodeOptions {
  readonly cluster: LoadedCluster;
  readonly version: string;
  /** Also write log lines here (e.g. stderr for `-v`). */
  readonly logEcho?: NodeJS.WritableStream;
  /** SQLite durability of every store (default "full"). */
  readonly synchronous?: "full" | "normal";
  /** How long start-up catch-up may wait for peers' answers before consensus starts anyway (default 5 s). */
  readonly syncTimeoutMs?: number;
}

export interface ClusterNode {
  readonly nodeId: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly p2p: string;
  readonly tokenPath: string;
  readonly logPath: string;
  readonly ready: ReadyInfo;
  readonly ledger: Ledger;
  readonly consensus: ClusterConsensus;
  readonly logger: Logger;
  /** Graceful stop: listeners, engines, transport, then the stores. Idempotent. */
  stop(): Promise<void>;
}

interface Ports {
  p2p?: number;
  api?: number;
  admin?: number;
}

function readJsonFile<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function checkChain(dataDir: string, chainId: number, genesis: string): void {
  const path = join(dataDir, "chain.json");
  const saved = readJsonFile<{ chainId?: unknown; genesis?: unknown }>(path);
  if (saved === undefined) {
    writeAtomic(path, `${JSON.stringify({ chainId, genesis })}\n`);
    return;
  }
  if (saved.chainId !== chainId || saved.genesis !== genesis) {
    throw new ClusterConfigError(
      "CLUSTER_GENESIS",
      `data dir ${dataDir} belongs to chain ${String(saved.chainId)} with genesis ${String(saved.genesis)}`,
    );
  }
}

/** A peer's reputation as the API shows it (a never-observed peer has score 1 and zero counts). */
export function reputationJson(r: ReputationView, peer: string): ReputationJson {
  const p = r.peer(peer);
  return {
    score: r.score(peer),
    latencyMs: p?.latencyMs ?? null,
    latencySamples: p?.latencySamples ?? 0,
    accepted: p?.accepted ?? 0,
    failures: p?.failures ?? 0,
    invalid: { ...(p?.invalid ?? {}) },
    invalidTotal: p?.invalidTotal ?? 0,
  };
}

/**
 * Round n of a cluster node is the finalized block at height n (blocks are applied in height order).
 * Its certificate is the finalization of the block's own view when the journal holds it; a block that
 * became final through a later block's certificate (start-up sync stores only the last one) has none.
 */
export function roundChainJson(
  journal: SqliteJournal,
  chain: Uint8Array,
  validators: readonly string[],
  round: bigint,
): { hash: string; certificate: CertificateJson | null } | null {
  if (round < 1n || round > BigInt(journal.height)) return null;
  const entry = journal.entry(Number(round));
  if (entry === null) return null;
  const cert = journal.finalization(entry.view);
  const ok = cert !== null && cert.kind === "finalize" && equalBytes(cert.block, entry.hash);
  return {
    hash: toHex(entry.hash),
    certificate: ok
      ? {
          kind: "finalize",
          view: cert.view,
          block: toHex(cert.block),
          quorum: toHex(chain),
          signers: cert.signers.map((i) => validators[i] ?? `#${i}`),
          signatures: cert.sigs.map((sig) => toHex(sig)),
        }
      : null,
  };
}

/** Listen on `preferred` first (a restart keeps its ports), else on `fallback`. */
async function bindWithFallback<T>(
  preferred: number | undefined,
  fallback: number,
  bind: (port: number) => Promise<T> | T,
): Promise<T> {
  if (preferred !== undefined && preferred !== fallback) {
    try {
      return await bind(preferred);
    } catch {
      // taken by someone else meanwhile: any port will do, peers are re-announced
    }
  }
  return bind(fallback);
}

/** Start a cluster node; resolves once its listeners are bound and ready.json is written. */
export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const { cluster } = options;
  const { config, genesis, validators, nodeId, identity } = cluster;
  const dataDir = config.dataDir;
  mkdirSync(dataDir, { recursive: true });
  checkChain(dataDir, genesis.chainId, toHex(cluster.chain));
  const synchronous = options.synchronous ?? "full";

  const logPath = join(dataDir, "node.log");
  const logFile = pino.destination({ dest: logPath, sync: false, mkdir: true });
  const streams = pino.multistream(
    options.logEcho === undefined
      ? [{ stream: logFile, level: "trace" as const }]
      : [
          { stream: logFile, level: "trace" as const },
          { stream: options.logEcho, level: "trace" as const },
        ],
  );
  const logger = pino({ level: config.logLevel ?? "info", base: { node: nodeId.slice(0, 16) } }, streams);
  const netLogger: NetLogger = {
    log: (level, event, fields) => logger[level]({ ...fields, event }, event),
  };
  const clock = new SkewedClock(new RealClock());
  const self = validators.indexOf(nodeId);
  const peersOf = () => validators.filter((v) => v !== nodeId);
  const q = quorumOf(validators.length);

  // ---- stores and ledger
  const state = StateStore.open({
    capacity: 100_000,
    roundStore: new SqliteRoundStore({ path: join(dataDir, "state.db"), synchronous }),
    genesis: cluster.accounts.map((a) => ({ address: a.address, balance: a.balance, nonce: 0n })),
  });
  const store = new SqliteLedgerStore({ path: join(dataDir, "ledger.db"), synchronous });
  const journal = new SqliteJournal({ path: join(dataDir, "consensus.db"), synchronous });
  const hub = new EventHub();
  let ledgerRef: Ledger | undefined;
  const metrics = new NodeMetrics({
    mempoolSize: () => ledgerRef?.mempoolSize ?? 0,
    subscribers: () => hub.subscribers,
  });
  /** Transactions received from peers (hex id): not forwarded again. */
  const fromPeers = new Set<string>();
  /** Client transactions not final yet: hex id -> [bytes, last sent]. */
  const unsettled = new Map<string, { bytes: Uint8Array; sentAt: number }>();
  let outbox: Uint8Array[] = [];
  let stopping = false;

  const ledger = Ledger.open({
    chainId: genesis.chainId,
    state,
    store,
    clock,
    feeRecipient: new Uint8Array(20),
    mempoolCapacity: 50_000,
    onEvent: (e) => {
      metrics.observe(e);
      hub.publish(apiEventOf(e));
      switch (e.type) {
        case "tx.accepted": {
          const hex = toHex(e.id);
          if (fromPeers.delete(hex)) break;
          unsettled.set(hex, { bytes: e.bytes, sentAt: clock.now() });
          queueGossip(e.bytes);
          scheduleValidate();
          break;
        }
        case "tx.final":
        case "tx.rejected":
          unsettled.delete(toHex(e.id));
          break;
        case "round":
          logger.info(
            { round: e.round.toString(), txs: e.txCount, rejected: e.rejectedCount, root: toHex(e.root) },
            "round",
          );
          break;
        case "fault":
          logger.warn({ code: e.code, detail: e.message }, "fault");
          break;
        default:
          break;
      }
    },
  });
  ledgerRef = ledger;
  metrics.lastRound.set(Number(ledger.round));

  // ---- ledger <- stored chain, in height order, one pump at a time
  let pumping: Promise<void> | null = null;
  let pumpAgain = false;
  const pumpLedger = (): Promise<void> => {
    if (pumping !== null) {
      pumpAgain = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        while (!ledgerClosed && Number(ledger.round) < journal.height) {
          const h = Number(ledger.round) + 1;
          const entry = journal.entry(h);
          if (entry === null) break;
          const txs = decodeBlockPayload(entry.block.payload) ?? [];
          try {
            await ledger.applyFinalized(
              BigInt(h),
              txs.map((bytes) => ({ bytes })),
            );
          } catch (err) {
            if (isLatticeError(err, "LEDGER_CLOSED")) return;
            logger.error({ err, height: h }, "applying a finalized block failed");
            return;
          }
        }
      } while (pumpAgain && !ledgerClosed);
    })().finally(() => {
      pumping = null;
    });
    return pumping;
  };
  let ledgerClosed = false;
  await pumpLedger();

  // ---- validation of pending transactions (so a leader has validated ones to propose)
  let validating = false;
  let validateAgain = false;
  // Set once the Simplex replica exists (below): newly validated transactions wake an idle leader.
  let wakeConsensus = (): void => {};
  function scheduleValidate(): void {
    if (validating) {
      validateAgain = true;
      return;
    }
    validating = true;
    setImmediate(() => {
      void (async () => {
        do {
          validateAgain = false;
          if (ledgerClosed) break;
          try {
            if ((await ledger.validatePending()) > 0) wakeConsensus();
          } catch (err) {
            if (!isLatticeError(err, "LEDGER_CLOSED")) logger.error({ err }, "validation failed");
            break;
          }
        } while (validateAgain);
        validating = false;
      })();
    });
  }

  // ---- network
  const ports = readJsonFile<Ports>(join(dataDir, "ports.json")) ?? {};
  const listenP2p = parseHostPort(config.listen.p2p, "listen.p2p", true);
  const listenApi = parseHostPort(config.listen.api, "listen.api", true);
  const listenAdmin = parseHostPort(config.listen.admin, "listen.admin", true);
  const random = new Prng(Number.parseInt(nodeId.slice(0, 12), 16) ^ Date.now());
  const chaos = new ChaosController(random.fork("chaos"), clock);
  let tcp!: TcpTransport;
  let inbound!: InboundPartition;
  const node = await bindWithFallback(ports.p2p, listenP2p.port, async (port) => {
    tcp = new TcpTransport({ identity, clock, random: random.fork("tcp"), port, logger: netLogger });
    inbound = new InboundPartition(chaos.wrap(tcp));
    const n = new LatticeNode({
      identity,
      transport: inbound,
      clock,
      random: random.fork("node"),
      logger: netLogger,
      services: {
        [SYNC_SERVICE]: (input) => answerSync(journal, cluster.chain, (input as SyncServiceInput).request),
      },
    });
    try {
      await n.start();
    } catch (err) {
      await n.stop().catch(() => undefined);
      throw err;
    }
    return n;
  });
  for (const v of peersOf()) node.directory.addEngine(v, v, [SIMPLEX_PROTOCOL, TX_PROTOCOL, SYNC_PROTOCOL]);
  const wire: Engine = new ClusterWireEngine(nodeId, { chain: cluster.chain, members: validators });
  node.addEngine(wire);

  function sendTo(peer: string, protocol: string, payload: Uint8Array): void {
    try {
      node.sendAs(nodeId, toEngine(peer), protocol, payload);
    } catch (err) {
      if (!isLatticeError(err, "NET_CLOSED")) logger.warn({ err, peer: peer.slice(0, 16) }, "send failed");
    }
  }

  // ---- transaction gossip
  let gossipScheduled = false;
  function queueGossip(bytes: Uint8Array): void {
    outbox.push(bytes);
    if (gossipScheduled) return;
    gossipScheduled = true;
    // A few ms of batching: each forward is one signed envelope per peer, verified by each of them.
    setTimeout(flushGossip, GOSSIP_BATCH_MS);
  }
  function flushGossip(): void {
    gossipScheduled = false;
    const all = outbox;
    outbox = [];
    if (stopping || all.length === 0) return;
    for (let i = 0; i < all.length; i += MAX_GOSSIP_TXS) {
      const payload = TxGossip.encode({ txs: all.slice(i, i + MAX_GOSSIP_TXS) });
      for (const p of peersOf()) sendTo(p, TX_PROTOCOL, payload);
    }
  }
  const regossip = setInterval(() => {
    // Lost forwards (chaos, a peer that restarted) must not strand a client's transaction.
    const now = clock.now();
    let n = 0;
    for (const u of unsettled.values()) {
      if (now - u.sentAt < 2000) continue;
      u.sentAt = now;
      queueGossip(u.bytes);
      if (++n >= 2048) break;
    }
  }, 1000);

  // Peers' transactions are admitted in slices of PEER_TX_SLICE per macrotask: each costs a signature
  // verify, and a forward of a thousand must not hold Simplex's messages (queued behind it on the same
  // event loop) past their timeouts. Beyond PEER_TX_BACKLOG waiting, forwards are dropped: the origin
  // node holds (and re-forwards) every one of them, nothing acknowledged depends on this copy.
  const peerTxs: Uint8Array[] = [];
  let peerTxsAt = 0;
  let peerTxsScheduled = false;
  function onPeerTxs(m: TxsEmit): void {
    const room = PEER_TX_BACKLOG - (peerTxs.length - peerTxsAt);
    for (let i = 0; i < m.txs.length && i < room; i++) peerTxs.push(m.txs[i]!);
    if (!peerTxsScheduled && peerTxs.length > peerTxsAt) {
      peerTxsScheduled = true;
      setImmediate(admitPeerTxs);
    }
  }
  function admitPeerTxs(): void {
    peerTxsScheduled = false;
    if (stopping) return;
    const end = Math.min(peerTxs.length, peerTxsAt + PEER_TX_SLICE);
    let fresh = 0;
    for (; peerTxsAt < end; peerTxsAt++) {
      const bytes = peerTxs[peerTxsAt]!;
      let id: Uint8Array;
      try {
        id = transferId(bytes);
      } catch {
        continue;
      }
      // Known ones (re-forwards) are refused by submit's duplicate check, before any signature work.
      const hex = toHex(id);
      if (fromPeers.has(hex)) continue;
      fromPeers.add(hex);
      fresh++;
      ledger.submit(bytes).then(
        (o) => {
          if (!o.ok) fromPeers.delete(hex);
        },
        () => fromPeers.delete(hex),
      );
    }
    if (peerTxsAt === peerTxs.length) {
      peerTxs.length = 0;
      peerTxsAt = 0;
    } else {
      if (peerTxsAt > 4096) {
        peerTxs.splice(0, peerTxsAt);
        peerTxsAt = 0;
      }
      peerTxsScheduled = true;
      setImmediate(admitPeerTxs);
    }
    if (fresh > 0) scheduleValidate();
  }

  // ---- consensus
  const simplex = new SimplexConsensus({
    node,
    ledger,
    journal,
    chain: cluster.chain,
    validators,
    secretKey: identity.secretKey,
    blockTimeMs: cluster.consensus.blockTimeMs,
    deltaMs: cluster.consensus.deltaMs,
    ...(genesis.consensus.kind === "simplex" && genesis.consensus.idleBlockTimeMs !== undefined
      ? { idleBlockTimeMs: genesis.consensus.idleBlockTimeMs }
      : {}),
    onFinalized: () => {
      sawFinalized = true;
      void pumpLedger().then(() => scheduleValidate());
    },
    onCertified: (ids) => ledger.markCertified(ids),
    onNotice: (name, data) => {
      if (name === "simplex/evidence" || name === "simplex/conflict") logger.warn({ data }, name);
      else if (name === "simplex/rejected") logger.debug({ data }, name);
    },
  });
  const consensus: ClusterConsensus = simplex;
  wakeConsensus = () => simplex.workAvailable();
  let sawFinalized = false;
  consensus.hold();

  // ---- start-up sync
  const syncWaiters = new Set<(m: SyncEmit) => void>();
  const peerWakers = new Set<() => void>();
  node.onEmit((e) => {
    if (e.engine !== nodeId) return;
    if (e.name === TXS_EVENT) onPeerTxs(e.data as TxsEmit);
    else if (e.name === SYNC_EVENT) for (const w of syncWaiters) w(e.data as SyncEmit);
    else if (e.name === WIRE_REJECTED_EVENT) logger.debug({ data: e.data }, "wire input refused");
  });
  const verifier = { chain: cluster.chain, members: validators, signer: nativeEd25519 };
  const tipHash = (): Uint8Array => journal.entry(journal.height)?.hash ?? genesisHash(cluster.chain);

  let peersKnown: () => void = () => undefined;
  const peersKnownP = new Promise<void>((r) => {
    peersKnown = r;
  });
  let stopSignal: () => void = () => undefined;
  const stoppedP = new Promise<void>((r) => {
    stopSignal = r;
  });
  const syncTimeoutMs = options.syncTimeoutMs ?? 5000;

  async function bootstrap(): Promise<void> {
    // A single-validator cluster has nobody to wait for or catch up from.
    if (peersOf().length > 0) await Promise.race([peersKnownP, stoppedP]);
    const deadline = clock.now() + syncTimeoutMs;
    while (!stopping) {
      if (peersOf().length === 0) break;
      const height = journal.height;
      const answers = new Map<string, SyncEmit>();
      const got = new Promise<void>((resolve) => {
        const w = (m: SyncEmit) => {
          answers.set(m.from, m);
          // f + 1 answers include an honest one; one ahead of us is enough to fetch from.
          if (answers.size >= validators.length - q + 1 || m.response.tip > journal.height) resolve();
        };
        syncWaiters.add(w);
        // Peers are announced as they come up: a newly reachable one is asked at once, not after 400 ms.
        const woken = () => {
          syncWaiters.delete(w);
          peerWakers.delete(woken);
          resolve();
        };
        peerWakers.add(woken);
        setTimeout(woken, 400);
      });
      const req = SyncRequest.encode({ chain: cluster.chain, from: height + 1, max: MAX_SYNC_BLOCKS });
      for (const p of peersOf()) sendTo(p, SYNC_PROTOCOL, req);
      await Promise.race([got, stoppedP]);
      if (stopping) return;
      let applied = 0;
      let behind = 0;
      let notAhead = 0;
      for (const m of answers.values()) {
        if (m.response.tip <= journal.height) {
          notAhead++;
          continue;
        }
        behind++;
        const check = checkSyncResponse(verifier, { height: journal.height, hash: tipHash() }, m.response);
        if (!check.ok) {
          logger.warn(
            { from: m.from.slice(0, 16), code: check.code, detail: check.detail },
            "sync answer refused",
          );
          continue;
        }
        if (check.blocks.length === 0) continue;
        journal.appendSynced(check.blocks, m.response.cert!);
        applied += check.blocks.length;
      }
      if (applied > 0) {
        logger.info({ blocks: applied, height: journal.height }, "caught up from peers");
        await pumpLedger();
        continue;
      }
      // Enough peers (f + 1: at least one honest) are no further than we are: the chain starts here.
      if (notAhead >= validators.length - q + 1 && behind === 0) break;
      if (clock.now() > deadline) {
        logger.warn(
          { height: journal.height, answers: answers.size },
          "catch-up timed out; starting consensus",
        );
        break;
      }
    }
    if (stopping) return;
    consensus.start();
    consensusStarted = true;
    logger.info({ height: journal.height, validators: validators.length, index: self }, "consensus started");
  }
  let consensusStarted = false;

  // ---- peers
  let peerList: PeerAddress[] = [];
  const peersPath = join(dataDir, "peers.json");
  function setPeers(list: readonly PeerAddressJson[]): void {
    peerList = list.filter((p) => p.nodeId !== nodeId).map((p) => ({ nodeId: p.nodeId, addr: p.addr }));
    for (const p of peerList) tcp.learn(p.nodeId, [`tcp://${p.addr}`]);
    writeAtomic(peersPath, `${JSON.stringify({ peers: peerList })}\n`);
    logger.info({ peers: peerList.length }, "peers updated");
    if (peerList.length > 0) peersKnown();
    for (const wake of [...peerWakers]) wake();
  }
  const savedPeers = readJsonFile<{ peers?: unknown }>(peersPath);
  const initial: PeerAddress[] = [];
  try {
    if (savedPeers?.peers !== undefined) initial.push(...checkPeers(savedPeers.peers, "peers.json"));
  } catch {
    // a damaged peers.json only costs waiting for the next announcement
  }
  if (config.peers !== undefined) initial.push(...config.peers);
  if (initial.length > 0) {
    const byId = new Map(initial.map((p) => [p.nodeId, p]));
    setPeers([...byId.values()]);
  }

  // ---- readiness and topology
  const connected = (): string[] => tcp.connectedPeers();
  const isReady = (): boolean =>
    !stopping &&
    consensusStarted &&
    ledger.round >= 1n &&
    (sawFinalized || consensus.status().finalizedHeight >= 1) &&
    connected().filter((p) => validators.includes(p)).length >= q - 1;
  const topology: Topology = {
    peers: () => {
      const up = new Set(connected());
      const addr = new Map(peerList.map((p) => [p.nodeId, p.addr]));
      return validators.map((v) =>
        v === nodeId
          ? { nodeId: v, addresses: [...tcp.addresses()], self: true, connected: true, latencyMs: 0, reputation: null }
          : {
              nodeId: v,
              addresses: addr.has(v) ? [`tcp://${addr.get(v)}`] : [],
              self: false,
              connected: up.has(v),
              latencyMs: node.reputation.peer(v)?.latencyMs ?? null,
              reputation: reputationJson(node.reputation, v),
            },
      );
    },
    quorums: () => consensus.quorums(),
    domains: () => [
      { id: toHex(cluster.chain), name: "cluster", kind: "lan", members: [...validators], joinPolicy: "psk" },
    ],
  };

  // ---- listeners
  const app = createApiApp({
    ledger,
    hub,
    metrics,
    topology,
    info: () => ({
      version: options.version,
      mode: "consensus",
      nodeId,
      producer: { kind: "consensus", blockTimeMs: cluster.consensus.blockTimeMs },
    }),
    roundChain: (round) => roundChainJson(journal, cluster.chain, validators, round),
    consensus: () => {
      const st = consensus.status();
      return {
        kind: st.kind,
        running: st.running,
        view: st.view,
        leader: st.leader,
        finalizedHeight: st.finalizedHeight,
      };
    },
    ready: isReady,
    onInternalError: (err, path) => logger.error({ err, path }, "internal error"),
  });
  const { token, path: tokenPath } = writeAdminToken(dataDir);
  const admin = createAdminApp(
    {
      logLevel: {
        get: () => logger.level as LogLevelName,
        set: (level) => {
          logger.level = level;
          logger.info({ level }, "log level changed");
        },
      },
      chaos: nodeChaosHook(nodeId, validators, chaos, inbound),
      byzantine: consensus.byzantine,
      peers: { get: () => peerList, set: setPeers },
      clock: {
        get: () => clock.offsetMs,
        set: (ms) => {
          clock.offsetMs = ms;
          logger.warn({ offsetMs: ms }, "clock skewed");
        },
      },
    },
    token,
  );
  let api: HttpServer;
  let adminServer: HttpServer;
  try {
    api = await bindWithFallback(ports.api, listenApi.port, (port) => listen(app.fetch, { port }));
    try {
      adminServer = await bindWithFallback(ports.admin, listenAdmin.port, (port) =>
        listen(admin.fetch, { port }),
      );
    } catch (err) {
      await api.stop(0);
      throw err;
    }
  } catch (err) {
    clearInterval(regossip);
    await node.stop();
    await ledger.close();
    journal.close();
    throw err;
  }
  const p2pPort = tcp.port;
  writeAtomic(
    join(dataDir, "ports.json"),
    `${JSON.stringify({ p2p: p2pPort, api: api.port, admin: adminServer.port })}\n`,
  );
  const ready: ReadyInfo = {
    pid: process.pid,
    nodeId,
    chainId: genesis.chainId,
    apiUrl: api.url,
    adminUrl: adminServer.url,
    p2p: `127.0.0.1:${p2pPort}`,
    tokenFile: tokenPath,
    startedAt: Date.now(),
  };
  writeAtomic(join(dataDir, "ready.json"), `${JSON.stringify(ready)}\n`);
  logger.info(
    {
      api: api.url,
      admin: adminServer.url,
      p2p: ready.p2p,
      height: journal.height,
      round: ledger.round.toString(),
    },
    "node started",
  );

  // Recovered pending transactions (a crash after acknowledging them) go out to the peers again.
  void ledger.validatePending().then(
    () => {
      for (const env of ledger.takeValidated(50_000)) {
        unsettled.set(toHex(env.id), { bytes: env.bytes, sentAt: 0 });
      }
    },
    () => undefined,
  );
  const booting = bootstrap().catch((err) => logger.error({ err }, "bootstrap failed"));

  let stopped: Promise<void> | null = null;
  return {
    nodeId,
    apiUrl: api.url,
    adminUrl: adminServer.url,
    p2p: ready.p2p,
    tokenPath,
    logPath,
    ready,
    ledger,
    consensus,
    logger,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopSignal();
        clearInterval(regossip);
        hub.closeAll();
        await Promise.all([api.stop(), adminServer.stop()]);
        hub.closeAll();
        await booting;
        consensus.stop();
        await node.stop();
        await pumping;
        ledgerClosed = true;
        await ledger.close();
        journal.close();
        logger.info(
          { round: ledger.round.toString(), height: journal.height, consensus: consensus.status() },
          "node stopped",
        );
        // A stop right after start can come before pino's file is open; nothing is buffered then.
        try {
          logFile.flushSync();
        } catch {
          // sonic-boom "not ready yet"
        }
      })();
      return stopped;
    },
  };
}
