/**
 * A batch of canonical records held by column: items and annotators interned into dense integer ids,
 * judgements grouped by (modality, dimension) into typed arrays. A million judgements cost a few
 * typed arrays instead of a million objects, and the analysis (analyze.ts) reads them directly.
 */
import { MODALITIES, type CanonicalRecord, type Modality, type Shape } from './types';

/** A problem with the record at `position` (the source line the caller passed to `add`). */
export interface DatasetIssue {
  position: number;
  message: string;
}

/** Issues kept; the rest are only counted. */
export const DATASET_ISSUE_LIMIT = 100;

/** Records that cannot form a dataset: shapes mixed within a dimension, duplicate judgements… */
export class DatasetInputError extends Error {
  constructor(
    readonly issues: readonly DatasetIssue[],
    /** Further issues found but not kept. */
    readonly omitted: number,
  ) {
    const first = issues[0];
    const more = issues.length - 1 + omitted;
    super(first === undefined ? 'invalid dataset' : `line ${first.position}: ${first.message}${more > 0 ? ` (and ${more} more)` : ''}`);
    this.name = 'DatasetInputError';
  }
}

interface DimensionColumns {
  readonly modality: Modality;
  readonly dimension: string;
  /** Number of judgements; every column below has this length. */
  readonly size: number;
  /** Index into `Dataset.items`. */
  readonly item: Int32Array;
  /** Index into `Dataset.annotators`. */
  readonly annotator: Int32Array;
  /** Index into `labels`; −1 when the record has no label. */
  readonly label: Int32Array;
  /** Labels in order of first appearance (so nominal codes follow the file). */
  readonly labels: readonly string[];
  /** The position (source line) each judgement was added with, for error messages. */
  readonly position: Float64Array;
}

/** Labels or numbers, at most one per annotator and item. */
export interface CategoricalDimension extends DimensionColumns {
  readonly shape: 'categorical';
  /** The record's numeric value; NaN when it had none. */
  readonly value: Float64Array;
}

/** Labelled segments [start, end); any number per annotator and item. */
export interface IntervalDimension extends DimensionColumns {
  readonly shape: 'intervals';
  readonly start: Float64Array;
  readonly end: Float64Array;
}

/** Labelled boxes on an image (or a video frame); any number per annotator and item. */
export interface BoxDimension extends DimensionColumns {
  readonly shape: 'boxes';
  /** NaN when the record had no frame. */
  readonly frame: Float64Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly w: Float64Array;
  readonly h: Float64Array;
}

export type DimensionData = CategoricalDimension | IntervalDimension | BoxDimension;

/**
 * A record as the builder takes it: canonical, and possibly a gold judgement or free text (the
 * ingest adapters' ParsedRecord is one).
 */
export interface JudgementRecord extends CanonicalRecord {
  /** A gold (ground-truth) judgement: kept apart, never a peer in agreement. */
  gold?: boolean;
  /** Free text (Label Studio `textarea`): counted, never analysed. */
  text?: string;
}

/** Free-text records of one (modality, dimension). */
export interface TextRecordCount {
  readonly modality: Modality;
  readonly dimension: string;
  readonly records: number;
}

export interface Dataset {
  readonly items: readonly string[];
  readonly annotators: readonly string[];
  /** The peers' judgements: ordered by modality (as in MODALITIES), then dimension. */
  readonly dimensions: readonly DimensionData[];
  /**
   * Gold judgements (`gold: true`), by dimension in the same order and with the same item and
   * annotator ids, kept apart so that agreement never counts them as a peer's and an analysis can
   * compare the peers against them (accuracy vs gold).
   */
  readonly gold: readonly DimensionData[];
  /** Free-text records (`text` set) per dimension: counted, never analysed (nor kept). */
  readonly textRecords: readonly TextRecordCount[];
}

/** What DatasetBuilder.summarize tells of one (modality, dimension). */
export interface DimensionSummary {
  readonly modality: Modality;
  readonly dimension: string;
  readonly shape: Shape;
  /** Judgements taken. */
  readonly size: number;
}

/**
 * A checked data set without its judgements (DatasetBuilder in `checks` mode): what an upload needs
 * to record once every record passed the same checks as for a Dataset.
 */
