import { AgreementInputError, type ReliabilityData } from './types';

const INITIAL_CAPACITY = 1024;

function grownInt32(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

function grownFloat64(array: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(array);
  return grown;
}

/**
 * Collects (unit, coder, value) triples in any order into parallel typed arrays and groups them by
 * unit in `build()`. No object per value: a million judgements cost three typed arrays.
 */
export class ReliabilityDataBuilder {
  private units: Int32Array = new Int32Array(INITIAL_CAPACITY);
  private coders: Int32Array = new Int32Array(INITIAL_CAPACITY);
  private values: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private size = 0;
  private maxUnit = -1;

  constructor(readonly coderCount: number) {
    if (!Number.isInteger(coderCount) || coderCount < 0 || coderCount > 0x7fffffff) {
      throw new AgreementInputError(`coder count must be a non-negative integer, got ${coderCount}`);
    }
  }

  add(unit: number, coder: number, value: number): void {
    // `x >>> 0 === x` holds exactly for the integers in [0, 2³²), without a builtin call per value.
    if (unit >>> 0 !== unit || unit >= 0x7fffffff) {
      throw new AgreementInputError(`unit index must be a non-negative integer, got ${unit}`, this.size);
    }
    if (coder >>> 0 !== coder || coder >= this.coderCount) {
      throw new AgreementInputError(
        `coder index must be an integer in [0, ${this.coderCount}), got ${coder}`,
        this.size,
      );
    }
    if (this.size === this.units.length) {
      const capacity = this.size * 2;
      this.units = grownInt32(this.units, capacity);
      this.coders = grownInt32(this.coders, capacity);
      this.values = grownFloat64(this.values, capacity);
    }
    this.units[this.size] = unit;
    this.coders[this.size] = coder;
    this.values[this.size] = value;
    this.size += 1;
    if (unit > this.maxUnit) this.maxUnit = unit;
  }

  /**
   * Groups the values by unit with a stable counting sort (O(N + units)), so within a unit they keep
   * insertion order. Throws when a coder gave two values to one unit, pointing at the second one.
   */
  build(categories?: readonly string[]): ReliabilityData {
    return groupByUnit(this.units, null, this.coders, null, this.values, this.size, this.maxUnit + 1, this.coderCount, categories);
  }
}

/**
 * Reliability data from parallel columns: judgement i gives `values[i]` from coder `coders[i]` to unit
 * `units[i]`. The same data, checks and errors as adding every triple to a ReliabilityDataBuilder in
 * order and building it, without a call per judgement.
 */
export function reliabilityFromColumns(
  units: Int32Array,
  coders: Int32Array,
  values: Float64Array,
  coderCount: number,
  categories?: readonly string[],
): ReliabilityData {
  if (!Number.isInteger(coderCount) || coderCount < 0 || coderCount > 0x7fffffff) {
    throw new AgreementInputError(`coder count must be a non-negative integer, got ${coderCount}`);
  }
  const size = units.length;
  if (coders.length !== size || values.length !== size) {
    throw new AgreementInputError(`columns of different lengths: ${size} units, ${coders.length} coders, ${values.length} values`);
  }
  let maxUnit = -1;
  for (let i = 0; i < size; i++) {
    const unit = units[i]!;
    // Int32 columns hold integers below 2³¹ − 1 already; only the sign is left to check.
    if (unit < 0 || unit >= 0x7fffffff) throw new AgreementInputError(`unit index must be a non-negative integer, got ${unit}`, i);
    const coder = coders[i]!;
    if (coder < 0 || coder >= coderCount) {
      throw new AgreementInputError(`coder index must be an integer in [0, ${coderCount}), got ${coder}`, i);
    }
    if (unit > maxUnit) maxUnit = unit;
  }
  return groupByUnit(units, null, coders, null, values, size, maxUnit + 1, coderCount, categories);
}

/**
 * Reliability data from columns of keys that tables turn into dense ids: judgement i gives values[i]
 * from coder coderOf[coderKeys[i]] to unit unitOf[unitKeys[i]] (an analysis maps a dataset's item and
 * annotator ids to the ones its dimension uses). The tables must map every key used into
 * [0, unitCount) and [0, coderCount); the one-value-per-coder check and its error are those of
 * reliabilityFromColumns.
 */
export function reliabilityFromKeys(
  keys: { unitKeys: Int32Array; unitOf: Int32Array; unitCount: number; coderKeys: Int32Array; coderOf: Int32Array; coderCount: number },
  values: Float64Array,
  categories?: readonly string[],
): ReliabilityData {
  const { unitKeys, unitOf, unitCount, coderKeys, coderOf, coderCount } = keys;
  return groupByUnit(unitKeys, unitOf, coderKeys, coderOf, values, values.length, unitCount, coderCount, categories);
}

/**
 * Groups the first `size` triples by unit with a stable counting sort (O(N + units)), so within a
 * unit they keep their order; the unit and coder of triple i are unitOf[unitColumn[i]] and
 * coderOf[coderColumn[i]], or the column entries themselves when there is no table. Throws when a
 * coder gave two values to one unit, pointing at the second one.
 */
function groupByUnit(
  unitColumn: Int32Array,
  unitOf: Int32Array | null,
  coderColumn: Int32Array,
  coderOf: Int32Array | null,
  valueColumn: Float64Array,
  size: number,
  unitCount: number,
  coderCount: number,
  categories: readonly string[] | undefined,
): ReliabilityData {
  const unitOffsets = new Int32Array(unitCount + 1);
  if (unitOf === null) {
    for (let i = 0; i < size; i++) unitOffsets[unitColumn[i]! + 1]! += 1;
  } else {
    for (let i = 0; i < size; i++) unitOffsets[unitOf[unitColumn[i]!]! + 1]! += 1;
  }
  for (let u = 0; u < unitCount; u++) unitOffsets[u + 1]! += unitOffsets[u]!;

  const nextPosition = unitOffsets.slice(0, unitCount);
  const coders = new Int32Array(size);
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const position = nextPosition[unitOf === null ? unitColumn[i]! : unitOf[unitColumn[i]!]!]!++;
    coders[position] = coderOf === null ? coderColumn[i]! : coderOf[coderColumn[i]!]!;
    values[position] = valueColumn[i]!;
  }

  // lastUnitOfCoder[c] = the last unit in which coder c was seen; units are scanned in order.
  const lastUnitOfCoder = new Int32Array(coderCount).fill(-1);
  for (let u = 0; u < unitCount; u++) {
    for (let position = unitOffsets[u]!; position < unitOffsets[u + 1]!; position++) {
      const coder = coders[position]!;
      if (lastUnitOfCoder[coder] === u) {
        throw new AgreementInputError(
          `coder ${coder} gave more than one value to unit ${u}`,
          insertionIndexOf(unitColumn, unitOf, size, u, position - unitOffsets[u]!),
        );
      }
      lastUnitOfCoder[coder] = u;
    }
  }
  return categories === undefined
    ? { unitOffsets, coders, values, coderCount }
    : { unitOffsets, coders, values, coderCount, categories };
}

