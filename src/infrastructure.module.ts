import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from './common/logger.module';
import { AppConfig } from './config/app.config';
import { ConfigModule } from './config/config.module';
import { redisConnectionOptions } from './config/redis-connection';
import { buildDataSourceOptions } from './database/typeorm.options';
import { FLOW_PRODUCER, QUEUE_AGREEMENT, QUEUE_EVALUATE, QUEUE_WEBHOOKS } from './jobs/jobs.constants';

const queues = BullModule.registerQueue({ name: QUEUE_AGREEMENT }, { name: QUEUE_EVALUATE }, { name: QUEUE_WEBHOOKS });
const flowProducer = BullModule.registerFlowProducer({ name: FLOW_PRODUCER });

/**
 * What the API and the worker share: configuration, the logger, the TypeORM DataSource, the BullMQ
 * connection (one key prefix per deployment, CONCORD_QUEUE_PREFIX), the queues and the flow
 * producer. Global, so feature modules inject `@InjectQueue(QUEUE_…)`, `@InjectFlowProducer(FLOW_PRODUCER)`,
 * `AppConfig`, `ROOT_LOGGER` and `DataSource` without importing it. No processors here: a
 * registered @Processor starts a worker, so processors live in WorkerModule only.
 */
@Global()
@Module({
  imports: [
    ConfigModule,
    LoggerModule,
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config),
        retryAttempts: 10,
        retryDelay: 1000,
      }),
    }),
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisConnectionOptions(config.redisUrl),
        prefix: config.queuePrefix,
      }),
    }),
    queues,
    flowProducer,
  ],
  exports: [ConfigModule, LoggerModule, queues, flowProducer],
})
export class InfrastructureModule {}