export interface DatasetSummary {
  /** Every item, in order of first appearance (gold-only items too). */
  readonly items: readonly string[];
  /** Peer judgements per item id (0 for an item with gold or free text only). */
  readonly itemJudgements: Int32Array;
  readonly annotators: readonly string[];
  /** Annotators with at least one peer judgement. */
  readonly peerAnnotators: number;
  /** The peers' dimensions, ordered as Dataset.dimensions. */
  readonly dimensions: readonly DimensionSummary[];
  readonly gold: readonly DimensionSummary[];
  readonly textRecords: readonly TextRecordCount[];
}

/**
 * What a builder keeps of each record. `dataset`: every column, for `build`. `checks`: only what the
 * checks need — the item, annotator and position of categorical judgements (an annotator judges an
 * item once) — and per-item counts, for `summarize`: segments and boxes keep nothing, so checking an
 * upload costs a fraction of the memory of holding it.
 */
export type BuilderKeeps = 'dataset' | 'checks';

export interface DatasetBuilderOptions {
  /**
   * How a position reads inside a message that names a second one ("twice (lines 2 and 5)").
   * By default positions are source lines; a caller whose positions encode more (a file, a JSON path)
   * passes how to name them, or undefined for a position that is just a line.
   */
  describePosition?: (position: number) => string | undefined;
  /** `dataset` unless given (see BuilderKeeps). */
  keeps?: BuilderKeeps;
}

const SHAPE_NAMES: Record<Shape, string> = {
  categorical: 'a label/value judgement',
  intervals: 'a segment (start/end)',
  boxes: 'a box',
};

const INITIAL_CAPACITY = 1024;
/** Entries of an Interner's table of recent names (a power of two). */
const RECENT_SIZE = 64;
const NO_NUMBER = new Float64Array(0);
const NO_ID = new Int32Array(0);

function grownInt32(array: Int32Array, capacity: number): Int32Array {
  if (array.length === 0) return array;
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

function grownFloat64(array: Float64Array, capacity: number): Float64Array {
  if (array.length === 0) return array;
  const grown = new Float64Array(capacity);
  grown.set(array);
  return grown;
}

/**
 * Interns strings into dense ids with an open-addressing hash table (FNV-1a over the characters,
 * linear probing): for a few hundred thousand fresh names it is about twice as fast as a Map, which
 * matters at a million rows. Two shortcuts skip the hash: the last name (consecutive rows often
 * repeat an item) and a small table of recent names keyed by length and last character (annotators
 * and labels are few, and rows cycle through them).
 */
class Interner {
  readonly names: string[] = [];
  private hashes: Int32Array = new Int32Array(256);
  private slots = new Int32Array(256).fill(-1);
  private readonly recent = new Int32Array(RECENT_SIZE).fill(-1);
  private lastName: string | null = null;
  private lastId = -1;

  id(name: string): number {
    if (name === this.lastName) return this.lastId;
    const length = name.length;
    const key = length === 0 ? 0 : ((length << 3) ^ name.charCodeAt(length - 1)) & (RECENT_SIZE - 1);
    let id = this.recent[key]!;
    if (id === -1 || this.names[id] !== name) id = this.lookup(name);
    this.recent[key] = id;
    this.lastName = name;
    this.lastId = id;
    return id;
  }

  private lookup(name: string): number {
    let hash = 0x811c9dc5;
    for (let k = 0; k < name.length; k++) hash = Math.imul(hash ^ name.charCodeAt(k), 0x01000193);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    let id = this.slots[slot]!;
    while (id !== -1 && (this.hashes[id] !== hash || this.names[id] !== name)) {
      slot = (slot + 1) & mask;
      id = this.slots[slot]!;
    }
    if (id === -1) {
      id = this.names.length;
      this.names.push(name);
      if (id === this.hashes.length) this.hashes = grownInt32(this.hashes, 2 * id);
      this.hashes[id] = hash;
      this.slots[slot] = id;
      if (2 * this.names.length > this.slots.length) this.grow();
    }
    return id;
  }

  /** Doubles the table (kept at most half full) and re-inserts every id. */
  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.names.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }
}

/**
 * One dimension's growing columns; the number columns in use depend on the shape. A dimension that
 * keeps no columns (`checks` mode: segments and boxes) only counts; one that keeps ids only
 * (`checks` mode: categorical) has item, annotator and position.
 */
