/**
 * Exact maximum-weight bipartite matching (Hungarian algorithm, Kuhn–Munkres), shared by segment
 * matching and box matching.
 */
import { AgreementInputError } from './types';

/**
 * Matches rows to columns one-to-one, maximizing the total weight of the matched pairs.
 * Only pairs whose weight is finite and ≥ 0 may be matched; −Infinity, NaN, +Infinity or a negative
 * weight forbids the pair. Rows may stay unmatched (this is a maximum-weight matching, not a perfect
 * one). Returns, for each row, its matched column or −1.
 *
 * O(n³) in n = max(rows, cols), with n² weight calls. Deterministic: the same weights always give
 * the same matching (rows are inserted in index order; among equal slacks the lowest column wins).
 */
export function maxWeightAssignment(
  rows: number,
  cols: number,
  weight: (row: number, col: number) => number,
): Int32Array {
  if (!Number.isInteger(rows) || rows < 0) throw new AgreementInputError(`rows must be a non-negative integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 0) throw new AgreementInputError(`cols must be a non-negative integer, got ${cols}`);
  const result = new Int32Array(rows).fill(-1);
  const n = Math.max(rows, cols);
  if (rows === 0 || cols === 0) return result;

  // Square cost matrix of −weight. A forbidden pair and every dummy row/column cost 0, the same as
  // leaving both sides unmatched: with weights ≥ 0 the optimum never gains by using them, and the
  // `allowed` flag keeps them out of the answer.
  const cost = new Float64Array(n * n);
  const allowed = new Uint8Array(n * n);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const w = weight(row, col);
      if (Number.isFinite(w) && w >= 0) {
        cost[row * n + col] = -w;
        allowed[row * n + col] = 1;
      }
    }
  }

  // Potentials u (rows) and v (columns), 1-based with index 0 as the virtual start column;
  // columnRow[j] is the 1-based row assigned to column j (0 = none).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const columnRow = new Int32Array(n + 1);
  const previousColumn = new Int32Array(n + 1);
  const minSlack = new Float64Array(n + 1);
  const visited = new Uint8Array(n + 1);
  for (let row = 1; row <= n; row++) {
    columnRow[0] = row;
    let column = 0;
    minSlack.fill(Infinity);
    visited.fill(0);
    do {
      visited[column] = 1;
      const currentRow = columnRow[column]!;
      const costOffset = (currentRow - 1) * n - 1;
      let delta = Infinity;
      let nextColumn = 0;
      for (let j = 1; j <= n; j++) {
        if (visited[j]) continue;
        const slack = cost[costOffset + j]! - u[currentRow]! - v[j]!;
        if (slack < minSlack[j]!) {
          minSlack[j] = slack;
          previousColumn[j] = column;
        }
        if (minSlack[j]! < delta) {
          delta = minSlack[j]!;
          nextColumn = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (visited[j]) {
          u[columnRow[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minSlack[j]! -= delta;
        }
      }
      column = nextColumn;
    } while (columnRow[column] !== 0);
    // Augment along the alternating path back to the virtual column.
    do {
      const previous = previousColumn[column]!;
      columnRow[column] = columnRow[previous]!;
      column = previous;
    } while (column !== 0);
  }

  for (let col = 1; col <= n; col++) {
    const row = columnRow[col]! - 1;
    if (row < rows && col - 1 < cols && allowed[row * n + col - 1]) result[row] = col - 1;
  }
  return result;
}
