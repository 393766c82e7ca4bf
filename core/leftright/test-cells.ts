/**
 * A tiny data structure for left-right tests and benchmarks: an array of int32 cells, with operations
 * that either set a cell or move an amount between cells. Transfers conserve the sum of all cells, so
 * any reader that sums a copy and gets a different total has seen a torn or partly applied state.
 * Copy layout (shared form): Int32 cells[n], nothing else.
 */
export interface Cells {
  readonly cells: Int32Array;
}

export type CellOp =
  | { readonly kind: "set"; readonly index: number; readonly value: number }
  | { readonly kind: "transfer"; readonly from: number; readonly to: number; readonly amount: number };

/** Deterministic apply for `CellOp`. */
export function applyCellOp(copy: Cells, op: CellOp): void {
  const c = copy.cells;
  if (op.kind === "set") {
    c[op.index] = op.value;
  } else {
    c[op.from] = (c[op.from]! - op.amount) | 0;
    c[op.to] = (c[op.to]! + op.amount) | 0;
  }
}

/** View a shared copy as cells. */
export function attachCells(buffer: SharedArrayBuffer): Cells {
  return { cells: new Int32Array(buffer) };
}

/** Sum of all cells, the conserved quantity (bounded loop: safe even on a torn copy). */
export function sumCells(copy: Cells): number {
  const c = copy.cells;
  let s = 0;
  for (let i = 0; i < c.length; i++) s = (s + c[i]!) | 0;
  return s;
}
