/**
 * Algebra of half-open intervals [start, end) in seconds or character offsets (DESIGN.md section 3,
 * "Temporal IoU"). A *merged list* is sorted by start, every interval has positive length, and
 * consecutive intervals neither overlap nor touch: the form `mergeIntervals` returns and the
 * two-list operations below require (they check it in the same linear pass).
 */
import { AgreementInputError, type Interval } from './types';

/** Throws unless start and end are finite and end ≥ start; `what` and `index` name the culprit. */
export function assertInterval(start: number, end: number, what: string, index: number): void {
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new AgreementInputError(`${what} ${index}: start and end must be finite numbers, got [${start}, ${end})`, index);
  }
  if (end < start) {
    throw new AgreementInputError(`${what} ${index}: end ${end} is before start ${start}`, index);
  }
}

/**
 * Sorts and unions the intervals: overlapping or touching ones merge ([0,1) and [1,2) cover [0,2)
 * without a gap), zero-length ones are dropped (they cover nothing). end < start throws.
 */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  list.forEach((interval, index) => assertInterval(interval.start, interval.end, 'interval', index));
  const sorted = list
    .filter((interval) => interval.end > interval.start)
    .map((interval) => ({ start: interval.start, end: interval.end }))
    .sort((x, y) => x.start - y.start || x.end - y.end);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.start <= last.end) {
      last.end = Math.max(last.end, interval.end);
    } else {
      merged.push(interval);
    }
  }
  return merged;
}

/** Total length of a merged list (of any list of disjoint intervals). */
export function totalLength(merged: readonly Interval[]): number {
  let total = 0;
  for (const interval of merged) total += interval.end - interval.start;
  return total;
}

/** A ∩ B of two merged lists, itself a merged list. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const result: Interval[] = [];
  sweepIntersections(a, b, (start, end) => result.push({ start, end }));
  return result;
}

/** |A ∩ B| of two merged lists, in one linear sweep. */
export function intersectionLength(a: readonly Interval[], b: readonly Interval[]): number {
  let total = 0;
  sweepIntersections(a, b, (start, end) => {
    total += end - start;
  });
  return total;
}

/** A ∪ B of two merged lists, itself a merged list (a linear merge of the two sorted lists). */
export function unionIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  assertMerged(a, 'a');
  assertMerged(b, 'b');
  const result: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const nextA = a[i];
    const nextB = b[j];
    let next: Interval;
    if (nextB === undefined || (nextA !== undefined && nextA.start <= nextB.start)) {
      next = nextA!;
      i++;
    } else {
      next = nextB;
      j++;
    }
    const last = result[result.length - 1];
    if (last !== undefined && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else result.push({ start: next.start, end: next.end });
  }
  return result;
}

/** |A ∪ B| = |A| + |B| − |A ∩ B| of two merged lists. */
export function unionLength(a: readonly Interval[], b: readonly Interval[]): number {
  return totalLength(a) + totalLength(b) - intersectionLength(a, b);
}

/**
 * IoU of two single segments: |a ∩ b| / |a ∪ b|, where the union of disjoint segments is the sum of
 * their lengths (not the hull). 0 when the union is empty (both zero-length).
 */
export function intervalIoU(a: Interval, b: Interval): number {
  const intersection = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = a.end - a.start + (b.end - b.start) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** Calls `emit` for each piece of A ∩ B, in order, advancing whichever list ends first. */
function sweepIntersections(
  a: readonly Interval[],
  b: readonly Interval[],
  emit: (start: number, end: number) => void,
): void {
  assertMerged(a, 'a');
  assertMerged(b, 'b');
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) emit(start, end);
    if (x.end < y.end) i++;
    else j++;
  }
}

function assertMerged(list: readonly Interval[], name: string): void {
  let previousEnd = -Infinity;
  list.forEach((interval, index) => {
    if (!(interval.start > previousEnd && interval.end > interval.start && Number.isFinite(interval.end))) {
      throw new AgreementInputError(
        `${name}[${index}] = [${interval.start}, ${interval.end}): expected a merged list (sorted, positive lengths, no overlap or contact); use mergeIntervals`,
        index,
      );
    }
    previousEnd = interval.end;
  });
}
