/**
 * The compute side of a batch's evaluate step, free of Nest, pg and BullMQ so that it runs in a
 * worker thread (batch-evaluation.thread.ts) as well as inline: decode the batch's rows into the
 * CLI's Dataset (batch-dataset.decoder.ts), run the CLI's evaluateDataset on it with the stored
 * per-dimension results and the project's compiled schema and resolved policy, and hand back what
 * is stored — the verdict, the trimmed evaluation and the findings as COPY bytes, encoded chunk by
 * chunk while the first chunks are already being stored.
 */
import type { DimensionResult } from '../agreement/analyze';
import { DatasetInputError } from '../agreement/dataset';
import { evaluateDataset } from '../agreement/evaluate';
import type { GateCheck, ResolvedPolicy } from '../agreement/evaluation.types';
import { AgreementInputError } from '../agreement/types';
import { compileSchema } from '../projects/project-schema';
import type { ProjectSchemaDefinition } from '../projects/project-settings';
import { BatchDatasetDecoder } from './batch-dataset.decoder';
import { FlagCopyEncoder } from './flag-copy';
import { storedEvaluationOf, type StoredEvaluation } from './stored-evaluation';

export interface BatchEvaluationInput {
  batchId: string;
  projectId: string;
  /** The project's schema definition (validated; `{}` when it has none). */
  schema: ProjectSchemaDefinition;
  policy: ResolvedPolicy;
  /** The stored per-dimension results, in the core's order (by modality, then dimension). */
  results: DimensionResult[];
}

export interface BatchEvaluationOutput {
  verdict: 'pass' | 'fail';
  /** The failed checks. */
  reasons: GateCheck[];
  evaluation: StoredEvaluation;
  /** Flags to store (one per key). */
  flagCount: number;
  /** Annotation rows read. */
  rows: number;
}

/** The evaluation, and the encoder of its findings as COPY text rows of `flags` (flag-copy.ts). */
export interface BatchEvaluationResult {
  output: BatchEvaluationOutput;
  flags: FlagCopyEncoder;
}

/** The data cannot be evaluated as it is (a retry will not help): the job fails for good. */
export class EvaluationDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationDataError';
  }
}

export class BatchEvaluationRun {
  private readonly decoder = new BatchDatasetDecoder();

  constructor(private readonly input: BatchEvaluationInput) {}

  push(chunk: Uint8Array): void {
    this.decoder.push(chunk);
  }

  end(): void {
    this.decoder.end();
  }

  evaluate(): BatchEvaluationResult {
    try {
      const schema = compileSchema(this.input.schema);
      const evaluation = evaluateDataset(this.decoder.build(), this.input.results, {
        policy: this.input.policy,
        crossModal: schema.crossModal,
        isTimed: schema.isTimed,
      });
      const flags = new FlagCopyEncoder(this.input.batchId, this.input.projectId, evaluation.flags);
      const output = {
        verdict: evaluation.verdict.verdict,
        reasons: evaluation.verdict.reasons,
        evaluation: storedEvaluationOf(evaluation),
        flagCount: flags.rows,
        rows: this.decoder.rowCount,
      };
      return { output, flags };
    } catch (error) {
      if (error instanceof DatasetInputError || error instanceof AgreementInputError) throw new EvaluationDataError(error.message);
      throw error;
    }
  }
}
