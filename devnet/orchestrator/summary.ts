/**
 * The live summary of a foreground `lattice devnet up`: one line per node (process state, readiness,
 * round, peers, pid, API URL). On a TTY the block is redrawn in place (cursor up, clear line); without
 * one, plain lines with a time stamp are printed now and then, with no escape codes.
 */
import type { NodeStatusReport } from "./orchestrator.ts";

/** One line per node, fixed columns. */
export function summaryLines(reports: readonly NodeStatusReport[]): string[] {
  const total = reports.length - 1;
  return reports.map((r) => {
    const state =
      r.process === "gone" ? "down" : r.process === "paused" ? "paused" : r.ready ? "ready" : "syncing";
    const round = r.round === null ? "-" : r.round;
    const peers = r.peers === null ? "-" : `${r.peers}/${total}`;
    const pid = r.pid === null ? "-" : String(r.pid);
    return `node ${String(r.index).padEnd(2)} ${state.padEnd(7)} round ${round.padEnd(8)} peers ${peers.padEnd(5)} pid ${pid.padEnd(7)} ${r.apiUrl ?? ""}`.trimEnd();
  });
}

/** Text that replaces a previously drawn block of `previous` lines with `lines` (ANSI, for a TTY). */
export function redraw(lines: readonly string[], previous: number): string {
  const up = previous > 0 ? `\x1b[${previous}A` : "";
  return `${up}${lines.map((l) => `\x1b[2K${l}\n`).join("")}`;
}
