/**
 * How every command talks to its user, after foundry's conventions: data on stdout, messages on
 * stderr; `--json` prints exactly one JSON document on stdout and nothing decorative; `-q`
 * silences messages; `-v` (repeatable) adds detail. Commands never call console.* directly.
 */

export interface GlobalOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: number;
}

export interface Output {
  readonly options: GlobalOptions;
  /** The command's result: JSON when --json, else the human rendering. */
  result(data: unknown, human: () => string): void;
  /** A progress or status message (stderr), hidden by -q and by --json. */
  info(message: string): void;
  /** Detail shown only with -v (level 1) or -vv (level 2). */
  debug(message: string, level?: number): void;
  /** A warning (stderr), shown even with -q unless --json. */
  warn(message: string): void;
}

export interface Sink {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processSink: Sink = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** JSON.stringify that writes bigints as decimal strings and bytes as hex. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
      return v;
    },
    indent,
  );
}

export function createOutput(options: GlobalOptions, sink: Sink = processSink): Output {
  return {
    options,
    result(data, human) {
      if (options.json) sink.stdout(`${toJson(data)}\n`);
      else sink.stdout(`${human()}\n`);
    },
    info(message) {
      if (!options.quiet && !options.json) sink.stderr(`${message}\n`);
    },
    debug(message, level = 1) {
      if (options.verbose >= level && !options.json) sink.stderr(`${message}\n`);
    },
    warn(message) {
      if (!options.json) sink.stderr(`warning: ${message}\n`);
    },
  };
}
