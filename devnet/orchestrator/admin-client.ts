/**
 * Calls to a node's admin API (net/api/admin-app.ts) with the bearer token from the node's token file.
 * The token is read at every call: a restarted node writes a new one. A 501 (the node does not implement
 * the hook) becomes DEVNET_UNSUPPORTED, any other failure DEVNET_ADMIN, both naming the node and route.
 */
import { readFileSync } from "node:fs";
import { DevnetError } from "./devnet-error.ts";

export interface AdminTarget {
  readonly index: number;
  readonly adminUrl: string | null;
  readonly tokenFile: string | null;
}

/** `method path` on node `target`'s admin API; resolves with the parsed JSON answer. */
export async function adminCall(
  target: AdminTarget,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<unknown> {
  const where = `node ${target.index}: ${method} ${path}`;
  if (target.adminUrl === null || target.tokenFile === null)
    throw new DevnetError("DEVNET_ADMIN", `${where}: the node is not running`, {
      details: { node: target.index },
    });
  let token: string;
  try {
    token = readFileSync(target.tokenFile, "utf8").trim();
  } catch (err) {
    throw new DevnetError("DEVNET_ADMIN", `${where}: cannot read the admin token ${target.tokenFile}`, {
      cause: err,
    });
  }
  let res: Response;
  try {
    res = await fetch(`${target.adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new DevnetError("DEVNET_ADMIN", `${where}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      details: { node: target.index },
    });
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  if (res.ok) return json;
  const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
  const msg = `${where}: ${res.status} ${e?.code ?? ""} ${e?.message ?? text}`.trim();
  if (res.status === 501 || res.status === 404)
    throw new DevnetError("DEVNET_UNSUPPORTED", msg, { details: { node: target.index, status: res.status } });
  throw new DevnetError("DEVNET_ADMIN", msg, {
    details: { node: target.index, status: res.status, error: e },
  });
}

/** GET `url` and parse JSON; null on any failure (for polling). */
export async function tryJson(
  url: string,
  timeoutMs = 1_000,
): Promise<{ status: number; body: unknown } | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  } catch {
    return null;
  }
}
