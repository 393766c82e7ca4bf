import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLatticeError } from "../errors/lattice-error.ts";
import { sha256 } from "../crypto/sha256.ts";
import { verifyAccountProof } from "./account-proof.ts";
import { type AccountChange, MemoryRoundStore, type RoundStore } from "./round-store.ts";
import { SqliteRoundStore } from "./sqlite-round-store.ts";
import { StateStore } from "./state-store.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "lattice-state-"));
  dirs.push(d);
  return d;
}

function addr(i: number): Uint8Array {
  return sha256(Uint8Array.of(0xad, i >> 8, i)).slice(0, 20);
}

function genesis(n: number): AccountChange[] {
  return Array.from({ length: n }, (_, i) => ({ address: addr(i), balance: 1000n, nonce: 0n }));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLatticeError(err) ? err.code : `untyped: ${String(err)}`;
  }
  return undefined;
}

for (const shared of [false, true]) {
  describe(`StateStore (${shared ? "shared" : "in-thread"} left-right)`, () => {
    test("rounds become visible to readers with the root of the same copy; proofs verify against it", () => {
      const store = StateStore.open({ capacity: 100, shared, genesis: genesis(10) });
      const reader = store.reader();
      expect(store.round).toBe(0n);
      expect(reader.read((t) => [t.round, t.count, t.get(addr(3))])).toEqual([
        0n,
        10,
        { balance: 1000n, nonce: 0n },
      ]);
      store.commitRound(1n, [
        { address: addr(3), balance: 900n, nonce: 1n },
        { address: addr(50), balance: 100n, nonce: 0n },
      ]);
      const [round, root, a3, a50, a51] = reader.read((t) => [
        t.round,
        t.root(),
        t.get(addr(3)),
        t.get(addr(50)),
        t.get(addr(51)),
      ]);
      expect(round).toBe(1n);
      expect(root).toEqual(store.root);
      expect(a3).toEqual({ balance: 900n, nonce: 1n });
      expect(a50).toEqual({ balance: 100n, nonce: 0n });
      expect(a51).toBeNull();
      for (const i of [3, 50, 51, 7]) {
        const p = store.prove(addr(i));
        expect(verifyAccountProof(root as Uint8Array, addr(i), p.account, p.proof)).toBe(true);
      }
      const p3 = store.prove(addr(3));
      expect(verifyAccountProof(root as Uint8Array, addr(3), { balance: 901n, nonce: 1n }, p3.proof)).toBe(
        false,
      );
      expect(verifyAccountProof(root as Uint8Array, addr(3), null, p3.proof)).toBe(false);
      // A proof from the previous round does not verify against the new root.
      store.commitRound(2n, [{ address: addr(3), balance: 800n, nonce: 2n }]);
      expect(verifyAccountProof(store.root, addr(3), p3.account, p3.proof)).toBe(false);
      reader.close();
    });

    test("bad rounds are rejected with typed errors and change nothing", () => {
      const store = StateStore.open({ capacity: 12, shared, genesis: genesis(10) });
      const root = store.root;
      expect(codeOf(() => store.commitRound(0n, []))).toBe("STATE_ROUND_ORDER");
      expect(
        codeOf(() => store.commitRound(1n, [{ address: new Uint8Array(19), balance: 1n, nonce: 0n }])),
      ).toBe("STATE_BAD_CHANGE");
      expect(codeOf(() => store.commitRound(1n, [{ address: addr(1), balance: -1n, nonce: 0n }]))).toBe(
        "STATE_BAD_CHANGE",
      );
      expect(codeOf(() => store.commitRound(1n, [{ address: addr(1), balance: 1n << 64n, nonce: 0n }]))).toBe(
        "STATE_BAD_CHANGE",
      );
      expect(
        codeOf(() =>
          store.commitRound(1n, [
            { address: addr(1), balance: 1n, nonce: 0n },
            { address: addr(1), balance: 2n, nonce: 0n },
          ]),
        ),
      ).toBe("STATE_BAD_CHANGE");
      expect(codeOf(() => store.commitRound(1n, genesis(13).slice(10)))).toBe("STATE_FULL");
      expect(store.round).toBe(0n);
      expect(store.root).toEqual(root);
      expect(store.getAccount(addr(1))).toEqual({ balance: 1000n, nonce: 0n });
      store.commitRound(5n, genesis(12).slice(10));
      expect(store.accountCount).toBe(12);
    });
  });
}

test("a failing round store leaves the state untouched", () => {
  const inner = new MemoryRoundStore();
  let fail = false;
  const flaky: RoundStore = {
    load: () => inner.load(),
    commit: (r, root, c) => {
      if (fail) throw new Error("disk full");
      inner.commit(r, root, c);
    },
    close: () => inner.close(),
  };
  const store = StateStore.open({ capacity: 10, genesis: genesis(2), roundStore: flaky });
  fail = true;
  const reader = store.reader();
  expect(() => store.commitRound(1n, [{ address: addr(0), balance: 1n, nonce: 1n }])).toThrow("disk full");
  expect(store.round).toBe(0n);
  expect(store.getAccount(addr(0))).toEqual({ balance: 1000n, nonce: 0n });
  expect(reader.read((t) => t.get(addr(0)))).toEqual({ balance: 1000n, nonce: 0n });
});

test("SQLite: a reopened store recovers the last round; tampered rows are detected", () => {
  const path = join(tempDir(), "state.db");
  const a = StateStore.open({
    capacity: 100,
    genesis: genesis(20),
    roundStore: new SqliteRoundStore({ path }),
  });
  for (let r = 1n; r <= 5n; r++)
    a.commitRound(r, [{ address: addr(Number(r)), balance: 1000n - r, nonce: r }]);
  const root = a.root;
  a.close();
  const b = StateStore.open({ capacity: 100, roundStore: new SqliteRoundStore({ path }) });
  expect(b.round).toBe(5n);
  expect(b.root).toEqual(root);
  expect(b.getAccount(addr(4))).toEqual({ balance: 996n, nonce: 4n });
  expect(b.reader().read((t) => t.root())).toEqual(root);
  b.close();
  const db = new Database(path);
  db.run("UPDATE accounts SET balance = ?1 WHERE address = ?2", [new Uint8Array(8).fill(1), addr(4)]);
  db.close();
  expect(codeOf(() => StateStore.open({ capacity: 100, roundStore: new SqliteRoundStore({ path }) }))).toBe(
    "STATE_CORRUPT",
  );
});