class DimensionBuilder {
  size = 0;
  item: Int32Array = NO_ID;
  annotator: Int32Array = NO_ID;
  label: Int32Array = NO_ID;
  position: Float64Array = NO_NUMBER;
  value: Float64Array = NO_NUMBER;
  start: Float64Array = NO_NUMBER;
  end: Float64Array = NO_NUMBER;
  frame: Float64Array = NO_NUMBER;
  x: Float64Array = NO_NUMBER;
  y: Float64Array = NO_NUMBER;
  w: Float64Array = NO_NUMBER;
  h: Float64Array = NO_NUMBER;
  readonly labels = new Interner();
  /** Whether judgements are stored (else only counted). */
  readonly stores: boolean;
  /** Whether label and number columns are stored too (`dataset` mode). */
  readonly storesValues: boolean;
  private capacity = INITIAL_CAPACITY;

  constructor(
    readonly modality: Modality,
    readonly dimension: string,
    readonly shape: Shape,
    /** Position of the record that decided the shape. */
    readonly firstPosition: number,
    keeps: BuilderKeeps,
  ) {
    this.storesValues = keeps === 'dataset';
    this.stores = this.storesValues || shape === 'categorical';
    if (!this.stores) return;
    this.item = new Int32Array(INITIAL_CAPACITY);
    this.annotator = new Int32Array(INITIAL_CAPACITY);
    this.position = new Float64Array(INITIAL_CAPACITY);
    if (!this.storesValues) return;
    this.label = new Int32Array(INITIAL_CAPACITY);
    if (shape === 'categorical') {
      this.value = new Float64Array(INITIAL_CAPACITY);
    } else if (shape === 'intervals') {
      this.start = new Float64Array(INITIAL_CAPACITY);
      this.end = new Float64Array(INITIAL_CAPACITY);
    } else {
      this.frame = new Float64Array(INITIAL_CAPACITY);
      this.x = new Float64Array(INITIAL_CAPACITY);
      this.y = new Float64Array(INITIAL_CAPACITY);
      this.w = new Float64Array(INITIAL_CAPACITY);
      this.h = new Float64Array(INITIAL_CAPACITY);
    }
  }

  /** Index of a new judgement, growing every column when full. */
  reserve(): number {
    if (this.size === this.capacity) {
      const capacity = this.size * 2;
      this.capacity = capacity;
      this.item = grownInt32(this.item, capacity);
      this.annotator = grownInt32(this.annotator, capacity);
      this.label = grownInt32(this.label, capacity);
      this.position = grownFloat64(this.position, capacity);
      this.value = grownFloat64(this.value, capacity);
      this.start = grownFloat64(this.start, capacity);
      this.end = grownFloat64(this.end, capacity);
      this.frame = grownFloat64(this.frame, capacity);
      this.x = grownFloat64(this.x, capacity);
      this.y = grownFloat64(this.y, capacity);
      this.w = grownFloat64(this.w, capacity);
      this.h = grownFloat64(this.h, capacity);
    }
    return this.size++;
  }

  summary(): DimensionSummary {
    return { modality: this.modality, dimension: this.dimension, shape: this.shape, size: this.size };
  }

  build(): DimensionData {
    if (!this.storesValues) throw new Error('a DatasetBuilder in checks mode has no dataset to build: use summarize()');
    const size = this.size;
    const columns = {
      modality: this.modality,
      dimension: this.dimension,
      size,
      item: this.item.subarray(0, size),
      annotator: this.annotator.subarray(0, size),
      label: this.label.subarray(0, size),
      labels: this.labels.names,
      position: this.position.subarray(0, size),
    };
    if (this.shape === 'categorical') return { ...columns, shape: 'categorical', value: this.value.subarray(0, size) };
    if (this.shape === 'intervals') {
      return { ...columns, shape: 'intervals', start: this.start.subarray(0, size), end: this.end.subarray(0, size) };
    }
    return {
      ...columns,
      shape: 'boxes',
      frame: this.frame.subarray(0, size),
      x: this.x.subarray(0, size),
      y: this.y.subarray(0, size),
      w: this.w.subarray(0, size),
      h: this.h.subarray(0, size),
    };
  }
}

function isFiniteOrNull(value: number | null): boolean {
  return value === null || Number.isFinite(value);
}

function dimensionOrder(a: { modality: Modality; dimension: string }, b: { modality: Modality; dimension: string }): number {
  return (
    MODALITIES.indexOf(a.modality) - MODALITIES.indexOf(b.modality) ||
    (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0)
  );
}

const dimensionKey = (modality: Modality, name: string): string => `${modality}\u0000${name}`;

/**
 * Collects records into a Dataset. Each (modality, dimension) takes the shape of its first record:
 * a record with a box → boxes, with start/end → intervals, else categorical. `add` never throws;
 * problems are collected and `build` throws them all as one DatasetInputError.
 *
 * Gold records go to a store of their own (same checks, same item and annotator ids), text records
 * are only counted: neither is ever a peer judgement. The test costs one or two property reads per
 * record on the hot path, and `addLabel` (plain CSV rows) has neither.
 */
