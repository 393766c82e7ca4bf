/**
 * PSK join authentication (seed 003 "Joining a domain": pre-shared key; core-anchors §5.3 "the join
 * request carries an HMAC over (domain id, node id, nonce) keyed by the PSK; never send the PSK").
 *
 * mac = HMAC-SHA256(psk, "lattice/join/v1" ‖ 0x00 ‖ domain ‖ node ‖ nonce). Binding the node id means a
 * captured request cannot admit another node; the nonce lets the introducer refuse replays. Comparison
 * takes time independent of where the bytes differ.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, equalBytes, utf8 } from "../../core/crypto/bytes.ts";

const LABEL = concatBytes(utf8("lattice/join/v1"), Uint8Array.of(0));

/** The MAC a joiner sends. All ids as raw bytes (32 each). */
export function joinMac(
  psk: Uint8Array,
  domain: Uint8Array,
  node: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  return hmac(sha256, psk, concatBytes(LABEL, domain, node, nonce));
}

/** True when `mac` is the joiner's MAC under `psk`. */
export function checkJoinMac(
  psk: Uint8Array,
  domain: Uint8Array,
  node: Uint8Array,
  nonce: Uint8Array,
  mac: Uint8Array,
): boolean {
  return equalBytes(joinMac(psk, domain, node, nonce), mac);
}
