/**
 * docs/API.md must not drift from the code: this test parses the `vector` block out of the document and
 * recomputes every value from the seed text, with our codec and crypto, with a hand-built encoding that
 * follows the document's own CBOR rules, and with the reference (noble) Ed25519. It also checks that the
 * worked example's numbered steps quote the same hex as the vector.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { addressBytesOf, formatAddress } from "../../core/crypto/address.ts";
import { concatBytes, fromHex, toHex, utf8 } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { decodeTransfer, encodeTransfer, signTransfer, transferId } from "../../core/tx/transfer.ts";
import { transferToJson } from "../api/wire.ts";

const doc = readFileSync(join(import.meta.dir, "../../docs/API.md"), "utf8");
const block = /```json vector\n([\s\S]*?)\n```/.exec(doc);

interface Vector {
  senderSeedText: string;
  senderSecretKey: string;
  senderPublicKey: string;
  senderAddressPreimage: string;
  senderAddressHash: string;
  senderAddress: string;
  recipientSecretKey: string;
  recipientAddressBytes: string;
  recipientAddress: string;
  chainId: number;
  amount: string;
  fee: string;
  nonce: string;
  signingPayload: string;
  signingBytes: string;
  signature: string;
  transfer: string;
  txId: string;
  json: Record<string, unknown>;
}

function uintHead(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
  return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

test("docs/API.md has a vector block", () => {
  expect(block).not.toBeNull();
});

test("the documented vector matches the implementation and the documented rules", () => {
  const v = JSON.parse(block![1]!) as Vector;
  const sender = keyPairFromSeed(sha256(utf8(v.senderSeedText)));
  const recipient = keyPairFromSeed(sha256(utf8("lattice api example recipient")));
  expect(toHex(sender.secretKey)).toBe(v.senderSecretKey);
  expect(toHex(recipient.secretKey)).toBe(v.recipientSecretKey);
  expect(toHex(sender.publicKey)).toBe(v.senderPublicKey);
  expect(toHex(ed25519.getPublicKey(sender.secretKey))).toBe(v.senderPublicKey);

  // Address: SHA-256(0x12 ‖ "lattice/address/v1" ‖ pk)[0..20], bech32m "lat".
  const preimage = concatBytes(Uint8Array.of(18), utf8("lattice/address/v1"), sender.publicKey);
  expect(toHex(preimage)).toBe(v.senderAddressPreimage);
  expect(toHex(sha256(preimage))).toBe(v.senderAddressHash);
  expect(String(formatAddress(sha256(preimage).slice(0, 20)))).toBe(v.senderAddress);
  const to = addressBytesOf(recipient.publicKey);
  expect(toHex(to)).toBe(v.recipientAddressBytes);
  expect(String(formatAddress(to))).toBe(v.recipientAddress);

  // Signing payload built by hand from the document's CBOR rules.
  const amount = Number(v.amount);
  const fee = Number(v.fee);
  const nonce = Number(v.nonce);
  const payload = Uint8Array.from([
    0x88,
    ...uintHead(0, 0x21),
    ...uintHead(0, 1),
    ...uintHead(0, v.chainId),
    ...uintHead(2, 32),
    ...sender.publicKey,
    ...uintHead(2, 20),
    ...to,
    ...uintHead(0, amount),
    ...uintHead(0, fee),
    ...uintHead(0, nonce),
  ]);
  expect(toHex(payload)).toBe(v.signingPayload);
  const signing = concatBytes(utf8("lattice/tx/v1"), Uint8Array.of(0), payload);
  expect(toHex(signing)).toBe(v.signingBytes);
  expect(toHex(ed25519.sign(signing, sender.secretKey))).toBe(v.signature);
  expect(ed25519.verify(fromHex(v.signature), signing, sender.publicKey, { zip215: false })).toBe(true);

  // The same through the implementation.
  const tx = signTransfer(
    {
      chainId: v.chainId,
      from: sender.publicKey,
      to,
      amount: BigInt(v.amount),
      fee: BigInt(v.fee),
      nonce: BigInt(v.nonce),
    },
    sender.secretKey,
  );
  expect(toHex(tx.signature)).toBe(v.signature);
  const bytes = encodeTransfer(tx);
  const handBuilt = Uint8Array.from([
    0x89,
    ...uintHead(0, 0x20),
    ...payload.subarray(3), // everything after the signing array's header and tag
    ...uintHead(2, 64),
    ...tx.signature,
  ]);
  expect(toHex(handBuilt)).toBe(v.transfer);
  expect(toHex(bytes)).toBe(v.transfer);
  expect(toHex(transferId(bytes))).toBe(v.txId);
  expect(decodeTransfer(fromHex(v.transfer))).toEqual(tx);
  expect(transferToJson(tx) as unknown).toEqual(v.json);
});

test("the worked example's steps quote the vector's values", () => {
  const v = JSON.parse(block![1]!) as Vector;
  const steps = doc.slice(doc.indexOf("### Worked example"), doc.indexOf("```json vector"));
  for (const key of [
    "senderPublicKey",
    "senderAddressPreimage",
    "senderAddressHash",
    "senderAddress",
    "recipientAddressBytes",
    "recipientAddress",
    "signingPayload",
    "signingBytes",
    "signature",
    "transfer",
    "txId",
  ] as const) {
    expect(steps).toContain(v[key]);
  }
  expect(doc).toContain(JSON.stringify(v.json, null, 2));
});