export class DatasetBuilder {
  private readonly items = new Interner();
  private readonly annotators = new Interner();
  private readonly dimensions = new Map<string, DimensionBuilder>();
  /** The dimensions of the last two records: exports interleave a few dimensions record by record. */
  private last: DimensionBuilder | null = null;
  private previous: DimensionBuilder | null = null;
  private readonly goldDimensions = new Map<string, DimensionBuilder>();
  private readonly textCounts = new Map<string, { modality: Modality; dimension: string; records: number }>();
  private readonly issues: DatasetIssue[] = [];
  private issueCount = 0;
  private readonly describe: (position: number) => string | undefined;
  private readonly keeps: BuilderKeeps;
  /** `checks` mode: peer judgements per item id, and whether each annotator id has one. */
  private itemJudgements: Int32Array = NO_ID;
  private peerAnnotator: Int32Array = NO_ID;
  /** Whether the record being added left its position anywhere (a column, an issue, a dimension's start). */
  private positionKept = false;

  constructor(options: DatasetBuilderOptions = {}) {
    this.describe = options.describePosition ?? (() => undefined);
    this.keeps = options.keeps ?? 'dataset';
    if (this.keeps === 'checks') {
      this.itemJudgements = new Int32Array(INITIAL_CAPACITY);
      this.peerAnnotator = new Int32Array(RECENT_SIZE);
    }
  }

  /**
   * Takes one record; returns whether the builder kept `position` (stored it with the judgement,
   * or named it in an issue or as where a dimension started). A caller that keeps costly positions
   * (RecordPositions' JSON paths) needs to keep only those; the others are never asked about.
   */
  add(record: JudgementRecord, position: number): boolean {
    this.positionKept = false;
    if (record.gold === true || record.text !== undefined) {
      this.addAside(record, position);
      return this.positionKept;
    }
    const shape = this.shapeOf(record, position);
    if (shape === null) return true;
    let dimension = this.last;
    if (dimension === null || dimension.dimension !== record.dimension || dimension.modality !== record.modality) {
      const previous = this.previous;
      dimension =
        previous !== null && previous.dimension === record.dimension && previous.modality === record.modality
          ? previous
          : this.dimensionFor(this.dimensions, record.modality, record.dimension, shape, position);
      this.previous = this.last;
      this.last = dimension;
    }
    this.place(dimension, record, shape, position, true);
    return this.positionKept;
  }

  /** A gold record into the gold store, a text record into its count. */
  private addAside(record: JudgementRecord, position: number): void {
    const shape = this.shapeOf(record, position);
    if (shape === null) return;
    if (record.text !== undefined) {
      const key = dimensionKey(record.modality, record.dimension);
      const count = this.textCounts.get(key);
      if (count === undefined) this.textCounts.set(key, { modality: record.modality, dimension: record.dimension, records: 1 });
      else count.records += 1;
      return;
    }
    this.place(this.dimensionFor(this.goldDimensions, record.modality, record.dimension, shape, position), record, shape, position, false);
  }

  /** Stores (or, in `checks` mode, counts) the judgement of a peer or, `peer` false, of gold. */
  private place(dimension: DimensionBuilder, record: CanonicalRecord, shape: Shape, position: number, peer: boolean): void {
    if (shape !== dimension.shape) {
      this.issue(
        position,
        `${SHAPE_NAMES[shape]} in ${record.modality}/${record.dimension}, which holds ${dimension.shape} judgements since ${this.where(dimension.firstPosition)}`,
      );
      return;
    }

    const index = dimension.reserve();
    const item = this.items.id(record.item);
    const annotator = this.annotators.id(record.annotator);
    if (peer && !dimension.storesValues) this.countPeer(item, annotator);
    if (!dimension.stores) return;
    dimension.item[index] = item;
    dimension.annotator[index] = annotator;
    dimension.position[index] = position;
    this.positionKept = true;
    if (!dimension.storesValues) return;
    dimension.label[index] = record.label === null ? -1 : dimension.labels.id(record.label);
    if (shape === 'categorical') {
      dimension.value[index] = record.value ?? Number.NaN;
    } else if (shape === 'intervals') {
      dimension.start[index] = record.start!;
      dimension.end[index] = record.end!;
    } else {
      const box = record.box!;
      dimension.frame[index] = record.frame ?? Number.NaN;
      dimension.x[index] = box.x;
      dimension.y[index] = box.y;
      dimension.w[index] = box.w;
      dimension.h[index] = box.h;
    }
  }

