import { Injectable, Logger } from '@nestjs/common';
import type { DimensionResult } from '../agreement/analyze';
import type { AgreementJobData } from '../jobs/job.types';
import { analysisOptionsFor } from './analysis-options';
import { AgreementRepository } from './agreement.repository';
import { annotatorStatsOf } from './annotator-stats';
import { BatchRepository } from './batch.repository';
import { DIMENSION_COLUMNS, DimensionDataError } from './dimension-analysis';
import { openDimensionAnalysis, type DimensionAnalysisSession } from './dimension-analysis.session';

/**
 * The batch's data cannot be analysed as it is (it will not get better on a retry): the job fails
 * for good and the batch shows this message.
 */
export class BatchDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchDataError';
  }
}

/** Progress of a dimension's job: rows read, analysis (alpha, bootstrap…) done, results stored. */
export const ANALYSIS_PROGRESS = { read: 0.3, analysed: 0.8, stored: 1 } as const;

/**
 * The work of one `agreement-dimension` job, free of BullMQ: stream the dimension's annotations
 * (only the columns its shape needs) into the same core as the CLI (DatasetBuilder +
 * analyzeDataset) — in a worker thread, see dimension-analysis.session.ts — then store the result
 * and the per-annotator figures. Progress is reported through a callback.
 */
@Injectable()
export class BatchAnalysisService {
  private readonly logger = new Logger(BatchAnalysisService.name);

  constructor(
    private readonly batches: BatchRepository,
    private readonly agreement: AgreementRepository,
  ) {}

  async analyzeDimension(
    { batchId, modality, dimension }: AgreementJobData,
    progress: (share: number) => Promise<void> = async () => {},
  ): Promise<DimensionResult> {
    const context = await this.batches.findAnalysisContext(batchId);
    if (context === null) throw new BatchDataError(`batch ${batchId} no longer exists`);
    const shape = await this.agreement.findDimensionShape(batchId, modality, dimension);
    if (shape === null) throw new BatchDataError('the batch holds no annotations of this dimension');

    const session = openDimensionAnalysis({ modality, dimension, shape, options: analysisOptionsFor(context.schema, context.policy) });
    try {
      const started = performance.now();
      await this.agreement.streamDimension(batchId, modality, dimension, DIMENSION_COLUMNS[shape], (chunk) => session.push(chunk));
      await session.end();
      await progress(ANALYSIS_PROGRESS.read);
      const read = performance.now();

      const { result, judgements } = await session.analyze().catch((error: unknown) => {
        throw error instanceof DimensionDataError ? new BatchDataError(error.message) : error;
      });
      await progress(ANALYSIS_PROGRESS.analysed);
      const analysed = performance.now();

      await this.agreement.storeDimension(batchId, result, annotatorStatsOf(result, new Map(judgements)));
      await progress(ANALYSIS_PROGRESS.stored);
      const ms = (from: number, to: number): number => Math.round(to - from);
      this.logger.log(
        `${modality}/${dimension} (${shape}, ${session.mode}): read ${ms(started, read)} ms, ` +
          `analysed ${ms(read, analysed)} ms, stored ${ms(analysed, performance.now())} ms`,
      );
      return result;
    } finally {
      await closeQuietly(session);
    }
  }
}

async function closeQuietly(session: DimensionAnalysisSession): Promise<void> {
  try {
    await session.close();
  } catch {
    // The thread is gone either way.
  }
}
