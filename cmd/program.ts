/**
 * The `lattice` command tree: global flags and one register function per command group.
 * Kept apart from the entry point so tests can run commands in-process with a captured sink.
 *
 * Command groups are imported when they run, not at start: a node process (`lattice node --config`)
 * must not pay for the explorer's ink/react/yoga, the simulator or BLS (measured ~300 ms of a ~650 ms
 * start from source). When argv names a group, only that group is loaded and registered; otherwise
 * (help, an unknown command) every group is, in the order `--help` lists them.
 */
import { Command, CommanderError, Option } from "commander";
import { isLatticeError } from "../core/errors/lattice-error.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";
import { createOutput, type GlobalOptions, type Output, processSink, type Sink } from "./output.ts";
import { VERSION } from "./version.ts";

function increase(_value: string, previous: number): number {
  return previous + 1;
}

function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { json?: boolean; quiet?: boolean; verbose?: number };
  return { json: o.json === true, quiet: o.quiet === true, verbose: o.verbose ?? 0 };
}

type Register = (program: Command, outputFor: OutputFor) => void;

/** Command groups in help order, each imported only when needed. */
const GROUPS: readonly (readonly [string, () => Promise<Register>])[] = [
  ["keys", async () => (await import("./keys.ts")).registerKeys],
  ["demo", async () => (await import("./demo.ts")).registerDemo],
  ["sim", async () => (await import("./sim.ts")).registerSim],
  ["doctor", async () => (await import("./doctor.ts")).registerDoctor],
  ["node", async () => (await import("./node.ts")).registerNode],
  ["tx", async () => (await import("./tx.ts")).registerTx],
  ["account", async () => (await import("./account.ts")).registerAccount],
  ["explorer", async () => (await import("./explorer.ts")).registerExplorer],
  ["devnet", async () => (await import("./devnet.ts")).registerDevnet],
];

/** Global flags that may come before the command name. */
const GLOBAL_FLAGS = /^(--json|-q|--quiet|-v+|--verbose)$/;

/** The group argv runs, if argv names one (the first word that is not a global flag). */
function groupOf(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !GLOBAL_FLAGS.test(a));
  return GROUPS.some(([name]) => name === first) ? first : undefined;
}

/** Build the command tree writing to `sink`: every group, or only the one `argv` runs. */
export async function buildProgram(sink: Sink = processSink, argv?: readonly string[]): Promise<Command> {
  const only = argv === undefined ? undefined : groupOf(argv);
  const registers = await Promise.all(
    GROUPS.filter(([name]) => only === undefined || name === only).map(([, load]) => load()),
  );
  const program = new Command();
  const outputFor = (cmd: Command): Output => createOutput(globalsOf(cmd), sink);
  program
    .name("lattice")
    .description("Lattice: a devnet toolkit and full node for farmer-harvester quorum consensus")
    .version(VERSION, "-V, --version", "print the version")
    .addOption(new Option("--json", "print one JSON document on stdout (no colour, no progress)"))
    .addOption(new Option("-q, --quiet", "print only results and errors"))
    .addOption(
      new Option("-v, --verbose", "more detail; repeat for more (-vv)").argParser(increase).default(0),
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => sink.stdout(s), writeErr: (s) => sink.stderr(s) })
    .exitOverride();

  for (const register of registers) register(program, outputFor);

  // Every subcommand inherits the error handling and output routing of the root.
  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => sink.stdout(s), writeErr: (s) => sink.stderr(s) });
    cmd.showHelpAfterError("(run with --help for usage)");
    for (const sub of cmd.commands) configure(sub);
  };
  for (const sub of program.commands) configure(sub);
  return program;
}

/**
 * Run `lattice` with `argv` (without the executable and script) and return the exit code.
 * Usage errors exit 2, failures 1; a LatticeError prints its code and message, anything else
 * its stack with -v.
 */
export async function runCli(argv: readonly string[], sink: Sink = processSink): Promise<number> {
  const program = await buildProgram(sink, argv);
  const json = argv.includes("--json");
  const verbose = argv.some((a) => /^-v+$/.test(a) || a === "--verbose");
  try {
    await program.parseAsync([...argv], { from: "user" });
    const code = typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      ) {
        return EXIT_OK;
      }
      // Commander has already printed the message and the help hint.
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      if (json) sink.stdout(`${JSON.stringify({ error: { code: "USAGE", message: err.message } })}\n`);
      else sink.stderr(`error: ${err.message}\n(run with --help for usage)\n`);
      return EXIT_USAGE;
    }
    const code = isLatticeError(err) ? err.code : "INTERNAL";
    const message = err instanceof Error ? err.message : String(err);
    if (json) sink.stdout(`${JSON.stringify({ error: { code, message } })}\n`);
    else sink.stderr(`error [${code}]: ${message}\n`);
    if (verbose && err instanceof Error && err.stack !== undefined) sink.stderr(`${err.stack}\n`);
    return EXIT_FAILURE;
  }
}
