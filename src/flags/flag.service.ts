import { Injectable } from '@nestjs/common';
import { assertBatchVisible, batchVisibility } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { jsonDocument, type JsonDocument } from '../common/json-response';
import { TtlCache } from '../common/ttl-cache';
import { EvaluationQueue } from '../jobs/evaluation.queue';
import { WebhookPublisher } from '../webhooks/webhook-publisher.service';
import type { EvaluationRequestedResponse, FlagDetailResponse, GateResponse } from './dto/flag.response';
import { parseFlagSort, type ListFlagsQuery } from './dto/list-flags.query';
import type { ReviewFlagBody } from './dto/review-flag.body';
import { decodeFlagCursor, encodeFlagCursor } from './flag-cursor';
import { evaluationConflict, evaluationForbidden, flagNotFound, reviewForbidden } from './flag.errors';
import { toEvaluationJson, toFlagDetailResponse, toFlagListResponse, toGateResponse } from './flag.mapper';
import { FlagRepository, type FlagBatchRow, type FlagFilter, type FlagListingBatch } from './flag.repository';

/**
 * Flag listing pages (as sent, JSON bytes with their ETag) and totals, per API process, keyed by
 * batch and flags revision (then sort, filters, cursor and limit; totals by the filters alone). The revision is read from the batch's
 * row on every request and moves with every evaluation and every review (in the same transaction),
 * so nothing is served for flags that changed, whichever API process changed them; the TTL only
 * bounds how long memory is held for batches no longer read. Dashboards poll the same first pages;
 * counting a batch's 100,000 flags for every page would cost more than the page itself.
 */
const LISTING_PAGES = { ttlMs: 60_000, maxEntries: 256 };
/** Larger pages (limit up to 500) are rare reads: not kept, so the cache stays within ~32 MB. */
const CACHED_PAGE_MAX_BYTES = 128 * 1024;
const LISTING_TOTALS = { ttlMs: 10 * 60_000, maxEntries: 5000 };

/**
 * Flags as the API sees them: listing, detail with history, review; a batch's gate and stored
 * evaluation; re-evaluation requests. Every read applies the caller's batch visibility, so another
 * vendor's flags are simply not found; reviews and re-evaluations are for qa_leads and admins.
 */
@Injectable()
export class FlagService {
  private readonly pages = new TtlCache<string, JsonDocument>(LISTING_PAGES);
  private readonly totals = new TtlCache<string, number>(LISTING_TOTALS);
  /** Pages and totals being computed: concurrent requests for the same one wait for it instead of repeating it. */
  private readonly building = new Map<string, Promise<JsonDocument>>();
  private readonly counting = new Map<string, Promise<number>>();
  /**
   * Listing-batch lookups in flight, by batch and scope: concurrent listings of one batch share one
   * read of its revision (under load, one query serves dozens of requests). A lookup is at most one
   * query old; a review in this process drops its batch's lookups, so the reviewer's next listing
   * reads the new revision.
   */
  private readonly lookingUp = new Map<string, Promise<FlagListingBatch | null>>();

  constructor(
    private readonly flags: FlagRepository,
    private readonly queue: EvaluationQueue,
    private readonly webhooks: WebhookPublisher,
  ) {}

  /** One page as JSON bytes (FlagListResponse), served from the page cache while the flags are unchanged. */
  async list(principal: Principal, batchId: string, query: ListFlagsQuery): Promise<JsonDocument> {
    const scope = batchVisibility(principal);
    const lookupKey = `${batchId}|${scope.projectId ?? ''}|${scope.vendor ?? ''}`;
    const batch = await shared(this.lookingUp, lookupKey, () => this.flags.findListingBatch(batchId, scope));
    assertBatchVisible(principal, batch, batchId);
    const pageKey = `${batch.id}|${batch.flagsRevision}|${query.sort}|${JSON.stringify(query)}`;
    return this.pages.get(pageKey) ?? shared(this.building, pageKey, () => this.buildPage(batch, query, pageKey));
  }

  async get(principal: Principal, flagId: string): Promise<FlagDetailResponse> {
    const flag = await this.flags.findFlag(flagId, batchVisibility(principal));
    if (flag === null) throw flagNotFound(flagId);
    return toFlagDetailResponse(flag, await this.flags.findHistory(flagId));
  }

