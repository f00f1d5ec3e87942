/**
 * The quality gate (DESIGN.md section 5): a batch's figures against a project's policy. Every rule
 * is checked on every subject it applies to; the verdict is `pass` when every check passes, and
 * each failed check is a reason. A limit is met at equality (alpha 0.667 passes minAlpha 0.667), and
 * a rule on an undefined figure fails, with the figure's reason in the message.
 *
 * - minAlpha: per categorical dimension (minAlphaByDimension[`modality/dimension`] overrides).
 * - minMeanIoU: per segment dimension (boxes are matched at IoU ≥ τ, so their mean IoU says little).
 * - maxFlaggedItemShare: the batch's share of items with at least one flag.
 * - maxStreamOffsetSeconds: |medianOffset| of every stream pair with items in common, systematic or
 *   not: a lag within the spread of the offsets is still a lag a viewer sees. Pairs without common
 *   items have no offset and are not checked.
 * - minJudgementsPerItem: the fewest annotators of any item in any dimension (the check names where).
 * - minGoldAccuracy (when set): per annotator and dimension with gold.
 */
import type { DimensionResult } from './analyze';
import type { FewestJudgements } from './evidence';
import type { GateCheck, GoldAccuracy, ResolvedPolicy, StreamPairSync, Verdict } from './evaluation.types';

export interface GateInput {
  results: readonly DimensionResult[];
  sync: readonly StreamPairSync[];
  gold: readonly GoldAccuracy[];
  /** Items of the batch and those with at least one flag. */
  items: number;
  flaggedItems: number;
  fewestJudgements: FewestJudgements | null;
}

const figure = (value: number): string => String(Number(value.toFixed(4)));
const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export function applyPolicy(input: GateInput, policy: ResolvedPolicy): Verdict {
  const checks: GateCheck[] = [];

  for (const result of input.results) {
    if (result.shape !== 'categorical') continue;
    const where = `${result.modality}/${result.dimension}`;
    const threshold = policy.minAlphaByDimension[where] ?? policy.minAlpha;
    checks.push(
      atLeast('minAlpha', { modality: result.modality, dimension: result.dimension, subject: null }, threshold, result.alpha, {
        what: `alpha of ${where}`,
        undefinedReason: result.undefinedReasons.alpha,
      }),
    );
  }

  for (const result of input.results) {
    if (result.shape !== 'intervals') continue;
    const where = `${result.modality}/${result.dimension}`;
    checks.push(
      atLeast('minMeanIoU', { modality: result.modality, dimension: result.dimension, subject: null }, policy.minMeanIoU, result.meanIoU, {
        what: `mean IoU of ${where}`,
        undefinedReason: result.undefinedReasons.meanIoU,
      }),
    );
  }

  const share = input.items > 0 ? input.flaggedItems / input.items : 0;
  checks.push(
    atMost('maxFlaggedItemShare', { modality: null, dimension: null, subject: null }, policy.maxFlaggedItemShare, share, {
      what: `the share of flagged items (${input.flaggedItems} of ${input.items})`,
    }),
  );

  for (const pair of input.sync) {
    if (pair.medianOffset === null) continue;
    const subject = `${pair.a.modality}/${pair.a.dimension}~${pair.b.modality}/${pair.b.dimension}`;
    checks.push(
      atMost('maxStreamOffsetSeconds', { modality: null, dimension: null, subject }, policy.maxStreamOffsetSeconds, Math.abs(pair.medianOffset), {
        what: `the median offset of ${subject} in seconds`,
      }),
    );
  }

  const fewest = input.fewestJudgements;
  checks.push(
    fewest === null
      ? atLeast('minJudgementsPerItem', { modality: null, dimension: null, subject: null }, policy.minJudgementsPerItem, null, {
          what: 'the fewest judgements of an item',
          undefinedReason: 'the batch has no items',
        })
      : atLeast(
          'minJudgementsPerItem',
          { modality: fewest.modality, dimension: fewest.dimension, subject: fewest.item },
          policy.minJudgementsPerItem,
          fewest.count,
          { what: `the fewest judgements of an item (item ${JSON.stringify(fewest.item)} in ${fewest.modality}/${fewest.dimension})` },
        ),
  );

  if (policy.minGoldAccuracy !== null) {
    for (const entry of input.gold) {
      checks.push(
        atLeast(
          'minGoldAccuracy',
          { modality: entry.modality, dimension: entry.dimension, subject: entry.annotator },
          policy.minGoldAccuracy,
          entry.accuracy,
          { what: `${entry.annotator}'s accuracy against gold in ${entry.modality}/${entry.dimension} (${entry.measure}, ${entry.items} items)`, undefinedReason: entry.undefinedReason ?? undefined },
        ),
      );
    }
  }

  const reasons = checks.filter((check) => !check.passed);
  return { verdict: reasons.length === 0 ? 'pass' : 'fail', reasons, checks };
}

type Subject = Pick<GateCheck, 'modality' | 'dimension' | 'subject'>;

function atLeast(
  rule: GateCheck['rule'],
  subject: Subject,
  threshold: number,
  measured: number | null,
  text: { what: string; undefinedReason?: string | undefined },
): GateCheck {
  if (measured === null) {
    return {
      rule,
      passed: false,
      ...subject,
      threshold,
      measured,
      message: sentence(`${text.what} is undefined (${text.undefinedReason ?? 'no figure'}), so it cannot reach ${figure(threshold)}.`),
    };
  }
  const passed = measured >= threshold;
  return {
    rule,
    passed,
    ...subject,
    threshold,
    measured,
    message: sentence(`${text.what} is ${figure(measured)}, ${passed ? 'at least' : 'below'} ${figure(threshold)}.`),
  };
}

function atMost(rule: GateCheck['rule'], subject: Subject, threshold: number, measured: number, text: { what: string }): GateCheck {
  const passed = measured <= threshold;
  return {
    rule,
    passed,
    ...subject,
    threshold,
    measured,
    message: sentence(`${text.what} is ${figure(measured)}, ${passed ? 'at most' : 'above'} ${figure(threshold)}.`),
  };
}
