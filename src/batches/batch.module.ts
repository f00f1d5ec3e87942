import { Module } from '@nestjs/common';
import { BatchFlowBuilder } from '../jobs/batch-flow.builder';
import { ProjectModule } from '../projects/project.module';
import { BatchIngestService } from './batch-ingest.service';
import { BatchController } from './batch.controller';
import { BatchRepository } from './batch.repository';
import { BatchService } from './batch.service';

/** The API side of batches: upload (ingest + flow), status, results, listings. No processors. */
@Module({
  imports: [ProjectModule],
  controllers: [BatchController],
  providers: [BatchRepository, BatchService, BatchIngestService, BatchFlowBuilder],
})
export class BatchModule {}
