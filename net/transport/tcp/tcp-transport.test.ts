import { afterEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Prng } from "../../../core/engine/prng.ts";
import { equalBytes, toHex } from "../../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../../core/crypto/ed25519.ts";
import { isLatticeError } from "../../../core/errors/lattice-error.ts";
import { RealClock } from "../../clock/real-clock.ts";
import { FrameReader, lengthPrefixed } from "./frame-reader.ts";
import { InitiatorHandshake, ResponderHandshake } from "./handshake.ts";
import { SessionCipher } from "./session-cipher.ts";
import { TcpTransport } from "./tcp-transport.ts";
import { TokenBucket } from "./token-bucket.ts";

const rng = new Prng(2024);
const key = (): KeyPair => keyPairFromSeed(rng.bytes(32));
const rand = (n: number) => rng.bytes(n);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isLatticeError(err) ? err.code : `untyped:${String(err)}`;
  }
  return "none";
}

describe("handshake", () => {
  test("both sides derive mirrored keys and learn each other's identity", () => {
    const a = key();
    const b = key();
    const i = new InitiatorHandshake(a, toHex(b.publicKey), rand);
    const r = new ResponderHandshake(b, rand);
    const reply = r.reply(i.hello());
    const { finish, keys: ik } = i.finish(reply);
    const rk = r.complete(finish);
    expect(ik.peer).toBe(toHex(b.publicKey));
    expect(rk.peer).toBe(toHex(a.publicKey));
    expect(ik.sendKey).toEqual(rk.receiveKey);
    expect(ik.receiveKey).toEqual(rk.sendKey);
    expect(ik.sendKey).not.toEqual(ik.receiveKey);
  });

  test("a different responder than expected is refused", () => {
    const a = key();
    const i = new InitiatorHandshake(a, toHex(key().publicKey), rand);
    const r = new ResponderHandshake(key(), rand);
    expect(codeOf(() => i.finish(r.reply(i.hello())))).toBe("HANDSHAKE_WRONG_PEER");
  });

  test("tampered signatures, malformed and out-of-order messages are refused", () => {
    const a = key();
    const b = key();
    const i = new InitiatorHandshake(a, toHex(b.publicKey), rand);
    const r = new ResponderHandshake(b, rand);
    const reply = r.reply(i.hello());
    const bad = reply.slice();
    bad[100]! ^= 1;
    expect(codeOf(() => i.finish(bad))).toBe("HANDSHAKE_BAD_SIGNATURE");
    const { finish } = i.finish(reply);
    const badFinish = finish.slice();
    badFinish[10]! ^= 1;
    expect(codeOf(() => r.complete(badFinish))).toBe("HANDSHAKE_BAD_SIGNATURE");
    expect(codeOf(() => new ResponderHandshake(b, rand).reply(Uint8Array.of(1, 2, 3)))).toBe(
      "HANDSHAKE_MALFORMED",
    );
    expect(codeOf(() => new ResponderHandshake(b, rand).complete(finish))).toBe("HANDSHAKE_MALFORMED");
    // An all-zero (low-order) ephemeral key.
    const hello = i.hello();
    hello.fill(0, 37, 69);
    expect(codeOf(() => new ResponderHandshake(b, rand).reply(hello))).toBe("HANDSHAKE_BAD_KEY");
  });

  test("a session key opens only frames in order and untampered", () => {
    const k = rng.bytes(32);
    const tx = new SessionCipher(k);
    const rx = new SessionCipher(k);
    const c1 = tx.seal(Uint8Array.of(1));
    const c2 = tx.seal(Uint8Array.of(2));
    expect(codeOf(() => rx.open(c2))).toBe("NET_DECRYPT_FAILED"); // counter mismatch
    const rx2 = new SessionCipher(k);
    expect([...rx2.open(c1)]).toEqual([1]);
    const t = c2.slice();
    t[0]! ^= 1;
    expect(codeOf(() => rx2.open(t))).toBe("NET_DECRYPT_FAILED");
  });
});

describe("FrameReader", () => {
  test("reassembles frames from arbitrary chunk boundaries", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        (frames, cuts) => {
          const stream = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0));
          let off = 0;
          for (const f of frames) {
            stream.set(lengthPrefixed(f), off);
            off += 4 + f.length;
          }
          const r = new FrameReader(1000);
          const got: Uint8Array[] = [];
          let pos = 0;
          let c = 0;
          while (pos < stream.length) {
            const n = cuts[c++ % cuts.length]!;
            r.push(stream.subarray(pos, pos + n));
            pos += n;
            for (let f = r.next(); f !== undefined; f = r.next()) got.push(f);
          }
          return (
            got.length === frames.length &&
            got.every((g, i) => toHex(g) === toHex(frames[i]!)) &&
            r.buffered === 0
          );
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  test("an oversized length prefix is refused before the body arrives", () => {
    const r = new FrameReader(100);
    r.push(Uint8Array.of(0, 0, 0, 101));
    expect(codeOf(() => r.next())).toBe("NET_FRAME_TOO_LARGE");
    expect(r.buffered).toBe(4);
  });
});

