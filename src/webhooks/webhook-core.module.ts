import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app.config';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDestinationGuard } from './webhook-destination.guard';
import { WebhookPublisher } from './webhook-publisher.service';
import { WebhookSecretBox } from './webhook-secret-box';
import { Webhook } from './webhook.entity';
import { WebhookRepository } from './webhook.repository';

const providers = [WebhookRepository, WebhookDeliveryRepository, WebhookDeliveryQueue, WebhookDestinationGuard, WebhookPublisher];

/**
 * What both processes share: the tables, the `webhooks` queue (registered by the infrastructure
 * module), the URL guard, the secret box and WebhookPublisher. Imported by WebhookModule (API),
 * WebhookWorkerModule (worker), and the modules that publish events (flags, the batch worker).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook])],
  providers: [...providers, { provide: WebhookSecretBox, inject: [AppConfig], useFactory: (config: AppConfig) => new WebhookSecretBox(config.secretKey) }],
  exports: [...providers, WebhookSecretBox],
})
export class WebhookCoreModule {}
