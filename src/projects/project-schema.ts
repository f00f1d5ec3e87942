/**
 * A project's schema put to work (DESIGN.md section 2): what the ingest checks each record
 * against, what the analysis and the evaluation read from it, and the schema a project without
 * one gets from its data. Pure (no Nest, no I/O): the API's ingest, the worker and the CLI share it.
 */
import type { Dataset, DimensionData, JudgementRecord } from '../agreement/dataset';
import type { CrossModalMapping } from '../agreement/evaluation.types';
import { MODALITIES, type CanonicalRecord, type Level, type Modality, type Shape } from '../agreement/types';
import type { DimensionSettings, ProjectSchemaDefinition } from './project-settings';

/** Distinct labels an inferred dimension lists; past this the labels are left out (with a note). */
export const MAX_INFERRED_LABELS = 200;

/** Labels (or dimensions) named in one message before `…`. */
const LISTED_IN_MESSAGE = 10;

/** Why a record does not fit the schema, and the record field at fault. */
export interface SchemaViolation {
  field: 'dimension' | 'label';
  message: string;
}

export interface CompiledSchema {
  /** Levels the schema sets, keyed `modality/dimension` (AnalyzeOptions.levels). */
  readonly levels: Record<string, Level>;
  /** Ordinal dimensions with named labels: their labels, lowest first, keyed `modality/dimension`. */
  readonly labelOrders: Record<string, readonly string[]>;
  readonly crossModal: CrossModalMapping[];
  readonly goldAnnotators: ReadonlySet<string>;
  /** Whether a dimension's intervals are seconds (default: every modality but text). */
  isTimed(modality: Modality, dimension: string): boolean;
  /** Why the record does not fit the schema (an unlisted dimension, another shape, a label not allowed), or null. */
  checkRecord(record: CanonicalRecord): string | null;
  /**
   * What the ingest does with each record: {@link checkRecord}, and for a record that fits, marks a
   * gold annotator's judgement gold and gives a named ordinal label its rank (1 = lowest) as value
   * when the record has none — the canonical record's `value` of an ordinal label (DESIGN.md section 2).
   */
  prepareRecord(record: JudgementRecord): SchemaViolation | null;
}

const SHAPE_NAMES: Record<Shape, string> = {
  categorical: 'a label/value judgement',
  intervals: 'a segment (start/end)',
  boxes: 'a box',
};

const keyOf = (modality: string, dimension: string): string => `${modality}/${dimension}`;

export function shapeOfRecord(record: CanonicalRecord): Shape {
  if (record.box !== null) return 'boxes';
  return record.start !== null || record.end !== null ? 'intervals' : 'categorical';
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, LISTED_IN_MESSAGE).join(', ');
  return values.length > LISTED_IN_MESSAGE ? `${shown}, … ${values.length - LISTED_IN_MESSAGE} more` : shown;
}

/** A listed dimension as the checks need it. */
interface DimensionRule {
  key: string;
  shape: Shape | undefined;
  labels: readonly string[] | undefined;
  allowed: ReadonlySet<string> | undefined;
  /** Label → rank, for an ordinal dimension with named labels. */
  ranks: ReadonlyMap<string, number> | undefined;
}

function ruleOf(settings: DimensionSettings): DimensionRule {
  const key = keyOf(settings.modality, settings.dimension);
  const labels = settings.labels;
  return {
    key,
    shape: settings.shape,
    labels,
    allowed: labels === undefined ? undefined : new Set(labels),
    ranks: labels !== undefined && settings.level === 'ordinal' ? new Map(labels.map((label, index) => [label, index + 1])) : undefined,
  };
}

