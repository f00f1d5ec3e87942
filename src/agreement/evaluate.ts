/**
 * A batch's evaluation: stream synchronisation, cross-modal agreement, accuracy against gold, the
 * findings (evidence.ts) and the quality-gate verdict (gate.ts), from the Dataset and its dimensions'
 * results (analyzeDataset). The one entry point `concord report` and the worker's evaluate step share.
 * Deterministic: the same input gives the same evaluation, flags in the same order.
 */
import type { DimensionResult } from './analyze';
import { crossModalAgreement, streamSync } from './crossmodal';
import type { Dataset } from './dataset';
import type { CrossModalMapping, CrossModalResult, Finding, GoldAccuracy, ResolvedPolicy, StreamPairSync, Verdict } from './evaluation.types';
import { compareFindings, crossModalFindings, datasetFindings, syncFindings } from './evidence';
import { applyPolicy } from './gate';
import { goldAccuracy } from './gold';
import type { Modality } from './types';

export interface EvaluateOptions {
  policy: ResolvedPolicy;
  crossModal: readonly CrossModalMapping[];
  /** Whether a dimension's intervals are seconds (else character offsets); default: every modality but text. */
  isTimed?: (modality: Modality, dimension: string) => boolean;
}

export interface BatchEvaluation {
  /** Items with at least one peer judgement, and those with at least one item-level flag. */
  items: number;
  flaggedItems: number;
  /** flaggedItems / items; 0 without items. */
  flaggedItemShare: number;
  sync: StreamPairSync[];
  crossModal: CrossModalResult[];
  gold: GoldAccuracy[];
  /** Sorted by severity, then item (batch-level first), code, key. */
  flags: Finding[];
  verdict: Verdict;
  policy: ResolvedPolicy;
}

const notText = (modality: Modality): boolean => modality !== 'text';

export function evaluateDataset(dataset: Dataset, results: readonly DimensionResult[], options: EvaluateOptions): BatchEvaluation {
  const { policy } = options;
  const isTimed = options.isTimed ?? notText;
  const sync = streamSync(dataset, { maxShiftSeconds: policy.maxShiftSeconds, maxStreamOffsetSeconds: policy.maxStreamOffsetSeconds, isTimed });
  const crossModal = crossModalAgreement(dataset, options.crossModal, { toleranceSeconds: policy.crossModalToleranceSeconds, isTimed });
  const gold = goldAccuracy(dataset, { threshold: policy.matchThreshold });
  const found = datasetFindings(dataset, results, { policy, isTimed });
  const flags = [...found.findings, ...syncFindings(sync, policy), ...crossModalFindings(crossModal)].sort(compareFindings);

  const flagged = new Set<string>();
  for (const flag of flags) if (flag.item !== null) flagged.add(flag.item);
  const flaggedItems = flagged.size;
  const verdict = applyPolicy({ results, sync, gold, items: found.items, flaggedItems, fewestJudgements: found.fewestJudgements }, policy);
  return {
    items: found.items,
    flaggedItems,
    flaggedItemShare: found.items > 0 ? flaggedItems / found.items : 0,
    sync,
    crossModal,
    gold,
    flags,
    verdict,
    policy,
  };
}
