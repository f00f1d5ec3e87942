import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HttpRequest, HttpResponse } from '../common/http.types';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import { RejectionReportResponse } from './dto/report.response';
import { sendReport } from './report-response';
import { ReportService } from './report.service';

@ApiTags('reports')
@ApiBearerAuth()
@ApiProblemResponses(401)
@Controller('v1')
export class ReportController {
  constructor(private readonly reports: ReportService) {}

  @Get('batches/:id/report')
  @ApiOperation({
    summary: 'The rejection report of an evaluated batch: JSON, CSV or HTML by Accept',
    description:
      'One document per evaluation, the same for every key that may see the batch (a vendor key: its own batches ' +
      'only). `application/json` (the default, also for `*/*`): the verdict, every failed rule, agreement per ' +
      'dimension with its confidence interval, per-annotator figures and every flag grouped by item. `text/csv`: ' +
      'one row per flag (report_id, batch_id, item, code, severity, modality, dimension, annotators as a JSON ' +
      'array, start_s, end_s, message, evidence as JSON, status, change), RFC 4180. `text/html`: a printable, ' +
      'self-contained page (well-formed XHTML). For a re-delivery (`?replaces=` on upload) the report shows which ' +
      'of the earlier batch\'s flags are resolved, which remain and which are new (matched on the flag key), and how ' +
      'each failed rule moved. Every form is streamed from one database snapshot. A batch without a verdict yet ' +
      'answers 409; 503 when too many reports are streaming from this API process at once (retry shortly).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('application/json', 'text/csv', 'text/html')
  @ApiResponse({ status: 200, description: 'The report', standardSchema: RejectionReportResponse })
  @ApiProblemResponses(404, 406, 409, 503)
  async report(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    await sendReport(response, await this.reports.report(principal, id, request.headers.accept));
  }
}
