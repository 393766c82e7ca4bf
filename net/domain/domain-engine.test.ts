import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../core/crypto/bytes.ts";
import type { KeyPair } from "../../core/crypto/ed25519.ts";
import { signAdvert } from "../advert/advert.ts";
import { signRecord } from "../advert/signed.ts";
import { type ClusterNode, type DomainSetup, MemoryCluster } from "../node/memory-cluster.ts";
import {
  DOMAIN_PROTOCOL,
  JoinRequestCodec,
  MemberOpCodec,
  SyncDigestCodec,
  SyncOpsCodec,
} from "./domain-messages.ts";
import { joinMac } from "./join-auth.ts";

interface Setup {
  c: MemoryCluster;
  d: DomainSetup;
  psk: Uint8Array;
  owner: ClusterNode;
  ownerKey: KeyPair;
  others: ClusterNode[];
  seeds: Uint8Array[];
}

async function domainCluster(seed: number, n: number, policy: "psk" | "open" = "psk"): Promise<Setup> {
  const c = new MemoryCluster(seed);
  c.clock.advance(1000);
  const ownerKey = c.key();
  const psk = c.rng.bytes(32);
  const d = c.domain(ownerKey, "lan-a", [toHex(ownerKey.publicKey)], policy);
  const cfg = policy === "psk" ? { advert: d.advert, psk } : { advert: d.advert };
  const owner = c.add({ identity: ownerKey, domains: [cfg] });
  await owner.node.start();
  const seeds = [owner.system.nodeAdvert()!, d.advert];
  const others = Array.from({ length: n }, () => c.add({ seeds, domains: [cfg] }));
  for (const o of others) await o.node.start();
  expect(await c.drive(owner.system.join(d.domain, "owner"))).toMatchObject({ ok: true });
  return { c, d, psk, owner, ownerKey, others, seeds };
}

const sorted = (xs: readonly ClusterNode[]) => xs.map((x) => x.id).sort();

