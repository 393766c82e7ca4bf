/**
 * The node's public HTTP API (ARCHITECTURE "Node, API, devnet"; docs/API.md is its reference): a hono
 * app, versioned under /v1, every route described by zod schemas (validated before the handler runs and
 * published at /v1/openapi.json), every error `{error: {code, message, details?}}` with the status from
 * error-codes.ts, mapped in one `onError`.
 *
 *   POST /v1/transactions            submit: JSON transfer fields, or application/cbor canonical bytes
 *   GET  /v1/transactions/{id}       status: pending | certified | final | rejected (with the reason)
 *   GET  /v1/accounts/{address}      balance, nonce, next nonce; ?proof=true adds a Merkle proof
 *   GET  /v1/rounds                  newest first, ?limit=&before= pages
 *   GET  /v1/rounds/{n|latest}       one round with its transactions and outcomes
 *   GET  /v1/node | /v1/peers | /v1/quorums | /v1/domains
 *   GET  /v1/events                  server-sent events (round, tx.*, fault); Last-Event-ID resumes
 *   GET  /healthz /readyz /metrics /v1/openapi.json
 *
 * Guarantees: a body larger than `maxBodyBytes` is refused (413) before it is parsed; unknown JSON fields
 * are refused (400); a refused request changes nothing. The app is built around a `Ledger` and knows
 * nothing of how rounds are produced (solo dev mode or consensus).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { streamSSE } from "hono/streaming";
import { formatAddress, parseAddress } from "../../core/crypto/address.ts";
import { bytesOfHex as fromHex, hexOf as toHex } from "./hex.ts";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import type { BlockRecord } from "../../core/ledger/ledger-store.ts";
import type { Ledger } from "../../core/ledger/ledger.ts";
import { encodeTransfer, openTransfer } from "../../core/tx/transfer.ts";
import { ApiError } from "./api-error.ts";
import type { ApiErrorCode } from "./error-codes.ts";
import type { EventHub } from "./event-hub.ts";
import type { NodeMetrics } from "./metrics.ts";
import {
  AccountQuery,
  AccountSchema,
  AddressParams,
  DomainsSchema,
  ErrorSchema,
  EventsQuery,
  NodeInfoSchema,
  PeersSchema,
  QuorumsSchema,
  RoundDetailSchema,
  RoundPageSchema,
  RoundParams,
  RoundsQuery,
  SubmitResult,
  TransferBody,
  TxIdParams,
  TxStatusSchema,
} from "./schemas.ts";
import type { Topology } from "./topology.ts";
import {
  type AccountJson,
  type ApiEventType,
  type CertificateJson,
  type ConsensusJson,
  type NodeMode,
  type RoundJson,
  type TransferJson,
  transferFromJson,
  transferToJson,
} from "./wire.ts";

export const CBOR_CONTENT_TYPE = "application/cbor";

export interface ApiDeps {
  readonly ledger: Ledger;
  readonly hub: EventHub;
  readonly metrics: NodeMetrics;
  readonly topology: Topology;
  readonly info: () => {
    readonly version: string;
    readonly mode: NodeMode;
    readonly nodeId: string;
    readonly producer: { readonly kind: "automine" | "interval" | "consensus"; readonly blockTimeMs: number };
  };
  /**
   * The consensus block and finalization certificate of a round (multi-node nodes); absent on a solo
   * node, whose rounds then show `hash` and `certificate` as null.
   */
  readonly roundChain?: (round: bigint) => { readonly hash: string; readonly certificate: CertificateJson | null } | null;
  /** Where consensus is (view, leader); absent on a solo node (`consensus: null`). */
  readonly consensus?: () => ConsensusJson;
  /** True once the node can serve (recovered, producing or following consensus). */
  readonly ready: () => boolean;
  /** Where unexpected errors are reported (the node's logger). */
  readonly onInternalError?: (err: unknown, path: string) => void;
}

export interface ApiOptions {
  /** Largest accepted request body (default 4096 bytes: a JSON transfer is about 400). */
  readonly maxBodyBytes?: number;
  /** Heartbeat comment interval on the event stream (default 5000 ms, below Bun's idle timeout). */
  readonly heartbeatMs?: number;
  /** An event stream is closed after this long; clients resume with Last-Event-ID (default 10 min). */
  readonly maxStreamMs?: number;
}

function errorBody(code: string, message: string, details?: Readonly<Record<string, unknown>>) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { content: { "application/json": { schema: ErrorSchema } }, description: "error" },
    ]),
  );

