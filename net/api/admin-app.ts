/**
 * The admin API: a separate hono app for a separate listener on 127.0.0.1 (reliability-anchors §6: a
 * separate port for privileged methods, a per-node secret in a 0600 file, browsers kept out). Every
 * request needs `Authorization: Bearer <token>` (401 otherwise); a request carrying an `Origin` header
 * (a browser, possibly a DNS-rebinding page) is refused with 403 before the token is even looked at.
 *
 *   GET/PUT  /admin/v1/log-level           {"level": "debug"|"info"|"warn"|"error"|"silent"}
 *   POST     /admin/v1/rounds              produce one round now, even empty (solo mode: like anvil_mine)
 *   PUT      /admin/v1/accounts/{address}/balance  {"balance": "<u64>"} (solo mode: like anvil_setBalance)
 *   PUT/DELETE /admin/v1/chaos             per-link fault rules / heal everything (devnet fills the hook)
 *   GET/PUT  /admin/v1/byzantine           {"mode": ...} (devnet fills the hook)
 *   GET      /admin/v1/chaos               {"rules": [{from, to, rule}] in force, "report": fired faults
 *                                          per link and kind}
 *   GET/POST /admin/v1/peers               {"peers": [{"nodeId": hex, "addr": "127.0.0.1:PORT"}]}: the full
 *                                          peer list, replacing the previous one (multi-node nodes)
 *   GET/PUT  /admin/v1/clock               {"offsetMs": n}: skew this node's clock (multi-node nodes)
 * A hook the node does not provide answers 501 NOT_IMPLEMENTED: the interface is fixed now, the
 * multi-node node and the devnet implement chaos and byzantine modes behind it.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { parseAddress } from "../../core/crypto/address.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import type { AppliedRound } from "../../core/ledger/ledger.ts";
import type { LinkRule } from "../chaos/chaos.ts";
import { ApiError } from "./api-error.ts";
import { tokenMatches } from "./admin-token.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const BYZANTINE_MODES = ["honest", "equivocate", "vote-wrong", "withhold"] as const;
export type ByzantineMode = (typeof BYZANTINE_MODES)[number];

/** One chaos rule: faults on the directed link from -> to (node ids), as net/chaos applies them. */
export interface ChaosRuleJson {
  readonly from: string;
  readonly to: string;
  readonly rule: LinkRule;
}

/** What the admin API can drive; the node provides what it supports. */
export interface AdminHooks {
  readonly logLevel: { get(): LogLevelName; set(level: LogLevelName): void };
  readonly produceRound?: () => Promise<AppliedRound | null>;
  readonly setBalance?: (address: Uint8Array, balance: bigint) => Promise<AppliedRound>;
  readonly chaos?: {
    apply(rules: readonly ChaosRuleJson[]): void;
    heal(): void;
    report(): Record<string, Record<string, number>>;
    /** The rules in force, one per directed link (expanded from `*`); healed links are absent. */
    rules(): readonly ChaosRuleJson[];
  };
  readonly byzantine?: { get(): ByzantineMode; set(mode: ByzantineMode): void };
  /** The node's peer list (devnet/contract/node-process.ts PeersUpdate). */
  readonly peers?: {
    get(): readonly PeerAddressJson[];
    set(peers: readonly PeerAddressJson[]): void;
  };
  /** An offset added to this node's clock (chaos: clock skew). */
  readonly clock?: { get(): number; set(offsetMs: number): void };
}

/** One peer of a peer-list update. */
export interface PeerAddressJson {
  readonly nodeId: string;
  readonly addr: string;
}

const U64 = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})$/)
  .refine((s) => BigInt(s) < 1n << 64n, "at most 2^64-1");
const LinkRuleSchema = z.strictObject({
  partition: z.boolean().optional(),
  latencyMs: z.number().min(0).max(60_000).optional(),
  jitterMs: z.number().min(0).max(60_000).optional(),
  loss: z.number().min(0).max(1).optional(),
  duplicate: z.number().min(0).max(1).optional(),
  reorder: z.number().min(0).max(1).optional(),
  bandwidthBytesPerSec: z.number().positive().optional(),
});
const Schemas = {
  logLevel: z.strictObject({ level: z.enum(LOG_LEVELS) }),
  balance: z.strictObject({ balance: U64 }),
  chaos: z.strictObject({
    rules: z
      .array(z.strictObject({ from: z.string().min(1), to: z.string().min(1), rule: LinkRuleSchema }))
      .max(1024),
  }),
  byzantine: z.strictObject({ mode: z.enum(BYZANTINE_MODES) }),
  peers: z.strictObject({
    peers: z
      .array(
        z.strictObject({
          nodeId: z.string().regex(/^[0-9a-f]{64}$/),
          addr: z.string().regex(/^[0-9a-zA-Z.-]+:[0-9]{1,5}$/),
        }),
      )
      .max(1024),
  }),
  clock: z.strictObject({ offsetMs: z.number().int().min(-86_400_000).max(86_400_000) }),
};

