import { Module } from '@nestjs/common';
import { ProjectModule } from '../projects/project.module';
import { WebhookCoreModule } from './webhook-core.module';
import { WebhookController } from './webhook.controller';
import { WebhookService } from './webhook.service';

/** The API side of webhooks: subscriptions, secrets, the delivery log and redelivery. No processors. */
@Module({
  imports: [ProjectModule, WebhookCoreModule],
  controllers: [WebhookController],
  providers: [WebhookService],
})
export class WebhookModule {}
