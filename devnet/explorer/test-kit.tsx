/**
 * Test helpers for the explorer's ink components (ink-testing-library): the app pinned at 80x24, a
 * promise for input readiness (keys written before useInput attaches are lost), keys by name, and
 * waiting for a frame condition instead of sleeping.
 */
import { render } from "ink-testing-library";
import type { DataSource } from "./data-source.ts";
import { App } from "./app.tsx";
import { createStore, initialState, type Store } from "./store.ts";

export const KEYS = {
  up: "\u001B[A",
  down: "\u001B[B",
  right: "\u001B[C",
  left: "\u001B[D",
  enter: "\r",
  escape: "\u001B",
  backspace: "\u007F",
} as const;

/** Let React's scheduler and ink's renderer run (setImmediate, then a zero timeout). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setTimeout(resolve, 0)));
}

export async function waitFor(check: () => boolean, what: string, frame: () => string, limitMs = 3000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
    await flush();
  }
}

export interface Rendered {
  readonly store: Store;
  frame(): string;
  /** Write keys (one at a time) after input is attached, each followed by a flush. */
  press(...keys: string[]): Promise<void>;
  /** Wait until the frame contains `text` (or matches it). */
  see(text: string | RegExp): Promise<string>;
  unmount(): void;
  /** Resolves when the user quit (q). */
  exited: Promise<void>;
}

export async function renderExplorer(source: DataSource, now = () => 1_700_000_000_000): Promise<Rendered> {
  const store = createStore(initialState(source.label, now()));
  let ready!: () => void;
  const readyP = new Promise<void>((r) => {
    ready = r;
  });
  let quit!: () => void;
  const exited = new Promise<void>((r) => {
    quit = r;
  });
  const r = render(
    <App source={source} store={store} width={80} height={24} onReady={ready} onQuit={quit} now={now} />,
  );
  await readyP;
  await flush();
  const frame = () => r.lastFrame() ?? "";
  return {
    store,
    frame,
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        await flush();
      }
    },
    async see(text) {
      const ok = () => (typeof text === "string" ? frame().includes(text) : text.test(frame()));
      await waitFor(ok, String(text), frame);
      return frame();
    },
    unmount: () => r.unmount(),
    exited,
  };
}
