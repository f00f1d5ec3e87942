import { InjectFlowProducer } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { FlowProducer } from 'bullmq';
import { batchFlow } from './batch-flow';
import type { BatchDimension } from './job.types';
import { FLOW_PRODUCER } from './jobs.constants';

/** Adds a batch's flow (batch-flow.ts) through the one FlowProducer. */
@Injectable()
export class BatchFlowBuilder {
  constructor(@InjectFlowProducer(FLOW_PRODUCER) private readonly producer: FlowProducer) {}

  async addBatchFlow(batchId: string, dimensions: readonly BatchDimension[]): Promise<void> {
    await this.producer.add(batchFlow(batchId, dimensions));
  }
}
