/** Test helper: run the CLI in-process and capture stdout, stderr and the exit code together. */
import { runCli } from "./program.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCaptured(argv: readonly string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const saved = process.exitCode;
  process.exitCode = 0;
  try {
    const code = await runCli(argv, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    });
    return { code, stdout, stderr };
  } finally {
    process.exitCode = saved;
  }
}
