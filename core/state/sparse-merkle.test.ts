import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { sha256 } from "../crypto/sha256.ts";
import {
  EMPTY_HASH,
  innerHash,
  leafHash,
  nodeHash,
  type SmtEntry,
  type SmtNode,
  smtGet,
  smtProve,
  smtUpdate,
  verifySparseProof,
} from "./sparse-merkle.ts";

function keyOf(i: number): Uint8Array {
  return sha256(Uint8Array.of(i >> 24, i >> 16, i >> 8, i));
}

function bitOf(key: Uint8Array, d: number): number {
  return (key[d >> 3]! >> (7 - (d & 7))) & 1;
}

/** Reference root straight from the definition, rebuilt from scratch. */
function referenceRoot(entries: readonly SmtEntry[], depth = 0): Uint8Array {
  if (entries.length === 0) return EMPTY_HASH;
  if (entries.length === 1) return leafHash(entries[0]!.key, entries[0]!.value);
  const l = entries.filter((e) => bitOf(e.key, depth) === 0);
  const r = entries.filter((e) => bitOf(e.key, depth) === 1);
  return innerHash(referenceRoot(l, depth + 1), referenceRoot(r, depth + 1));
}

function entries(n: number, tag: number): SmtEntry[] {
  return Array.from({ length: n }, (_, i) => ({ key: keyOf(i), value: Uint8Array.of(tag, i & 255) }));
}

function collect(node: SmtNode, out: Set<SmtNode>): void {
  if (node === null) return;
  out.add(node);
  if (node.kind === "inner") {
    collect(node.left, out);
    collect(node.right, out);
  }
}

describe("sparse Merkle tree", () => {
  test("roots equal a from-scratch reference under random batches, and old versions stay intact", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.record({ k: fc.nat(40), v: fc.nat(255) }), { maxLength: 12 }), { maxLength: 8 }),
        (batches) => {
          let root: SmtNode = null;
          const model = new Map<number, number>();
          for (const batch of batches) {
            const before = nodeHash(root);
            const old = root;
            root = smtUpdate(
              root,
              batch.map(({ k, v }) => ({ key: keyOf(k), value: Uint8Array.of(v) })),
            );
            for (const { k, v } of batch) model.set(k, v);
            expect(nodeHash(old)).toEqual(before);
            const all = [...model].map(([k, v]) => ({ key: keyOf(k), value: Uint8Array.of(v) }));
            expect(nodeHash(root)).toEqual(referenceRoot(all));
          }
        },
      ),
      { seed: 99, numRuns: 120 },
    );
    expect(nodeHash(null)).toEqual(EMPTY_HASH);
  });

  test("inclusion and absence proofs verify; tampered proofs and wrong roots fail", () => {
    const root = smtUpdate(null, entries(300, 1));
    const rootHash = nodeHash(root);
    for (let i = 0; i < 400; i += 7) {
      const key = keyOf(i);
      const proof = smtProve(root, key);
      const value = i < 300 ? Uint8Array.of(1, i & 255) : null;
      expect(smtGet(root, key) ?? null).toEqual(value);
      expect(verifySparseProof(rootHash, key, value, proof)).toBe(true);
      // Wrong claims.
      expect(verifySparseProof(rootHash, key, value === null ? Uint8Array.of(1, 0) : null, proof)).toBe(
        false,
      );
      if (value !== null)
        expect(verifySparseProof(rootHash, key, Uint8Array.of(2, i & 255), proof)).toBe(false);
      // Wrong root.
      const wrong = rootHash.slice();
      wrong[31]! ^= 1;
      expect(verifySparseProof(wrong, key, value, proof)).toBe(false);
      // Every single-bit flip of every sibling.
      for (let s = 0; s < proof.siblings.length; s++) {
        const siblings = proof.siblings.map((x) => x.slice());
        siblings[s]![s % 32]! ^= 1;
        expect(verifySparseProof(rootHash, key, value, { ...proof, siblings })).toBe(false);
      }
      // Dropped or extra levels.
      expect(verifySparseProof(rootHash, key, value, { ...proof, siblings: proof.siblings.slice(1) })).toBe(
        false,
      );
      expect(
        verifySparseProof(rootHash, key, value, { ...proof, siblings: [...proof.siblings, EMPTY_HASH] }),
      ).toBe(false);
      if (proof.leaf !== null) {
        const leafValue = proof.leaf.value.slice();
        leafValue[0]! ^= 1;
        expect(
          verifySparseProof(rootHash, key, value, { ...proof, leaf: { ...proof.leaf, value: leafValue } }),
        ).toBe(false);
      }
    }
    // An absence proof cannot be made from an unrelated leaf: reuse key 0's leaf for another key.
    const p0 = smtProve(root, keyOf(0));
    expect(verifySparseProof(rootHash, keyOf(1000), null, p0)).toBe(false);
    // The empty tree proves absence of everything.
    expect(verifySparseProof(EMPTY_HASH, keyOf(5), null, smtProve(null, keyOf(5)))).toBe(true);
  });

  test("proofs are O(log n) deep", () => {
    const root = smtUpdate(null, entries(4096, 3));
    let max = 0;
    for (let i = 0; i < 4096; i += 13) max = Math.max(max, smtProve(root, keyOf(i)).siblings.length);
    expect(max).toBeLessThanOrEqual(36); // log2(4096) = 12; random keys stay within ~3x
  });

  test("an update of k keys creates O(k log n) new nodes and shares the rest", () => {
    const n = 4096;
    const before = smtUpdate(null, entries(n, 1));
    const old = new Set<SmtNode>();
    collect(before, old);
    const k = 8;
    const after = smtUpdate(
      before,
      Array.from({ length: k }, (_, i) => ({ key: keyOf(i * 500), value: Uint8Array.of(9) })),
    );
    const all = new Set<SmtNode>();
    collect(after, all);
    let fresh = 0;
    for (const node of all) if (!old.has(node)) fresh++;
    expect(fresh).toBeGreaterThanOrEqual(k);
    expect(fresh).toBeLessThanOrEqual(k * 36);
    expect(all.size).toBe(old.size);
  });
});
