/**
 * The admin bearer token: 32 random bytes (hex), generated at every node start and written to
 * `<dataDir>/admin.token` with mode 0600, so only the node's user (and the devnet orchestrator acting for
 * it) can drive the admin listener. Comparison is constant-time over SHA-256 digests, so neither the
 * content nor the length of a wrong token leaks through timing.
 */
import { timingSafeEqual } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../../core/crypto/bytes.ts";
import { sha256 } from "../../core/crypto/sha256.ts";

export const ADMIN_TOKEN_FILE = "admin.token";

/** Generate a token, write it to the data directory (0600) and return it with its path. */
export function writeAdminToken(dataDir: string): { token: string; path: string } {
  const token = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // the mode option does not apply when the file already existed
  return { token, path };
}

/** Constant-time token comparison. */
export function tokenMatches(given: string, expected: string): boolean {
  const enc = new TextEncoder();
  return timingSafeEqual(sha256(enc.encode(given)), sha256(enc.encode(expected)));
}
