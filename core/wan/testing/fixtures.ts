/**
 * Test support for core/wan (not imported by production code): deterministic accounts, signed transfers,
 * dealer-made quorum keys on the model suite. Quorum keys from `dealKeys` are for tests only; real quorums
 * key themselves with the DKG.
 */
import { addressBytesOf } from "../../crypto/address.ts";
import { utf8 } from "../../crypto/bytes.ts";
import type { Ed25519Backend } from "../../crypto/ed25519.ts";
import { sha256 } from "../../crypto/sha256.ts";
import { Prng } from "../../engine/prng.ts";
import { dealKeys } from "../../threshold/dealer.ts";
import type { ThresholdKeySet, ThresholdScheme } from "../../threshold/scheme.ts";
import { envelopeOf, type Transfer, type TransferEnvelope } from "../../tx/transfer.ts";
import { signTransferWith } from "../ledger/transfer-suite.ts";

export const CHAIN_ID = 7;

export interface TestAccount {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
}

export function testAccount(signer: Ed25519Backend, label: string): TestAccount {
  const secretKey = sha256(utf8(`wan-test-account/${label}`));
  const publicKey = signer.publicKey(secretKey);
  return { secretKey, publicKey, address: addressBytesOf(publicKey) };
}

export function transfer(
  signer: Ed25519Backend,
  from: TestAccount,
  to: Uint8Array,
  nonce: bigint,
  amount = 10n,
  fee = 1n,
  chainId = CHAIN_ID,
): Transfer {
  return signTransferWith(signer, { chainId, from: from.publicKey, to, amount, fee, nonce }, from.secretKey);
}

export function env(tx: Transfer): TransferEnvelope {
  return envelopeOf(tx);
}

/** A dealer-made t-of-n key (tests only). */
export function quorumKey(
  scheme: ThresholdScheme<unknown, unknown>,
  n: number,
  t: number,
  seed: number,
): ThresholdKeySet<unknown> {
  const rng = new Prng(seed);
  return dealKeys(scheme, n, t, (k) => rng.bytes(k));
}

/** Deterministic 32-byte ids. */
export function ids(n: number, label: string): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha256(utf8(`${label}/${i}`)));
}
