import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { BatchModule } from './batches/batch.module';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { createValidationPipe } from './common/validation';
import { FlagModule } from './flags/flag.module';
import { DashboardsModule } from './dashboards/dashboards.module';
import { HealthModule } from './health/health.module';
import { InfrastructureModule } from './infrastructure.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProjectModule } from './projects/project.module';
import { ReportModule } from './reports/report.module';
import { WebhookModule } from './webhooks/webhook.module';

/**
 * The API process: HTTP controllers, the API-key guard (AuthModule), the problem+json filter and
 * the validation pipe. No processors: jobs are only added here, never run.
 */
@Module({
  imports: [InfrastructureModule, AuthModule, ProjectModule, BatchModule, HealthModule, MetricsModule, DashboardsModule, ReportModule, FlagModule, WebhookModule],
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class ApiModule {}
