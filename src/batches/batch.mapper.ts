import { MODALITIES, type Modality } from '../agreement/types';
import type { AnnotatorDimensionStats } from './annotator-stats';
import type {
  AnnotatorStatRow,
  BatchJobRow,
  BatchRow,
} from './batch.repository';
import type {
  BatchAgreementResponse,
  BatchAnnotatorsResponse,
  BatchDetailResponse,
  BatchJobResponse,
  BatchListResponse,
  BatchResponse,
  UploadBatchResponse,
} from './dto/batch.response';

const iso = (date: Date | null): string | null => (date === null ? null : new Date(date).toISOString());

export function toBatchResponse(batch: BatchRow): BatchResponse {
  const self = `/v1/batches/${batch.id}`;
  return {
    id: batch.id,
    projectId: batch.projectId,
    vendor: batch.vendor,
    status: batch.status,
    progress: batch.progress,
    verdict: batch.verdict,
    format: batch.format,
    fileName: batch.fileName,
    contentHash: batch.contentHash,
    counts: {
      records: batch.recordCount,
      items: batch.itemCount,
      annotators: batch.annotatorCount,
      dimensions: batch.dimensionCount,
    },
    error: batch.error,
    createdAt: iso(batch.createdAt)!,
    updatedAt: iso(batch.updatedAt)!,
    completedAt: iso(batch.completedAt),
    replaces: batch.replacesBatchId,
    links: { self, agreement: `${self}/agreement`, annotators: `${self}/annotators` },
  };
}

export function toBatchJobResponse(job: BatchJobRow): BatchJobResponse {
  return {
    id: job.jobId,
    name: job.name,
    modality: job.modality,
    dimension: job.dimension,
    status: job.status,
    attempts: job.attempts,
    progress: job.progress,
    error: job.error,
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    durationMs: job.durationMs,
  };
}

export function toBatchDetailResponse(batch: BatchRow, jobs: readonly BatchJobRow[]): BatchDetailResponse {
  return { ...toBatchResponse(batch), jobs: jobs.map(toBatchJobResponse) };
}

export function toUploadBatchResponse(batch: BatchRow, jobs: readonly BatchJobRow[]): UploadBatchResponse {
  return { batch: toBatchResponse(batch), jobs: jobs.map(toBatchJobResponse) };
}

export function toBatchListResponse(batches: readonly BatchRow[], nextCursor: string | null): BatchListResponse {
  return { batches: batches.map(toBatchResponse), nextCursor };
}

/** The order of the analysis core's results: by modality (as listed in MODALITIES), then dimension. */
function byModalityThenDimension(a: { modality: string; dimension: string }, b: { modality: string; dimension: string }): number {
  return (
    MODALITIES.indexOf(a.modality as Modality) - MODALITIES.indexOf(b.modality as Modality) ||
    (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0)
  );
}

/**
 * JSON text without the whitespace outside strings: PostgreSQL prints `jsonb` with a space after
 * every `:` and `,` (about 8% of a result's bytes).
 */
export function compactJsonText(text: string): string {
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // a backslash escapes the next character (\" included)
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      out += text.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * The body of `GET /v1/batches/:id/agreement` ({@link BatchAgreementResponse}) as JSON text:
 * `results` are the stored analysis results themselves, in the core's order, spliced in from the
 * JSON text PostgreSQL keeps for them (the same values as parsing and serialising them again,
 * without doing so for every poll of a dashboard).
 */
export function toBatchAgreementJson(
  batch: Pick<BatchRow, 'id' | 'status'>,
  rows: readonly { modality: string; dimension: string; resultJson: string }[],
): string {
  const sorted = rows.length > 1 ? [...rows].sort(byModalityThenDimension) : rows;
  const head = JSON.stringify({ batchId: batch.id, status: batch.status } satisfies Omit<BatchAgreementResponse, 'results'>);
  return `${head.slice(0, -1)},"results":[${sorted.map((row) => compactJsonText(row.resultJson)).join(',')}]}`;
}

/** Per annotator (by name), their figures in each dimension they judged (in the results' order). */
export function toBatchAnnotatorsResponse(batch: BatchRow, rows: readonly AnnotatorStatRow[]): BatchAnnotatorsResponse {
  const byAnnotator = new Map<string, AnnotatorStatRow[]>();
  for (const row of [...rows].sort(byModalityThenDimension)) {
    const list = byAnnotator.get(row.annotator) ?? [];
    list.push(row);
    byAnnotator.set(row.annotator, list);
  }
  const names = [...byAnnotator.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    batchId: batch.id,
    status: batch.status,
    annotators: names.map((annotator) => {
      const dimensions = byAnnotator.get(annotator)!;
      return {
        annotator,
        judgements: dimensions.reduce((sum, row) => sum + row.judgements, 0),
        dimensions: dimensions.map((row) => {
          const { annotator: _name, judgements: _count, ...stats } = row.stats as AnnotatorDimensionStats;
          return {
            modality: row.modality,
            dimension: row.dimension,
            ...stats,
            judgements: row.judgements,
            dropOneAlpha: row.dropOneAlpha,
            meanPairwiseAlpha: row.meanPairwiseAlpha,
          };
        }),
      };
    }),
  };
}
