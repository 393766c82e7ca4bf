/**
 * The one base error of Lattice. Every error the code raises on purpose is a LatticeError
 * subclass with a stable machine-readable `code`; callers branch on `code` (or `name`), never
 * on message text, because messages are for people and may change.
 *
 * Codes are SCREAMING_SNAKE strings grouped by area (`DECODE_*`, `CRYPTO_*`, `ADDRESS_*`, ...).
 */
export class LatticeError extends Error {
  /** Stable identifier for programmatic handling. */
  readonly code: string;
  /** Extra structured context (field names, limits, offsets); safe to serialise. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LatticeError";
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** A plain object for logs, JSON output and crossing worker boundaries. */
  toJSON(): { name: string; code: string; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: { ...this.details } };
  }
}

/** Narrow an unknown thrown value to a LatticeError with the given code. */
export function isLatticeError(err: unknown, code?: string): err is LatticeError {
  return err instanceof LatticeError && (code === undefined || err.code === code);
}
