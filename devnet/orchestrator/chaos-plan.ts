/**
 * Chaos on a devnet as per-link rules, before any node is asked: parse the CLI's node and link specs,
 * turn a partition or a latency/loss/duplication request into rules on DIRECTED links (node indices),
 * and merge them with the rules already in force. net/chaos applies a rule of link from -> to to the
 * frames `from` sends, so each rule is sent to the admin API of its `from` node only.
 *
 * Specs (indices are 0-based node numbers, as `status` prints them):
 *   partition "0,1/2,3"     cut every link between the groups, both ways ("--one-way": first -> second only)
 *   target    "2"           every link from and to node 2
 *             "1-3"         both directions of the link between 1 and 3
 *             "1>3"         only frames from 1 to 3
 */
import type { LinkRule } from "../../net/chaos/chaos.ts";

/** A rule on the directed link from -> to, by node index. */
export interface LinkFault {
  readonly from: number;
  readonly to: number;
  readonly rule: LinkRule;
}

/** A malformed spec; the CLI turns it into a usage error (exit 2). */
export class ChaosSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChaosSpecError";
  }
}

/** One node index in 0..nodes-1. */
export function parseNodeIndex(spec: string, nodes: number, what = "node"): number {
  if (!/^[0-9]{1,3}$/.test(spec.trim()))
    throw new ChaosSpecError(`${what}: a node number expected, got "${spec}"`);
  const i = Number(spec.trim());
  if (i >= nodes) throw new ChaosSpecError(`${what}: node ${i} does not exist (nodes are 0..${nodes - 1})`);
  return i;
}

/** "0,1/2,3" into groups of node indices; every node at most once, at least two non-empty groups. */
export function parsePartition(spec: string, nodes: number): number[][] {
  const groups = spec.split("/").map((g) =>
    g
      .split(",")
      .filter((s) => s.trim() !== "")
      .map((s) => parseNodeIndex(s, nodes, "partition")),
  );
  if (groups.length < 2 || groups.some((g) => g.length === 0))
    throw new ChaosSpecError(
      `partition: at least two non-empty groups expected, like 0,1/2,3; got "${spec}"`,
    );
  const seen = new Set<number>();
  for (const i of groups.flat()) {
    if (seen.has(i)) throw new ChaosSpecError(`partition: node ${i} is in two groups`);
    seen.add(i);
  }
  return groups;
}

/** The directed links a partition cuts. */
export function partitionLinks(groups: readonly (readonly number[])[], oneWay: boolean): LinkFault[] {
  if (oneWay && groups.length !== 2)
    throw new ChaosSpecError(
      "partition --one-way: exactly two groups expected (frames from the first to the second are cut)",
    );
  const out: LinkFault[] = [];
  for (let a = 0; a < groups.length; a++) {
    for (let b = 0; b < groups.length; b++) {
      if (a === b || (oneWay && !(a === 0 && b === 1))) continue;
      for (const from of groups[a]!)
        for (const to of groups[b]!) out.push({ from, to, rule: { partition: true } });
    }
  }
  return out;
}

/** The directed links of a target spec ("2", "1-3", "1>3"). */
export function targetLinks(spec: string, nodes: number): { from: number; to: number }[] {
  const s = spec.trim();
  const pair = /^([0-9]+)([->])([0-9]+)$/.exec(s);
  if (pair !== null) {
    const a = parseNodeIndex(pair[1]!, nodes, "link");
    const b = parseNodeIndex(pair[3]!, nodes, "link");
    if (a === b) throw new ChaosSpecError(`link: ${s} links a node to itself`);
    return pair[2] === ">"
      ? [{ from: a, to: b }]
      : [
          { from: a, to: b },
          { from: b, to: a },
        ];
  }
  const n = parseNodeIndex(s, nodes, "target");
  if (nodes < 2) throw new ChaosSpecError("target: a devnet of one node has no links");
  const out: { from: number; to: number }[] = [];
  for (let o = 0; o < nodes; o++) if (o !== n) out.push({ from: n, to: o }, { from: o, to: n });
  return out;
}

/** Rules in force after adding `add`: fields of a link's new rule override its old ones. */
export function mergeFaults(current: readonly LinkFault[], add: readonly LinkFault[]): LinkFault[] {
  const byLink = new Map<string, LinkFault>();
  for (const f of [...current, ...add]) {
    const key = `${f.from}>${f.to}`;
    const old = byLink.get(key);
    byLink.set(key, { from: f.from, to: f.to, rule: { ...(old?.rule ?? {}), ...f.rule } });
  }
  return [...byLink.values()].sort((x, y) => x.from - y.from || x.to - y.to);
}

/** The rules each node must enforce (its outgoing links), by node index. */
export function rulesByNode(faults: readonly LinkFault[], nodes: number): LinkFault[][] {
  const out: LinkFault[][] = Array.from({ length: nodes }, () => []);
  for (const f of faults) out[f.from]?.push(f);
  return out;
}

/** A probability argument in [0, 1]. */
export function parseRate(value: string, what: string): number {
  const p = Number(value);
  if (value.trim() === "" || !Number.isFinite(p) || p < 0 || p > 1)
    throw new ChaosSpecError(`${what}: a probability in 0..1 expected, got "${value}"`);
  return p;
}

/** A duration argument in whole milliseconds, 0..60000 (or -60000..60000 when `signed`). */
export function parseMs(value: string, what: string, signed = false): number {
  const ms = Number(value);
  const min = signed ? -60_000 : 0;
  if (!/^-?[0-9]+$/.test(value.trim()) || ms < min || ms > 60_000)
    throw new ChaosSpecError(`${what}: whole milliseconds in ${min}..60000 expected, got "${value}"`);
  return ms;
}
