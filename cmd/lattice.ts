#!/usr/bin/env bun
/**
 * Entry point of the `lattice` binary (and of `bun cmd/lattice.ts`). It only parses arguments and
 * hands over to the command modules; see cmd/program.ts for the command tree.
 */
import { runCli } from "./program.ts";

const code = await runCli(process.argv.slice(2));
process.exit(code);
