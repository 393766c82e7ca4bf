/**
 * Backpressure (seed 001, "Decentralized Task Scheduler": the backpressure formula and the log-normalised
 * backpressure list). Pure functions of queue figures; every node computes its own figure and gossips it.
 *
 * The seed, per queue q with tasks t_1..t_n: T_q = sum of the tasks' times, avg_q = T_q / n_q; then
 *   P = 1 + log10( W_l T_l avg_l + W_r T_r avg_r + W_f T_f )
 *   L = {P_1 .. P_n}  (this node and its peers),  LN_b = (P_b - min L) / (max L - min L).
 * Weights are fixed protocol constants, the same on every node (the seed: one predefined weight per queue).
 *
 * Deviations, both guards against non-finite figures:
 * - an idle node makes the log argument 0 and log10(0) = -Infinity (Versatus computed exactly that:
 *   core-anchors.md §1.9 item 12), which then poisons min(L) and every normalised value. We use
 *   P = 1 + log10(1 + x): an idle node is 1, below every busy node, and for the loads that matter
 *   (x >> 1) the difference from the seed's form is log10(1 + 1/x), under 0.0005 once x >= 1000 ms^2;
 * - when every figure in L is equal, max - min = 0; every node then normalises to 0 (no one is more loaded).
 * Gossiped figures are untrusted input: `isValidFigure` rejects NaN, infinities and negatives.
 */

/** What one queue holds: the expected times (ms) of its tasks. */
export interface QueueLoad {
  /** Number of tasks queued or running. */
  readonly tasks: number;
  /** Sum of their expected completion times, ms (T_q). */
  readonly totalMs: number;
}

/** The three queues of a scheduler (seed: local execution, intra-quorum remote, inter-quorum forwarding). */
export interface QueueLoads {
  readonly local: QueueLoad;
  readonly remote: QueueLoad;
  readonly forward: QueueLoad;
}

/** Queue weights W_l, W_r, W_f: protocol constants. Local work weighs most: this node does it itself. */
export interface QueueWeights {
  readonly local: number;
  readonly remote: number;
  readonly forward: number;
}

export const DEFAULT_WEIGHTS: QueueWeights = Object.freeze({ local: 1, remote: 0.5, forward: 0.25 });

/** avg_q = T_q / n_q, and 0 for an empty queue (the seed leaves 0/0 undefined). */
export function averageMs(q: QueueLoad): number {
  return q.tasks === 0 ? 0 : q.totalMs / q.tasks;
}

/** The weighted load inside the log: W_l T_l avg_l + W_r T_r avg_r + W_f T_f. */
export function weightedLoad(loads: QueueLoads, w: QueueWeights = DEFAULT_WEIGHTS): number {
  return (
    w.local * loads.local.totalMs * averageMs(loads.local) +
    w.remote * loads.remote.totalMs * averageMs(loads.remote) +
    w.forward * loads.forward.totalMs
  );
}

/** P = 1 + log10(1 + weighted load): finite and >= 1 for every valid input, 1 for an idle node. */
export function backpressure(loads: QueueLoads, w: QueueWeights = DEFAULT_WEIGHTS): number {
  const x = weightedLoad(loads, w);
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`queue loads: weighted load ${x} is not finite`);
  return 1 + Math.log10(1 + x);
}

/** A gossiped figure must be a finite P >= 1 (what `backpressure` can produce). */
export function isValidFigure(p: unknown): p is number {
  return typeof p === "number" && Number.isFinite(p) && p >= 1;
}

/**
 * LN_b for every figure of L, in input order: (P_b - min L) / (max L - min L), each in [0, 1].
 * An empty list gives an empty list; equal figures all give 0.
 */
export function normalise(list: readonly number[]): number[] {
  if (list.length === 0) return [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of list) {
    if (!Number.isFinite(p)) throw new RangeError(`backpressure list: ${p} is not finite`);
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  const span = hi - lo;
  return list.map((p) => (span === 0 ? 0 : (p - lo) / span));
}
