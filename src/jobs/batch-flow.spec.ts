import { batchFlow } from './batch-flow';
import { BATCH_JOB_OPTIONS, workerOptions } from './job-options';
import { agreementJobId, evaluateJobId } from './job.types';

const BATCH = '6f1c2c1e-9d1b-4b0a-8a55-0a3c4b5d6e7f';

describe('batchFlow', () => {
  const flow = batchFlow(BATCH, [
    { modality: 'text', dimension: 'sentiment' },
    { modality: 'audio', dimension: 'speech' },
  ]);

  it('is an evaluate parent over one agreement child per dimension, carrying ids only', () => {
    expect(flow).toMatchObject({ name: 'evaluate', queueName: 'evaluate', data: { batchId: BATCH } });
    expect(flow.opts?.jobId).toBe(`${BATCH}-evaluate`);
    expect(flow.children).toHaveLength(2);
    expect(flow.children![0]).toMatchObject({
      name: 'agreement-dimension',
      queueName: 'agreement',
      data: { batchId: BATCH, modality: 'text', dimension: 'sentiment' },
      opts: { jobId: `${BATCH}-text-sentiment`, failParentOnFailure: true, attempts: 5 },
    });
    expect(flow.children![1]!.opts?.jobId).toBe(`${BATCH}-audio-speech`);
  });

  it('retries with exponential backoff', () => {
    expect(flow.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
    expect(BATCH_JOB_OPTIONS.removeOnComplete.age).toBeGreaterThan(0);
  });
});

describe('job ids', () => {
  it('are deterministic and never contain ":" (BullMQ refuses it in custom ids)', () => {
    expect(agreementJobId(BATCH, 'video', 'expression')).toBe(`${BATCH}-video-expression`);
    expect(agreementJobId(BATCH, 'text', 'a:b c/d')).toBe(`${BATCH}-text-a%3Ab%20c%2Fd`);
    expect(agreementJobId(BATCH, 'text', 'a:b')).not.toContain(':');
    expect(evaluateJobId(BATCH)).toBe(`${BATCH}-evaluate`);
  });

  it('keep distinct dimensions distinct', () => {
    expect(agreementJobId(BATCH, 'text', 'a-b')).not.toBe(agreementJobId(BATCH, 'text', 'a%2Db'));
  });
});

describe('workerOptions', () => {
  it('takes the lock duration and concurrency from the configuration', () => {
    expect(workerOptions({ workerConcurrency: 3, jobLockMs: 2000 })).toEqual({
      concurrency: 3,
      lockDuration: 2000,
      stalledInterval: 2000,
      maxStalledCount: 2,
    });
    expect(workerOptions({ workerConcurrency: 1, jobLockMs: 120_000 }).stalledInterval).toBe(30_000);
  });
});