function appliedJson(r: AppliedRound | null) {
  return r === null
    ? { round: null }
    : { round: r.round.toString(), root: toHex(r.root), final: r.final.length, rejected: r.rejected.length };
}

function missing(what: string): never {
  throw new ApiError("NOT_IMPLEMENTED", `${what} is not available on this node`);
}

/** Build the admin app; `token` is the per-node bearer token. */
export function createAdminApp(hooks: AdminHooks, token: string): Hono {
  const app = new Hono();
  const body = async <T>(c: { req: { json(): Promise<unknown> } }, schema: z.ZodType<T>): Promise<T> => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new ApiError("MALFORMED_JSON", "request body is not JSON");
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new ApiError("VALIDATION", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
    }
    return r.data;
  };

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json({ error: { code: err.code, message: err.message } }, err.status as 400);
    }
    if (err instanceof HTTPException && err.status === 413) {
      return c.json({ error: { code: "PAYLOAD_TOO_LARGE", message: "request body too large" } }, 413);
    }
    const message = err instanceof Error ? err.message : String(err);
    return c.json({ error: { code: "INTERNAL", message } }, 500);
  });
  app.notFound((c) =>
    c.json({ error: { code: "NOT_FOUND", message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.use("*", async (c, next) => {
    if (c.req.header("origin") !== undefined) {
      throw new ApiError("FORBIDDEN", "admin requests from browsers (with an Origin header) are refused");
    }
    const auth = c.req.header("authorization") ?? "";
    const m = /^Bearer ([^\s]+)$/.exec(auth);
    if (m === null || !tokenMatches(m[1]!, token)) {
      c.header("WWW-Authenticate", 'Bearer realm="lattice-admin"');
      throw new ApiError("UNAUTHORIZED", "missing or wrong bearer token (see admin.token in the data dir)");
    }
    await next();
  });
  app.use("*", bodyLimit({ maxSize: 64 * 1024 }));

  app.get("/admin/v1/log-level", (c) => c.json({ level: hooks.logLevel.get() }));
  app.put("/admin/v1/log-level", async (c) => {
    const { level } = await body(c, Schemas.logLevel);
    hooks.logLevel.set(level);
    return c.json({ level });
  });
  app.post("/admin/v1/rounds", async (c) => {
    const produce = hooks.produceRound ?? missing("produce-round (solo mode only)");
    return c.json(appliedJson(await produce()));
  });
  app.put("/admin/v1/accounts/:address/balance", async (c) => {
    const set = hooks.setBalance ?? missing("set-balance (solo mode only)");
    let address: Uint8Array;
    try {
      address = parseAddress(c.req.param("address"));
    } catch (err) {
      throw new ApiError("VALIDATION", `address: ${err instanceof Error ? err.message : String(err)}`);
    }
    const { balance } = await body(c, Schemas.balance);
    return c.json(appliedJson(await set(address, BigInt(balance))));
  });
  app.put("/admin/v1/chaos", async (c) => {
    const chaos = hooks.chaos ?? missing("chaos (multi-node nodes only)");
    const { rules } = await body(c, Schemas.chaos);
    chaos.apply(rules as ChaosRuleJson[]);
    return c.json({ rules: rules.length, report: chaos.report() });
  });
  app.delete("/admin/v1/chaos", (c) => {
    const chaos = hooks.chaos ?? missing("chaos (multi-node nodes only)");
    chaos.heal();
    return c.json({ healed: true, report: chaos.report() });
  });
  app.get("/admin/v1/chaos", (c) => {
    const chaos = hooks.chaos ?? missing("chaos (multi-node nodes only)");
    return c.json({ rules: chaos.rules(), report: chaos.report() });
  });
  app.get("/admin/v1/peers", (c) => {
    const peers = hooks.peers ?? missing("peers (multi-node nodes only)");
    return c.json({ peers: peers.get() });
  });
  app.post("/admin/v1/peers", async (c) => {
    const peers = hooks.peers ?? missing("peers (multi-node nodes only)");
    const body2 = await body(c, Schemas.peers);
    peers.set(body2.peers);
    return c.json({ peers: peers.get() });
  });
  app.get("/admin/v1/clock", (c) => {
    const clock = hooks.clock ?? missing("clock skew (multi-node nodes only)");
    return c.json({ offsetMs: clock.get() });
  });
  app.put("/admin/v1/clock", async (c) => {
    const clock = hooks.clock ?? missing("clock skew (multi-node nodes only)");
    const { offsetMs } = await body(c, Schemas.clock);
    clock.set(offsetMs);
    return c.json({ offsetMs: clock.get() });
  });
  app.get("/admin/v1/byzantine", (c) => {
    const b = hooks.byzantine ?? missing("byzantine modes (multi-node nodes only)");
    return c.json({ mode: b.get() });
  });
  app.put("/admin/v1/byzantine", async (c) => {
    const b = hooks.byzantine ?? missing("byzantine modes (multi-node nodes only)");
    const { mode } = await body(c, Schemas.byzantine);
    b.set(mode);
    return c.json({ mode });
  });
  return app;
}
