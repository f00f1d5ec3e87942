import { Module } from '@nestjs/common';
import { BatchEvaluationService } from './batch-evaluation.service';
import { EvaluationRepository } from './evaluation.repository';

/** The worker side of flags and verdicts: the evaluate step's service. Imported by BatchWorkerModule only. */
@Module({
  providers: [EvaluationRepository, BatchEvaluationService],
  exports: [BatchEvaluationService],
})
export class EvaluationWorkerModule {}
