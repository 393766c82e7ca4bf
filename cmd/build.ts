/**
 * `npm run build`: compile `lattice` into one self-contained executable, dist/lattice.
 *
 * Facts this script encodes (measured on Bun 1.4, see shared/research/style-ecosystem-anchors.md §2.3, §3.1):
 * - Worker entry files must be extra entry points that sit beside the main entry (cmd/*.worker.ts),
 *   or the compiled binary cannot find them and re-runs itself instead.
 * - ink imports `react-devtools-core`, which is absent; a virtual no-op module stands in for it.
 * - A compiled binary would otherwise auto-load `.env` and `bunfig.toml` from the user's working
 *   directory, letting a stray file reconfigure a node: both are switched off.
 *
 * Usage: bun cmd/build.ts [--outfile PATH]
 */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const outIdx = args.indexOf("--outfile");
const outfile = resolve(
  outIdx >= 0 && args[outIdx + 1] !== undefined ? args[outIdx + 1]! : join(root, "dist", "lattice"),
);

const workers = readdirSync(join(root, "cmd"))
  .filter((f) => f.endsWith(".worker.ts"))
  .map((f) => join(root, "cmd", f));

const stubDevtools: Bun.BunPlugin = {
  name: "stub-react-devtools-core",
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, () => ({
      path: "react-devtools-core",
      namespace: "stub",
    }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents:
        "export function initialize() {}\nexport function connectToDevTools() {}\nexport default { initialize, connectToDevTools };\n",
      loader: "js",
    }));
  },
};

const started = performance.now();
const result = await Bun.build({
  entrypoints: [join(root, "cmd", "lattice.ts"), ...workers],
  compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
  minify: true,
  sourcemap: "linked",
  plugins: [stubDevtools],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  console.error("build failed");
  process.exit(1);
}
const ms = Math.round(performance.now() - started);
console.error(
  `built ${outfile} (${workers.length} worker entr${workers.length === 1 ? "y" : "ies"}) in ${ms} ms`,
);
