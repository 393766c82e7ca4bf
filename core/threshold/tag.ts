/**
 * Domain tags: every threshold signature names its purpose (ARCHITECTURE.md "Identities,
 * encoding, crypto"; core-anchors.md §4.3 "a fixed DST with domain separation per message kind").
 *
 * A tag is 3..64 characters of `[a-z0-9./_-]`, starting and ending with a letter or digit, by
 * convention `lattice/<purpose>/v<n>` (e.g. `lattice/batch-verdict/v1`). Each scheme binds the
 * tag into its message hash injectively (BLS: as the suffix of the RFC 9380 DST; model: length-
 * prefixed before the message), so a signature made under one tag never verifies under another.
 */
import { ThresholdError } from "./errors.ts";

export const MIN_TAG_LENGTH = 3;
export const MAX_TAG_LENGTH = 64;
const TAG_PATTERN = /^[a-z0-9](?:[a-z0-9./_-]*[a-z0-9])?$/;

/** Throw THRESHOLD_BAD_TAG unless `tag` is a well-formed domain tag. */
export function assertTag(tag: string): void {
  if (
    typeof tag !== "string" ||
    tag.length < MIN_TAG_LENGTH ||
    tag.length > MAX_TAG_LENGTH ||
    !TAG_PATTERN.test(tag)
  ) {
    throw new ThresholdError(
      "THRESHOLD_BAD_TAG",
      `tag: expected ${MIN_TAG_LENGTH}..${MAX_TAG_LENGTH} chars of [a-z0-9./_-], like "lattice/batch-verdict/v1"`,
      { details: { tag: typeof tag === "string" ? tag.slice(0, 80) : typeof tag } },
    );
  }
}
