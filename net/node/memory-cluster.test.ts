import { describe, expect, test } from "bun:test";
import { toHex } from "../../core/crypto/bytes.ts";
import { MemoryCluster } from "./memory-cluster.ts";

/** A full run (adverts, PSK joins under loss, pub/sub, leave) reduced to its event log. */
async function run(seed: number): Promise<string[]> {
  const c = new MemoryCluster(seed);
  c.clock.advance(1000);
  const ownerKey = c.key();
  const psk = c.rng.bytes(32);
  const d = c.domain(ownerKey, "replay", [toHex(ownerKey.publicKey)], "psk");
  const owner = c.add({
    identity: ownerKey,
    domains: [{ advert: d.advert, psk, join: {} }],
    probeInterval: 150,
  });
  await owner.node.start();
  const seeds = [owner.system.nodeAdvert()!];
  const rest = [1, 2, 3, 4].map(() =>
    c.add({ seeds, domains: [{ advert: d.advert, psk }], probeInterval: 150 }),
  );
  const log: string[] = [];
  for (const n of [owner, ...rest]) {
    n.node.onEmit((e) => log.push(`${e.at} ${n.id.slice(0, 6)} ${e.name} ${JSON.stringify(e.data)}`));
    if (n !== owner) await n.node.start();
  }
  for (const a of c.nodes)
    for (const b of c.nodes) if (a !== b) c.chaos.setRule(a.id, b.id, { loss: 0.1, jitterMs: 4 });
  await c.drive(Promise.all(rest.map((n) => n.system.join(d.domain, n.id.slice(0, 4)))));
  await c.drive(rest[0]!.system.leave(d.domain));
  c.clock.advance(2_000);
  log.push(JSON.stringify(c.chaos.report()));
  log.push(JSON.stringify(c.nodes.map((n) => n.system.members(d.domain))));
  await c.stopAll();
  return log;
}

describe("MemoryCluster determinism", () => {
  test("the same seed replays the same run event for event; another seed differs", async () => {
    const a = await run(3);
    const b = await run(3);
    expect(a.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
    expect(await run(4)).not.toEqual(a);
  });
});
