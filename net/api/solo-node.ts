/**
 * The composition root of a single-node dev mode node (`lattice node --solo`): one place that builds the
 * stores, the ledger, the SoloProducer, the metrics, the event hub, the logger and both listeners, and
 * one lifecycle that starts and stops them (STYLE.md "one composition root per process").
 *
 * Data directory (one per node; nothing outside it is written):
 *   state.db     finalized rounds and accounts (core/state SqliteRoundStore)
 *   ledger.db    transaction index and block log (core/ledger SqliteLedgerStore)
 *   chain.json   chain id chosen at first start; a restart with another one is refused
 *   node.key     the node identity secret (0600); nodeId = its public key, hex
 *   admin.token  the admin bearer token, new at every start (0600)
 *   node.log     JSON-lines log (pino, in-process destination: no transports in the compiled binary)
 * A restart with the same directory resumes: the state from state.db, pending transactions from ledger.db.
 * The genesis accounts apply only at the first start.
 *
 * The multi-node node will build the same API around the same Ledger, with the WAN engines in place of
 * the SoloProducer and a real Topology; nothing a client sees changes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import type { Clock } from "../../core/engine/engine.ts";
import { Ledger } from "../../core/ledger/ledger.ts";
import { SoloProducer } from "../../core/ledger/solo-producer.ts";
import { SqliteLedgerStore } from "../../core/ledger/sqlite-ledger-store.ts";
import { SqliteRoundStore } from "../../core/state/sqlite-round-store.ts";
import { StateStore } from "../../core/state/state-store.ts";
import { RealClock } from "../clock/real-clock.ts";
import { createAdminApp, type LogLevelName } from "./admin-app.ts";
import { writeAdminToken } from "./admin-token.ts";
import { createApiApp } from "./app.ts";
import { apiEventOf, EventHub } from "./event-hub.ts";
import { NodeMetrics } from "./metrics.ts";
import { type HttpServer, listen } from "./server.ts";
import { soloTopology } from "./topology.ts";

export interface GenesisAccount {
  readonly address: Uint8Array;
  readonly balance: bigint;
}

export interface SoloNodeOptions {
  readonly dataDir: string;
  readonly chainId: number;
  readonly genesis: readonly GenesisAccount[];
  readonly version: string;
  /** 0 = automine. */
  readonly blockTimeMs: number;
  readonly apiPort?: number;
  readonly adminPort?: number;
  readonly logLevel?: LogLevelName;
  /** Also write log lines to this stream (e.g. stderr for `-v`). */
  readonly logEcho?: NodeJS.WritableStream;
  readonly mempoolCapacity?: number;
  readonly accountCapacity?: number;
  /** "full" (default) survives power loss; "normal" survives process crashes only, and is faster. */
  readonly synchronous?: "full" | "normal";
  /** 20-byte fee recipient (default the all-zero address). */
  readonly feeRecipient?: Uint8Array;
  readonly maxBlockTxs?: number;
  readonly clock?: Clock;
}

export interface SoloNode {
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string;
  readonly adminTokenPath: string;
  readonly nodeId: string;
  readonly ledger: Ledger;
  readonly producer: SoloProducer;
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  readonly logPath: string;
  /** Graceful stop: refuse new requests, close streams, finish the round in progress, close stores. */
  stop(): Promise<void>;
}