/** Index of the k-th (from 0) triple of unit u in insertion order: the sort keeps that order. */
function insertionIndexOf(unitColumn: Int32Array, unitOf: Int32Array | null, size: number, u: number, k: number): number {
  let seen = 0;
  for (let i = 0; i < size; i++) {
    if ((unitOf === null ? unitColumn[i] : unitOf[unitColumn[i]!]) === u && seen++ === k) return i;
  }
  return -1;
}

/**
 * Reliability data from Krippendorff's layout: one row per coder, one column per unit, null for a
 * missing value. When any cell is a string, every non-null cell is a nominal label (numbers become
 * their string form) coded 0, 1, … in order of first appearance, reading row by row.
 */
export function reliabilityFromMatrix(
  matrix: ReadonlyArray<ReadonlyArray<number | string | null>>,
): ReliabilityData {
  const coderCount = matrix.length;
  let unitCount = 0;
  let labelled = false;
  for (const row of matrix) {
    unitCount = Math.max(unitCount, row.length);
    if (row.some((cell) => typeof cell === 'string')) labelled = true;
  }

  const codeOfLabel = new Map<string, number>();
  if (labelled) {
    for (const row of matrix) {
      for (const cell of row) {
        if (cell === null) continue;
        const label = String(cell);
        if (!codeOfLabel.has(label)) codeOfLabel.set(label, codeOfLabel.size);
      }
    }
  }

  const unitOffsets = new Int32Array(unitCount + 1);
  const coders: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < unitCount; u++) {
    for (let coder = 0; coder < coderCount; coder++) {
      const cell = matrix[coder]?.[u] ?? null;
      if (cell === null) continue;
      coders.push(coder);
      values.push(labelled ? codeOfLabel.get(String(cell))! : (cell as number));
    }
    unitOffsets[u + 1] = coders.length;
  }
  const data = { unitOffsets, coders: Int32Array.from(coders), values: Float64Array.from(values), coderCount };
  return labelled ? { ...data, categories: [...codeOfLabel.keys()] } : data;
}

/** The same units with only the values of the coders `keep` accepts (coder indexes are unchanged). */
export function selectCoders(data: ReliabilityData, keep: (coder: number) => boolean): ReliabilityData {
  const unitCount = data.unitOffsets.length - 1;
  const kept = new Uint8Array(data.coderCount);
  for (let coder = 0; coder < data.coderCount; coder++) kept[coder] = keep(coder) ? 1 : 0;

  let size = 0;
  for (let i = 0; i < data.coders.length; i++) size += kept[data.coders[i]!]!;
  const unitOffsets = new Int32Array(unitCount + 1);
  const coders = new Int32Array(size);
  const values = new Float64Array(size);
  let position = 0;
  for (let u = 0; u < unitCount; u++) {
    for (let i = data.unitOffsets[u]!; i < data.unitOffsets[u + 1]!; i++) {
      const coder = data.coders[i]!;
      if (kept[coder] === 0) continue;
      coders[position] = coder;
      values[position] = data.values[i]!;
      position += 1;
    }
    unitOffsets[u + 1] = position;
  }
  return { ...data, unitOffsets, coders, values };
}

/** Number of units (including empty ones). */
export function unitCountOf(data: ReliabilityData): number {
  return data.unitOffsets.length - 1;
}
