import { Injectable, Logger } from '@nestjs/common';
import type { DimensionResult } from '../agreement/analyze';
import type { GateCheck } from '../agreement/evaluation.types';
import { MODALITIES } from '../agreement/types';
import { BatchDataError } from '../batches/batch-analysis.service';
import { PolicySchema, ProjectSchemaDefinitionSchema, resolvePolicy } from '../projects/project-settings';
import { EvaluationDataError } from './batch-evaluation';
import { openBatchEvaluation } from './batch-evaluation.session';
import { EvaluationRepository } from './evaluation.repository';

/** Progress of an evaluate job: rows read, evaluated, stored. */
export const EVALUATION_PROGRESS = { read: 0.4, evaluated: 0.8, stored: 1 } as const;

export interface EvaluationOutcome {
  batchId: string;
  projectId: string;
  vendor: string | null;
  verdict: 'pass' | 'fail';
  reasons: GateCheck[];
}

/**
 * The evaluate step of a batch, free of BullMQ: load the whole batch as the CLI's Dataset (in a
 * worker thread, see batch-evaluation.session.ts), run evaluateDataset with the stored
 * per-dimension results and the project's current schema and policy, and store the flags, the
 * verdict (with the versions it was made with) and the trimmed evaluation in one transaction.
 * Run by the flow's evaluate parent and by a re-evaluation alike; idempotent.
 */
@Injectable()
export class BatchEvaluationService {
  private readonly logger = new Logger(BatchEvaluationService.name);

  constructor(private readonly evaluations: EvaluationRepository) {}

  async evaluate(batchId: string, progress: (share: number) => Promise<void> = async () => {}): Promise<EvaluationOutcome> {
    const context = await this.evaluations.findEvaluationContext(batchId);
    if (context === null) throw new BatchDataError(`batch ${batchId} no longer exists`);
    // Stored settings are parsed leniently, as for the analysis: one that no longer parses counts as unset.
    const schema = ProjectSchemaDefinitionSchema.safeParse(context.schema ?? {});
    const policy = PolicySchema.safeParse(context.policy ?? {});
    const results = orderedAsTheCore(await this.evaluations.findResults(batchId));

    const session = openBatchEvaluation({
      batchId,
      projectId: context.projectId,
      schema: schema.success ? schema.data : {},
      policy: resolvePolicy(policy.success ? policy.data : null),
      results,
    });
    try {
      const started = performance.now();
      await this.evaluations.streamBatch(batchId, (chunk) => session.push(chunk));
      await session.end();
      await progress(EVALUATION_PROGRESS.read);
      const read = performance.now();

      const output = await session.evaluate().catch((error: unknown) => {
        throw error instanceof EvaluationDataError ? new BatchDataError(error.message) : error;
      });
      await progress(EVALUATION_PROGRESS.evaluated);
      const evaluated = performance.now();

      await this.evaluations.storeEvaluation(batchId, {
        verdict: output.verdict,
        reasons: output.reasons,
        evaluation: output.evaluation,
        policyVersion: context.policyVersion,
        schemaVersion: context.schemaVersion,
        flagsCopy: output.flagsCopy,
        flagCount: output.flagCount,
      });
      await progress(EVALUATION_PROGRESS.stored);
      const ms = (from: number, to: number): number => Math.round(to - from);
      this.logger.log(
        `evaluated (${session.mode}): ${output.rows} rows read in ${ms(started, read)} ms, evaluated in ${ms(read, evaluated)} ms, ` +
          `${output.flagCount} flags (encoded meanwhile) and the verdict (${output.verdict}) stored in ${ms(evaluated, performance.now())} ms`,
      );
      return { batchId, projectId: context.projectId, vendor: context.vendor, verdict: output.verdict, reasons: output.reasons };
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /** An evaluation failed for good: the verdict shows the last stored evaluation again (or pending). */
  async abandon(batchId: string): Promise<void> {
    await this.evaluations.restoreVerdict(batchId);
  }
}

/** By modality (in MODALITIES order), then dimension: the order analyzeDataset gives its results in. */
function orderedAsTheCore(results: DimensionResult[]): DimensionResult[] {
  return results.sort(
    (a, b) =>
      MODALITIES.indexOf(a.modality) - MODALITIES.indexOf(b.modality) || (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0),
  );
}
