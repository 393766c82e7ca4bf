import { describe, expect, test } from "bun:test";
import { Prng } from "../../core/engine/prng.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { MemoryCluster } from "../node/memory-cluster.ts";
import { domainIdOf, type NodeAdvert, openAdvert, signAdvert } from "./advert.ts";
import { AdvertStore } from "./advert-store.ts";
import { encodeBatch } from "./gossip-messages.ts";
import { ADVERT_PROTOCOL } from "./gossip-messages.ts";

const rng = new Prng(77);
const key = (): KeyPair => keyPairFromSeed(rng.bytes(32));

function nodeAdvert(k: KeyPair, version: number, addresses: string[]): Uint8Array {
  return signAdvert(k.secretKey, { kind: "node", node: toHex(k.publicKey), version, addresses });
}

describe("adverts: signed, versioned, canonical", () => {
  test("each kind round-trips and verifies under its signer", () => {
    const k = key();
    const id = toHex(k.publicKey);
    const n = openAdvert(nodeAdvert(k, 3, ["tcp://127.0.0.1:4100"]));
    expect(n).toEqual({
      ok: true,
      advert: { kind: "node", node: id, version: 3, addresses: ["tcp://127.0.0.1:4100"] },
    });
    const e = openAdvert(
      signAdvert(k.secretKey, {
        kind: "engine",
        engine: toHex(key().publicKey),
        node: id,
        version: 1,
        protocols: ["x/v1"],
      }),
    );
    expect(e.ok && e.advert.kind).toBe("engine");
    const d = openAdvert(
      signAdvert(k.secretKey, {
        kind: "domain",
        domain: domainIdOf(id, "lan-1"),
        owner: id,
        name: "lan-1",
        version: 1,
        introducers: [id],
        policy: "psk",
      }),
    );
    expect(d.ok && d.advert.kind === "domain" && d.advert.policy).toBe("psk");
  });

  test("forged, tampered, malformed and underived-domain adverts are typed rejections", () => {
    const k = key();
    const id = toHex(k.publicKey);
    const impostor = key();
    // Signed by someone else than the node it names.
    const forged = signAdvert(impostor.secretKey, { kind: "node", node: id, version: 9, addresses: [] });
    expect(openAdvert(forged)).toMatchObject({ ok: false, reason: "forged" });
    const good = nodeAdvert(k, 1, ["tcp://127.0.0.1:1"]);
    const tampered = good.slice();
    tampered[tampered.length - 70]! ^= 1; // inside the body
    expect(openAdvert(tampered).ok).toBe(false);
    expect(openAdvert(good.subarray(0, good.length - 3))).toMatchObject({ ok: false, reason: "malformed" });
    expect(openAdvert(rng.bytes(100))).toMatchObject({ ok: false, reason: "malformed" });
    // A domain id the owner did not derive: a squatter cannot claim somebody else's domain id.
    const victim = toHex(key().publicKey);
    const squat = signAdvert(k.secretKey, {
      kind: "domain",
      domain: domainIdOf(victim, "lan"),
      owner: id,
      name: "lan",
      version: 1,
      introducers: [],
      policy: "open",
    });
    expect(openAdvert(squat)).toMatchObject({ ok: false, reason: "invalid" });
  });

  test("store: newest wins; older, duplicate, forged ones are counted and change nothing", () => {
    const k = key();
    const id = toHex(k.publicKey);
    const store = new AdvertStore();
    const seen: number[] = [];
    store.onAccept((a) => seen.push(a.version));
    expect(store.insert(nodeAdvert(k, 5, ["tcp://127.0.0.1:5"]))).toBe("accepted");
    expect(store.insert(nodeAdvert(k, 4, ["tcp://127.0.0.1:4"]))).toBe("stale");
    expect(store.insert(nodeAdvert(k, 5, ["tcp://127.0.0.1:5"]))).toBe("duplicate");
    expect(
      store.insert(signAdvert(key().secretKey, { kind: "node", node: id, version: 99, addresses: [] })),
    ).toBe("forged");
    expect(store.insert(rng.bytes(40))).toBe("malformed");
    expect(store.node(id)?.addresses).toEqual(["tcp://127.0.0.1:5"]);
    expect(store.insert(nodeAdvert(k, 6, ["tcp://127.0.0.1:6"]))).toBe("accepted");
    expect(store.node(id)?.version).toBe(6);
    expect(seen).toEqual([5, 6]);
    expect(store.counts.snapshot()).toEqual({ accepted: 2, duplicate: 1, forged: 1, malformed: 1, stale: 1 });
  });

  test("store: two adverts under one version resolve the same way whatever the arrival order", () => {
    const k = key();
    const a = nodeAdvert(k, 7, ["tcp://127.0.0.1:1"]);
    const b = nodeAdvert(k, 7, ["tcp://127.0.0.1:2"]);
    const s1 = new AdvertStore();
    const s2 = new AdvertStore();
    s1.insert(a);
    s1.insert(b);
    s2.insert(b);
    s2.insert(a);
    expect(s1.node(toHex(k.publicKey))).toEqual(s2.node(toHex(k.publicKey)) as NodeAdvert);
    expect(s1.counts.get("conflict")).toBe(1);
    expect(s2.counts.get("conflict")).toBe(1);
  });

  test("store: digests say what each side lacks", () => {
    const ks = [key(), key(), key()];
    const s1 = new AdvertStore();
    const s2 = new AdvertStore();
    s1.insert(nodeAdvert(ks[0]!, 1, []));
    s1.insert(nodeAdvert(ks[1]!, 2, []));
    s2.insert(nodeAdvert(ks[1]!, 1, []));
    s2.insert(nodeAdvert(ks[2]!, 1, []));
    const fromS1 = s1.newerThan(s2.digest());
    expect(fromS1.length).toBe(2); // ks0 missing, ks1 newer
    expect(s1.lacks(s2.digest())).toBe(true); // ks2
    for (const w of fromS1) s2.insert(w);
    for (const w of s2.newerThan(s1.digest())) s1.insert(w);
    expect(s1.digest()).toEqual(s2.digest());
    expect(s1.lacks(s2.digest())).toBe(false);
  });
});

