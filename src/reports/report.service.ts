import { Injectable } from '@nestjs/common';
import { assertBatchVisible, batchVisibility } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { batchNotFound } from '../batches/batch.errors';
import { csvReport } from './csv-report.writer';
import { htmlReport } from './html-report.writer';
import { jsonReport } from './json-report.writer';
import { reportNotAcceptable, reportNotReady, tooManyReports } from './report.errors';
import { toReportFlagRow, toReportHead } from './report.mapper';
import { ReportRepository, type ReportBatchRow, type ReportFlagDbRow, type ReportSnapshot } from './report.repository';
import { negotiateReportFormat, REPORT_MEDIA_TYPES, type ReportFormat } from './report-format';
import type { ReportFlagRow, ReportSource } from './report.types';

/** A report ready to stream: its media type, a download name, and the text in chunks. */
export interface ReportDocument {
  format: ReportFormat;
  contentType: string;
  fileName: string;
  /** Read once; the database snapshot behind it is released when the iteration ends (or is abandoned through return()). */
  chunks: AsyncGenerator<string>;
}

/**
 * Reports streaming at once per API process. Each holds a pooled connection (of 10) for as long as
 * its client takes to read it; beyond this, 503 rather than starving every other endpoint.
 */
export const MAX_CONCURRENT_REPORTS = 4;

const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: `${REPORT_MEDIA_TYPES.json}; charset=utf-8`,
  csv: `${REPORT_MEDIA_TYPES.csv}; charset=utf-8; header=present`,
  html: `${REPORT_MEDIA_TYPES.html}; charset=utf-8`,
};

async function* flagRows(pages: AsyncIterable<ReportFlagDbRow[]>): AsyncGenerator<ReportFlagRow[]> {
  for await (const page of pages) yield page.map(toReportFlagRow);
}

async function* nothing<T>(): AsyncGenerator<T[]> {}

type EvaluatedBatch = ReportBatchRow & { verdict: 'pass' | 'fail'; evaluatedAt: Date };

function isEvaluated(batch: ReportBatchRow): batch is EvaluatedBatch {
  return batch.verdict !== 'pending' && batch.evaluatedAt !== null;
}

/**
 * Rejection reports: the same document (JSON, CSV or HTML) for every key that may see the batch —
 * nothing in it depends on who asks (flag reviews show as they stand). Visibility and readiness
 * are checked before anything is sent (404 / 409 as problem+json); the document itself is read
 * from one database snapshot and streamed.
 */
@Injectable()
export class ReportService {
  private streaming = 0;

  constructor(private readonly reports: ReportRepository) {}

  async report(principal: Principal, batchId: string, accept: string | undefined): Promise<ReportDocument> {
    const format = negotiateReportFormat(accept);
    if (format === null) throw reportNotAcceptable();
    const batch = await this.reports.findBatchState(batchId, batchVisibility(principal));
    assertBatchVisible(principal, batch, batchId);
    if (batch.verdict === 'pending') throw reportNotReady(batch);
    return {
      format,
      contentType: CONTENT_TYPES[format],
      fileName: `concord-report-${batchId}.${format}`,
      chunks: this.write(batchId, format),
    };
  }

  /**
   * The document, chunk by chunk. The snapshot (and a slot of MAX_CONCURRENT_REPORTS) is taken on
   * the first read, so a document that is never read holds nothing. A re-evaluation that started
   * since the check above turns the batch pending again: that is reported before the first chunk
   * (still a problem+json answer), as is a full house (503).
   */
  private async *write(batchId: string, format: ReportFormat): AsyncGenerator<string> {
    if (this.streaming >= MAX_CONCURRENT_REPORTS) throw tooManyReports();
    this.streaming += 1;
    let snapshot: ReportSnapshot;
    try {
      snapshot = await this.reports.openSnapshot();
    } catch (error) {
      this.streaming -= 1;
      throw error;
    }
    try {
      const source = await this.source(snapshot, batchId);
      switch (format) {
        case 'json':
          yield* jsonReport(source);
          break;
        case 'csv':
          yield* csvReport(source);
          break;
        case 'html':
          yield* htmlReport(source);
          break;
        default: {
          const unhandled: never = format;
          throw new Error(`unknown report format ${String(unhandled)}`);
        }
      }
    } finally {
      this.streaming -= 1;
      await snapshot.close();
    }
  }

  private async source(snapshot: ReportSnapshot, batchId: string): Promise<ReportSource> {
    const batch = await snapshot.findBatch(batchId);
    if (batch === null) throw batchNotFound(batchId);
    if (!isEvaluated(batch)) throw reportNotReady(batch);
    const earlierBatch = batch.replacesBatchId === null ? null : await snapshot.findBatch(batch.replacesBatchId);
    const earlierId = earlierBatch?.id ?? null;
    const head = toReportHead({
      batch,
      results: await snapshot.findResults(batchId),
      annotatorStats: await snapshot.findAnnotatorStats(batchId),
      flagCounts: await snapshot.countFlags(batchId),
      flagsPerAnnotator: await snapshot.countFlagsPerAnnotator(batchId),
      earlier: earlierBatch === null ? null : { batch: earlierBatch, counts: await snapshot.countRedelivery(batchId, earlierBatch.id) },
    });
    return {
      head,
      flags: flagRows(snapshot.flags(batchId, earlierId)),
      resolved: earlierId === null ? nothing() : flagRows(snapshot.resolvedFlags(batchId, earlierId)),
      redeliveryKeys: earlierId === null ? nothing() : snapshot.redeliveryKeys(batchId, earlierId),
    };
  }
}
