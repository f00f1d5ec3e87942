import { Injectable } from '@nestjs/common';
import type { SegmentJudgement } from '../agreement/temporal';
import { assertBatchVisible, batchVisibility } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { TtlCache } from '../common/ttl-cache';
import { PolicySchema, resolvePolicy } from '../projects/project-settings';
import { ProjectService } from '../projects/project.service';
import { DashboardDataRepository, type DashboardBatchRow } from './dashboard-data.repository';
import type {
  ConfusionQuery,
  ConfusionResponse,
  OverviewQuery,
  OverviewResponse,
  TemporalQuery,
  TemporalResponse,
  TimelineResponse,
  TrendQuery,
  TrendResponse,
} from './dto/dashboard.dto';
import { forEachItem, TemporalDistributionBuilder, type TemporalDistribution } from './temporal-distribution';

const iso = (date: Date | null): string | null => (date === null ? null : new Date(date).toISOString());

/**
 * Temporal distributions of completed batches (their annotations never change): computing one reads
 * and matches every segment of a dimension, so a page reload within a minute is answered from here.
 */
const TEMPORAL_CACHE = { ttlMs: 60_000, maxEntries: 64 };

/** The parts of a stored stream pair (src/flags/stored-evaluation.ts) the timeline reads. */
interface StoredSync {
  a: { modality: string; dimension: string };
  b: { modality: string; dimension: string };
  medianOffset: number | null;
  offsets?: { largest?: Array<{ item: string; offset: number; iou: number | null }> };
}

/** Items matched between two yields to the event loop (a few milliseconds of work). */
const ITEMS_PER_SLICE = 200;

/**
 * The distribution of a dimension's segments without holding the API's event loop: a dimension of
 * a million-judgement batch takes seconds to match, so other requests are served between slices.
 */