  /** `checks` mode: counts a peer judgement for its item and annotator. */
  private countPeer(item: number, annotator: number): void {
    // Gold and text records take ids too, so an id may skip past the end.
    if (item >= this.itemJudgements.length) this.itemJudgements = grownInt32(this.itemJudgements, Math.max(2 * this.itemJudgements.length, item + 1));
    this.itemJudgements[item]! += 1;
    if (annotator >= this.peerAnnotator.length) this.peerAnnotator = grownInt32(this.peerAnnotator, Math.max(2 * this.peerAnnotator.length, annotator + 1));
    this.peerAnnotator[annotator] = 1;
  }

  /**
   * The same as `add` for a record with only these fields (value, start, end, frame and box null), as
   * most CSV rows are, without the record object: at a million rows that is a million objects fewer.
   */
  addLabel(modality: Modality, name: string, item: string, annotator: string, label: string | null, position: number): void {
    if (item === '' || annotator === '') {
      this.issue(position, 'item and annotator must not be empty');
      return;
    }
    let dimension = this.last;
    if (dimension === null || dimension.dimension !== name || dimension.modality !== modality) {
      dimension = this.dimensionFor(this.dimensions, modality, name, 'categorical', position);
      this.last = dimension;
    }
    if (dimension.shape !== 'categorical') {
      this.issue(
        position,
        `${SHAPE_NAMES.categorical} in ${modality}/${name}, which holds ${dimension.shape} judgements since ${this.where(dimension.firstPosition)}`,
      );
      return;
    }
    const index = dimension.reserve();
    const itemId = this.items.id(item);
    const annotatorId = this.annotators.id(annotator);
    dimension.item[index] = itemId;
    dimension.annotator[index] = annotatorId;
    dimension.position[index] = position;
    if (!dimension.storesValues) {
      this.countPeer(itemId, annotatorId);
      return;
    }
    dimension.label[index] = label === null ? -1 : dimension.labels.id(label);
    dimension.value[index] = Number.NaN;
  }

  /** Records taken so far (peers', gold and text ones; not those rejected). Not for the hot path. */
  get records(): number {
    let count = 0;
    for (const dimension of this.dimensions.values()) count += dimension.size;
    for (const dimension of this.goldDimensions.values()) count += dimension.size;
    for (const text of this.textCounts.values()) count += text.records;
    return count;
  }

  /** Throws DatasetInputError when any record was rejected or a judgement is duplicated. */
  build(): Dataset {
    if (this.keeps !== 'dataset') throw new Error('a DatasetBuilder in checks mode has no dataset to build: use summarize()');
    const dimensions = [...this.dimensions.values()].sort(dimensionOrder).map((dimension) => dimension.build());
    const gold = [...this.goldDimensions.values()].sort(dimensionOrder).map((dimension) => dimension.build());
    this.check();
    return { items: this.items.names, annotators: this.annotators.names, dimensions, gold, textRecords: this.textRecordCounts() };
  }

  /** `checks` mode's result, after the same checks as `build` (throws DatasetInputError alike). */
  summarize(): DatasetSummary {
    if (this.keeps !== 'checks') throw new Error('summarize() needs a DatasetBuilder in checks mode');
    this.check();
    const itemJudgements = new Int32Array(this.items.names.length);
    itemJudgements.set(this.itemJudgements.subarray(0, Math.min(this.itemJudgements.length, itemJudgements.length)));
    let peerAnnotators = 0;
    for (const seen of this.peerAnnotator) peerAnnotators += seen;
    const summaries = (store: Map<string, DimensionBuilder>) => [...store.values()].sort(dimensionOrder).map((dimension) => dimension.summary());
    return {
      items: this.items.names,
      itemJudgements,
      annotators: this.annotators.names,
      peerAnnotators,
      dimensions: summaries(this.dimensions),
      gold: summaries(this.goldDimensions),
      textRecords: this.textRecordCounts(),
    };
  }

