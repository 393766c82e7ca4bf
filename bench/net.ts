/**
 * bench/net.ts: messages/s and round-trip latency of 1 KiB messages between two nodes over loopback TCP
 * (signed envelopes, encrypted sessions; msg/s counts both directions, latency is the round trip under a
 * window of outstanding requests), plain and through the chaos layer with no rules, interleaved in
 * one run. Fixed message counts; stops by itself. Then "where the time goes": the per-message cost of
 * each stage a 1 KiB message passes (envelope seal = encode + Ed25519 sign, decode, verify, ChaCha20-
 * Poly1305 seal and open from noble), measured in the same process, with native AES-256-GCM beside
 * them for comparison. Prints tables, then one JSON line with every figure.
 *
 *   bun bench/net.ts [--rounds 3] [--messages 3000] [--window 64]
 */
import type { Effect, Engine, EngineEvent } from "../core/engine/engine.ts";
import { Prng } from "../core/engine/prng.ts";
import { toHex } from "../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { ChaosController } from "../net/chaos/chaos.ts";
import { RealClock } from "../net/clock/real-clock.ts";
import { LatticeNode } from "../net/node/node.ts";
import { decodeEnvelope, sealEnvelope, verifyEnvelope } from "../net/router/envelope.ts";
import { SessionCipher } from "../net/transport/tcp/session-cipher.ts";
import { TcpTransport } from "../net/transport/tcp/tcp-transport.ts";
import type { Transport } from "../net/transport/transport.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("rounds", 3);
const MESSAGES = arg("messages", 3000);
const WINDOW = arg("window", 64);
const PROTO = "bench/v1";

class Echo implements Engine {
  readonly protocols = [PROTO];
  constructor(readonly id: string) {}
  handle(ev: EngineEvent): Effect[] {
    if (ev.kind !== "message") return [];
    return [{ kind: "send", to: { kind: "engine", engine: ev.from }, protocol: PROTO, payload: ev.payload }];
  }
}

class Sink implements Engine {
  readonly protocols = [PROTO];
  constructor(
    readonly id: string,
    private readonly onReply: (seq: number) => void,
  ) {}
  handle(ev: EngineEvent): Effect[] {
    if (ev.kind === "message")
      this.onReply(new DataView(ev.payload.buffer, ev.payload.byteOffset).getUint32(0));
    return [];
  }
}

async function run(seed: number, chaos: boolean) {
  const rng = new Prng(seed);
  const clock = new RealClock();
  const controller = new ChaosController(rng.fork("chaos"), clock);
  const mk = (k: ReturnType<typeof keyPairFromSeed>): Transport => {
    const t = new TcpTransport({ identity: k, clock, random: rng.fork(toHex(k.publicKey)) });
    return chaos ? controller.wrap(t) : t;
  };
  const ka = keyPairFromSeed(rng.bytes(32));
  const kb = keyPairFromSeed(rng.bytes(32));
  const a = new LatticeNode({ identity: ka, transport: mk(ka), clock, random: rng.fork("a") });
  const b = new LatticeNode({ identity: kb, transport: mk(kb), clock, random: rng.fork("b") });
  await a.start();
  await b.start();
  a.transport.learn(b.id, b.transport.addresses());
  b.transport.learn(a.id, a.transport.addresses());
  const ea = toHex(keyPairFromSeed(rng.bytes(32)).publicKey);
  const eb = toHex(keyPairFromSeed(rng.bytes(32)).publicKey);
  a.directory.setEngine(eb, { node: b.id, protocols: [PROTO] });
  b.directory.setEngine(ea, { node: a.id, protocols: [PROTO] });
  b.addEngine(new Echo(eb));

  const sentAt = new Float64Array(MESSAGES + 1);
  const rtts: number[] = [];
  let next = 0;
  let done = 0;
  let resolve: () => void = () => {};
  const finished = new Promise<void>((r) => {
    resolve = r;
  });
  const payload = new Uint8Array(1024);
  const view = new DataView(payload.buffer);
  const sendOne = () => {
    const seq = next++;
    view.setUint32(0, seq);
    sentAt[seq] = performance.now();
    a.sendAs(ea, { kind: "engine", engine: eb }, PROTO, payload);
  };
  a.addEngine(
    new Sink(ea, (seq) => {
      rtts.push(performance.now() - sentAt[seq]!);
      done++;
      if (done === MESSAGES) resolve();
      else if (next < MESSAGES) sendOne();
    }),
  );
  const t0 = performance.now();
  for (let i = 0; i < Math.min(WINDOW, MESSAGES); i++) sendOne();
  const timeout = setTimeout(() => resolve(), 60_000);
  await finished;
  clearTimeout(timeout);
  const elapsed = performance.now() - t0;
  await a.stop();
  await b.stop();
  rtts.sort((x, y) => x - y);
  const pct = (p: number) =>
    rtts[Math.min(rtts.length - 1, Math.floor((p / 100) * rtts.length))] ?? Number.NaN;
  // Each round trip is two 1 KiB messages (request and echo), each signed, sealed, opened and verified.
  return {
    delivered: done,
    msgsPerSec: ((2 * done) / elapsed) * 1000,
    p50: pct(50),
    p99: pct(99),
    elapsedMs: elapsed,
  };
}

const results: {
  variant: string;
  round: number;
  msgsPerSec: number;
  p50: number;
  p99: number;
  delivered: number;
}[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Interleave A/B so drift in machine load hits both alike.
  for (const chaos of r % 2 === 0 ? [false, true] : [true, false]) {
    const x = await run(1000 + r, chaos);
    results.push({ variant: chaos ? "chaos-no-rules" : "plain", round: r, ...x });
  }
}