describe("advert gossip over memory transport and virtual time", () => {
  test("adverts spread from one seed to every node; addresses and engine locations reach the directory", async () => {
    const c = new MemoryCluster(5);
    const first = c.add();
    await first.node.start();
    c.until(() => first.system.nodeAdvert() !== undefined, 10);
    const seed = first.system.nodeAdvert()!;
    const rest = [1, 2, 3, 4, 5].map(() => c.add({ seeds: [seed] }));
    const app = toHex(key().publicKey);
    rest[2]!.node.addEngine({ id: app, protocols: ["app/v1"], handle: () => [] });
    for (const n of rest) await n.node.start();
    const all = [first, ...rest];
    const ok = c.until(
      () =>
        all.every(
          (n) => n.system.store.nodes().length === all.length && n.system.store.engine(app) !== undefined,
        ),
      10_000,
    );
    expect(ok).toBe(true);
    for (const n of all) {
      expect(n.node.directory.engine(app)?.node).toBe(rest[2]!.id);
      for (const m of all) if (m !== n) expect(n.node.directory.engine(m.id)?.node).toBe(m.id);
    }
    expect(all.every((n) => n.system.store.counts.get("forged") === 0)).toBe(true);
    await c.stopAll();
  });

  test("a forged or stale advert in a gossip batch is counted and changes nothing", async () => {
    const c = new MemoryCluster(6);
    c.clock.advance(1000); // versions follow the clock: leave room for an older one
    const a = c.add();
    const b = c.add();
    await a.node.start();
    await b.node.start();
    c.until(() => a.system.nodeAdvert() !== undefined && b.system.nodeAdvert() !== undefined, 10);
    b.system.learn(a.system.nodeAdvert()!);
    c.until(() => a.system.store.node(b.id) !== undefined, 5_000);
    const before = a.system.store.node(b.id)!;
    const forged = signAdvert(c.key().secretKey, {
      kind: "node",
      node: b.id,
      version: before.version + 10,
      addresses: ["mem://evil"],
    });
    const stale = signAdvert(b.identity.secretKey, {
      kind: "node",
      node: b.id,
      version: 1,
      addresses: ["mem://old"],
    });
    b.node.sendAs(b.id, { kind: "engine", engine: a.id }, ADVERT_PROTOCOL, encodeBatch([forged, stale]));
    c.until(() => a.system.store.counts.get("forged") === 1, 1_000);
    expect(a.system.store.counts.get("stale")).toBeGreaterThanOrEqual(1);
    expect(a.system.store.node(b.id)).toEqual(before);
    // Garbage in a well-signed envelope is a counted bad message, nothing more.
    b.node.sendAs(b.id, { kind: "engine", engine: a.id }, ADVERT_PROTOCOL, rng.bytes(30));
    c.until(() => a.system.adverts.counts.get("bad-message") === 1, 1_000);
    expect(a.system.store.node(b.id)).toEqual(before);
    await c.stopAll();
  });

  test("a restarted node re-publishes above its old advert version and the others take it", async () => {
    const c = new MemoryCluster(8);
    const nodes = [c.add(), c.add(), c.add()];
    for (const n of nodes) await n.node.start();
    c.until(() => nodes.every((n) => n.system.nodeAdvert() !== undefined), 10);
    for (const n of nodes.slice(1)) n.system.learn(nodes[0]!.system.nodeAdvert()!);
    expect(c.until(() => nodes.every((n) => n.system.store.nodes().length === 3), 10_000)).toBe(true);
    const old = nodes[2]!;
    const oldVersion = nodes[0]!.system.store.node(old.id)!.version;
    await old.node.stop();
    c.clock.advance(500);
    // Same identity, new transport; its fresh store knows only the seed.
    const again = c.add({ identity: old.identity, seeds: [nodes[0]!.system.nodeAdvert()!] });
    await again.node.start();
    expect(c.until(() => (nodes[1]!.system.store.node(old.id)?.version ?? 0) > oldVersion, 10_000)).toBe(
      true,
    );
    await c.stopAll();
  });
});
