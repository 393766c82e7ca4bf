/**
 * A tiny deterministic message pump for the WAN engines (test support only: the full simulator with chaos
 * and byzantine modes lives in devnet/sim, which core may not import). Virtual clock, seeded latency,
 * unicast delivery, timers; dealer-made quorum keys on the model suite; a load of signed transfers.
 */
import { hexOf } from "../encoding/hex.ts";
import type { CryptoSuite } from "../../crypto/suite.ts";
import type { ClockHandle, Effect, EngineContext, EngineId } from "../../engine/engine.ts";
import { Prng } from "../../engine/prng.ts";
import { VirtualClock } from "../../engine/virtual-clock.ts";
import { thresholdOf } from "../fault-tolerance/fault-tolerance.ts";
import { Ledger } from "../ledger/ledger.ts";
import { ids, quorumKey, type TestAccount, testAccount } from "../testing/fixtures.ts";
import { convergenceHash } from "../convergence/convergence-block.ts";
import { CertifiedConvergenceCodec } from "./wan-messages.ts";
import {
  type QuorumInfo,
  type WanByzantine,
  type WanCommittee,
  WanNode,
  type WanParams,
} from "./wan-node.ts";

export interface WanHarnessOptions {
  readonly suite: CryptoSuite;
  readonly seed: number;
  readonly farmerQuorums: number;
  readonly quorumSize: number;
  readonly harvesters: number;
  readonly miners: number;
  readonly accounts: number;
  readonly balance: bigint;
  readonly chainId: number;
  /** One-way latency range, ms. */
  readonly latency?: readonly [number, number];
  readonly params?: Partial<WanParams>;
  /** Record every certified convergence block on the wire (`certifiedBlocks`); off by default (cost). */
  readonly audit?: boolean;
  /** Byzantine modes by role and index (farmer index within its quorum `q`). */
  readonly byzantine?: (
    role: "farmer" | "harvester" | "miner",
    index: number,
    q: number,
  ) => WanByzantine | undefined;
}

interface Hosted {
  readonly engine: WanNode;
  readonly timers: Map<string, ClockHandle>;
}

export class WanHarness {
  readonly clock = new VirtualClock();
  readonly rng: Prng;
  readonly nodes = new Map<EngineId, Hosted>();
  readonly accounts: TestAccount[];
  readonly genesis: Ledger;
  readonly emits: { node: EngineId; name: string; data: unknown }[] = [];
  delivered = 0;
  /** Return false to drop a message (partitions in tests); checked at send time. */
  filter: (from: EngineId, to: EngineId, now: number) => boolean = () => true;
  /** Every certified convergence block seen on the wire, by round (agreement: one per round). */
  readonly certifiedBlocks = new Map<number, Set<string>>();
  private readonly latency: readonly [number, number];

  constructor(readonly options: WanHarnessOptions) {
    const { suite } = options;
    this.rng = new Prng(options.seed);
    this.latency = options.latency ?? [1, 8];
    this.accounts = Array.from({ length: options.accounts }, (_, i) => testAccount(suite.signer, `acct${i}`));
    this.genesis = Ledger.fromGenesis(
      this.accounts.map((a) => [a.address, { balance: options.balance, nonce: 0n }] as const),
    );
    const keyOf = (label: string) => testAccount(suite.signer, label);
    const n = options.quorumSize;
    const farmerKeys = Array.from({ length: options.farmerQuorums }, (_, q) =>
      Array.from({ length: n }, (_, i) => keyOf(`farmer${q}/${i}`)).sort((a, b) =>
        Buffer.compare(a.publicKey, b.publicKey),
      ),
    );
    const harvesterKeys = Array.from({ length: options.harvesters }, (_, i) => keyOf(`harvester${i}`)).sort(
      (a, b) => Buffer.compare(a.publicKey, b.publicKey),
    );
    const minerKeys = Array.from({ length: options.miners }, (_, i) => keyOf(`miner${i}`));
    const quorumIds = ids(options.farmerQuorums, `quorum/${options.seed}`);
    const farmerSets = farmerKeys.map((_, q) =>
      quorumKey(suite.threshold, n, thresholdOf(n), options.seed * 100 + q),
    );
    const hSet = quorumKey(
      suite.threshold,
      options.harvesters,
      thresholdOf(options.harvesters),
      options.seed * 100 + 99,
    );
    const farmers: QuorumInfo[] = farmerKeys.map((ms, q) => ({
      id: quorumIds[q]!,
      members: ms.map((m) => hexOf(m.publicKey)),
      key: farmerSets[q]!,
    }));
    const committee: WanCommittee = {
      epoch: 0,
      farmers,
      harvesters: {
        id: ids(1, "harvesters")[0]!,
        members: harvesterKeys.map((m) => hexOf(m.publicKey)),
        key: hSet,
      },
      miners: minerKeys.map((m) => hexOf(m.publicKey)),
    };
    const base = {
      suite,
      chainId: options.chainId,
      committee,
      genesis: this.genesis,
      params: options.params ?? {},
    };
    for (const [q, ms] of farmerKeys.entries()) {
      for (const [i, m] of ms.entries()) {
        const share = farmerSets[q]!.shares[i]!;
        const byzantine = options.byzantine?.("farmer", i, q);
        this.host(
          new WanNode({
            ...base,
            secretKey: m.secretKey,
            farmer: { quorum: q, share },
            ...(byzantine === undefined ? {} : { byzantine }),
          }),
        );
      }
    }
    for (const [i, m] of harvesterKeys.entries()) {
      const byzantine = options.byzantine?.("harvester", i, 0);
      this.host(
        new WanNode({
          ...base,
          secretKey: m.secretKey,
          harvester: { share: hSet.shares[i]! },
          ...(byzantine === undefined ? {} : { byzantine }),
        }),
      );
    }
    for (const [i, m] of minerKeys.entries()) {
      const byzantine = options.byzantine?.("miner", i, 0);
      this.host(
        new WanNode({
          ...base,
          secretKey: m.secretKey,
          miner: true,
          ...(byzantine === undefined ? {} : { byzantine }),
        }),
      );
    }
  }

