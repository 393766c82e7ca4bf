/**
 * The explorer's root component: one store fed by a DataSource, one key handler (keymap.ts), and the
 * commands it returns run against the source. Input is only read when the terminal supports raw mode.
 */
import { Box, useApp, useInput, useStdin, useWindowSize } from "ink";
import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";
import type { DataSource } from "./data-source.ts";
import { type Command, dispatchKey } from "./keymap.ts";
import { type Control, describeControl } from "./model.ts";
import { createStore, type ExplorerState, initialState, type Store } from "./store.ts";
import { Header, Hints, StatusLine, Tabs } from "./views/chrome.tsx";
import { Faults } from "./views/faults.tsx";
import { Help } from "./views/help.tsx";
import { Links } from "./views/links.tsx";
import { Logs } from "./views/logs.tsx";
import { Lookup } from "./views/lookup.tsx";
import { Nodes } from "./views/nodes.tsx";
import { Overview } from "./views/overview.tsx";
import { Quorums } from "./views/quorums.tsx";
import { Rounds } from "./views/rounds.tsx";

export interface AppProps {
  readonly source: DataSource;
  /** Pin the size (tests); default the terminal's. */
  readonly width?: number;
  readonly height?: number;
  /** A store to use (tests drive it directly); default a new one. */
  readonly store?: Store;
  /** Called once input handling is attached: keys written before it would be lost. */
  readonly onReady?: () => void;
  readonly now?: () => number;
  /** Called when the user quits, before the app unmounts. */
  readonly onQuit?: () => void;
}

function Body({ state, width, height }: { state: ExplorerState; width: number; height: number }) {
  if (state.help) return <Help />;
  switch (state.panel) {
    case "overview":
      return <Overview state={state} width={width} />;
    case "nodes":
      return <Nodes state={state} height={height} />;
    case "quorums":
      return <Quorums state={state} height={height} />;
    case "rounds":
      return <Rounds state={state} height={height} />;
    case "lookup":
      return <Lookup state={state} />;
    case "links":
      return <Links state={state} />;
    case "faults":
      return <Faults state={state} height={height} />;
    case "logs":
      return <Logs state={state} height={height} />;
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function controlNode(c: Control): string | null {
  return "node" in c ? c.node : "a" in c ? `${c.a}-${c.b}` : null;
}

export function App({ source, width, height, store: given, onReady, onQuit, now = Date.now }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useWindowSize();
  const store = useMemo(() => given ?? createStore(initialState(source.label, now())), [given, source, now]);
  const state = useSyncExternalStore(store.subscribe, store.get);

  useEffect(() => {
    let live = true;
    source
      .start((a) => {
        if (live) store.dispatch(a);
      })
      .catch((err: unknown) => store.dispatch({ type: "message", text: `cannot read the devnet: ${message(err)}` }));
    return () => {
      live = false;
      void source.stop();
    };
  }, [source, store]);

  const run = useCallback(
    (cmd: Command) => {
      const d = store.dispatch;
      switch (cmd.kind) {
        case "quit":
          onQuit?.();
          exit();
          return;
        case "loadRound":
          source.loadRound(cmd.round).then(
            (data) => d({ type: "roundDetail", round: cmd.round, data, error: null }),
            (err: unknown) => d({ type: "roundDetail", round: cmd.round, data: null, error: message(err) }),
          );
          return;
        case "lookup":
          source.lookup(cmd.query).then(
            (result) => d({ type: "lookupResult", query: cmd.query, result }),
            (err: unknown) =>
              d({ type: "lookupResult", query: cmd.query, result: { kind: "not-found", query: cmd.query, message: message(err) } }),
          );
          return;
        case "control": {
          const c = cmd.control;
          d({ type: "message", text: `${describeControl(c)}…` });
          const kind = c.kind === "kill" || c.kind === "pause" || c.kind === "resume" || c.kind === "restart" ? "process" : "link";
          source.control(c).then(
            (text) => {
              d({ type: "message", text });
              d({ type: "fault", entry: { time: now(), kind, node: controlNode(c), text: describeControl(c) } });
            },
            (err: unknown) => d({ type: "message", text: `${describeControl(c)} failed: ${message(err)}` }),
          );
          return;
        }
      }
    },
    [exit, source, store, now, onQuit],
  );

  useInput(
    (input, key) => {
      const r = dispatchKey(store.get(), input, key);
      for (const a of r.actions) store.dispatch(a);
      if (r.command !== null) run(r.command);
    },
    { isActive: isRawModeSupported },
  );
  // Declared after useInput: effects run in order, so its listener is attached when this fires.
  useEffect(() => {
    onReady?.();
  }, [onReady]);

  const w = width ?? size.columns;
  const h = height ?? size.rows;
  const body = Math.max(3, h - 4);
  return (
    <Box flexDirection="column" width={w} height={h}>
      <Header state={state} />
      <Tabs state={state} />
      <Box flexDirection="column" height={body} overflow="hidden">
        <Body state={state} width={w} height={body} />
      </Box>
      <StatusLine state={state} />
      <Hints state={state} />
    </Box>
  );
}
