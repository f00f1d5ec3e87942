import fc from 'fast-check';
import { maxWeightAssignment } from './assignment';
import { AgreementInputError } from './types';

const FORBIDDEN = -Infinity;

function assign(matrix: number[][]): number[] {
  const cols = matrix[0]?.length ?? 0;
  return Array.from(maxWeightAssignment(matrix.length, cols, (row, col) => matrix[row]![col]!));
}

function isAllowed(weight: number): boolean {
  return Number.isFinite(weight) && weight >= 0;
}

function totalOf(matrix: number[][], assignment: number[]): number {
  return assignment.reduce((sum, col, row) => (col < 0 ? sum : sum + matrix[row]![col]!), 0);
}

/** Best total over every partial one-to-one matching of allowed pairs, by exhaustive search. */
function bruteForceBest(matrix: number[][]): number {
  const cols = matrix[0]?.length ?? 0;
  const used = new Array<boolean>(cols).fill(false);
  const search = (row: number): number => {
    if (row === matrix.length) return 0;
    let best = search(row + 1);
    for (let col = 0; col < cols; col++) {
      const w = matrix[row]![col]!;
      if (used[col] || !isAllowed(w)) continue;
      used[col] = true;
      best = Math.max(best, w + search(row + 1));
      used[col] = false;
    }
    return best;
  };
  return search(0);
}

/** Repeatedly takes the heaviest remaining allowed pair: the shortcut the exact algorithm replaces. */
function greedyTotal(matrix: number[][]): number {
  const cells = matrix
    .flatMap((line, row) => line.map((w, col) => ({ row, col, w })))
    .filter((cell) => isAllowed(cell.w))
    .sort((x, y) => y.w - x.w);
  const rowUsed = new Set<number>();
  const colUsed = new Set<number>();
  let total = 0;
  for (const cell of cells) {
    if (rowUsed.has(cell.row) || colUsed.has(cell.col)) continue;
    rowUsed.add(cell.row);
    colUsed.add(cell.col);
    total += cell.w;
  }
  return total;
}

describe('maxWeightAssignment', () => {
  it('beats greedy when the heaviest pair blocks two good ones', () => {
    // Greedy takes (0,0) = 0.9 and then row 1 has only the forbidden (1,1): total 0.9.
    // Optimal: (0,1) + (1,0) = 0.8 + 0.7 = 1.5.
    const matrix = [
      [0.9, 0.8],
      [0.7, FORBIDDEN],
    ];
    expect(greedyTotal(matrix)).toBeCloseTo(0.9, 12);
    expect(assign(matrix)).toEqual([1, 0]);
    expect(totalOf(matrix, assign(matrix))).toBeCloseTo(1.5, 12);
  });

  it('leaves rows unmatched rather than use a forbidden pair', () => {
    // Row 0 may only take column 0; row 1 only column 0 too (−Infinity, NaN, +Infinity and a
    // negative weight all forbid). Best: row 1 takes column 0 (5 > 3), row 0 stays unmatched.
    const matrix = [
      [3, NaN],
      [5, -1],
      [Infinity, FORBIDDEN],
    ];
    expect(assign(matrix)).toEqual([-1, 0, -1]);
  });

  it('reports no match when every pair is forbidden', () => {
    expect(assign([[FORBIDDEN, NaN], [NaN, FORBIDDEN]])).toEqual([-1, -1]);
  });

  it('handles rectangular matrices in both orientations', () => {
    // 1 row × 3 columns: the row takes its heaviest column, 7 at column 2.
    expect(assign([[1, 4, 7]])).toEqual([2]);
    // 3 rows × 1 column: the column goes to the heaviest row, 6 at row 1.
    expect(assign([[2], [6], [3]])).toEqual([-1, 0, -1]);
  });

  it('handles empty dimensions', () => {
    expect(Array.from(maxWeightAssignment(0, 5, () => 1))).toEqual([]);
    expect(Array.from(maxWeightAssignment(3, 0, () => 1))).toEqual([-1, -1, -1]);
  });

  it('breaks ties the same documented way: rows in order, lowest column first', () => {
    // All pairs weigh 1: every perfect matching is optimal; the identity is the one the rule picks.
    expect(assign([[1, 1, 1], [1, 1, 1], [1, 1, 1]])).toEqual([0, 1, 2]);
  });

  it('rejects a negative or fractional size', () => {
    expect(() => maxWeightAssignment(-1, 2, () => 0)).toThrow(AgreementInputError);
    expect(() => maxWeightAssignment(2, 1.5, () => 0)).toThrow(AgreementInputError);
  });

  const weightCell = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 20 }).map((w) => w / 4) },
    { weight: 1, arbitrary: fc.constant(FORBIDDEN) },
  );
  const matrixArbitrary = fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
    .chain(([rows, cols]) =>
      fc.array(fc.array(weightCell, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }),
    );

  it('matches the brute-force optimum on random small matrices', () => {
    fc.assert(
      fc.property(matrixArbitrary, (matrix) => {
        const assignment = assign(matrix);
        const matchedColumns = assignment.filter((col) => col >= 0);
        expect(new Set(matchedColumns).size).toBe(matchedColumns.length);
        assignment.forEach((col, row) => {
          if (col >= 0) expect(isAllowed(matrix[row]![col]!)).toBe(true);
        });
        expect(totalOf(matrix, assignment)).toBeCloseTo(bruteForceBest(matrix), 9);
        expect(totalOf(matrix, assignment)).toBeGreaterThanOrEqual(greedyTotal(matrix) - 1e-9);
      }),
      { numRuns: 400 },
    );
  });
});
