import { Module } from '@nestjs/common';
import { WebhookCoreModule } from './webhook-core.module';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDeliverySweeper } from './webhook-delivery.sweeper';
import { WebhookInFlightLimiter } from './webhook-in-flight.limiter';
import { WebhookWorkers } from './webhook-workers';

/** The worker side of webhooks: the delivery processor, its worker and the sweep. Imported by WorkerModule only. */
@Module({
  imports: [WebhookCoreModule],
  providers: [WebhookInFlightLimiter, WebhookDeliveryService, WebhookDeliveryProcessor, WebhookWorkers, WebhookDeliverySweeper],
})
export class WebhookWorkerModule {}