/** A validated schema definition (ProjectSchemaDefinitionSchema) as the ingest, the analysis and the evaluation use it. */
export function compileSchema(definition: ProjectSchemaDefinition): CompiledSchema {
  const dimensions = definition.dimensions ?? [];
  const rules = new Map<string, DimensionRule>();
  const levels: Record<string, Level> = {};
  const labelOrders: Record<string, readonly string[]> = {};
  const timed = new Map<string, boolean>();
  for (const settings of dimensions) {
    const rule = ruleOf(settings);
    rules.set(rule.key, rule);
    if (settings.level !== undefined) levels[rule.key] = settings.level;
    if (rule.ranks !== undefined) labelOrders[rule.key] = rule.labels!;
    if (settings.timed !== undefined) timed.set(rule.key, settings.timed);
  }
  const closed = definition.closed === true;
  const listedKeys = [...rules.keys()];
  const goldAnnotators: ReadonlySet<string> = new Set(definition.goldAnnotators ?? []);
  const crossModal: CrossModalMapping[] = (definition.crossModal ?? []).map((mapping) => ({
    concept: mapping.concept,
    sources: mapping.sources.map((source) => ({ modality: source.modality, dimension: source.dimension, map: { ...source.map } })),
  }));

  // Exports interleave a few dimensions record by record: the last one's rule is kept at hand.
  let lastModality: string | null = null;
  let lastDimension: string | null = null;
  let lastRule: DimensionRule | undefined;
  const ruleFor = (record: CanonicalRecord): DimensionRule | undefined => {
    if (record.modality !== lastModality || record.dimension !== lastDimension) {
      lastModality = record.modality;
      lastDimension = record.dimension;
      lastRule = rules.get(keyOf(record.modality, record.dimension));
    }
    return lastRule;
  };

  const violation = (record: CanonicalRecord, rule: DimensionRule | undefined): SchemaViolation | null => {
    if (rule === undefined) {
      if (!closed) return null;
      const key = keyOf(record.modality, record.dimension);
      return { field: 'dimension', message: `${key} is not a dimension of the project's schema (${listed(listedKeys) || 'it lists none'})` };
    }
    if (rule.shape !== undefined) {
      const shape = shapeOfRecord(record);
      if (shape !== rule.shape) {
        return { field: 'dimension', message: `${SHAPE_NAMES[shape]} in ${rule.key}, whose shape in the project's schema is ${rule.shape}` };
      }
    }
    if (rule.allowed !== undefined && record.label !== null && !rule.allowed.has(record.label)) {
      return { field: 'label', message: `label "${record.label}" is not one of the schema's labels for ${rule.key} (${listed(rule.labels!)})` };
    }
    return null;
  };

  return {
    levels,
    labelOrders,
    crossModal,
    goldAnnotators,
    isTimed: (modality, dimension) => timed.get(keyOf(modality, dimension)) ?? modality !== 'text',
    checkRecord: (record) => violation(record, ruleFor(record))?.message ?? null,
    prepareRecord: (record) => {
      const rule = ruleFor(record);
      const problem = violation(record, rule);
      if (problem !== null) return problem;
      if (goldAnnotators.size > 0 && record.text === undefined && goldAnnotators.has(record.annotator)) record.gold = true;
      if (rule?.ranks !== undefined && record.value === null && record.label !== null) record.value = rule.ranks.get(record.label)!;
      return null;
    },
  };
}

// ——— inference ———

/** What is known of one dimension of the data: enough to infer its settings. */
export interface DimensionSummary {
  modality: Modality;
  dimension: string;
  shape: Shape;
  /** Distinct labels (at most MAX_INFERRED_LABELS + 1 are needed). */
  labels: readonly string[];
  /** How many distinct labels the data holds (labels may list fewer). */
  labelCount: number;
}

export interface InferredSchema {
  schema: ProjectSchemaDefinition;
  /** What a reader should know about the inference (labels left out, numbers without a level). */
  notes: string[];
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The schema the data implies: each dimension with its shape, level nominal for categorical ones
 * (what the analysis assumes without a schema) and its distinct labels sorted — left out, with a
 * note, past MAX_INFERRED_LABELS (a list that long is no vocabulary to enforce).
 */
export function inferSchemaFromSummaries(summaries: readonly DimensionSummary[]): InferredSchema {
  const notes: string[] = [];
  const ordered = [...summaries].sort(
    (a, b) => MODALITIES.indexOf(a.modality) - MODALITIES.indexOf(b.modality) || byCodeUnits(a.dimension, b.dimension),
  );
  const dimensions = ordered.map((summary): DimensionSettings => {
    const key = keyOf(summary.modality, summary.dimension);
    const settings: DimensionSettings = { modality: summary.modality, dimension: summary.dimension, shape: summary.shape };
    if (summary.shape === 'categorical') settings.level = 'nominal';
    if (summary.labelCount > MAX_INFERRED_LABELS) {
      notes.push(`${key} has ${summary.labelCount} distinct labels: they are not listed (more than ${MAX_INFERRED_LABELS})`);
    } else if (summary.labelCount > 0) {
      settings.labels = [...summary.labels].sort(byCodeUnits);
    } else if (summary.shape === 'categorical') {
      notes.push(`${key} holds numbers without labels: set its level (interval, ratio or ordinal) to analyse them`);
    }
    return settings;
  });
  return { schema: { dimensions }, notes };
}

/** The schema a dataset implies (see inferSchemaFromSummaries); peers' and gold judgements both count. */
export function inferSchema(dataset: Dataset): ProjectSchemaDefinition {
  return inferSchemaFromSummaries(summariesOf(dataset)).schema;
}

/** Per dimension: its shape and the labels used (by peers or gold). */
export function summariesOf(dataset: Dataset): DimensionSummary[] {
  const summaries = new Map<string, { modality: Modality; dimension: string; shape: Shape; labels: Set<string> }>();
  const take = (data: DimensionData): void => {
    const key = keyOf(data.modality, data.dimension);
    let summary = summaries.get(key);
    if (summary === undefined) {
      summary = { modality: data.modality, dimension: data.dimension, shape: data.shape, labels: new Set() };
      summaries.set(key, summary);
    }
    // `labels` interns every label the dimension's records carry, so it is the distinct set.
    for (const label of data.labels) summary.labels.add(label);
  };
  dataset.dimensions.forEach(take);
  dataset.gold.forEach(take);
  return [...summaries.values()].map(({ labels, ...summary }) => ({ ...summary, labels: [...labels], labelCount: labels.size }));
}
