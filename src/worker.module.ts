import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure.module';
import { BatchWorkerModule } from './jobs/batch-worker.module';
import { WebhookWorkerModule } from './webhooks/webhook-worker.module';

/**
 * The worker process: the shared infrastructure plus the BullMQ processors (src/jobs/*.processor.ts).
 * Only this module registers processors, because any registered @Processor starts a worker.
 */
@Module({
  imports: [InfrastructureModule, BatchWorkerModule, WebhookWorkerModule],
})
export class WorkerModule {}
