/**
 * The `lattice` command tree: global flags and one register function per command group.
 * Kept apart from the entry point so tests can run commands in-process with a captured sink.
 */
import { Command, CommanderError, Option } from "commander";
import { isLatticeError } from "../core/errors/lattice-error.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./exit-codes.ts";
import { registerDemo } from "./demo.ts";
import { registerDevnet } from "./devnet.ts";
import { registerDoctor } from "./doctor.ts";
import { registerKeys } from "./keys.ts";
import { registerAccount } from "./account.ts";
import { registerNode } from "./node.ts";
import { registerTx } from "./tx.ts";
import { registerSim } from "./sim.ts";
import { registerExplorer } from "./explorer.ts";
import { createOutput, type GlobalOptions, type Output, processSink, type Sink } from "./output.ts";
import { VERSION } from "./version.ts";

function increase(_value: string, previous: number): number {
  return previous + 1;
}

function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { json?: boolean; quiet?: boolean; verbose?: number };
  return { json: o.json === true, quiet: o.quiet === true, verbose: o.verbose ?? 0 };
}

/** Build the command tree writing to `sink`. */
export function buildProgram(sink: Sink = processSink): Command {
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

  registerKeys(program, outputFor);
  registerDemo(program, outputFor);
  registerSim(program, outputFor);
  registerDoctor(program, outputFor);
  registerNode(program, outputFor);
  registerTx(program, outputFor);
  registerAccount(program, outputFor);
  registerExplorer(program, outputFor);
  registerDevnet(program, outputFor);

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
  const program = buildProgram(sink);
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
