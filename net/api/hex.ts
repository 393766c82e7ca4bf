/**
 * Hex on the API's hot paths (every event, every status poll, every JSON submit) through Buffer's
 * native codec: core/crypto/bytes.ts's portable loop and per-byte regex cost ~1 ms per hundred ids, a
 * visible share of a node under `lattice devnet load`. Same results and errors as bytes.ts (tested).
 */

/** Lower-case hex of `bytes`. */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

const HEX = /^[0-9a-fA-F]*$/;

/** Parse hex (optionally 0x-prefixed, either case); throws TypeError naming `field` on bad input. */
export function bytesOfHex(hex: string, field = "hex"): Uint8Array {
  const s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (s.length % 2 !== 0) throw new TypeError(`${field}: hex string has odd length ${s.length}`);
  if (!HEX.test(s)) {
    const at = s.search(/[^0-9a-fA-F]/);
    throw new TypeError(`${field}: invalid hex at position ${at - (at % 2)}`);
  }
  const b = Buffer.from(s, "hex");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
