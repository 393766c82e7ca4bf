/**
 * The state commitment (seed 001, "Integral DB ... with Merkle Proofing"): a compressed sparse Merkle tree
 * over 256-bit keys (key = SHA-256 of the account address), persistent (path-copying) so every published
 * root keeps its own tree for proofs, updated in batches.
 *
 * Hashing (all SHA-256, domain-separated by the first byte):
 *   empty subtree               EMPTY = 32 zero bytes (no known preimage)
 *   subtree with exactly 1 leaf leaf  = H(0x00 ‖ key(32) ‖ value)        (a lone leaf is not hashed up)
 *   subtree with >= 2 leaves    inner = H(0x01 ‖ left(32) ‖ right(32))   (left = bit 0 at this depth)
 * Key bits are read most significant first. A lone leaf sits at the shallowest depth where its subtree
 * holds no other key, so paths are O(log n) deep on uniformly distributed keys.
 *
 * Proofs list the sibling hashes from the root downwards. Inclusion: fold the leaf up. Absence: the walk
 * along the key's bits ends in EMPTY, or in a lone leaf with another key sharing the path's prefix; fold
 * that up. `verifySparseProof` is pure and needs only the root.
 *
 * Cost: `update` with k keys hashes each touched node once: O(k log n) hashes, never a rebuild.
 */
import { equalBytes } from "../crypto/bytes.ts";
import { sha256 } from "../crypto/sha256.ts";

export const KEY_BYTES = 32;
export const EMPTY_HASH: Uint8Array = new Uint8Array(32);
const LEAF_PREFIX = Uint8Array.of(0);
const INNER_PREFIX = Uint8Array.of(1);

interface LeafNode {
  readonly kind: "leaf";
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly hash: Uint8Array;
}
interface InnerNode {
  readonly kind: "inner";
  readonly left: SmtNode;
  readonly right: SmtNode;
  readonly hash: Uint8Array;
}
/** A node of the tree; `null` is the empty subtree. Immutable: versions share structure. */
export type SmtNode = LeafNode | InnerNode | null;

export function leafHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, key, value);
}

export function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(INNER_PREFIX, left, right);
}

export function nodeHash(node: SmtNode): Uint8Array {
  return node === null ? EMPTY_HASH : node.hash;
}

function bit(key: Uint8Array, depth: number): number {
  return (key[depth >> 3]! >> (7 - (depth & 7))) & 1;
}

function leaf(key: Uint8Array, value: Uint8Array): LeafNode {
  return { kind: "leaf", key, value, hash: leafHash(key, value) };
}

function join(left: SmtNode, right: SmtNode): SmtNode {
  if (left === null && (right === null || right.kind === "leaf")) return right;
  if (right === null && left !== null && left.kind === "leaf") return left;
  return { kind: "inner", left, right, hash: innerHash(nodeHash(left), nodeHash(right)) };
}

/** One key's new value in a batch. */
export interface SmtEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function build(node: SmtNode, depth: number, entries: readonly SmtEntry[]): SmtNode {
  if (entries.length === 0) return node;
  if (node !== null && node.kind === "leaf") {
    // Fold the existing lone leaf into the batch unless the batch overwrites it.
    const kept = entries.some((e) => equalBytes(e.key, node.key)) ? entries : [...entries, node];
    return build(null, depth, kept);
  }
  if (node === null && entries.length === 1) return leaf(entries[0]!.key, entries[0]!.value);
  const left: SmtEntry[] = [];
  const right: SmtEntry[] = [];
  for (const e of entries) (bit(e.key, depth) === 0 ? left : right).push(e);
  const l = build(node === null ? null : node.left, depth + 1, left);
  const r = build(node === null ? null : node.right, depth + 1, right);
  return join(l, r);
}

/**
 * A new version of the tree with `entries` set (keys 32 bytes, distinct; the last wins on duplicates).
 * The old version is untouched.
 */
export function smtUpdate(root: SmtNode, entries: Iterable<SmtEntry>): SmtNode {
  const byKey = new Map<string, SmtEntry>();
  for (const e of entries) {
    if (e.key.length !== KEY_BYTES) throw new RangeError(`smt key: ${KEY_BYTES} bytes expected`);
    byKey.set(Buffer.from(e.key).toString("hex"), e);
  }
  const sorted = [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key));
  return build(root, 0, sorted);
}

/** A Merkle proof for one key: inclusion when `leaf.key` equals the key, absence otherwise. */
export interface SparseProof {
  /** Sibling hashes from depth 1 (the root's children) downwards, one per level walked. */
  readonly siblings: readonly Uint8Array[];
  /** The lone leaf the walk ended at, or null when it ended in an empty subtree. */
  readonly leaf: SmtEntry | null;
}

/** Prove `key` (present or absent) against the tree `root`. */
export function smtProve(root: SmtNode, key: Uint8Array): SparseProof {
  const siblings: Uint8Array[] = [];
  let node = root;
  let depth = 0;
  while (node !== null && node.kind === "inner") {
    const b = bit(key, depth);
    siblings.push(nodeHash(b === 0 ? node.right : node.left));
    node = b === 0 ? node.left : node.right;
    depth++;
  }
  return { siblings, leaf: node === null ? null : { key: node.key, value: node.value } };
}

/** The value stored at `key` in `root`, or undefined. */
export function smtGet(root: SmtNode, key: Uint8Array): Uint8Array | undefined {
  let node = root;
  let depth = 0;
  while (node !== null && node.kind === "inner") node = bit(key, depth++) === 0 ? node.left : node.right;
  return node !== null && equalBytes(node.key, key) ? node.value : undefined;
}

function sharesPrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let d = 0; d < bits; d++) if (bit(a, d) !== bit(b, d)) return false;
  return true;
}

/**
 * Check a proof against a root, with nothing else. `value` is the claimed value (`null` = absent).
 * Returns false for any malformed, tampered or mismatched proof; never throws.
 */
export function verifySparseProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | null,
  proof: SparseProof,
): boolean {
  try {
    if (root.length !== 32 || key.length !== KEY_BYTES) return false;
    const { siblings } = proof;
    if (!Array.isArray(siblings) || siblings.length > 256) return false;
    let hash: Uint8Array;
    if (proof.leaf === null) {
      if (value !== null) return false;
      hash = EMPTY_HASH;
    } else {
      const l = proof.leaf;
      if (l.key.length !== KEY_BYTES) return false;
      if (equalBytes(l.key, key)) {
        if (value === null || !equalBytes(l.value, value)) return false;
      } else {
        // Absence by another lone leaf: it must lie on our key's path, else it proves nothing.
        if (value !== null || !sharesPrefix(l.key, key, siblings.length)) return false;
      }
      hash = leafHash(l.key, l.value);
    }
    for (let depth = siblings.length - 1; depth >= 0; depth--) {
      const sib = siblings[depth]!;
      if (sib.length !== 32) return false;
      hash = bit(key, depth) === 0 ? innerHash(hash, sib) : innerHash(sib, hash);
    }
    return equalBytes(hash, root);
  } catch {
    return false;
  }
}

/** Bytes a proof carries (hashes and leaf), for size accounting in tests and APIs. */
export function proofSize(proof: SparseProof): number {
  return proof.siblings.length * 32 + (proof.leaf === null ? 0 : KEY_BYTES + proof.leaf.value.length);
}