const submitRoute = createRoute({
  method: "post",
  path: "/v1/transactions",
  summary: "Submit a signed transfer",
  description:
    "JSON (application/json) with the transfer fields, or the canonical CBOR bytes (application/cbor). " +
    "202 means durably accepted: the transaction will end final or rejected with a reason.",
  request: {
    body: {
      required: false,
      content: {
        "application/json": { schema: TransferBody },
        [CBOR_CONTENT_TYPE]: { schema: z.string().openapi({ format: "binary" }) },
      },
    },
  },
  responses: {
    202: { content: { "application/json": { schema: SubmitResult } }, description: "accepted" },
    ...errors(400, 409, 413, 415, 422, 503),
  },
});

const statusRoute = createRoute({
  method: "get",
  path: "/v1/transactions/{id}",
  summary: "Transaction status",
  request: { params: TxIdParams },
  responses: {
    200: { content: { "application/json": { schema: TxStatusSchema } }, description: "status" },
    ...errors(400, 404),
  },
});

const accountRoute = createRoute({
  method: "get",
  path: "/v1/accounts/{address}",
  summary: "Account balance and nonce, with an optional Merkle proof against the latest state root",
  request: { params: AddressParams, query: AccountQuery },
  responses: {
    200: { content: { "application/json": { schema: AccountSchema } }, description: "account" },
    ...errors(400, 404),
  },
});

const roundsRoute = createRoute({
  method: "get",
  path: "/v1/rounds",
  summary: "Rounds, newest first",
  request: { query: RoundsQuery },
  responses: {
    200: { content: { "application/json": { schema: RoundPageSchema } }, description: "a page of rounds" },
    ...errors(400),
  },
});

const roundRoute = createRoute({
  method: "get",
  path: "/v1/rounds/{n}",
  summary: "One round (block) with its transactions",
  request: { params: RoundParams },
  responses: {
    200: { content: { "application/json": { schema: RoundDetailSchema } }, description: "round" },
    ...errors(400, 404),
  },
});

const nodeRoute = createRoute({
  method: "get",
  path: "/v1/node",
  summary: "Node version, chain id, mode and head",
  responses: { 200: { content: { "application/json": { schema: NodeInfoSchema } }, description: "node" } },
});

const peersRoute = createRoute({
  method: "get",
  path: "/v1/peers",
  summary: "Peers this node knows",
  responses: { 200: { content: { "application/json": { schema: PeersSchema } }, description: "peers" } },
});

const quorumsRoute = createRoute({
  method: "get",
  path: "/v1/quorums",
  summary: "Quorums of the current epoch",
  responses: { 200: { content: { "application/json": { schema: QuorumsSchema } }, description: "quorums" } },
});

const domainsRoute = createRoute({
  method: "get",
  path: "/v1/domains",
  summary: "Domains this node is a member of",
  responses: { 200: { content: { "application/json": { schema: DomainsSchema } }, description: "domains" } },
});

const eventsRoute = createRoute({
  method: "get",
  path: "/v1/events",
  summary: "Live event stream (server-sent events)",
  description:
    "`event:` is the type, `id:` the sequence number, `data:` the JSON event. Send Last-Event-ID to resume.",
  request: { query: EventsQuery },
  responses: {
    200: { content: { "text/event-stream": { schema: z.string() } }, description: "event stream" },
    ...errors(400, 503),
  },
});

const HEX64 = /^[0-9a-f]{64}$/;
const U64 = /^(0|[1-9][0-9]{0,19})$/;

function roundJson(b: BlockRecord, chain: ApiDeps["roundChain"]): RoundJson {
  const c = chain?.(b.round) ?? null;
  return {
    round: b.round.toString(),
    root: toHex(b.root),
    time: b.time,
    txCount: b.txCount,
    rejectedCount: b.rejectedCount,
    note: b.note,
    hash: c?.hash ?? null,
    certificate: c?.certificate ?? null,
  };
}

function txJsonOf(bytes: Uint8Array): TransferJson | null {
  try {
    return transferToJson(openTransfer(bytes).tx);
  } catch {
    return null;
  }
}

function isCbor(c: Context): boolean {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase() === CBOR_CONTENT_TYPE;
}

