import { Injectable } from '@nestjs/common';
import { assertBatchVisible, assertProjectAccess, batchVisibility, canSeeBatch } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import type { HttpRequest } from '../common/http.types';
import { ProjectService } from '../projects/project.service';
import { BatchIngestService, type IngestOutcome } from './batch-ingest.service';
import { decodeCursor, encodeCursor } from './batch-cursor';
import { vendorNotOwn } from './batch.errors';
import {
  toBatchAgreementResponse,
  toBatchAnnotatorsResponse,
  toBatchDetailResponse,
  toBatchListResponse,
} from './batch.mapper';
import { BatchRepository, type BatchRow } from './batch.repository';
import type {
  BatchAgreementResponse,
  BatchAnnotatorsResponse,
  BatchDetailResponse,
  BatchListResponse,
} from './dto/batch.response';
import type { ListBatchesQuery } from './dto/list-batches.query';
import type { UploadBatchQuery } from './dto/upload-batch.query';

/**
 * Batches as the API sees them: upload (attributed to a vendor), status, results, listings. Every
 * read applies the caller's visibility in its WHERE clause, so another vendor's batch is simply
 * not found.
 */
@Injectable()
export class BatchService {
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
      canSee: (batch) => canSeeBatch(principal, batch),
    });
  }

  async get(principal: Principal, id: string): Promise<BatchDetailResponse> {
    const batch = await this.visible(principal, id);
    return toBatchDetailResponse(batch, await this.batches.findJobs(id));
  }

  async agreement(principal: Principal, id: string): Promise<BatchAgreementResponse> {
    // One round trip, only the columns needed: this is the endpoint dashboards poll.
    const batch = await this.batches.findAgreement(id, batchVisibility(principal));
    assertBatchVisible(principal, batch, id);
    return toBatchAgreementResponse(batch, batch.results);
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
