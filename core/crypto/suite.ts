/**
 * The injected crypto suite (ARCHITECTURE.md "Crypto is an injected suite"): every engine gets its
 * signature and threshold primitives from here instead of importing an implementation, so the
 * simulator can swap in fast models while nodes always run the real thing.
 *
 * - `realSuite()`: native Ed25519 and BLS12-381 threshold signatures; the only suite a node accepts.
 * - `modelSuite()`: the model signer and the model threshold scheme; same semantics inside one
 *   simulation, orders of magnitude cheaper; insecure by design. One instance per simulation
 *   (its oracle is per instance).
 */
import { blsScheme } from "../threshold/bls.ts";
import { modelScheme } from "../threshold/model.ts";
import type { ThresholdScheme } from "../threshold/scheme.ts";
import { type Ed25519Backend, nativeEd25519 } from "./ed25519.ts";
import { createModelSigner } from "./model-signer.ts";

export interface CryptoSuite {
  readonly name: "real" | "model";
  /** False for the model suite: nodes refuse to start with it. */
  readonly secure: boolean;
  /** Identity signatures: node, engine and account keys. */
  readonly signer: Ed25519Backend;
  /** Quorum threshold signatures. */
  readonly threshold: ThresholdScheme<unknown, unknown>;
}

export function realSuite(): CryptoSuite {
  return {
    name: "real",
    secure: true,
    signer: nativeEd25519,
    threshold: blsScheme as ThresholdScheme<unknown, unknown>,
  };
}

export function modelSuite(): CryptoSuite {
  return {
    name: "model",
    secure: false,
    signer: createModelSigner(),
    threshold: modelScheme as ThresholdScheme<unknown, unknown>,
  };
}
