/**
 * `lattice explorer [--url URL | --dir D] [--once] [--json]`: the terminal UI of a devnet (devnet/explorer).
 * In a terminal: the live TUI with fault controls. Without one (stdin or stdout not a TTY): a plain live
 * summary, one line per change, until SIGINT/SIGTERM. --once prints one snapshot and exits; --json (the
 * global flag) prints that snapshot as one JSON document.
 */
import type { Command } from "commander";
import { DEFAULT_DEVNET_DIR } from "../devnet/orchestrator/layout.ts";
import { HttpSource, type Target } from "../devnet/explorer/http-source.ts";
import { runExplorer } from "../devnet/explorer/run.ts";
import { UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";

interface ExplorerFlags {
  url?: string;
  dir?: string;
  once?: boolean;
}

export function registerExplorer(program: Command, outputFor: OutputFor): void {
  program
    .command("explorer")
    .description("watch and drive a devnet in a terminal UI (plain summary without a TTY)")
    .option("--url <url>", "one node's API URL (read-only: no process or link faults)")
    .option("--dir <dir>", `devnet directory with devnet.json (default ${DEFAULT_DEVNET_DIR})`)
    .option("--once", "print one snapshot and exit")
    .action(async (opts: ExplorerFlags, cmd: Command) => {
      const out = outputFor(cmd);
      if (opts.url !== undefined && opts.dir !== undefined) throw new UsageError("give --url or --dir, not both");
      if (opts.url !== undefined && !/^https?:\/\/[^\s]+$/.test(opts.url)) {
        throw new UsageError(`--url: an http(s) URL expected, got ${opts.url}`);
      }
      const target: Target =
        opts.url !== undefined ? { kind: "url", url: opts.url } : { kind: "dir", dir: opts.dir ?? DEFAULT_DEVNET_DIR };
      const source = new HttpSource(target);
      const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
      const mode = out.options.json ? "json" : opts.once === true ? "once" : tty ? "tui" : "plain";
      if (mode === "json") {
        // Through Output, so --json stays exactly one document on stdout.
        await runExplorer({ source, mode, write: (text) => out.result(JSON.parse(text) as unknown, () => text) });
        return;
      }
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        await runExplorer({
          source,
          mode,
          write: (text) => out.result(null, () => text.replace(/\n$/, "")),
          signal: abort.signal,
        });
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
