import { Module } from '@nestjs/common';
import { AgreementRepository } from '../batches/agreement.repository';
import { BatchAnalysisService } from '../batches/batch-analysis.service';
import { BatchRepository } from '../batches/batch.repository';
import { EvaluationWorkerModule } from '../flags/evaluation-worker.module';
import { WebhookCoreModule } from '../webhooks/webhook-core.module';
import { AgreementDimensionProcessor } from './agreement-dimension.processor';
import { BatchJobRepository } from './batch-job.repository';
import { BatchWorkers } from './batch-workers';
import { EvaluateProcessor } from './evaluate.processor';

/** The worker side of batches: the flow's processors and their workers. Imported by WorkerModule only. */
@Module({
  imports: [EvaluationWorkerModule, WebhookCoreModule],
  providers: [
    BatchRepository,
    AgreementRepository,
    BatchAnalysisService,
    BatchJobRepository,
    AgreementDimensionProcessor,
    EvaluateProcessor,
    BatchWorkers,
  ],
})
export class BatchWorkerModule {}