function nodeKey(dataDir: string): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const path = join(dataDir, "node.key");
  if (existsSync(path)) return keyPairFromSeed(fromHex(readFileSync(path, "utf8").trim(), "node.key"));
  const seed = crypto.getRandomValues(new Uint8Array(32));
  writeFileSync(path, `${toHex(seed)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return keyPairFromSeed(seed);
}

function checkChain(dataDir: string, chainId: number): void {
  const path = join(dataDir, "chain.json");
  if (!existsSync(path)) {
    writeFileSync(path, `${JSON.stringify({ chainId })}\n`);
    return;
  }
  const saved = JSON.parse(readFileSync(path, "utf8")) as { chainId?: unknown };
  if (saved.chainId !== chainId) {
    throw new Error(`data dir ${dataDir} belongs to chain ${String(saved.chainId)}, not ${chainId}`);
  }
}

/** Start a solo node; resolves when both listeners are up and the node is ready. */
export async function startSoloNode(options: SoloNodeOptions): Promise<SoloNode> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  checkChain(dataDir, options.chainId);
  const key = nodeKey(dataDir);
  const nodeId = toHex(key.publicKey);
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
  const logger = pino({ level: options.logLevel ?? "info", base: { node: nodeId.slice(0, 16) } }, streams);
  const clock = options.clock ?? new RealClock();
  const synchronous = options.synchronous ?? "full";

  const state = StateStore.open({
    capacity: options.accountCapacity ?? 100_000,
    roundStore: new SqliteRoundStore({ path: join(dataDir, "state.db"), synchronous }),
    genesis: options.genesis.map((g) => ({ address: g.address, balance: g.balance, nonce: 0n })),
  });
  const store = new SqliteLedgerStore({ path: join(dataDir, "ledger.db"), synchronous });
  const hub = new EventHub();
  let ledger: Ledger | undefined;
  const metrics = new NodeMetrics({
    mempoolSize: () => ledger?.mempoolSize ?? 0,
    subscribers: () => hub.subscribers,
  });
  ledger = Ledger.open({
    chainId: options.chainId,
    state,
    store,
    clock,
    feeRecipient: options.feeRecipient ?? new Uint8Array(20),
    ...(options.mempoolCapacity === undefined ? {} : { mempoolCapacity: options.mempoolCapacity }),
    onEvent: (e) => {
      metrics.observe(e);
      hub.publish(apiEventOf(e));
      if (e.type === "round") {
        logger.info(
          { round: e.round.toString(), txs: e.txCount, rejected: e.rejectedCount, note: e.note },
          "round",
        );
      } else if (e.type === "fault") {
        logger.warn({ code: e.code, detail: e.message }, "fault");
      } else if (e.type === "tx.rejected") {
        logger.debug({ id: toHex(e.id), code: e.rejection.code }, "tx rejected");
      }
    },
  });
  const theLedger = ledger;
  metrics.lastRound.set(Number(theLedger.round));
  const producer = new SoloProducer({
    ledger: theLedger,
    clock,
    blockTimeMs: options.blockTimeMs,
    ...(options.maxBlockTxs === undefined ? {} : { maxBlockTxs: options.maxBlockTxs }),
    onError: (err) => logger.error({ err }, "producing a round failed"),
  });

  let ready = false;
  let api: HttpServer | undefined;
  const addresses = () => (api === undefined ? [] : [api.url]);
  const app = createApiApp({
    ledger: theLedger,
    hub,
    metrics,
    topology: soloTopology(nodeId, addresses),
    info: () => ({
      version: options.version,
      mode: "solo",
      nodeId,
      producer: { kind: producer.mode, blockTimeMs: producer.blockTimeMs },
    }),
    ready: () => ready,
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
      produceRound: () => producer.produce(),
      setBalance: (address, balance) => theLedger.setBalance(address, balance),
    },
    token,
  );
  api = listen(app.fetch, { port: options.apiPort ?? 0 });
  let adminServer: HttpServer;
  try {
    adminServer = listen(admin.fetch, { port: options.adminPort ?? 0 });
  } catch (err) {
    await api.stop(0);
    await theLedger.close();
    throw err;
  }
  producer.start();
  ready = true;
  logger.info(
    {
      api: api.url,
      admin: adminServer.url,
      chainId: options.chainId,
      round: theLedger.round.toString(),
      pending: theLedger.mempoolSize,
      blockTimeMs: options.blockTimeMs,
    },
    "node started",
  );

  let stopping: Promise<void> | null = null;
  const apiServer = api;
  return {
    apiUrl: apiServer.url,
    adminUrl: adminServer.url,
    adminToken: token,
    adminTokenPath: tokenPath,
    nodeId,
    ledger: theLedger,
    producer,
    metrics,
    logger,
    logPath,
    stop() {
      stopping ??= (async () => {
        ready = false;
        hub.closeAll();
        await Promise.all([apiServer.stop(), adminServer.stop()]);
        hub.closeAll();
        await producer.stop();
        await theLedger.close();
        logger.info({ round: theLedger.round.toString() }, "node stopped");
        logFile.flushSync();
      })();
      return stopping;
    },
  };
}
