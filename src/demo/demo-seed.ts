import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { BatchIngestService } from '../batches/batch-ingest.service';
import { uploadSourceFromBytes } from '../ingest/upload-source';
import { ProjectService } from '../projects/project.service';
import { DEMO_SCHEMA, generateDemoCsv } from './demo-generator';

export const DEMO_PROJECT_NAME = 'Concord demo';
export const DEMO_VENDOR = 'studio-north';
export const DEMO_FILE_NAME = 'demo-multimodal.csv';

/** The seed acts as an admin inside the process (no key involved). */
const SEED_PRINCIPAL: Principal = { keyId: 'demo-seed', role: 'admin', projectId: null, vendor: null };

export interface DemoSeed {
  projectId: string;
  batchId: string;
  /** False when an earlier start already seeded it (the content hash dedupes the batch). */
  created: boolean;
}

/**
 * Seeds, once, the demo project and its multimodal batch through the same services as the API
 * (project creation, streamed ingest + flow). Idempotent: the project is found by name, and the
 * generated file is byte-identical on every start, so its content hash answers with the first batch.
 */
export async function seedDemo(app: INestApplicationContext): Promise<DemoSeed> {
  const dataSource = app.get(DataSource);
  const found = (await dataSource.query(`SELECT id FROM projects WHERE name = $1 ORDER BY created_at LIMIT 1`, [
    DEMO_PROJECT_NAME,
  ])) as { id: string }[];
  const projectId =
    found[0]?.id ??
    (await app.get(ProjectService).create(SEED_PRINCIPAL, { name: DEMO_PROJECT_NAME, schema: DEMO_SCHEMA, policy: null })).id;
  const outcome = await app
    .get(BatchIngestService)
    .ingest(uploadSourceFromBytes(Buffer.from(generateDemoCsv()), DEMO_FILE_NAME), {
      projectId,
      vendor: DEMO_VENDOR,
      canSee: () => true,
    });
  return { projectId, batchId: outcome.batch.id, created: outcome.created };
}
