import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { createProjectWithKeys } from '../factories/project.factory';
import { CLEAN, cleanCsv, DEFECTS, defectsCsv } from '../fixtures/evaluation/evaluation-fixtures';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

interface Flag {
  id: string;
  key: string;
  code: string;
  severity: string;
  item: string | null;
  modality: string | null;
  dimension: string | null;
  annotators: string[];
  evidence: Record<string, unknown>;
  status: string;
  comment: string | null;
}

interface GateCheck {
  rule: string;
  passed: boolean;
  modality: string | null;
  dimension: string | null;
  threshold: number;
  measured: number | null;
}

/** `concord report FILE --json` in this process, as a user would run it on the same file. */
async function cliReport(csv: string, policy?: unknown): Promise<{ exitCode: number; report: { verdict: string; reasons: GateCheck[]; flags: Partial<Flag>[] } }> {
  const directory = await mkdtemp(join(tmpdir(), 'concord-evaluation-'));
  try {
    const file = join(directory, 'batch.csv');
    await writeFile(file, csv);
    const args = ['report', file, '--json'];
    if (policy !== undefined) {
      await writeFile(join(directory, 'policy.json'), JSON.stringify(policy));
      args.push('--policy', join(directory, 'policy.json'));
    }
    let stdout = '';
    let stderr = '';
    const exitCode = await main(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
    if (exitCode > 1) throw new Error(`concord report exited ${exitCode}: ${stderr}`);
    return { exitCode, report: JSON.parse(stdout) };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Every flag of a batch, following the cursor. */
async function allFlags(t: TestApp, batchId: string, key: string): Promise<Flag[]> {
  const flags: Flag[] = [];
  let cursor: string | null = null;
  do {
    const response = await t.agent
      .get(`/v1/batches/${batchId}/flags`)
      .query({ limit: 500, ...(cursor === null ? {} : { cursor }) })
      .set(auth(key));
    expect(response.status).toBe(200);
    flags.push(...(response.body.flags as Flag[]));
    cursor = response.body.nextCursor as string | null;
  } while (cursor !== null);
  return flags;
}

const identity = (flag: Partial<Flag>) => `${flag.code}|${flag.item}|${flag.modality}|${flag.dimension}|${flag.key}`;

describe('evaluation: flags and the verdict from the worker', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('a file built with known defects', () => {
    const csv = defectsCsv();
    let key: string;
    let batchId: string;
    let flags: Flag[];

    beforeAll(async () => {
      const setup = await createProjectWithKeys(t);
      key = setup.qaLead;
      const upload = await t.agent.post(`/v1/projects/${setup.project.id}/batches`).set(auth(key)).set('content-type', 'text/csv').send(csv);
      expect(upload.status).toBe(202);
      batchId = upload.body.batch.id;
      const done = await waitForBatch(t.agent, batchId, key);
      expect(done).toMatchObject({ status: 'completed', error: null });
      flags = await allFlags(t, batchId, key);
    });

    it('flags the clip whose video lags its audio by 0.4 s, with the offset in seconds', () => {
      const desync = flags.filter((flag) => flag.code === 'STREAM_DESYNC');
      expect(desync.map((flag) => flag.item)).toEqual([DEFECTS.desyncClip]);
      const evidence = desync[0]!.evidence as { offset: number; a: { modality: string }; b: { modality: string }; iou: number; iouAtZero: number };
      expect(evidence.offset).toBeCloseTo(DEFECTS.desyncSeconds, 6);
      expect(evidence).toMatchObject({ a: { modality: 'audio', dimension: 'speech' }, b: { modality: 'video', dimension: 'expression' } });
      expect(evidence.iou).toBeGreaterThan(evidence.iouAtZero);
    });

    it('flags the annotator who labels at random as an outlier, and the item missing judgements', () => {
      const outliers = flags.filter((flag) => flag.code === 'OUTLIER_ANNOTATOR');
      expect(outliers).toEqual([
        expect.objectContaining({ item: null, modality: 'text', dimension: 'sentiment', annotators: [DEFECTS.randomAnnotator] }),
      ]);
      const missing = flags.filter((flag) => flag.code === 'MISSING_ANNOTATION');
      expect(missing).toEqual([
        expect.objectContaining({ item: DEFECTS.missingClip, modality: 'text', dimension: 'sentiment', severity: 'high', annotators: ['ann-a'] }),
      ]);
    });

    it('gives the same flags and verdict as `concord report --json` on the same file', async () => {
      const { exitCode, report } = await cliReport(csv);
      expect(report.flags.map(identity).sort()).toEqual(flags.map(identity).sort());
      const gate = await t.agent.get(`/v1/batches/${batchId}/gate`).set(auth(key));
      expect(gate.status).toBe(200);
      expect(gate.body.verdict).toBe(report.verdict);
      expect(gate.body.verdict).toBe('fail');
      expect(exitCode).toBe(1);
      expect(gate.body.reasons).toEqual(report.reasons);
    });

    it('stores the evaluation: sync with an offset histogram, the checks, the flag counts', async () => {
      const response = await t.agent.get(`/v1/batches/${batchId}/evaluation`).set(auth(key));
      expect(response.status).toBe(200);
      const { evaluation } = response.body;
      expect(response.body).toMatchObject({ batchId, status: 'completed', verdict: 'fail', policyVersion: null, evaluatedAt: expect.any(String) });
      expect(evaluation.items).toBe(30);
      expect(evaluation.flags.total).toBe(flags.length);
      expect(evaluation.flags.byCode.STREAM_DESYNC).toBe(1);
      const [pair] = evaluation.sync;
      expect(pair).toMatchObject({ a: { modality: 'audio' }, b: { modality: 'video' }, items: 30, systematic: false });
      expect(pair.perItem).toBeUndefined();
      expect((pair.offsets.histogram.counts as number[]).reduce((sum, n) => sum + n, 0)).toBe(30);
      expect(pair.offsets.largest[0].item).toBe(DEFECTS.desyncClip);
      const gate = await t.agent.get(`/v1/batches/${batchId}/gate`).set(auth(key));
      expect(evaluation.checks.filter((check: GateCheck) => !check.passed)).toEqual(gate.body.reasons);
    });
  });

  describe('re-evaluation without a change', () => {
    it('keeps every flag as it was (same ids) and the same verdict: the evaluate step is idempotent', async () => {
      const setup = await createProjectWithKeys(t);
      const upload = await t.agent.post(`/v1/projects/${setup.project.id}/batches`).set(auth(setup.qaLead)).set('content-type', 'text/csv').send(defectsCsv());
      const batchId = upload.body.batch.id as string;
      await waitForBatch(t.agent, batchId, setup.qaLead);
      const before = await allFlags(t, batchId, setup.qaLead);
      const requested = await t.agent.post(`/v1/batches/${batchId}/evaluate`).set(auth(t.adminKey));
      expect(requested.status).toBe(202);
      const gate = await waitForGate(t, batchId, setup.qaLead, (body) => body.verdict !== 'pending');
      expect(gate.verdict).toBe('fail');
      const after = await allFlags(t, batchId, setup.qaLead);
      const view = (flags: Flag[]) => flags.map((flag) => `${flag.id} ${identity(flag)} ${flag.severity}`).sort();
      expect(view(after)).toEqual(view(before));
      const batch = await t.agent.get(`/v1/batches/${batchId}`).set(auth(setup.qaLead));
      expect(batch.body.jobs.filter((job: { name: string }) => job.name === 'evaluate').map((job: { id: string; status: string }) => `${job.id} ${job.status}`)).toEqual([
        `${batchId}-evaluate completed`,
        `${batchId}-evaluate-1 completed`,
      ]);
    });
  });

  describe('a policy change', () => {
    const csv = cleanCsv();
    let projectId: string;
    let key: string;
    let batchId: string;

    beforeAll(async () => {
      const setup = await createProjectWithKeys(t);
      projectId = setup.project.id;
      key = setup.qaLead;
      const upload = await t.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).set('content-type', 'text/csv').send(csv);
      expect(upload.status).toBe(202);
      batchId = upload.body.batch.id;
    });

    it('gate: pending while the jobs run, then pass', async () => {
      const pending = await t.agent.get(`/v1/batches/${batchId}/gate`).set(auth(key));
      expect(pending.status).toBe(200);
      if (pending.body.status !== 'completed') expect(pending.body).toMatchObject({ verdict: 'pending', reasons: [] });
      await waitForBatch(t.agent, batchId, key);
      const gate = await t.agent.get(`/v1/batches/${batchId}/gate`).set(auth(key));
      expect(gate.body).toMatchObject({ batchId, status: 'completed', verdict: 'pass', reasons: [], policyVersion: null });
      const batch = await t.agent.get(`/v1/batches/${batchId}`).set(auth(key));
      expect(batch.body.verdict).toBe('pass');
    });

    it('turns the pass into a fail on re-evaluation, keeping the reviewed flag and its history and replacing open ones', async () => {
      const before = await allFlags(t, batchId, key);
      const conflict = before.find((flag) => flag.code === 'LABEL_CONFLICT' && flag.item === CLEAN.conflictClip)!;
      const misaligned = before.find((flag) => flag.code === 'TEMPORAL_MISALIGNMENT' && flag.item === CLEAN.misalignedClip)!;
      expect(conflict).toBeDefined();
      expect(misaligned).toBeDefined();
      const review = await t.agent.patch(`/v1/flags/${conflict.id}`).set(auth(key)).send({ status: 'confirmed', comment: 'ann-c misread the clip' });
      expect(review.status).toBe(200);

      const policy = { minAlpha: 0.99, boundaryToleranceSeconds: 1 };
      const put = await t.agent.put(`/v1/projects/${projectId}/policy`).set(auth(key)).send(policy);
      expect(put.status).toBeLessThan(300);
      const requested = await t.agent.post(`/v1/batches/${batchId}/evaluate`).set(auth(key));
      expect(requested.status).toBe(202);
      expect(requested.body).toEqual({ batchId, jobId: `${batchId}-evaluate-1`, verdict: 'pending' });
      const again = await t.agent.post(`/v1/batches/${batchId}/evaluate`).set(auth(key));
      expect([202, 409]).toContain(again.status); // 409 while it runs; 202 (a new run) once it finished

      const gate = await waitForGate(t, batchId, key, (body) => body.verdict !== 'pending');
      expect(gate.verdict).toBe('fail');
      expect(gate.policyVersion).toEqual(expect.any(Number));
      expect(gate.reasons).toEqual([
        expect.objectContaining({ rule: 'minAlpha', passed: false, modality: 'text', dimension: 'sentiment', threshold: 0.99, measured: expect.any(Number) }),
      ]);

      const after = await allFlags(t, batchId, key);
      expect(after.find((flag) => flag.id === misaligned.id)).toBeUndefined();
      const kept = after.find((flag) => flag.id === conflict.id);
      expect(kept).toMatchObject({ status: 'confirmed', comment: 'ann-c misread the clip', key: conflict.key });
      const detail = await t.agent.get(`/v1/flags/${conflict.id}`).set(auth(key));
      expect(detail.body.history).toEqual([expect.objectContaining({ from: 'open', to: 'confirmed', comment: 'ann-c misread the clip' })]);

      // The CLI with the same policy agrees.
      const { report } = await cliReport(csv, policy);
      expect(report.verdict).toBe('fail');
      expect(report.flags.map(identity).sort()).toEqual(after.map(identity).sort());
    });

    it('refuses a re-evaluation to a vendor (403), and of a batch still computing (409)', async () => {
      const setup = await createProjectWithKeys(t);
      const vendorBatch = await t.agent
        .post(`/v1/projects/${setup.project.id}/batches`)
        .set(auth(setup.vendorA))
        .set('content-type', 'text/csv')
        .send(cleanCsv().replace(/clip-/g, 'v-clip-'));
      expect(vendorBatch.status).toBe(202);
      const id = vendorBatch.body.batch.id as string;
      const early = await t.agent.post(`/v1/batches/${id}/evaluate`).set(auth(setup.qaLead));
      if (early.status !== 202) expect(early.status).toBe(409);
      expect((await t.agent.post(`/v1/batches/${id}/evaluate`).set(auth(setup.vendorA))).status).toBe(403);
      expect((await t.agent.post(`/v1/batches/${id}/evaluate`).set(auth(setup.vendorB))).status).toBe(404);
      await waitForBatch(t.agent, id, setup.qaLead);
    });
  });
});

async function waitForGate(
  t: TestApp,
  batchId: string,
  key: string,
  until: (body: { verdict: string }) => boolean,
): Promise<{ verdict: string; reasons: GateCheck[]; policyVersion: number | null }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await t.agent.get(`/v1/batches/${batchId}/gate`).set(auth(key));
    if (response.status === 200 && until(response.body)) return response.body;
    if (Date.now() > deadline) throw new Error(`gate of ${batchId} not ready: ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
