import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app.config';
import { ApiKey } from '../auth/api-key.entity';
import { AgreementResult } from '../batches/agreement-result.entity';
import { AnnotatorStat } from '../batches/annotator-stat.entity';
import { Batch } from '../batches/batch.entity';
import { Item } from '../batches/item.entity';
import { FlagReview } from '../flags/flag-review.entity';
import { Flag } from '../flags/flag.entity';
import { BatchJob } from '../jobs/batch-job.entity';
import { Project } from '../projects/project.entity';
import { ProjectSettingsVersion } from '../projects/project-settings-version.entity';
import { DashboardSession } from '../dashboards/dashboard-session.entity';
import { WebhookAttempt } from '../webhooks/webhook-attempt.entity';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';
import { Webhook } from '../webhooks/webhook.entity';

/** Every entity, listed (no globs: what is mapped is what is imported here). */
export const ENTITIES = [Project, ApiKey, Batch, Item, AgreementResult, AnnotatorStat, BatchJob, DashboardSession, ProjectSettingsVersion, Flag, FlagReview, Webhook, WebhookEvent, WebhookDelivery, WebhookAttempt];

/** Every migration of `migrations/`, in order. Add new files here. */
export const MIGRATION_FILES = [
  '1764190000000-initial-schema',
  '1764200000000-annotation-provenance',
  '1764300000000-project-settings-versions',
  '1764310000000-flags-and-verdicts',
  '1764320000000-webhooks',
  '1764330000000-batch-redelivery',
  '1764340000000-dashboard-sessions',
] as const;

/**
 * Where the migrations are: `migrations/*.ts` beside `src/` when running TypeScript (jest),
 * `dist/migrations/*.js` beside `dist/database/` when running the build.
 */
function migrationPaths(): string[] {
  const fromSource = __filename.endsWith('.ts');
  const directory = fromSource ? join(__dirname, '..', '..', 'migrations') : join(__dirname, '..', 'migrations');
  const paths = MIGRATION_FILES.map((file) => join(directory, `${file}${fromSource ? '.ts' : '.js'}`));
  // TypeORM skips a missing migration file silently; starting on an unmigrated schema is worse.
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`migration files missing (build them with: tsc -p tsconfig.migrations.json): ${missing.join(', ')}`);
  }
  return paths;
}

/**
 * The one source of DataSource options, for Nest (TypeOrmModule) and the migration CLI
 * (data-source.ts). Migrations never run implicitly: see migrations.ts.
 */
export function buildDataSourceOptions(config: Pick<AppConfig, 'databaseUrl'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: ENTITIES,
    migrations: migrationPaths(),
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built in since PostgreSQL 13: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    applicationName: 'concord',
    // Failed queries surface as exceptions, which the API and the worker log as JSON.
    logging: false,
    extra: { max: 10 },
  };
}