  /** A vendor may see its own batch's flag (403) but never another's (404: ids do not leak). */
  async review(principal: Principal, flagId: string, body: ReviewFlagBody): Promise<FlagDetailResponse> {
    const flag = await this.flags.findFlag(flagId, batchVisibility(principal));
    if (flag === null) throw flagNotFound(flagId);
    if (principal.role === 'vendor') throw reviewForbidden();
    const updated = await this.flags.review(flagId, { status: body.status, comment: body.comment ?? null, actorKeyId: principal.keyId });
    if (updated === null) throw flagNotFound(flagId);
    for (const key of this.lookingUp.keys()) if (key.startsWith(`${flag.batchId}|`)) this.lookingUp.delete(key);
    // Never throws: a webhook problem does not fail the review (src/webhooks).
    await this.webhooks.publishFlagReviewed({ flagId, batchId: flag.batchId, projectId: flag.projectId, code: flag.code, item: flag.item, from: flag.status, to: updated.status, comment: updated.comment, reviewer: principal.keyId });
    return toFlagDetailResponse(updated, await this.flags.findHistory(flagId));
  }

  async gate(principal: Principal, batchId: string): Promise<GateResponse> {
    return toGateResponse(await this.visibleBatch(principal, batchId));
  }

  async evaluation(principal: Principal, batchId: string): Promise<JsonDocument> {
    const batch = await this.flags.findBatchEvaluation(batchId, batchVisibility(principal));
    assertBatchVisible(principal, batch, batchId);
    return jsonDocument(toEvaluationJson(batch, batch.evaluationJson));
  }

  /**
   * Queues a re-evaluation of a completed batch (e.g. after a policy change): the verdict is pending
   * until it finishes. 409 while the batch's jobs or another re-evaluation run.
   */
  async requestEvaluation(principal: Principal, batchId: string): Promise<EvaluationRequestedResponse> {
    await this.visibleBatch(principal, batchId);
    if (principal.role === 'vendor') throw evaluationForbidden();
    const request = await this.flags.requestEvaluation(batchId);
    if (!request.queued) {
      if (request.reason === 'not-found') throw DomainError.notFound('Batch', batchId);
      throw evaluationConflict(request.reason, request.status);
    }
    try {
      await this.queue.addReevaluation(batchId, request.jobId);
    } catch (error) {
      await this.flags.abandonEvaluationRequest(batchId, request.jobId, error instanceof Error ? error.message : String(error));
      throw new DomainError('SERVICE_UNAVAILABLE', 'The evaluation could not be queued; the verdict is unchanged. Try again later.', { cause: error });
    }
    return { batchId, jobId: request.jobId, verdict: 'pending' };
  }

  private async visibleBatch(principal: Principal, batchId: string): Promise<FlagBatchRow> {
    const batch = await this.flags.findBatch(batchId, batchVisibility(principal));
    assertBatchVisible(principal, batch, batchId);
    return batch;
  }

  private async buildPage(batch: FlagListingBatch, query: ListFlagsQuery, pageKey: string): Promise<JsonDocument> {
    // The total does not depend on the order: one count per filter serves every sort.
    const { cursor, limit, sort, ...filter } = query;
    const after = cursor === undefined ? undefined : decodeFlagCursor(cursor, sort);
    const [rows, total] = await Promise.all([
      this.flags.listPage(batch.id, filter, parseFlagSort(sort), after, limit + 1),
      this.total(batch, filter),
    ]);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const document = jsonDocument(
      JSON.stringify(toFlagListResponse(page, rows.length > limit && last !== undefined ? encodeFlagCursor(sort, last) : null, total)),
    );
    if (document.body.length <= CACHED_PAGE_MAX_BYTES) this.pages.set(pageKey, document);
    return document;
  }

  private async total(batch: FlagListingBatch, filter: FlagFilter): Promise<number> {
    const key = `${batch.id}|${batch.flagsRevision}|${JSON.stringify(filter)}`;
    return (
      this.totals.get(key) ??
      shared(this.counting, key, async () => {
        const total = await this.flags.count(batch.id, filter);
        this.totals.set(key, total);
        return total;
      })
    );
  }
}

/** `compute()` once for concurrent callers of the same key (a dashboard's first poll after a change). */
function shared<T>(inFlight: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let pending = inFlight.get(key);
  if (pending === undefined) {
    pending = compute().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}
