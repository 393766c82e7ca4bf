/**
 * Where a devnet keeps its files. One directory per devnet (default `.lattice/devnet` under the current
 * working directory), nothing outside it:
 *
 *   <dir>/genesis.json            the chain (ClusterGenesis); written once, reused on every later `up`
 *   <dir>/devnet.json             state: pids, urls, start time (`status`, `down`, ... from any shell)
 *   <dir>/devnet.lock             held (O_EXCL, with the holder's pid) while `up`/`down`/`restart` change things
 *   <dir>/nodes/<i>/node.json     ClusterNodeConfig of node i
 *   <dir>/nodes/<i>/node.key      node identity secret, hex (0600)
 *   <dir>/nodes/<i>/process.log   the node process's stdout and stderr (appended across restarts)
 *   <dir>/nodes/<i>/data/         the node's data dir (ready.json, databases, its own log, admin token)
 */
import { join, resolve } from "node:path";

export const DEFAULT_DEVNET_DIR = join(".lattice", "devnet");

export interface NodePaths {
  readonly dir: string;
  readonly config: string;
  readonly keyFile: string;
  readonly processLog: string;
  readonly dataDir: string;
  readonly readyFile: string;
}

export interface DevnetPaths {
  readonly dir: string;
  readonly genesis: string;
  readonly state: string;
  readonly lock: string;
  node(index: number): NodePaths;
}

/** Absolute paths of the devnet in `dir` (relative to `cwd`, default the process's). */
export function devnetPaths(dir: string = DEFAULT_DEVNET_DIR, cwd: string = process.cwd()): DevnetPaths {
  const root = resolve(cwd, dir);
  return {
    dir: root,
    genesis: join(root, "genesis.json"),
    state: join(root, "devnet.json"),
    lock: join(root, "devnet.lock"),
    node(index: number): NodePaths {
      const d = join(root, "nodes", String(index));
      const dataDir = join(d, "data");
      return {
        dir: d,
        config: join(d, "node.json"),
        keyFile: join(d, "node.key"),
        processLog: join(d, "process.log"),
        dataDir,
        readyFile: join(dataDir, "ready.json"),
      };
    },
  };
}
