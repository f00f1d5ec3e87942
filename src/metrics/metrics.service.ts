import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobState, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { BATCH_STATUSES } from '../batches/batch.entity';
import type { HttpRequest, HttpResponse, NextFunction } from '../common/http.types';
import { ROOT_LOGGER } from '../common/logger';
import { JOB_AGREEMENT_DIMENSION, JOB_EVALUATE, QUEUE_AGREEMENT, QUEUE_EVALUATE } from '../jobs/jobs.constants';

/** BullMQ job states reported as queue depth. */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const satisfies readonly JobState[];

const QUEUE_OF_JOB: Readonly<Record<string, string>> = {
  [JOB_AGREEMENT_DIMENSION]: QUEUE_AGREEMENT,
  [JOB_EVALUATE]: QUEUE_EVALUATE,
};

/**
 * Prometheus metrics of the API process, in a registry of its own (two apps in one test process
 * must not collide in prom-client's global registry):
 * - `concord_http_request_duration_seconds{method,route,status_code}`: observed per request;
 * - `concord_queue_jobs{queue,state}`: queue depth, read from Redis at scrape time;
 * - `concord_batches{status}`: batches by status, read from PostgreSQL at scrape time;
 * - `concord_job_duration_seconds{queue,status}`: durations of the jobs the workers recorded in
 *   `batch_jobs`, fed into the histogram at each scrape for the jobs finished since the previous
 *   one (workers run in other processes; the database is what all of them share).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly jobDuration: Histogram<'queue' | 'status'>;
  private jobsObservedUntil: Date = new Date();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUE_AGREEMENT) agreementQueue: Queue,
    @InjectQueue(QUEUE_EVALUATE) evaluateQueue: Queue,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    const queues = [agreementQueue, evaluateQueue];
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'concord_' });

    this.httpDuration = new Histogram({
      name: 'concord_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });

    this.jobDuration = new Histogram({
      name: 'concord_job_duration_seconds',
      help: 'Duration of finished batch jobs by queue and outcome (from batch_jobs)',
      labelNames: ['queue', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });

    // collect() runs with `this` bound to the gauge, so the service's parts are captured here.
    const guard = (what: string, collect: () => Promise<void>) => this.guard(what, collect);
    const database = this.dataSource;
    new Gauge({
      name: 'concord_queue_jobs',
      help: 'Jobs per queue and state (queue depth)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        await guard('queue depth', async () => {
          for (const queue of queues) {
            const counts = await queue.getJobCounts(...QUEUE_STATES);
            for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }
        });
      },
    });

    new Gauge({
      name: 'concord_batches',
      help: 'Batches by status',
      labelNames: ['status'],
      registers,
      async collect() {
        await guard('batches by status', async () => {
          const rows = await database.query<{ status: string; count: string }[]>(
            'SELECT status, count(*) AS count FROM batches GROUP BY status',
          );
          const counts = new Map(rows.map((row) => [row.status, Number(row.count)]));
          for (const status of BATCH_STATUSES) this.set({ status }, counts.get(status) ?? 0);
        });
      },
    });
  }

  /** Express middleware timing every request; the route label is the matched pattern, not the URL. */
  readonly httpMiddleware = (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
    const end = this.httpDuration.startTimer();
    response.once('finish', () => {
      const pattern = request.route?.path;
      const route = typeof pattern === 'string' ? `${request.baseUrl ?? ''}${pattern}` : 'unmatched';
      end({ method: request.method ?? 'GET', route, status_code: String(response.statusCode) });
    });
    next();
  };

  /** The metrics in Prometheus text format (feeds the job histogram first). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    await this.guard('job durations', () => this.observeFinishedJobs());
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async observeFinishedJobs(): Promise<void> {
    const until = new Date();
    const rows = await this.dataSource.query<{ name: string; status: string; duration_ms: number }[]>(
      `SELECT name, status, duration_ms FROM batch_jobs
        WHERE finished_at > $1 AND finished_at <= $2 AND duration_ms IS NOT NULL AND status IN ('completed', 'failed')`,
      [this.jobsObservedUntil, until],
    );
    for (const row of rows) {
      this.jobDuration.observe({ queue: QUEUE_OF_JOB[row.name] ?? row.name, status: row.status }, row.duration_ms / 1000);
    }
    this.jobsObservedUntil = until;
  }

  /** A failing source (Redis or PostgreSQL down) leaves its metrics stale rather than failing the scrape. */
  private async guard(what: string, collect: () => Promise<void>): Promise<void> {
    try {
      await collect();
    } catch (error) {
      this.logger.warn({ err: error }, `metrics: could not collect ${what}`);
    }
  }
}
