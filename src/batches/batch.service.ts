import { Injectable } from '@nestjs/common';
import { assertBatchVisible, assertProjectAccess, batchVisibility, canSeeBatch } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import type { HttpRequest } from '../common/http.types';
import { jsonDocument, type JsonDocument } from '../common/json-response';
import { TtlCache } from '../common/ttl-cache';
import { ProjectService } from '../projects/project.service';
import { BatchIngestService, type IngestOutcome } from './batch-ingest.service';
import { decodeCursor, encodeCursor } from './batch-cursor';
import { vendorNotOwn } from './batch.errors';
import {
  toBatchAgreementJson,
  toBatchAnnotatorsResponse,
  toBatchDetailResponse,
  toBatchListResponse,
} from './batch.mapper';
import { BatchRepository, type BatchRow } from './batch.repository';
import type {
  BatchAnnotatorsResponse,
  BatchDetailResponse,
  BatchListResponse,
} from './dto/batch.response';
import type { ListBatchesQuery } from './dto/list-batches.query';
import type { UploadBatchQuery } from './dto/upload-batch.query';

/**
 * Agreement bodies of completed batches, per API process. `completed` is final (no path moves a
 * batch out of it, and a job that runs again rewrites the same results), so the body cannot go
 * stale; the minute only bounds how long a batch deleted behind the API's back (its project
 * deleted in SQL) is still served. Visibility is checked on every hit; at most 256 bodies are
 * kept (a few kB each).
 */
const COMPLETED_AGREEMENTS = { ttlMs: 60_000, maxEntries: 256 };

interface CompletedAgreement {
  id: string;
  projectId: string;
  vendor: string | null;
  document: JsonDocument;
}

/**
 * Batches as the API sees them: upload (attributed to a vendor), status, results, listings. Every
 * read applies the caller's visibility in its WHERE clause, so another vendor's batch is simply
 * not found.
 */
@Injectable()
export class BatchService {
  private readonly completedAgreements = new TtlCache<string, CompletedAgreement>(COMPLETED_AGREEMENTS);

  constructor(
    private readonly batches: BatchRepository,
    private readonly ingest: BatchIngestService,
    private readonly projects: ProjectService,
  ) {}

  /** A vendor key uploads as its own vendor; admins and QA leads name the vendor (or none). */
  async upload(principal: Principal, projectId: string, query: UploadBatchQuery, request: HttpRequest): Promise<IngestOutcome> {
    await this.projects.getVisible(principal, projectId);
    let vendor: string | null = query.vendor ?? null;
    if (principal.role === 'vendor') {
      if (vendor !== null && vendor !== principal.vendor) throw vendorNotOwn();
      vendor = principal.vendor;
    }
    return this.ingest.ingestRequest(request, {
      projectId,
      vendor,
      format: query.format,
      annotator: query.annotator,
      fps: query.fps,
      tierPattern: query.tierPattern,
      replaces: query.replaces,
      canSee: (batch) => canSeeBatch(principal, batch),
    });
  }

  async get(principal: Principal, id: string): Promise<BatchDetailResponse> {
    const batch = await this.visible(principal, id);
    return toBatchDetailResponse(batch, await this.batches.findJobs(id));
  }

  /**
   * The agreement body as JSON text (see toBatchAgreementJson) with its ETag: the endpoint
   * dashboards poll. One round trip with only the columns needed, or none for a completed batch
   * read in the last minute (see {@link COMPLETED_AGREEMENTS}); the caller's visibility is checked
   * either way.
   */
  async agreement(principal: Principal, id: string): Promise<JsonDocument> {
    const cached = this.completedAgreements.get(id);
    if (cached !== undefined) {
      assertBatchVisible(principal, cached, id);
      return cached.document;
    }
    const batch = await this.batches.findAgreement(id, batchVisibility(principal));
    assertBatchVisible(principal, batch, id);
    const document = jsonDocument(toBatchAgreementJson(batch, batch.results));
    // Read in one statement (one snapshot): a completed status comes with all of its results.
    if (batch.status === 'completed') {
      this.completedAgreements.set(id, { id, projectId: batch.projectId, vendor: batch.vendor, document });
    }
    return document;
  }

  async annotators(principal: Principal, id: string): Promise<BatchAnnotatorsResponse> {
    const batch = await this.visible(principal, id);
    return toBatchAnnotatorsResponse(batch, await this.batches.findAnnotatorStats(id));
  }

  async list(principal: Principal, projectId: string, query: ListBatchesQuery): Promise<BatchListResponse> {
    assertProjectAccess(principal, projectId);
    const rows = await this.batches.list(
      {
        projectId,
        vendor: query.vendor,
        status: query.status,
        createdFrom: query.from === undefined ? undefined : new Date(query.from),
        createdTo: query.to === undefined ? undefined : new Date(query.to),
        after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        limit: query.limit + 1,
      },
      batchVisibility(principal),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return toBatchListResponse(page, rows.length > query.limit && last !== undefined ? encodeCursor(last) : null);
  }

  private async visible(principal: Principal, id: string): Promise<BatchRow> {
    const batch = await this.batches.findInScope(id, batchVisibility(principal));
    assertBatchVisible(principal, batch, id);
    return batch;
  }
}
