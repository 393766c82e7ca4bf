/**
 * Process bookkeeping without root: is a pid still one of our nodes, stop it (SIGTERM, wait, SIGKILL),
 * and the directory lock. Pids come from devnet.json, so they may be stale (the machine rebooted, the pid
 * was reused): on Linux a pid only counts as our node when its /proc cmdline names the node's config file,
 * so `down` never signals a stranger. Zombies (exited, not yet reaped) count as gone.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { DevnetError } from "./devnet-error.ts";

export type PidState = "alive" | "stopped" | "gone";

function procStat(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
}

const hasProc = (() => {
  try {
    readFileSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
})();

/** Whether `pid` exists: "stopped" = SIGSTOPped (Linux only), zombies are "gone". */
export function pidState(pid: number): PidState {
  if (!Number.isInteger(pid) || pid <= 0) return "gone";
  if (hasProc) {
    const stat = procStat(pid);
    if (stat === null) return "gone";
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return "gone";
    return state === "T" || state === "t" ? "stopped" : "alive";
  }
  try {
    process.kill(pid, 0);
    return "alive";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? "alive" : "gone";
  }
}

/** True when `pid` is alive and (where /proc exists) its command line contains `marker`. */
export function isOurProcess(pid: number, marker: string): boolean {
  if (pidState(pid) === "gone") return false;
  if (!hasProc) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(marker);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every `everyMs` until true or `timeoutMs` passes; returns whether it became true. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (cond()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/**
 * Stop `pid` if it is still our process (`marker`): SIGCONT (a paused process cannot act on SIGTERM),
 * SIGTERM, wait up to `graceMs`, then SIGKILL and wait up to `killMs`. Resolves with how it ended; throws
 * DEVNET_STOP_FAILED if it is still there after SIGKILL.
 */
export async function stopProcess(
  pid: number,
  marker: string,
  options: { graceMs?: number; killMs?: number; hard?: boolean } = {},
): Promise<"not-running" | "terminated" | "killed"> {
  if (!isOurProcess(pid, marker)) return "not-running";
  const gone = () => pidState(pid) === "gone";
  if (options.hard !== true) {
    signal(pid, "SIGTERM");
    signal(pid, "SIGCONT");
    if (await waitUntil(gone, options.graceMs ?? 5_000)) return "terminated";
  }
  signal(pid, "SIGKILL");
  if (await waitUntil(gone, options.killMs ?? 3_000)) return "killed";
  throw new DevnetError("DEVNET_STOP_FAILED", `process ${pid} survived SIGKILL`, { details: { pid } });
}

/** Send a signal to our process `pid`; false when it is not (or no longer) ours. */
export function signalOurs(pid: number, marker: string, sig: NodeJS.Signals): boolean {
  if (!isOurProcess(pid, marker)) return false;
  signal(pid, sig);
  return true;
}

/**
 * Take the directory lock: create `path` exclusively with our pid. A lock whose holder is dead is stale
 * and taken over. Returns the release function; throws DEVNET_RUNNING when a live process holds it.
 */
export function acquireLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(path, "utf8").trim());
      } catch {
        // Removed between our open and read: try again.
        continue;
      }
      if (Number.isInteger(holder) && holder > 0 && pidState(holder) !== "gone") {
        throw new DevnetError(
          "DEVNET_RUNNING",
          `${what}: another lattice process (pid ${holder}) is changing it`,
          {
            details: { pid: holder, lock: path },
          },
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed the stale lock first.
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => {
      try {
        if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
      } catch {
        // Already gone.
      }
    };
  }
  throw new DevnetError("DEVNET_RUNNING", `${what}: could not take the lock ${path}`, {
    details: { lock: path },
  });
}
