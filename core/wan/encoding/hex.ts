/**
 * Fast lower-case hex for map keys on the WAN hot paths (transfer ids, senders, digests): the same
 * output as core/crypto/bytes.ts `toHex`, through the engine's native `Uint8Array.prototype.toHex`
 * (ES2025; Bun has it) or Buffer's encoder, because profiles showed byte-by-byte string building to be
 * the largest single cost of a simulated round.
 */
type WithToHex = Uint8Array & { toHex?: () => string };

export function hexOf(bytes: Uint8Array): string {
  const native = (bytes as WithToHex).toHex;
  if (native !== undefined) return native.call(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
