import { NotAcceptableException } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import type { ReportBatchState } from './report.repository';
import { REPORT_FORMATS, REPORT_MEDIA_TYPES } from './report-format';

/**
 * 409: the batch has no verdict yet, so it has no report — still being analysed or evaluated, or
 * failed before its evaluation (then the batch's error says why).
 */
export function reportNotReady(batch: Pick<ReportBatchState, 'id' | 'status' | 'error'>): DomainError {
  const why =
    batch.status === 'failed'
      ? `the batch failed before it could be evaluated${batch.error === null ? '' : ` (${batch.error})`}`
      : `the batch is still being ${batch.status === 'completed' ? 'evaluated' : 'processed'} (status ${batch.status}); ` +
        'try again once its verdict is pass or fail (GET /v1/batches/:id/gate)';
  return new DomainError('CONFLICT', `The report of batch ${batch.id} is not ready: ${why}.`);
}

/**
 * 406 (a Nest HttpException: the problem filter maps it by status, as for any HTTP-level
 * refusal; content negotiation is not a domain rule).
 */
export function reportNotAcceptable(): NotAcceptableException {
  const types = REPORT_FORMATS.map((format) => REPORT_MEDIA_TYPES[format]);
  return new NotAcceptableException(`A report is available as ${types.slice(0, -1).join(', ')} or ${types.at(-1)}: ask for one of them in Accept.`);
}

/** 503: MAX_CONCURRENT_REPORTS reports are streaming in this API process already. */
export function tooManyReports(): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', 'Too many reports are being written right now; try again in a few seconds.');
}
