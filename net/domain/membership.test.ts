import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Membership, type MembershipState } from "./membership.ts";

describe("membership CRDT", () => {
  test("add-wins: a remove only removes the adds it observed", () => {
    const a = new Membership("A", 1);
    const b = new Membership("B", 1);
    a.add("x");
    b.merge(a.state());
    b.remove("x"); // B saw A's first add
    a.add("x"); // concurrent re-add with a new tag
    a.merge(b.state());
    b.merge(a.state());
    expect(a.has("x")).toBe(true);
    expect(b.has("x")).toBe(true);
    // Now a remove that has seen everything wins.
    b.remove("x");
    a.merge(b.state());
    expect(a.members()).toEqual([]);
  });

  test("join, leave and rejoin", () => {
    const r = new Membership("R", 7);
    r.add("n1");
    r.add("n2");
    expect(r.members()).toEqual(["n1", "n2"]);
    r.remove("n1");
    expect(r.members()).toEqual(["n2"]);
    r.add("n1");
    expect(r.members()).toEqual(["n1", "n2"]);
    expect(r.remove("zz")).toEqual([]);
  });

  test("metadata is LWW by (lamport counter, author), not by arrival", () => {
    const a = new Membership("A", 1);
    const b = new Membership("B", 1);
    a.setMeta("x", "from-a-1");
    b.merge(a.state());
    b.setMeta("x", "from-b-2"); // counter 2: after seeing A's 1
    a.setMeta("y", "a"); // counter 2 at A
    b.setMeta("y", "b"); // counter 3 at B
    a.merge(b.state());
    expect(a.metaOf("x")?.value).toBe("from-b-2");
    expect(a.metaOf("y")?.value).toBe("b");
    const c = new Membership("C", 1);
    const d = new Membership("D", 1);
    c.setMeta("z", "c");
    d.setMeta("z", "d"); // same counter: author D > C wins
    c.merge(d.state());
    d.merge(c.state());
    expect(c.metaOf("z")?.value).toBe("d");
    expect(d.metaOf("z")?.value).toBe("d");
  });

  test("replicas converge under random operation orders, duplication and loss (property)", () => {
    const names = ["n0", "n1", "n2", "n3", "n4"];
    const op = fc.oneof(
      fc.record({ k: fc.constant("add" as const), r: fc.nat(3), m: fc.constantFrom(...names) }),
      fc.record({ k: fc.constant("remove" as const), r: fc.nat(3), m: fc.constantFrom(...names) }),
      fc.record({
        k: fc.constant("meta" as const),
        r: fc.nat(3),
        m: fc.constantFrom(...names),
        v: fc.string({ maxLength: 3 }),
      }),
      // Gossip a snapshot i -> j into the network.
      fc.record({ k: fc.constant("gossip" as const), r: fc.nat(3), to: fc.nat(3) }),
      // Deliver the message at some index: `keep` leaves it queued (a duplicate later), `drop` loses it.
      fc.record({
        k: fc.constant("deliver" as const),
        i: fc.nat(40),
        keep: fc.boolean(),
        drop: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const reps = [0, 1, 2, 3].map((i) => new Membership(`R${i}`, 1));
        const wire: { to: number; state: MembershipState }[] = [];
        for (const o of ops) {
          switch (o.k) {
            case "add":
              reps[o.r]!.add(o.m);
              break;
            case "remove":
              reps[o.r]!.remove(o.m);
              break;
            case "meta":
              reps[o.r]!.setMeta(o.m, o.v);
              break;
            case "gossip":
              wire.push({ to: o.to, state: reps[o.r]!.state() });
              break;
            case "deliver": {
              if (wire.length === 0) break;
              const idx = o.i % wire.length;
              const msg = wire[idx]!;
              if (!o.keep) wire.splice(idx, 1);
              if (!o.drop) reps[msg.to]!.merge(msg.state);
            }
          }
        }
        // Anti-entropy rounds until quiet: every replica eventually sees every other's state.
        for (let round = 0; round < 2; round++) {
          for (const x of reps) for (const y of reps) if (x !== y) y.merge(x.state());
        }
        const first = JSON.stringify(reps[0]!.state());
        const digests = new Set(reps.map((r) => r.digest()));
        return reps.every((r) => JSON.stringify(r.state()) === first) && digests.size === 1;
      }),
      { seed: 20240601, numRuns: 300 },
    );
  });

  test("merge is idempotent and order-independent (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(2), fc.constantFrom("a", "b", "c"), fc.boolean()), { maxLength: 30 }),
        (ops) => {
          const reps = [0, 1, 2].map((i) => new Membership(`R${i}`, 1));
          for (const [r, m, add] of ops) {
            if (add) reps[r]!.add(m);
            else reps[r]!.remove(m);
          }
          const s = reps.map((r) => r.state());
          const x = new Membership("X", 1);
          x.merge(s[0]!);
          x.merge(s[1]!);
          x.merge(s[2]!);
          x.merge(s[1]!);
          const y = new Membership("Y", 1);
          y.merge(s[2]!);
          y.merge(s[0]!);
          y.merge(s[1]!);
          return JSON.stringify(x.state()) === JSON.stringify(y.state());
        },
      ),
      { seed: 99, numRuns: 200 },
    );
  });
});
