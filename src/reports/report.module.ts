import { Module } from '@nestjs/common';
import { ReportController } from './report.controller';
import { ReportRepository } from './report.repository';
import { ReportService } from './report.service';

/** Rejection reports (API side only): read-only over batches, results and flags. */
@Module({
  controllers: [ReportController],
  providers: [ReportRepository, ReportService],
})
export class ReportModule {}
