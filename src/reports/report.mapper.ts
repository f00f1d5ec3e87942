import { createHash } from 'node:crypto';
import type { GateCheck, GoldAccuracy } from '../agreement/evaluation.types';
import { MODALITIES, type Modality } from '../agreement/types';
import type { AnnotatorDimensionStats } from '../batches/annotator-stats';
import { compactJsonText } from '../batches/batch.mapper';
import type {
  ReportAnnotator,
  ReportDimension,
  ReportGateCheck,
  ReportHead,
  ReportRedelivery,
  ReportRuleMovement,
} from './dto/report.response';
import type {
  FlagCountRow,
  RedeliveryCountRow,
  ReportAnnotatorStatRow,
  ReportBatchRow,
  ReportFlagDbRow,
  ReportResultRow,
} from './report.repository';
import type { ReportFlagRow } from './report.types';

/**
 * The report's stable id: the first 32 hex digits of SHA-256 over `batchId \n evaluatedAt (ISO
 * 8601, ms) \n policyVersion` (empty for the default policy). It names one evaluation of one batch
 * under one policy version, so every reader gets the same id, and a re-evaluation a new one.
 */
export function reportIdOf(batchId: string, evaluatedAt: Date, policyVersion: number | null): string {
  return createHash('sha256')
    .update(`${batchId}\n${evaluatedAt.toISOString()}\n${policyVersion ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The core's order of dimensions: modality (as MODALITIES lists them), then dimension. */
function byDimension(a: { modality: string; dimension: string }, b: { modality: string; dimension: string }): number {
  return MODALITIES.indexOf(a.modality as Modality) - MODALITIES.indexOf(b.modality as Modality) || compareText(a.dimension, b.dimension);
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const integer = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * A stored analysis result (DimensionResult JSON) as the report's figures: alpha and its bootstrap
 * interval for categorical dimensions, mean IoU and F1 for intervals and boxes (whose alpha is the
 * class alpha of matched objects).
 */
export function toReportDimension(row: ReportResultRow): ReportDimension {
  const result = (row.result ?? {}) as Record<string, unknown>;
  const shape = result.shape === 'intervals' || result.shape === 'boxes' ? result.shape : 'categorical';
  const ci = result.ci as { lower?: unknown; upper?: unknown; confidence?: unknown } | null | undefined;
  return {
    modality: row.modality,
    dimension: row.dimension,
    shape,
    level: typeof result.level === 'string' ? result.level : null,
    alpha: numberOrNull(shape === 'boxes' ? result.classAlpha : result.alpha),
    ci:
      ci === null || ci === undefined || typeof ci !== 'object'
        ? null
        : { lower: numberOrNull(ci.lower), upper: numberOrNull(ci.upper), confidence: integer(ci.confidence) },
    meanIoU: numberOrNull(result.meanIoU),
    f1: numberOrNull(result.f1),
    items: integer(result.items),
    annotators: integer(result.annotators),
    undefinedReasons: (result.undefinedReasons as Record<string, string> | undefined) ?? {},
  };
}

export function toReportDimensions(rows: readonly ReportResultRow[]): ReportDimension[] {
  return rows.map(toReportDimension).sort(byDimension);
}

/** Per annotator (name order): figures per dimension, accuracy against gold, and flags naming them. */
export function toReportAnnotators(
  rows: readonly ReportAnnotatorStatRow[],
  gold: readonly GoldAccuracy[],
  flagsPerAnnotator: ReadonlyMap<string, number>,
): ReportAnnotator[] {
  const goldOf = new Map(gold.map((entry) => [`${entry.annotator}\n${entry.modality}\n${entry.dimension}`, entry.accuracy]));
  const byAnnotator = new Map<string, ReportAnnotatorStatRow[]>();
  for (const row of [...rows].sort(byDimension)) {
    const list = byAnnotator.get(row.annotator) ?? [];
    list.push(row);
    byAnnotator.set(row.annotator, list);
  }
  return [...byAnnotator.keys()].sort(compareText).map((annotator) => {
    const dimensions = byAnnotator.get(annotator)!;
    return {
      annotator,
      judgements: dimensions.reduce((sum, row) => sum + row.judgements, 0),
      flags: flagsPerAnnotator.get(annotator) ?? 0,
      dimensions: dimensions.map((row) => {
        const stats = (row.stats ?? {}) as Partial<AnnotatorDimensionStats>;
        return {
          modality: row.modality,
          dimension: row.dimension,
          judgements: row.judgements,
          dropOneAlpha: row.dropOneAlpha,
          dropOneChange: numberOrNull(stats.dropOneChange),
          meanPairwiseAlpha: row.meanPairwiseAlpha,
          meanIoU: numberOrNull(stats.meanIoU),
          meanF1: numberOrNull(stats.meanF1),
          goldAccuracy: goldOf.get(`${annotator}\n${row.modality}\n${row.dimension}`) ?? null,
        };
      }),
    };
  });
}

/** The parts of `batches.evaluation` (src/flags/stored-evaluation.ts) a report reads. */
interface StoredEvaluationView {
  checks?: GateCheck[];
  gold?: GoldAccuracy[];
}

/** Every gate check of a stored evaluation; the failed ones (verdict_reasons) when it has none. */
export function checksOf(batch: Pick<ReportBatchRow, 'evaluation' | 'verdictReasons'>): GateCheck[] {
  const checks = (batch.evaluation as StoredEvaluationView | null)?.checks;
  if (Array.isArray(checks)) return checks;
  return Array.isArray(batch.verdictReasons) ? (batch.verdictReasons as GateCheck[]) : [];
}

export function goldOf(batch: Pick<ReportBatchRow, 'evaluation'>): GoldAccuracy[] {
  const gold = (batch.evaluation as StoredEvaluationView | null)?.gold;
  return Array.isArray(gold) ? gold : [];
}

function toReportCheck(check: GateCheck): ReportGateCheck {
  return {
    rule: check.rule,
    passed: check.passed,
    modality: check.modality,
    dimension: check.dimension,
    subject: check.subject,
    threshold: check.threshold,
    measured: check.measured,
    message: check.message,
  };
}

const checkKey = (check: Pick<GateCheck, 'rule' | 'modality' | 'dimension' | 'subject'>): string =>
  JSON.stringify([check.rule, check.modality, check.dimension, check.subject]);

/**
 * How each rule moved from the replaced batch to this one: every check that failed in either
 * batch, matched on (rule, modality, dimension, subject), with its figure before and after, in
 * this batch's check order and then the earlier batch's checks this one no longer makes.
 */
export function ruleMovements(before: readonly GateCheck[], after: readonly GateCheck[]): ReportRuleMovement[] {
  const earlier = new Map(before.map((check) => [checkKey(check), check]));
  const later = new Map(after.map((check) => [checkKey(check), check]));
  const keys = [...new Set([...later.keys(), ...earlier.keys()])];
  return keys.flatMap((key) => {
    const was = earlier.get(key);
    const is = later.get(key);
    if (was?.passed !== false && is?.passed !== false) return [];
    const check = (is ?? was)!;
    return [
      {
        rule: check.rule,
        modality: check.modality,
        dimension: check.dimension,
        subject: check.subject,
        threshold: check.threshold,
        before: was?.measured ?? null,
        after: is?.measured ?? null,
        passedBefore: was?.passed ?? null,
        passedAfter: is?.passed ?? null,
      },
    ];
  });
}

export interface ReportHeadInput {
  batch: ReportBatchRow & { verdict: 'pass' | 'fail'; evaluatedAt: Date };
  results: readonly ReportResultRow[];
  annotatorStats: readonly ReportAnnotatorStatRow[];
  flagCounts: readonly FlagCountRow[];
  flagsPerAnnotator: ReadonlyMap<string, number>;
  /** The replaced batch (still existing) and the flag counts against it; null without one. */
  earlier: { batch: ReportBatchRow; counts: RedeliveryCountRow } | null;
}

export function toReportHead(input: ReportHeadInput): ReportHead {
  const { batch } = input;
  const checks = checksOf(batch);
  const total = input.flagCounts.find((row) => row.code === null);
  const byCode = Object.fromEntries(
    input.flagCounts
      .filter((row): row is FlagCountRow & { code: string } => row.code !== null)
      .sort((a, b) => compareText(a.code, b.code))
      .map((row) => [row.code, row.flags]),
  );
  let redelivery: Omit<ReportRedelivery, 'flags'> | null = null;
  if (input.earlier !== null) {
    redelivery = {
      replaces: input.earlier.batch.id,
      previousVerdict: input.earlier.batch.verdict,
      counts: input.earlier.counts,
      rules: ruleMovements(input.earlier.batch.verdict === 'pending' ? [] : checksOf(input.earlier.batch), checks),
    };
  }
  return {
    id: reportIdOf(batch.id, batch.evaluatedAt, batch.policyVersion),
    batch: {
      id: batch.id,
      projectId: batch.projectId,
      vendor: batch.vendor,
      fileName: batch.fileName,
      createdAt: new Date(batch.createdAt).toISOString(),
      replaces: batch.replacesBatchId,
    },
    policyVersion: batch.policyVersion,
    evaluatedAt: batch.evaluatedAt.toISOString(),
    verdict: batch.verdict,
    reasons: checks.filter((check) => !check.passed).map(toReportCheck),
    results: toReportDimensions(input.results),
    annotators: toReportAnnotators(input.annotatorStats, goldOf(batch), input.flagsPerAnnotator),
    flags: { total: total?.flags ?? 0, flaggedItems: total?.items ?? 0, byCode },
    redelivery,
  };
}

/** A flag row as the writers take it (the evidence text compacted as the other JSON endpoints print it). */
export function toReportFlagRow(row: ReportFlagDbRow): ReportFlagRow {
  return {
    key: row.key,
    code: row.code as ReportFlagRow['code'],
    severity: row.severity as ReportFlagRow['severity'],
    item: row.item,
    modality: row.modality,
    dimension: row.dimension,
    annotators: row.annotators,
    start: row.start,
    end: row.end,
    message: row.message,
    evidenceJson: compactJsonText(row.evidenceJson),
    status: row.status as ReportFlagRow['status'],
    change: row.change,
  };
}