// ---- where the time goes: each stage alone, minimum of 5 batches (least disturbed by other load) ----
function stageCosts(): Record<string, number> {
  const rng = new Prng(7);
  const ka = keyPairFromSeed(rng.bytes(32));
  const a = toHex(ka.publicKey);
  const b = toHex(keyPairFromSeed(rng.bytes(32)).publicKey);
  const e = {
    from: a,
    to: { kind: "engine" as const, engine: b },
    protocol: PROTO,
    seq: 0,
    payload: new Uint8Array(1024),
  };
  const frame = sealEnvelope(ka.secretKey, b, e);
  const key = rng.bytes(32);
  const tx = new SessionCipher(key);
  const sealed: Uint8Array[] = [];
  const iv = rng.bytes(12);
  const gcm = (() => {
    const c = createCipheriv("aes-256-gcm", key, iv);
    const x = c.update(frame);
    c.final();
    return { ct: x, tag: c.getAuthTag() };
  })();
  const N = 400;
  const time = (f: (i: number) => void): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) f(i);
      best = Math.min(best, ((performance.now() - t0) / N) * 1000);
    }
    return best;
  };
  const out: Record<string, number> = {};
  out.envelopeSealUs = time((i) => sealEnvelope(ka.secretKey, b, { ...e, seq: i }));
  out.envelopeDecodeUs = time(() => decodeEnvelope(frame));
  const env = decodeEnvelope(frame);
  out.envelopeVerifyUs = time(() => verifyEnvelope(env, a, b));
  out.chachaSealUs = time(() => sealed.push(tx.seal(frame)));
  const rx = new SessionCipher(key);
  let k = 0;
  out.chachaOpenUs = time(() => rx.open(sealed[k++]!));
  out.aesGcmSealUs = time(() => {
    const c = createCipheriv("aes-256-gcm", key, iv);
    c.update(frame);
    c.final();
    c.getAuthTag();
  });
  out.aesGcmOpenUs = time(() => {
    const d = createDecipheriv("aes-256-gcm", key, iv);
    d.setAuthTag(gcm.tag);
    d.update(gcm.ct);
    d.final();
  });
  out.perMessageUs =
    out.envelopeSealUs + out.envelopeDecodeUs + out.envelopeVerifyUs + out.chachaSealUs + out.chachaOpenUs;
  return out;
}
const stages = stageCosts();

const summary = (variant: string) => {
  const xs = results.filter((x) => x.variant === variant);
  const med = (v: number[]) => v.slice().sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
  return {
    variant,
    msgsPerSecMedian: med(xs.map((x) => x.msgsPerSec)),
    msgsPerSecMax: Math.max(...xs.map((x) => x.msgsPerSec)),
    p50MsMedian: med(xs.map((x) => x.p50)),
    p99MsMedian: med(xs.map((x) => x.p99)),
    p50MsMin: Math.min(...xs.map((x) => x.p50)),
  };
};
const plain = summary("plain");
const chaos = summary("chaos-no-rules");
const f = (n: number, d = 2) => n.toFixed(d).padStart(10);
console.log(`1 KiB messages, loopback TCP, ${ROUNDS} rounds x ${MESSAGES} round trips, window ${WINDOW}`);
console.log(
  `${"variant".padEnd(16)}${"msg/s med".padStart(10)}${"msg/s max".padStart(10)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}`,
);
for (const s of [plain, chaos]) {
  console.log(
    `${s.variant.padEnd(16)}${f(s.msgsPerSecMedian, 0)}${f(s.msgsPerSecMax, 0)}${f(s.p50MsMedian)}${f(s.p99MsMedian)}`,
  );
}
console.log(
  `chaos overhead (median msg/s): ${(((plain.msgsPerSecMedian - chaos.msgsPerSecMedian) / plain.msgsPerSecMedian) * 100).toFixed(1)}%`,
);
console.log("where the time goes, one 1 KiB message (us, best of 5 x 400):");
const stageRows: [string, number][] = [
  ["envelope seal (encode + Ed25519 sign)", stages.envelopeSealUs!],
  ["envelope decode (canonical check)", stages.envelopeDecodeUs!],
  ["envelope verify (Ed25519)", stages.envelopeVerifyUs!],
  ["ChaCha20-Poly1305 seal (noble)", stages.chachaSealUs!],
  ["ChaCha20-Poly1305 open (noble)", stages.chachaOpenUs!],
];
for (const [name, us] of stageRows)
  console.log(
    `  ${name.padEnd(40)}${f(us, 1)}  ${((us / stages.perMessageUs!) * 100).toFixed(0).padStart(3)}%`,
  );
console.log(`  ${"sum (one direction, one message)".padEnd(40)}${f(stages.perMessageUs!, 1)}`);
console.log(
  `  for comparison, native AES-256-GCM seal/open: ${stages.aesGcmSealUs!.toFixed(1)} / ${stages.aesGcmOpenUs!.toFixed(1)} us`,
);
console.log(
  JSON.stringify({
    bench: "net",
    messageBytes: 1024,
    rounds: ROUNDS,
    messages: MESSAGES,
    window: WINDOW,
    plain,
    chaosNoRules: chaos,
    stagesUs: stages,
    chaosOverheadPct: ((plain.msgsPerSecMedian - chaos.msgsPerSecMedian) / plain.msgsPerSecMedian) * 100,
    runs: results,
  }),
);
