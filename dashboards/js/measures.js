// Which figure stands for a dimension, and the policy threshold it is held to (DESIGN.md section 5).

/** The policy's minimum alpha for `modality/dimension` (per-dimension override, else the default). */
export function minAlphaFor(policy, modality, dimension) {
  return policy?.minAlphaByDimension?.[`${modality}/${dimension}`] ?? policy?.minAlpha ?? null;
}

/**
 * A result's headline: categorical → Krippendorff's alpha with its bootstrap CI and minAlpha;
 * intervals → mean temporal IoU and minMeanIoU; boxes → F1 (no gate rule).
 */
export function headline(result, policy) {
  switch (result.shape) {
    case 'categorical':
      return {
        measure: 'alpha',
        value: result.alpha,
        lower: result.ci?.lower ?? null,
        upper: result.ci?.upper ?? null,
        threshold: minAlphaFor(policy, result.modality, result.dimension),
      };
    case 'intervals':
      return { measure: 'mean IoU', value: result.meanIoU, lower: null, upper: null, threshold: policy?.minMeanIoU ?? null };
    default:
      return { measure: 'F1', value: result.f1, lower: null, upper: null, threshold: null };
  }
}

export function dimensionKey(result) {
  return `${result.modality}/${result.dimension}`;
}

/** Annotator pairs of a result as `{ annotators, value(a, b), measure }` for the heat map. */
export function pairFigures(result) {
  const values = new Map();
  const names = new Set();
  const put = (a, b, value) => {
    names.add(a);
    names.add(b);
    const key = [a, b].sort().join('\u0000');
    const list = values.get(key) ?? [];
    if (value !== null && value !== undefined) list.push(value);
    values.set(key, list);
  };
  let measure;
  if (result.shape === 'categorical') {
    measure = 'alpha';
    for (const pair of result.pairwise ?? []) put(pair.a, pair.b, pair.alpha);
  } else if (result.shape === 'intervals') {
    measure = 'IoU (mean over labels)';
    for (const label of result.labels ?? []) for (const pair of label.pairs) put(pair.a, pair.b, pair.iou);
  } else {
    measure = 'F1';
    for (const pair of result.pairs ?? []) put(pair.a, pair.b, pair.f1);
  }
  const annotators = [...names].sort();
  const value = (a, b) => {
    if (a === b) return null;
    const list = values.get([a, b].sort().join('\u0000'));
    return list && list.length > 0 ? list.reduce((sum, x) => sum + x, 0) / list.length : null;
  };
  return { annotators, value, measure };
}
