/**
 * Harvester agreement on ONE convergence block per round (ARCHITECTURE.md "WAN consensus" steps 0 and 7;
 * research/core-anchors.md §7). Why it exists: a 60% threshold vote alone is not safe against
 * equivocation. Two t-subsets of n members (t = ceil(0.6 n)) share only 2t - n members (about n/5): with
 * 5 harvesters (t = 3) two equivocating members plus an honest 2/1 split of the three others certify two
 * different blocks for one round (core/wan/certificate/equivocation.test.ts shows it on the raw shares).
 *
 * So the harvester quorum first runs Simplex (core/bft) as a log of round decisions: a leader proposes
 * `RoundChoice(round, block hash)` for a block it has re-checked; a replica notarizes it only if it holds
 * that block and it passes its own re-check (`check`); the FIRST finalized choice for a round in the log is
 * the round's decision, and an honest harvester threshold-signs that block and nothing else for the round.
 * Simplex gives one log to every honest member while the quorum's byzantine members are fewer than n/3
 * (its quorum is n - f, f = floor((n - 1) / 3)); a second certificate for the round would then need t
 * shares from members that sign against the log, and t > n/3 > f.
 *
 * Sans-I/O: this is a part of the WAN engine (the caller hands it events and takes its effects). Its
 * timers are Simplex's own ("simplex/..."), its protocol is `lattice/wan/agree/v1`. An empty payload is a
 * no-op block (the leader had nothing checked yet): the log keeps moving and the next leader tries again.
 * Payload wire format (canonical CBOR), tag 0x6f: RoundChoice = [0x6f, 1, round, block].
 */
import { defineMessage } from "../../codec/message.ts";
import { bytes, uint53 } from "../../codec/schema.ts";
import { utf8 } from "../../crypto/bytes.ts";
import type { Ed25519Backend } from "../../crypto/ed25519.ts";
import { taggedHash } from "../../crypto/sha256.ts";
import type { Effect, EngineContext, EngineEvent, EngineId } from "../../engine/engine.ts";
import { type FinalizedBlock, SimplexEngine } from "../../bft/simplex.ts";
import { MemoryJournal, type SimplexJournal } from "../../bft/simplex-journal.ts";
import { simplexWire } from "../../bft/simplex-messages.ts";
import { hexOf } from "../encoding/hex.ts";

export const AGREE_PROTOCOL = "lattice/wan/agree/v1";

export const RoundChoiceCodec = defineMessage({
  name: "RoundChoice",
  tag: 0x6f,
  version: 1,
  fields: { round: uint53, block: bytes(32) },
});

export interface AgreementOptions {
  readonly signer: Ed25519Backend;
  readonly secretKey: Uint8Array;
  readonly chainId: number;
  readonly epoch: number;
  /** Harvester quorum id and members (engine ids): the Simplex chain and its replicas. */
  readonly quorum: Uint8Array;
  readonly members: readonly EngineId[];
  readonly delta: number;
  readonly blockTime: number;
  readonly journal?: SimplexJournal;
  /** The block this replica would propose for the round it is in, or null (nothing checked yet). */
  readonly candidate: () => { readonly round: number; readonly block: Uint8Array } | null;
  /** Whether this replica holds `block` for `round` and it passes its own re-check now. */
  readonly check: (round: number, block: Uint8Array) => boolean;
}

/** The Simplex chain id of an epoch's harvester agreement (votes never cross chains or epochs). */
export function agreementChain(chainId: number, epoch: number, quorum: Uint8Array): Uint8Array {
  return taggedHash("lattice/wan/agree-chain", utf8(`${chainId}/${epoch}`), quorum);
}

export class RoundAgreement {
  private readonly engine: SimplexEngine;
  /** round -> decided block hash (hex); the first decision of a round in the log stands. */
  private readonly decided = new Map<number, string>();
  /** The newest proposal received (raw), replayed to the engine when data arrives so it can vote. */
  private lastProposal: { from: EngineId; payload: Uint8Array; view: number } | null = null;

