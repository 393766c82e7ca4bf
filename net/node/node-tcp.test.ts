import { afterEach, describe, expect, test } from "bun:test";
import { Prng } from "../../core/engine/prng.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { RealClock } from "../clock/real-clock.ts";
import { sealEnvelope } from "../router/envelope.ts";
import { TcpTransport } from "../transport/tcp/tcp-transport.ts";
import { type Emitted, LatticeNode } from "./node.ts";
import { PING_PROTOCOL, PingEngine } from "./ping-engine.ts";

const rng = new Prng(31337);
const key = (): KeyPair => keyPairFromSeed(rng.bytes(32));
const clock = new RealClock();
const nodes: LatticeNode[] = [];
const rawTransports: TcpTransport[] = [];

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
  for (const t of rawTransports.splice(0)) await t.close();
  expect(clock.pending()).toBe(0);
});

async function tcpNode(opts: { maxFrame?: number } = {}): Promise<LatticeNode> {
  const identity = key();
  const transport = new TcpTransport({
    identity,
    clock,
    random: rng.fork(toHex(identity.publicKey)),
    secureRandom: (n) => rng.bytes(n),
  });
  const node = new LatticeNode({
    identity,
    transport,
    clock,
    random: rng.fork(`node:${toHex(identity.publicKey)}`),
    ...opts,
  });
  await node.start();
  nodes.push(node);
  return node;
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 4000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await Bun.sleep(2);
  }
}

function link(a: LatticeNode, b: LatticeNode): void {
  a.transport.learn(b.id, b.transport.addresses());
  b.transport.learn(a.id, a.transport.addresses());
}

describe("LatticeNode over TCP and the real clock", () => {
  test("the same ping engine runs over TCP", async () => {
    const a = await tcpNode();
    const b = await tcpNode();
    link(a, b);
    const ea = toHex(key().publicKey);
    const eb = toHex(key().publicKey);
    a.directory.setEngine(eb, { node: b.id, protocols: [PING_PROTOCOL] });
    b.directory.setEngine(ea, { node: a.id, protocols: [PING_PROTOCOL] });
    b.addEngine(new PingEngine(eb));
    const log: Emitted[] = [];
    a.onEmit((e) => log.push(e));
    a.addEngine(new PingEngine(ea, { peer: eb, count: 20, interval: 1 }));
    await until(() => log.some((e) => e.name === "done"));
    expect(log.filter((e) => e.name === "pong").length).toBe(20);
    expect(b.router.drops.total()).toBe(0);
  });

  test("bad envelopes over a good session are counted drops; the node and its other links carry on", async () => {
    const b = await tcpNode({ maxFrame: 64 * 1024 });
    const a = await tcpNode();
    link(a, b);
    const ea = toHex(key().publicKey);
    const eb = toHex(key().publicKey);
    a.directory.setEngine(eb, { node: b.id, protocols: [PING_PROTOCOL] });
    b.directory.setEngine(ea, { node: a.id, protocols: [PING_PROTOCOL] });
    b.addEngine(new PingEngine(eb));

    // The attacker holds a real identity and a real session with b, then misbehaves inside it.
    const evil = key();
    const evilId = toHex(evil.publicKey);
    const t = new TcpTransport({
      identity: evil,
      clock,
      random: rng.fork("evil"),
      secureRandom: (n) => rng.bytes(n),
    });
    rawTransports.push(t);
    await t.start({ frame() {} });
    t.learn(b.id, b.transport.addresses());
    const env = (
      seq: number,
      protocol = PING_PROTOCOL,
      to = eb,
      signer = evil.secretKey,
      payload = new Uint8Array(13),
    ) =>
      sealEnvelope(signer, b.id, {
        from: evilId,
        to: { kind: "engine", engine: to },
        protocol,
        seq,
        payload,
      });

    const good = env(0);
    t.send(b.id, good); // accepted (answered with a pong nobody listens to)
    t.send(b.id, good); // replay of the same bytes
    t.send(b.id, env(1, PING_PROTOCOL, eb, key().secretKey)); // signed by someone else
    t.send(b.id, rng.bytes(200)); // garbage
    t.send(b.id, good.subarray(0, good.length - 10)); // truncated
    t.send(b.id, env(2, PING_PROTOCOL, eb, evil.secretKey, new Uint8Array(70_000))); // over b's 64 KiB cap
    t.send(b.id, env(3, "nope/v1")); // unknown protocol
    t.send(b.id, env(4, PING_PROTOCOL, toHex(key().publicKey))); // unknown destination
    const forged = env(5);
    forged[forged.length - 1]! ^= 1; // signature bit flip
    t.send(b.id, forged);

    await until(() => b.router.drops.total() === 8);
    expect(b.router.drops.snapshot()).toEqual({
      "bad-signature": 2,
      malformed: 2,
      oversized: 1,
      replay: 1,
      "unknown-destination": 1,
      "unknown-protocol": 1,
    });
    const rep = b.reputation.peer(evilId)!;
    expect(rep.invalidTotal).toBe(8);
    expect(rep.accepted).toBe(3); // good, unknown protocol, unknown destination passed the signature
    expect(b.reputation.score(evilId)).toBeLessThan(b.reputation.score(a.id));

    // The honest link is undisturbed.
    const log: Emitted[] = [];
    a.onEmit((e) => log.push(e));
    a.addEngine(new PingEngine(ea, { peer: eb, count: 5, interval: 1 }));
    await until(() => log.some((e) => e.name === "done"));
    expect(b.router.drops.total()).toBe(8);
  });
});