describe("domain engine over memory transport and virtual time", () => {
  test("PSK join: members admitted and converged; a wrong key is refused with a typed reason", async () => {
    const { c, d, owner, others, seeds } = await domainCluster(11, 4);
    for (const o of others)
      expect(await c.drive(o.system.join(d.domain, `m-${o.id.slice(0, 4)}`))).toMatchObject({ ok: true });
    const all = [owner, ...others];
    expect(
      c.until(() => all.every((x) => x.system.members(d.domain).join() === sorted(all).join()), 10_000),
    ).toBe(true);
    // Every member's metadata register reached every member (LWW values of the map).
    expect(
      c.until(
        () => all.every((x) => others.every((o) => x.system.domains.metaOf(d.domain, o.id) !== undefined)),
        10_000,
      ),
    ).toBe(true);
    expect(owner.system.domains.metaOf(d.domain, others[0]!.id)?.value).toBe(
      `m-${others[0]!.id.slice(0, 4)}`,
    );

    const intruder = c.add({ seeds, domains: [{ advert: d.advert, psk: c.rng.bytes(32) }] });
    await intruder.node.start();
    expect(await c.drive(intruder.system.join(d.domain))).toEqual({ ok: false, reason: "bad-psk" });
    expect(owner.system.domains.counts.get("join-refused:bad-psk")).toBe(1);
    c.clock.advance(2_000);
    for (const x of all) expect(x.system.members(d.domain)).not.toContain(intruder.id);
    // It cannot read the membership either: its digests are refused.
    intruder.node.sendAs(
      intruder.id,
      { kind: "engine", engine: owner.id },
      DOMAIN_PROTOCOL,
      SyncDigestCodec.encode({ domain: fromHex(d.domain), reply: true, heads: [] }),
    );
    c.clock.advance(50);
    expect(owner.system.domains.counts.get("sync-refused")).toBe(1);
    expect(intruder.system.members(d.domain)).toEqual([]);
    await c.stopAll();
  });

  test("a replayed join request is refused; one naming another node is refused", async () => {
    const { c, d, psk, owner, others } = await domainCluster(12, 2);
    const [x, y] = others as [ClusterNode, ClusterNode];
    const nonce = c.rng.bytes(16);
    const req = JoinRequestCodec.encode({
      domain: fromHex(d.domain),
      node: fromHex(x.id),
      nonce,
      mac: joinMac(psk, fromHex(d.domain), fromHex(x.id), nonce),
    });
    const to = { kind: "engine" as const, engine: owner.id };
    x.node.sendAs(x.id, to, DOMAIN_PROTOCOL, req);
    c.clock.advance(20);
    expect(owner.system.members(d.domain)).toContain(x.id);
    x.node.sendAs(x.id, to, DOMAIN_PROTOCOL, req); // the same bytes again, in a fresh envelope
    y.node.sendAs(y.id, to, DOMAIN_PROTOCOL, req); // captured by another node
    c.clock.advance(20);
    expect(owner.system.domains.counts.snapshot()).toMatchObject({
      "join-accepted": 1, // x (the owner admitted itself without a request)
      "join-refused:replayed": 1,
      "join-refused:node-mismatch": 1,
    });
    expect(owner.system.members(d.domain)).not.toContain(y.id);
    await c.stopAll();
  });

  test("open domain: join without a key; leave and rejoin are seen by every member", async () => {
    const { c, d, owner, others } = await domainCluster(13, 3, "open");
    for (const o of others) expect(await c.drive(o.system.join(d.domain))).toMatchObject({ ok: true });
    const all = [owner, ...others];
    const agree = (ids: string[]) =>
      all.every((x) => x.system.members(d.domain).join() === ids.sort().join());
    expect(c.until(() => agree(all.map((x) => x.id)), 10_000)).toBe(true);
    const leaver = others[1]!;
    expect(await c.drive(leaver.system.leave(d.domain))).toEqual({ ok: true });
    expect(leaver.system.domains.status(d.domain)).toBe("left");
    expect(c.until(() => agree(all.filter((x) => x !== leaver).map((x) => x.id)), 10_000)).toBe(true);
    expect(await c.drive(leaver.system.leave(d.domain))).toEqual({ ok: false, reason: "not-member" });
    expect(await c.drive(leaver.system.join(d.domain))).toMatchObject({ ok: true });
    expect(c.until(() => agree(all.map((x) => x.id)), 10_000)).toBe(true);
    await c.stopAll();
  });

  test("membership operations are verified on merge: forged, unauthorized and foreign ones change nothing", async () => {
    const { c, d, owner, ownerKey, others } = await domainCluster(14, 2);
    const [m, victim] = others as [ClusterNode, ClusterNode];
    expect(await c.drive(m.system.join(d.domain))).toMatchObject({ ok: true });
    expect(await c.drive(victim.system.join(d.domain))).toMatchObject({ ok: true });
    const stranger = toHex(c.key().publicKey);
    const op = (
      author: string,
      signer: KeyPair,
      kind: "add" | "remove",
      member: string,
      tags: string[],
      domain = d.domain,
    ) =>
      signRecord(
        signer.secretKey,
        "member-op",
        MemberOpCodec.encode({
          domain: fromHex(domain),
          author: fromHex(author),
          epoch: 1,
          seq: 0,
          op: kind,
          member: fromHex(member),
          tags,
          value: "",
          counter: 0,
        }),
      );
    const victimTags = owner.system.domains.log(d.domain)!.membership.state().adds[victim.id]!;
    const bad = [
      op(m.id, m.identity, "add", stranger, [`${m.id}:1:0`]), // a plain member may not admit
      op(m.id, m.identity, "remove", victim.id, [...victimTags]), // nor remove someone else
      op(owner.id, m.identity, "add", stranger, [`${owner.id}:1:0`]), // claims the owner's authorship
      op(owner.id, ownerKey, "add", stranger, [`${m.id}:1:0`]), // the owner minting m's tag
      op(owner.id, ownerKey, "add", stranger, [`${owner.id}:1:0`], toHex(c.key().publicKey)), // other domain
      c.rng.bytes(64),
    ];
    const before = owner.system.domains.log(d.domain)!.all().length;
    m.node.sendAs(
      m.id,
      { kind: "engine", engine: owner.id },
      DOMAIN_PROTOCOL,
      SyncOpsCodec.encode({ domain: fromHex(d.domain), ops: bad }),
    );
    c.clock.advance(20);
    const log = owner.system.domains.log(d.domain)!;
    expect(log.counts.snapshot()).toMatchObject({
      unauthorized: 3,
      forged: 1,
      "wrong-domain": 1,
      malformed: 1,
    });
    expect(log.all().length).toBe(before);
    expect(log.has(stranger)).toBe(false);
    expect(log.has(victim.id)).toBe(true);
    // The owner may remove a member: an authorised op, and every replica agrees.
    const removal = op(owner.id, ownerKey, "remove", victim.id, [...victimTags]);
    // Sent to m and to the victim (a removed node no longer gets answers to its digests, so the author
    // tells it directly); the owner's own replica learns it back from m by anti-entropy.
    for (const to of [m, victim])
      owner.node.sendAs(
        owner.id,
        { kind: "engine", engine: to.id },
        DOMAIN_PROTOCOL,
        SyncOpsCodec.encode({ domain: fromHex(d.domain), ops: [removal] }),
      );
    expect(
      c.until(
        () =>
          [owner, m, victim].every((x) => !x.system.members(d.domain).includes(victim.id)) &&
          victim.system.domains.status(d.domain) === "outside",
        10_000,
      ),
    ).toBe(true);
    await c.stopAll();
  });

  test("joins and anti-entropy converge under loss, duplication and reordering (seeded)", async () => {
    const c0 = await domainCluster(15, 6);
    const { c, d, owner, others } = c0;
    const all = [owner, ...others];
    for (const a of all)
      for (const b of all)
        if (a !== b)
          c.chaos.setRule(a.id, b.id, {
            loss: 0.25,
            duplicate: 0.2,
            reorder: 0.2,
            latencyMs: 3,
            jitterMs: 3,
          });
    const joins = others.map((o) => o.system.join(d.domain));
    const results = await c.drive(Promise.all(joins), 120_000);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(
      c.until(() => all.every((x) => x.system.members(d.domain).join() === sorted(all).join()), 60_000),
    ).toBe(true);
    expect(c.chaos.total("loss")).toBeGreaterThan(0);
    expect(c.chaos.total("duplicate")).toBeGreaterThan(0);
    await c.stopAll();
  });

  test("the owner evicts a member; every replica, the evicted one included, agrees; others may not evict", async () => {
    const { c, d, owner, others } = await domainCluster(16, 3);
    for (const o of others) expect(await c.drive(o.system.join(d.domain))).toMatchObject({ ok: true });
    const [x, y, z] = others as [ClusterNode, ClusterNode, ClusterNode];
    expect(await c.drive(x.system.remove(d.domain, y.id))).toEqual({ ok: false, reason: "not-owner" });
    expect(await c.drive(owner.system.remove(d.domain, y.id))).toEqual({ ok: true });
    expect(
      c.until(
        () =>
          [owner, x, z].every((n) => !n.system.members(d.domain).includes(y.id)) &&
          y.system.domains.status(d.domain) === "outside",
        10_000,
      ),
    ).toBe(true);
    expect(await c.drive(owner.system.remove(d.domain, y.id))).toEqual({ ok: false, reason: "not-member" });
    await c.stopAll();
  });

  test("a newer DomainAdvert gossiped by the owner adds an introducer; a node that knew only the old one joins through it", async () => {
    const { c, d, owner, ownerKey, others } = await domainCluster(17, 2);
    const [intro, joiner] = others as [ClusterNode, ClusterNode];
    expect(await c.drive(intro.system.join(d.domain))).toMatchObject({ ok: true });
    const v2 = signAdvert(ownerKey.secretKey, {
      kind: "domain",
      domain: d.domain,
      owner: owner.id,
      name: "lan-a",
      version: 2,
      introducers: [owner.id, intro.id],
      policy: "psk",
    });
    expect(owner.system.learn(v2)).toBe("accepted");
    // The joiner cannot reach the owner at all: it must learn v2 by gossip and join through `intro`.
    c.chaos.partition([joiner.id], [owner.id]);
    joiner.system.learn(intro.system.nodeAdvert()!);
    expect(c.until(() => joiner.system.store.domain(d.domain)?.version === 2, 10_000)).toBe(true);
    expect(await c.drive(joiner.system.join(d.domain))).toMatchObject({ ok: true });
    expect(intro.system.domains.counts.get("join-accepted")).toBe(1);
    c.chaos.heal();
    const all = [owner, intro, joiner];
    expect(
      c.until(() => all.every((n) => n.system.members(d.domain).join() === sorted(all).join()), 10_000),
    ).toBe(true);
    await c.stopAll();
  });

  test("a join reply longer than one message arrives in chunks and the joiner holds every operation", async () => {
    const { c, d, owner, others } = await domainCluster(18, 1);
    for (let k = 0; k < 100; k++)
      expect(await c.drive(owner.system.setMeta(d.domain, `v${k}`))).toEqual({ ok: true });
    const held = owner.system.domains.log(d.domain)!.all().length;
    expect(held).toBeGreaterThan(100);
    expect(await c.drive(others[0]!.system.join(d.domain))).toMatchObject({ ok: true });
    c.clock.advance(50);
    expect(others[0]!.system.domains.log(d.domain)!.all().length).toBe(held + 1);
    expect(others[0]!.system.domains.metaOf(d.domain, owner.id)?.value).toBe("v99");
    await c.stopAll();
  });
});