  constructor(options: AgreementOptions) {
    this.engine = new SimplexEngine({
      chain: agreementChain(options.chainId, options.epoch, options.quorum),
      members: options.members,
      secretKey: options.secretKey,
      signer: options.signer,
      journal: options.journal ?? new MemoryJournal(),
      delta: options.delta,
      blockTime: options.blockTime,
      protocol: AGREE_PROTOCOL,
      app: {
        propose: () => {
          const c = options.candidate();
          if (c === null || this.decided.has(c.round)) return new Uint8Array(0);
          return RoundChoiceCodec.encode(c);
        },
        verify: (payload) => {
          if (payload.length === 0) return true;
          let c: { round: number; block: Uint8Array };
          try {
            c = RoundChoiceCodec.decode(payload);
          } catch {
            return false;
          }
          return !this.decided.has(c.round) && options.check(c.round, c.block);
        },
      },
    });
  }

  /** The decided block of `round` (hex hash), if the log has one. */
  decision(round: number): string | undefined {
    return this.decided.get(round);
  }

  /** Forget decisions below `round` (they are final on the chain). */
  prune(round: number): void {
    for (const r of this.decided.keys()) if (r < round) this.decided.delete(r);
  }

  /** Engine counters (tests, simulator). */
  stats(): ReturnType<SimplexEngine["stats"]> {
    return this.engine.stats();
  }

  /**
   * Feed one event; returns Simplex's effects with `simplex/finalized` turned into decisions (listed in
   * `decisions`), and its evidence and rejections re-emitted under `wan/agree/...`.
   */
  handle(
    event: EngineEvent,
    ctx: EngineContext,
  ): { effects: Effect[]; decisions: { round: number; block: string }[] } {
    if (event.kind === "message") this.remember(event.from, event.payload);
    return this.translate(this.engine.handle(event, ctx));
  }

  /** New data arrived: let the engine look at the current proposal again (it votes if it checks now). */
  replay(ctx: EngineContext): { effects: Effect[]; decisions: { round: number; block: string }[] } {
    const p = this.lastProposal;
    if (p === null || p.view !== this.engine.stats().view) return { effects: [], decisions: [] };
    return this.translate(
      this.engine.handle(
        {
          kind: "message",
          from: p.from,
          fromNode: p.from,
          to: { kind: "engine", engine: ctx.self },
          protocol: AGREE_PROTOCOL,
          payload: p.payload,
        },
        ctx,
      ),
    );
  }

  private remember(from: EngineId, payload: Uint8Array): void {
    // A proposal starts [0x84, 0x18, 0x43, ...] (array of 4, tag 0x43): skip decoding anything else twice.
    if (payload[2] !== 0x43 || payload[1] !== 0x18) return;
    let m: ReturnType<typeof simplexWire.decode>;
    try {
      m = simplexWire.decode(payload);
    } catch {
      return; // the engine rejects it with a typed code
    }
    if (m.name !== "SimplexProposal") return;
    const view = m.value.block.view;
    if (this.lastProposal === null || view >= this.lastProposal.view)
      this.lastProposal = { from, payload, view };
  }

  private translate(raw: readonly Effect[]): {
    effects: Effect[];
    decisions: { round: number; block: string }[];
  } {
    const effects: Effect[] = [];
    const decisions: { round: number; block: string }[] = [];
    for (const e of raw) {
      if (e.kind !== "emit") {
        effects.push(e);
        continue;
      }
      if (e.name === "simplex/finalized") {
        const payload = (e.data as FinalizedBlock).payload;
        if (payload.length === 0) continue;
        const c = RoundChoiceCodec.decode(payload);
        if (this.decided.has(c.round)) continue; // a later choice for a decided round: void
        const block = hexOf(c.block);
        this.decided.set(c.round, block);
        decisions.push({ round: c.round, block });
      } else {
        effects.push({ kind: "emit", name: e.name.replace(/^simplex\//, "wan/agree/"), data: e.data });
      }
    }
    return { effects, decisions };
  }
}
