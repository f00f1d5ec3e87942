import { Module } from '@nestjs/common';
import { EvaluationQueue } from '../jobs/evaluation.queue';
import { WebhookCoreModule } from '../webhooks/webhook-core.module';
import { FlagController } from './flag.controller';
import { FlagRepository } from './flag.repository';
import { FlagService } from './flag.service';

/** The API side of flags and verdicts: listings, reviews, the gate, re-evaluation requests. No processors. */
@Module({
  imports: [WebhookCoreModule],
  controllers: [FlagController],
  providers: [FlagRepository, FlagService, EvaluationQueue],
})
export class FlagModule {}