async function distributionOf(segments: readonly SegmentJudgement[], threshold: number): Promise<TemporalDistribution> {
  const builder = new TemporalDistributionBuilder(threshold);
  const items: (readonly SegmentJudgement[])[] = [];
  forEachItem(segments, (item) => items.push(item));
  for (let k = 0; k < items.length; k += 1) {
    builder.addItem(items[k]!);
    if ((k + 1) % ITEMS_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return builder.result();
}

/** What the dashboards read that the resource endpoints do not give: aggregates, computed here or in SQL. */
@Injectable()
export class DashboardDataService {
  private readonly temporalCache = new TtlCache<string, TemporalResponse>(TEMPORAL_CACHE);

  constructor(
    private readonly data: DashboardDataRepository,
    private readonly projects: ProjectService,
  ) {}

  async overview(principal: Principal, projectId: string, query: OverviewQuery): Promise<OverviewResponse> {
    const project = await this.projects.getVisible(principal, projectId);
    const parsed = PolicySchema.safeParse(project.policy ?? {});
    const policy = resolvePolicy(parsed.success ? parsed.data : null);
    const rows = await this.data.overview(
      {
        projectId,
        vendor: query.vendor,
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
        limit: query.limit,
      },
      batchVisibility(principal),
    );
    return {
      projectId,
      policy: {
        minAlpha: policy.minAlpha,
        minAlphaByDimension: policy.minAlphaByDimension,
        minMeanIoU: policy.minMeanIoU,
        maxFlaggedItemShare: policy.maxFlaggedItemShare,
        maxStreamOffsetSeconds: policy.maxStreamOffsetSeconds,
      },
      batches: rows.map((row) => ({
        id: row.id,
        vendor: row.vendor,
        status: row.status,
        verdict: row.verdict as 'pass' | 'fail' | 'pending',
        createdAt: iso(row.createdAt)!,
        completedAt: iso(row.completedAt),
        items: row.items,
        records: row.records,
        flaggedItemShare: row.flaggedItemShare,
        failedRules: row.failedRules,
        dimensions: row.dimensions,
      })),
    };
  }

  async confusion(principal: Principal, batchId: string, query: ConfusionQuery): Promise<ConfusionResponse> {
    await this.visibleBatch(principal, batchId);
    const cells = await this.data.confusion(batchId, query.modality, query.dimension, query.a, query.b);
    const labels = [...new Set(cells.flatMap((cell) => [cell.a, cell.b]))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const index = new Map(labels.map((label, k) => [label, k]));
    const matrix = labels.map(() => labels.map(() => 0));
    let items = 0;
    let agreeing = 0;
    for (const cell of cells) {
      matrix[index.get(cell.a)!]![index.get(cell.b)!] = cell.count;
      items += cell.count;
      if (cell.a === cell.b) agreeing += cell.count;
    }
    return { batchId, modality: query.modality, dimension: query.dimension, a: query.a, b: query.b, labels, matrix, items, agreeing };
  }

  async temporal(principal: Principal, batchId: string, query: TemporalQuery): Promise<TemporalResponse> {
    const batch = await this.visibleBatch(principal, batchId);
    const cacheKey = `${batchId}/${query.modality}/${query.dimension}`;
    const cached = this.temporalCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const head = await this.data.findResultHead(batchId, query.modality, query.dimension);
    if (head === null || head.shape !== 'intervals') {
      throw DomainError.notFound('Interval dimension', `${query.modality}/${query.dimension} of batch ${batchId}`);
    }
    const threshold = head.threshold ?? 0.5;
    const segments = await this.data.findSegments(batchId, query.modality, query.dimension);
    const response = { batchId, modality: query.modality, dimension: query.dimension, threshold, ...(await distributionOf(segments, threshold)) };
    if (batch.status === 'completed') this.temporalCache.set(cacheKey, response);
    return response;
  }

  async annotatorTrend(principal: Principal, projectId: string, query: TrendQuery): Promise<TrendResponse> {
    await this.projects.getVisible(principal, projectId);
    const { rows, flags } = await this.data.annotatorTrend(projectId, batchVisibility(principal), query.limit);
    const batches = new Map<string, string>();
    for (const row of rows) batches.set(row.batchId, iso(row.createdAt)!);
    return {
      projectId,
      batches: [...batches].map(([id, createdAt]) => ({ id, createdAt })),
      points: rows.map(({ createdAt: _createdAt, ...point }) => point),
      flags,
    };
  }

  async itemTimeline(principal: Principal, batchId: string, item: string): Promise<TimelineResponse> {
    await this.visibleBatch(principal, batchId);
    const [segments, flags, sync] = await Promise.all([
      this.data.findItemSegments(batchId, item),
      this.data.findItemFlags(batchId, item),
      this.data.findSync(batchId),
    ]);
    const offsets: TimelineResponse['offsets'] = [];
    // The evaluation keeps per-item offsets only for the items of largest offset; for the others
    // the pair's median offset is what is known.
    for (const pair of Array.isArray(sync) ? (sync as StoredSync[]) : []) {
      const entry = pair.offsets?.largest?.find((largest) => largest.item === item);
      const a = `${pair.a.modality}/${pair.a.dimension}`;
      const b = `${pair.b.modality}/${pair.b.dimension}`;
      if (entry !== undefined) offsets.push({ a, b, offset: entry.offset, iou: entry.iou, source: 'item' });
      else if (pair.medianOffset !== null) offsets.push({ a, b, offset: pair.medianOffset, iou: null, source: 'batchMedian' });
    }
    if (segments.length === 0 && flags.length === 0) throw DomainError.notFound('Item', item);
    return { batchId, item, segments, flags, offsets };
  }

  private async visibleBatch(principal: Principal, batchId: string): Promise<DashboardBatchRow> {
    const batch = await this.data.findBatch(batchId, batchVisibility(principal));
    assertBatchVisible(principal, batch, batchId);
    return batch;
  }
}