/** Build the /v1 app over a node's ledger. */
export function createApiApp(deps: ApiDeps, options: ApiOptions = {}): OpenAPIHono {
  const { ledger, hub, metrics } = deps;
  const maxBody = options.maxBodyBytes ?? 4096;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const maxStreamMs = options.maxStreamMs ?? 600_000;
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue === undefined || issue.path.length === 0 ? "request" : issue.path.join(".");
        const extra = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : "";
        return c.json(errorBody("VALIDATION", `${where}: ${issue?.message ?? "invalid"}${extra}`), 400);
      }
      return undefined;
    },
  });

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    let route = routePath(c, -1);
    if (route === "*" || route === "/*" || route === "") route = "unmatched";
    metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.requestSeconds.observe({ route }, (performance.now() - started) / 1000);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message, err.details), err.status as 400);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code: ApiErrorCode =
        status === 413
          ? "PAYLOAD_TOO_LARGE"
          : status === 415
            ? "UNSUPPORTED_MEDIA_TYPE"
            : status === 400 && /json/i.test(err.message)
              ? "MALFORMED_JSON"
              : status === 400
                ? "VALIDATION"
                : status === 404
                  ? "NOT_FOUND"
                  : "INTERNAL";
      const message =
        code === "PAYLOAD_TOO_LARGE" ? `request body larger than ${maxBody} bytes` : err.message || code;
      return c.json(errorBody(code, message), (code === "INTERNAL" ? 500 : status) as 400);
    }
    deps.onInternalError?.(err, c.req.path);
    return c.json(errorBody("INTERNAL", "internal error"), 500);
  });

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `no route ${c.req.method} ${c.req.path}`), 404));

  const limit = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `request body larger than ${maxBody} bytes`, {
        maxBytes: maxBody,
      });
    },
  });
  app.use("/v1/*", async (c, next) => {
    // Only the submit route takes a body; refuse bodies elsewhere before reading them.
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return limit(c, next);
    return next();
  });

  app.openapi(submitRoute, async (c) => {
    let bytes: Uint8Array;
    if (isCbor(c)) {
      bytes = new Uint8Array(await c.req.arrayBuffer());
    } else {
      const ct = c.req.header("content-type");
      if (ct === undefined || !/^application\/([a-z0-9.+-]*\+)?json\b/i.test(ct.trim())) {
        throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `send application/json or ${CBOR_CONTENT_TYPE}`);
      }
      const json = c.req.valid("json");
      // The JSON validator ran (content type is JSON); the union includes the CBOR body's schema.
      if (typeof json === "string") throw new ApiError("VALIDATION", "a JSON object expected");
      let tx: ReturnType<typeof transferFromJson>;
      try {
        tx = transferFromJson(json);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ApiError("VALIDATION", /address/i.test(message) ? `to: ${message}` : message);
      }
      try {
        bytes = encodeTransfer(tx);
      } catch (err) {
        throw new ApiError("VALIDATION", err instanceof Error ? err.message : String(err));
      }
    }
    const outcome = await ledger.submit(bytes);
    if (!outcome.ok) {
      metrics.submissions.inc({ outcome: outcome.rejection.code });
      const details = {
        ...(outcome.rejection.details ?? {}),
        ...(outcome.id === null ? {} : { id: toHex(outcome.id) }),
      };
      throw new ApiError(outcome.rejection.code, outcome.rejection.message, details);
    }
    metrics.submissions.inc({ outcome: "accepted" });
    return c.json({ id: toHex(outcome.id), status: "pending" as const }, 202);
  });

  app.openapi(statusRoute, (c) => {
    const { id } = c.req.valid("param");
    if (!HEX64.test(id)) throw new ApiError("VALIDATION", "id: 64 lower-case hex characters expected");
    const s = ledger.status(fromHex(id));
    if (s === null) throw new ApiError("TX_NOT_FOUND", `no transaction ${id}`);
    const error =
      s.rejection === null
        ? null
        : s.rejection.details === undefined
          ? { code: s.rejection.code, message: s.rejection.message }
          : { code: s.rejection.code, message: s.rejection.message, details: { ...s.rejection.details } };
    return c.json(
      {
        id,
        status: s.status,
        round: s.round === null ? null : s.round.toString(),
        error,
        acceptedAt: s.acceptedAt,
        updatedAt: s.updatedAt,
        tx: s.tx === null ? null : transferToJson(s.tx),
      },
      200,
    );
  });

  app.openapi(accountRoute, (c) => {
    const { address } = c.req.valid("param");
    const { proof } = c.req.valid("query");
    let bytes: Uint8Array;
    try {
      bytes = parseAddress(address);
    } catch (err) {
      throw new ApiError("VALIDATION", `address: ${err instanceof Error ? err.message : String(err)}`);
    }
    const account = ledger.account(bytes);
    if (account === null && proof !== "true") {
      throw new ApiError(
        "ACCOUNT_NOT_FOUND",
        `no account ${formatAddress(bytes)} (ask with ?proof=true for an absence proof)`,
      );
    }
    const body: AccountJson = {
      address: formatAddress(bytes),
      exists: account !== null,
      balance: (account?.balance ?? 0n).toString(),
      nonce: (account?.nonce ?? 0n).toString(),
      nextNonce: ledger.nextNonce(bytes).toString(),
      round: ledger.round.toString(),
    };
    if (proof !== "true") return c.json(body, 200);
    // Same synchronous turn as the read above, so account, root and proof belong to one round.
    const p = ledger.state.prove(bytes);
    return c.json(
      {
        ...body,
        proof: {
          root: toHex(p.root),
          round: p.round.toString(),
          siblings: p.proof.siblings.map(toHex),
          leaf:
            p.proof.leaf === null ? null : { key: toHex(p.proof.leaf.key), value: toHex(p.proof.leaf.value) },
        },
      },
      200,
    );
  });

  app.openapi(roundsRoute, (c) => {
    const q = c.req.valid("query");
    const n = q.limit === undefined ? 20 : Math.min(100, Number(q.limit));
    const rows = ledger.blocks(n + 1, q.before === undefined ? undefined : BigInt(q.before));
    const page = rows.slice(0, n);
    const last = page[page.length - 1];
    return c.json(
      {
        rounds: page.map((b) => roundJson(b, deps.roundChain)),
        next: rows.length > n && last !== undefined ? last.round.toString() : null,
      },
      200,
    );
  });

  app.openapi(roundRoute, (c) => {
    const { n } = c.req.valid("param");
    if (n !== "latest" && !U64.test(n)) throw new ApiError("VALIDATION", "n: a round number or `latest`");
    const round = n === "latest" ? ledger.round : BigInt(n);
    const found = ledger.block(round);
    if (found === null) throw new ApiError("ROUND_NOT_FOUND", `no round ${round}`);
    return c.json(
      {
        ...roundJson(found.block, deps.roundChain),
        txs: found.txs.map((t) => ({
          id: toHex(t.id),
          status: t.code === null ? ("final" as const) : ("rejected" as const),
          error: t.code === null ? null : { code: t.code },
          tx: txJsonOf(t.bytes),
        })),
      },
      200,
    );
  });

  app.openapi(nodeRoute, (c) => {
    const info = deps.info();
    return c.json(
      {
        version: info.version,
        chainId: ledger.chainId,
        mode: info.mode,
        nodeId: info.nodeId,
        round: ledger.round.toString(),
        root: toHex(ledger.root),
        mempool: { size: ledger.mempoolSize, capacity: ledger.mempoolCapacity },
        producer: { kind: info.producer.kind, blockTimeMs: info.producer.blockTimeMs },
        consensus: deps.consensus?.() ?? null,
      },
      200,
    );
  });

  app.openapi(peersRoute, (c) => c.json({ peers: deps.topology.peers() }, 200));
  app.openapi(quorumsRoute, (c) => c.json(deps.topology.quorums(), 200));
  app.openapi(domainsRoute, (c) => c.json({ domains: deps.topology.domains() }, 200));

  app.openapi(eventsRoute, (c) => {
    const { types } = c.req.valid("query");
    const filter = types === undefined ? null : new Set(types.split(",") as ApiEventType[]);
    const last = c.req.header("last-event-id");
    const after = last !== undefined && /^[0-9]{1,15}$/.test(last) ? Number(last) : undefined;
    const sub = hub.subscribe(filter, after);
    if (sub === null)
      throw new ApiError("TOO_MANY_SUBSCRIBERS", `at most ${hub.maxSubscribers} event streams`);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => sub.close());
      const deadline = performance.now() + maxStreamMs;
      // Sent at once so a client knows it is subscribed before it checks anything by polling.
      await stream.write(`retry: 1000\n: subscribed ${hub.lastSeq}\n\n`);
      while (!sub.closed && !stream.aborted && performance.now() < deadline) {
        const events = await sub.next(heartbeatMs);
        if (events.length === 0) {
          await stream.write(": ping\n\n");
          continue;
        }
        for (const e of events)
          await stream.writeSSE({ event: e.type, id: String(e.seq), data: JSON.stringify(e) });
      }
      sub.close();
    });
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) =>
    deps.ready()
      ? c.json({ status: "ready", round: ledger.round.toString() })
      : c.json(errorBody("NOT_READY", "node is starting or stopping"), 503),
  );
  app.get("/metrics", async (c) =>
    c.text(await metrics.text(), 200, { "content-type": metrics.registry.contentType }),
  );

  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Lattice node API",
      version: "1",
      description: "See docs/API.md for the transaction format, signing bytes, error codes and event stream.",
    },
  });
  return app;
}

/** True for errors the ledger raises on purpose (used by callers that wrap the app). */
export function isKnownError(err: unknown): boolean {
  return err instanceof ApiError || isLatticeError(err);
}