  /** The checks that need every record: duplicates, gold shapes; throws every issue found. */
  private check(): void {
    for (const dimension of [...this.dimensions.values(), ...this.goldDimensions.values()]) {
      if (dimension.shape === 'categorical') this.checkDuplicates(dimension);
    }
    for (const [key, goldDimension] of this.goldDimensions) {
      const peers = this.dimensions.get(key);
      if (peers !== undefined && peers.shape !== goldDimension.shape) {
        this.issue(
          goldDimension.firstPosition,
          `gold ${SHAPE_NAMES[goldDimension.shape]} in ${goldDimension.modality}/${goldDimension.dimension}, whose judgements are ${peers.shape} (since ${this.where(peers.firstPosition)})`,
        );
      }
    }
    if (this.issueCount > 0) {
      const issues = [...this.issues].sort((a, b) => a.position - b.position);
      throw new DatasetInputError(issues, this.issueCount - issues.length);
    }
  }

  private textRecordCounts(): TextRecordCount[] {
    return [...this.textCounts.values()].sort(dimensionOrder).map((count) => ({ ...count }));
  }

  /** What the caller's describePosition says, else `line 12`. */
  private where(position: number): string {
    return this.describe(position) ?? `line ${position}`;
  }

  /** The record's shape, or null (after reporting) when its numbers break the record's rules. */
  private shapeOf(record: CanonicalRecord, position: number): Shape | null {
    const { start, end, box } = record;
    if (record.item === '' || record.annotator === '') {
      this.issue(position, 'item and annotator must not be empty');
      return null;
    }
    if (!isFiniteOrNull(record.value) || !isFiniteOrNull(record.frame)) {
      this.issue(position, 'value and frame must be finite numbers');
      return null;
    }
    if (box !== null) {
      if (start !== null || end !== null) {
        this.issue(position, 'a record has a box or start/end, not both');
        return null;
      }
      if (![box.x, box.y, box.w, box.h].every(Number.isFinite) || box.w < 0 || box.h < 0) {
        this.issue(position, 'a box needs finite x, y, w, h with w, h ≥ 0');
        return null;
      }
      return 'boxes';
    }
    if (start === null && end === null) return 'categorical';
    if (start === null || end === null || !Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
      this.issue(position, `a segment needs finite start and end with end > start (got ${start}, ${end})`);
      return null;
    }
    return 'intervals';
  }

  private dimensionFor(store: Map<string, DimensionBuilder>, modality: Modality, name: string, shape: Shape, position: number): DimensionBuilder {
    const key = dimensionKey(modality, name);
    let dimension = store.get(key);
    if (dimension === undefined) {
      dimension = new DimensionBuilder(modality, name, shape, position, this.keeps);
      store.set(key, dimension);
      this.positionKept = true;
    }
    return dimension;
  }

  /**
   * An annotator judges an item at most once per categorical dimension. Groups judgements by item
   * with a counting sort, then marks each annotator's last item: O(N + items + annotators).
   */
  private checkDuplicates(dimension: Pick<CategoricalDimension, 'modality' | 'dimension' | 'size' | 'item' | 'annotator' | 'position'>): void {
    const { size, item, annotator, position } = dimension;
    const itemCount = this.items.names.length;
    const offsets = new Int32Array(itemCount + 1);
    for (let i = 0; i < size; i++) offsets[item[i]! + 1]! += 1;
    for (let u = 0; u < itemCount; u++) offsets[u + 1]! += offsets[u]!;
    const order = new Int32Array(size);
    const next = offsets.slice(0, itemCount);
    for (let i = 0; i < size; i++) order[next[item[i]!]!++] = i;

    const lastItemOf = new Int32Array(this.annotators.names.length).fill(-1);
    const firstJudgementOf = new Int32Array(this.annotators.names.length);
    for (let u = 0; u < itemCount; u++) {
      for (let k = offsets[u]!; k < offsets[u + 1]!; k++) {
        const judgement = order[k]!;
        const coder = annotator[judgement]!;
        if (lastItemOf[coder] !== u) {
          lastItemOf[coder] = u;
          firstJudgementOf[coder] = judgement;
          continue;
        }
        const first = position[firstJudgementOf[coder]!]!;
        const second = position[judgement]!;
        const [firstPlace, secondPlace] = [this.describe(first), this.describe(second)];
        const places =
          firstPlace === undefined && secondPlace === undefined ? `lines ${first} and ${second}` : `${this.where(first)} and ${this.where(second)}`;
        this.issue(
          second,
          `annotator "${this.annotators.names[coder]}" judged item "${this.items.names[u]}" in ${dimension.modality}/${dimension.dimension} twice (${places})`,
        );
      }
    }
  }

  private issue(position: number, message: string): void {
    this.positionKept = true;
    this.issueCount += 1;
    if (this.issues.length < DATASET_ISSUE_LIMIT) this.issues.push({ position, message });
  }
}
