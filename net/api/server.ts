/**
 * Serving a hono app (or any fetch handler) with Bun.serve, the way every Lattice listener must: bound to
 * 127.0.0.1 only (a node never exposes its API beyond loopback by itself; remote access goes through a
 * proxy the operator chooses), port 0 picks a free port, a hard body cap as a backstop behind the app's own
 * 413, an idle timeout that reaps dead clients, and a stop that waits for in-flight requests briefly and
 * then cuts what is left.
 */
import type { Server } from "bun";

export const LOOPBACK = "127.0.0.1";

export interface ListenOptions {
  /** 0 (default) = a free port. */
  readonly port?: number;
  /** Hard cap in bytes applied by Bun before the app sees the request (default 1 MiB). */
  readonly maxRequestBodySize?: number;
  /** Seconds before an idle connection is closed (default 30; event streams send heartbeats). */
  readonly idleTimeout?: number;
}

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  /** Stop listening; waits up to `graceMs` (default 2000) for in-flight requests, then closes them. */
  stop(graceMs?: number): Promise<void>;
}

/** Listen on 127.0.0.1 with `fetch`. */
export function listen(
  fetch: (req: Request, server: Server<undefined>) => Response | Promise<Response>,
  options: ListenOptions = {},
): HttpServer {
  const server = Bun.serve({
    hostname: LOOPBACK,
    port: options.port ?? 0,
    maxRequestBodySize: options.maxRequestBodySize ?? 1 << 20,
    idleTimeout: options.idleTimeout ?? 30,
    fetch,
    error: () => Response.json({ error: { code: "INTERNAL", message: "internal error" } }, { status: 500 }),
  });
  const port = server.port ?? 0;
  let stopped: Promise<void> | null = null;
  return {
    url: `http://${LOOPBACK}:${port}`,
    port,
    stop(graceMs = 2000) {
      stopped ??= (async () => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), graceMs);
        });
        const result = await Promise.race([server.stop(false).then(() => "done" as const), grace]);
        clearTimeout(timer);
        if (result === "late") await server.stop(true);
      })();
      return stopped;
    },
  };
}
