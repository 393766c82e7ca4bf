/**
 * A small reference engine: `PingEngine` sends `count` pings to a peer engine, one per `interval` ms,
 * answers pings with pongs, and emits `pong {n, rtt}` for every answer and `done` when all came back.
 * Used by the runtime tests (the same engine over memory + virtual clock and over TCP + real clock) and
 * as the smallest example of the engine contract. Wire: 1 byte kind (0 ping, 1 pong) + 4 bytes n + 8 bytes
 * sent-at (ms, big-endian float64).
 */
import type { Effect, Engine, EngineContext, EngineEvent, EngineId } from "../../core/engine/engine.ts";

export const PING_PROTOCOL = "ping/v1";

export class PingEngine implements Engine {
  readonly protocols = [PING_PROTOCOL];
  private sent = 0;
  private readonly got = new Set<number>();

  constructor(
    readonly id: EngineId,
    private readonly options: { peer?: EngineId; count?: number; interval?: number } = {},
  ) {}

  handle(event: EngineEvent, ctx: EngineContext): readonly Effect[] {
    switch (event.kind) {
      case "start":
        return this.options.peer === undefined ? [] : [{ kind: "set-timer", timer: "tick", after: 0 }];
      case "timer": {
        const peer = this.options.peer;
        if (peer === undefined || this.sent >= (this.options.count ?? 1)) return [];
        const n = this.sent++;
        return [
          {
            kind: "send",
            to: { kind: "engine", engine: peer },
            protocol: PING_PROTOCOL,
            payload: encode(0, n, ctx.now()),
          },
          { kind: "set-timer", timer: "tick", after: this.options.interval ?? 10 },
        ];
      }
      case "message": {
        const m = decode(event.payload);
        if (m === undefined) return [{ kind: "emit", name: "bad-payload", data: event.payload.length }];
        if (m.kind === 0) {
          return [
            {
              kind: "send",
              to: { kind: "engine", engine: event.from },
              protocol: PING_PROTOCOL,
              payload: encode(1, m.n, m.at),
            },
          ];
        }
        if (this.got.has(m.n)) return [];
        this.got.add(m.n);
        const out: Effect[] = [{ kind: "emit", name: "pong", data: { n: m.n, rtt: ctx.now() - m.at } }];
        if (this.got.size === (this.options.count ?? 1))
          out.push({ kind: "emit", name: "done", data: this.got.size });
        return out;
      }
      case "request":
        return [
          { kind: "reply", requestId: event.requestId, body: { sent: this.sent, received: this.got.size } },
        ];
      default:
        return [];
    }
  }
}

function encode(kind: number, n: number, at: number): Uint8Array {
  const b = new Uint8Array(13);
  const v = new DataView(b.buffer);
  v.setUint8(0, kind);
  v.setUint32(1, n);
  v.setFloat64(5, at);
  return b;
}

function decode(p: Uint8Array): { kind: number; n: number; at: number } | undefined {
  if (p.length !== 13 || p[0]! > 1) return undefined;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return { kind: v.getUint8(0), n: v.getUint32(1), at: v.getFloat64(5) };
}
