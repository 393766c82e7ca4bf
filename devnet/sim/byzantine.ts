/**
 * Byzantine behaviours for Simplex replicas in the simulator (reliability-anchors.md §3 "Twins",
 * §8 E1; ARCHITECTURE.md "Chaos ...: byzantine modes (equivocate, vote wrong, withhold)").
 *
 * Each mode is an `EffectTransformer`: the replica runs the honest engine and its outgoing messages are
 * rewritten with its own key, so every byzantine message is validly signed (the hard case for the
 * honest replicas). Twins (two honest instances with one key) need no transformer: the layout simply
 * runs the same identity on two hosts.
 *
 * - `withhold`: sends nothing (a crashed leader that still counts as a member).
 * - `equivocate`: a second proposal (other payload) and conflicting notarize/finalize votes go to half
 *   of the peers; nullify votes are doubled with finalize votes.
 * - `vote-wrong`: every notarize/finalize vote names a random block; nullify becomes finalize.
 * - `invalid`: every message is followed by a corrupted copy (bit flip, truncation or random bytes).
 */
import { toHex } from "../../core/crypto/bytes.ts";
import type { Ed25519Backend } from "../../core/crypto/ed25519.ts";
import type { Effect } from "../../core/engine/engine.ts";
import type { Prng } from "../../core/engine/prng.ts";
import {
  blockHash,
  decodeSimplex,
  encodeVote,
  Proposal,
  SIMPLEX_PROTOCOL,
  type SimplexMessage,
  type Vote,
  type VoteKind,
  voteSigningBytes,
} from "../../core/bft/simplex-messages.ts";
import type { EffectTransformer } from "./simulator.ts";

export const BYZANTINE_MODES = ["withhold", "equivocate", "vote-wrong", "invalid"] as const;
export type ByzantineMode = (typeof BYZANTINE_MODES)[number];
/** Modes plus Twins, which is a layout (duplicate identity), not a transformer. */
export type ByzantineKind = ByzantineMode | "twin";

type SendEffect = Extract<Effect, { kind: "send" }>;

/** Build the transformer of `mode` for a replica holding `secretKey`. */
export function byzantineTransformer(
  mode: ByzantineMode,
  secretKey: Uint8Array,
  signer: Ed25519Backend,
  onPropose?: (chain: string, payload: Uint8Array) => void,
): EffectTransformer {
  const sign = (chain: Uint8Array, view: number, kind: VoteKind, block: Uint8Array) =>
    signer.sign(secretKey, voteSigningBytes(chain, view, kind, block));
  const vote = (e: SendEffect, v: Vote, kind: VoteKind, block: Uint8Array): SendEffect => ({
    ...e,
    payload: encodeVote({ ...v, kind, block, sig: sign(v.chain, v.view, kind, block) }),
  });
  // Peers alternate between halves in the order first addressed: stable, so each half sees one story.
  const half = new Map<string, number>();
  const otherHalf = (e: SendEffect) => {
    if (e.to.kind !== "engine") return false;
    let h = half.get(e.to.engine);
    if (h === undefined) {
      h = half.size % 2;
      half.set(e.to.engine, h);
    }
    return h === 1;
  };

  let lastPayload: Uint8Array | undefined;
  let lastMsg: SimplexMessage | undefined;
  return (effect, _engine, random) => {
    if (effect.kind !== "send" || effect.protocol !== SIMPLEX_PROTOCOL) return [effect];
    if (mode === "withhold") return [];
    if (mode === "invalid") return [effect, { ...effect, payload: corrupt(effect.payload, random) }];
    // A broadcast is one payload sent to n-1 peers: decode it once.
    let msg = effect.payload === lastPayload ? lastMsg : undefined;
    if (msg === undefined) {
      try {
        msg = decodeSimplex(effect.payload, 1 << 20);
      } catch {
        return [effect];
      }
      lastPayload = effect.payload;
      lastMsg = msg;
    }
    if (msg.name === "SimplexProposal") {
      if (mode === "vote-wrong" || !otherHalf(effect)) return [effect];
      // Same view, same parent, another payload: a second block signed by the leader. The byte goes at
      // the end: a quorum payload's app tail is unframed, so the second block is valid too (the hard case).
      const block = { ...msg.value.block, payload: Uint8Array.of(...msg.value.block.payload, 0xeb) };
      onPropose?.(toHex(block.chain), block.payload);
      const sig = sign(block.chain, block.view, "notarize", blockHash(block));
      return [{ ...effect, payload: Proposal.encode({ block, sig }) }];
    }
    if (msg.name !== "SimplexVote") return [effect];
    const v = msg.value;
    const randomBlock = random.bytes(32);
    if (mode === "vote-wrong") {
      return [vote(effect, v, v.kind === "nullify" ? "finalize" : v.kind, randomBlock)];
    }
    // equivocate
    if (v.kind === "nullify") return [effect, vote(effect, v, "finalize", randomBlock)];
    return otherHalf(effect) ? [vote(effect, v, v.kind, randomBlock)] : [effect];
  };
}

function corrupt(payload: Uint8Array, random: Prng): Uint8Array {
  const how = random.int(0, 2);
  if (how === 0 && payload.length > 0) {
    const out = payload.slice();
    const i = random.int(0, out.length - 1);
    out[i]! ^= 1 << random.int(0, 7);
    return out;
  }
  if (how === 1 && payload.length > 1) return payload.slice(0, random.int(1, payload.length - 1));
  return random.bytes(random.int(1, 64));
}
