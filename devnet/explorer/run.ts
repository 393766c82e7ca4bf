/**
 * How `lattice explorer` runs: the TUI in a terminal (ink, incremental rendering, capped frame rate,
 * alternate screen), a plain live summary when stdin or stdout is not a TTY (no raw mode), or one
 * snapshot with --once / --json.
 */
import { render } from "ink";
import { createElement } from "react";
import { App } from "./app.tsx";
import type { DataSource } from "./data-source.ts";
import { createStore, initialState } from "./store.ts";
import { snapshotJson, snapshotText, summaryKey, summaryLine } from "./summary.ts";

export interface RunOptions {
  readonly source: DataSource;
  readonly mode: "tui" | "plain" | "once" | "json";
  readonly write: (text: string) => void;
  /** Plain mode runs until this aborts (SIGINT/SIGTERM in the CLI); the TUI closes when it aborts. */
  readonly signal?: AbortSignal;
}

export async function runExplorer(o: RunOptions): Promise<void> {
  const store = createStore(initialState(o.source.label, Date.now()));
  if (o.mode === "tui") {
    const app = render(createElement(App, { source: o.source, store }), {
      maxFps: 10,
      incrementalRendering: true,
      alternateScreen: true,
      // The caller chose the TUI because both ends are terminals; ink would otherwise turn itself
      // non-interactive under CI=true (is-in-ci) and draw nothing until exit.
      interactive: true,
      exitOnCtrlC: true,
      patchConsole: false,
    });
    // The owner (lattice devnet up) can close the UI: a signal, or its devnet went away.
    const close = () => app.unmount();
    o.signal?.addEventListener("abort", close, { once: true });
    if (o.signal?.aborted === true) close();
    await app.waitUntilExit();
    o.signal?.removeEventListener("abort", close);
    await o.source.stop();
    return;
  }
  if (o.mode === "once" || o.mode === "json") {
    await o.source.start(store.dispatch);
    await o.source.stop();
    const s = store.get();
    if (s.nodes.length === 0) throw new Error(s.message ?? "no node answered");
    o.write(o.mode === "json" ? `${JSON.stringify(snapshotJson(s), null, 2)}\n` : `${snapshotText(s)}\n`);
    return;
  }
  let last = "";
  const print = () => {
    const s = store.get();
    if (s.nodes.length === 0) return;
    const key = summaryKey(s);
    if (key === last) return;
    last = key;
    o.write(`${summaryLine(s)}\n`);
  };
  store.subscribe(print);
  await o.source.start(store.dispatch);
  print();
  await new Promise<void>((resolve) => {
    if (o.signal === undefined || o.signal.aborted) return resolve();
    o.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await o.source.stop();
}