  private host(engine: WanNode): void {
    this.nodes.set(engine.id, { engine, timers: new Map() });
  }

  private readonly contexts = new Map<EngineId, EngineContext>();

  private ctx(id: EngineId): EngineContext {
    let c = this.contexts.get(id);
    if (c === undefined) {
      const clock = this.clock;
      c = { now: () => clock.now(), random: this.rng.fork(id), self: id, node: id };
      this.contexts.set(id, c);
    }
    return c;
  }

  private apply(id: EngineId, effects: readonly Effect[]): void {
    const h = this.nodes.get(id)!;
    for (const e of effects) {
      switch (e.kind) {
        case "send": {
          if (e.to.kind !== "engine") break;
          const to = e.to.engine;
          if (!this.filter(id, to, this.clock.now())) break;
          const delay = this.rng.int(this.latency[0], this.latency[1]);
          this.clock.schedule(delay, () => {
            this.delivered++;
            if (this.options.audit === true && e.payload[2] === 0x6e && e.payload[1] === 0x18)
              this.audit(e.payload);
            this.deliver(to, {
              kind: "message",
              from: id,
              fromNode: id,
              to: e.to,
              protocol: e.protocol,
              payload: e.payload,
            });
          });
          break;
        }
        case "set-timer": {
          const old = h.timers.get(e.timer);
          if (old !== undefined) this.clock.cancel(old);
          h.timers.set(
            e.timer,
            this.clock.schedule(e.after, () => {
              h.timers.delete(e.timer);
              this.deliver(id, { kind: "timer", timer: e.timer });
            }),
          );
          break;
        }
        case "cancel-timer": {
          const old = h.timers.get(e.timer);
          if (old !== undefined) this.clock.cancel(old);
          h.timers.delete(e.timer);
          break;
        }
        case "emit":
          this.emits.push({ node: id, name: e.name, data: e.data });
          break;
        default:
          break;
      }
    }
  }

  private audit(payload: Uint8Array): void {
    let m: ReturnType<typeof CertifiedConvergenceCodec.decode>;
    try {
      m = CertifiedConvergenceCodec.decode(payload);
    } catch {
      return;
    }
    const set = this.certifiedBlocks.get(m.block.round) ?? new Set<string>();
    set.add(hexOf(convergenceHash(m.block)));
    this.certifiedBlocks.set(m.block.round, set);
  }

  deliver(id: EngineId, event: Parameters<WanNode["handle"]>[0]): void {
    const h = this.nodes.get(id);
    if (h === undefined) return;
    this.apply(id, h.engine.handle(event, this.ctx(id)));
  }

  start(): void {
    for (const id of [...this.nodes.keys()].sort()) this.deliver(id, { kind: "start" });
  }

  /** A client hands `tx` to a random node at `at` ms from now. */
  submit(tx: Uint8Array, after = 0): void {
    const all = [...this.nodes.keys()].sort();
    const to = all[this.rng.int(0, all.length - 1)]!;
    this.clock.schedule(after, () =>
      this.deliver(to, { kind: "request", requestId: "r", body: { kind: "submit", tx } }),
    );
  }

  run(ms: number): void {
    this.clock.advance(ms);
  }

  engines(): WanNode[] {
    return [...this.nodes.values()].map((h) => h.engine);
  }
}
