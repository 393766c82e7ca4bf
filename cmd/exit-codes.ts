/**
 * Exit codes of `lattice`, documented in the README:
 * 0 success, 1 failure (the command ran and something went wrong, or a check failed),
 * 2 usage error (unknown command or option, bad argument), 124 indeterminate (a submitted transaction's
 * fate was still unknown when the wait timed out: it may yet become final), 130 interrupted (SIGINT).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INDETERMINATE = 124;
export const EXIT_INTERRUPTED = 130;

/** A usage problem found after parsing (a malformed argument value). Exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