test("token bucket refills at its rate up to its burst", () => {
  const b = new TokenBucket(10, 2, 0);
  expect(b.take(0)).toBe(true);
  expect(b.take(0)).toBe(true);
  expect(b.take(0)).toBe(false);
  expect(b.take(100)).toBe(true); // 100 ms at 10/s = 1 token
  expect(b.take(100)).toBe(false);
  expect(b.take(10_000)).toBe(true);
  expect(b.take(10_000)).toBe(true);
  expect(b.take(10_000)).toBe(false);
});

describe("TcpTransport under hostile input", () => {
  const clock = new RealClock();
  const open: TcpTransport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    for (const t of open) expect(t.openConnections()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  async function node(opts: Partial<ConstructorParameters<typeof TcpTransport>[0]> = {}) {
    const identity = key();
    const got: { peer: string; frame: Uint8Array }[] = [];
    const t = new TcpTransport({
      identity,
      clock,
      random: rng.fork(toHex(identity.publicKey)),
      secureRandom: rand,
      ...opts,
    });
    await t.start({ frame: (peer, frame) => got.push({ peer, frame }) });
    open.push(t);
    return { t, got, identity };
  }

  async function until(cond: () => boolean): Promise<void> {
    const deadline = Date.now() + 4000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error("condition not reached");
      await Bun.sleep(2);
    }
  }

  async function raw(port: number, chunks: Uint8Array[]): Promise<{ closed: () => boolean }> {
    let closed = false;
    const s = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data() {},
        close() {
          closed = true;
        },
      },
    });
    for (const c of chunks) s.write(c);
    return { closed: () => closed };
  }

  test("garbage, truncated and oversized handshakes close only their own connection", async () => {
    const a = await node();
    const b = await node();
    a.t.learn(b.t.local, b.t.addresses());
    a.t.send(b.t.local, Uint8Array.of(1));
    await until(() => b.got.length === 1);

    const garbage = await raw(b.t.port, [lengthPrefixed(rng.bytes(69))]);
    const huge = await raw(b.t.port, [Uint8Array.of(0x7f, 0xff, 0xff, 0xff)]);
    const noise = await raw(b.t.port, [rng.bytes(3000)]);
    const truncated = await raw(b.t.port, [Uint8Array.of(0, 0, 0, 69, 0x4c, 0x54)]);
    await until(() => garbage.closed() && huge.closed() && noise.closed());
    const drops = b.t.stats().drops;
    expect(drops["handshake-failed"]).toBeGreaterThanOrEqual(1);
    expect(drops.oversized).toBeGreaterThanOrEqual(1);
    expect(truncated.closed()).toBe(false); // waits for its handshake timeout, harmlessly

    // The good link still works, both ways.
    a.t.send(b.t.local, Uint8Array.of(2));
    b.t.learn(a.t.local, a.t.addresses());
    b.t.send(a.t.local, Uint8Array.of(3));
    await until(() => b.got.length === 2 && a.got.length === 1);
    expect(b.t.stats().sessionsOpened).toBe(1);
  });

  test("a stalled handshake times out", async () => {
    const b = await node({ handshakeTimeoutMs: 50 });
    const stalled = await raw(b.t.port, []);
    await until(() => stalled.closed());
    expect(b.t.stats().drops["handshake-timeout"]).toBe(1);
  });

  test("dialing an impostor (wrong identity at the address) fails the handshake", async () => {
    const a = await node({ backoff: { baseMs: 5, maxMs: 10, maxAttempts: 2 } });
    const b = await node();
    a.t.learn(toHex(key().publicKey), b.t.addresses());
    const victim = [...a.t.connectedPeers()];
    a.t.send(toHex(keyPairFromSeed(new Uint8Array(32).fill(7)).publicKey), Uint8Array.of(1)); // unknown: no address
    expect(a.t.stats().drops.unreachable).toBe(1);
    const claimed = toHex(key().publicKey);
    a.t.learn(claimed, b.t.addresses());
    a.t.send(claimed, Uint8Array.of(1));
    await until(() => (a.t.stats().drops.unreachable ?? 0) >= 2);
    expect(a.t.stats().drops["handshake-failed"]).toBeGreaterThanOrEqual(1);
    expect(b.got.length).toBe(0);
    expect(victim).toEqual([]);
  });

  test("per-peer rate limit drops the excess and counts it", async () => {
    const a = await node();
    const b = await node({ rateLimit: { framesPerSecond: 1, burst: 10 } });
    a.t.learn(b.t.local, b.t.addresses());
    for (let i = 0; i < 30; i++) a.t.send(b.t.local, Uint8Array.of(i));
    await until(() => b.got.length + (b.t.stats().drops["rate-limited"] ?? 0) === 30);
    expect(b.got.length).toBeGreaterThanOrEqual(10);
    expect(b.got.length).toBeLessThan(30);
  });

  test("large bursts go through partial writes intact (drain path)", async () => {
    const a = await node();
    const b = await node();
    a.t.learn(b.t.local, b.t.addresses());
    const frame = rng.bytes(a.t.maxFrame);
    for (let i = 0; i < 24; i++) a.t.send(b.t.local, frame);
    await until(() => b.got.length === 24);
    expect(b.got.every((g) => equalBytes(g.frame, frame))).toBe(true);
  });
});
