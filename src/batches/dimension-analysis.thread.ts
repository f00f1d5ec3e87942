/**
 * Worker-thread entry of one dimension's analysis (started by dimension-analysis.session.ts with the
 * DimensionAnalysisInput as workerData). Pure computation: bytes in, results out; no database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DimensionAnalysis, DimensionDataError, type DimensionAnalysisInput } from './dimension-analysis';
import type { ThreadReply, ThreadRequest } from './dimension-analysis.protocol';

const port = parentPort;
if (port === null) throw new Error('dimension-analysis.thread must run in a worker thread');

const analysis = new DimensionAnalysis(workerData as DimensionAnalysisInput);
let failed = false;

const reply = (message: ThreadReply): void => port.postMessage(message);

port.on('message', (request: ThreadRequest) => {
  if (failed) return;
  try {
    switch (request.kind) {
      case 'rows':
        analysis.push(request.bytes);
        reply({ kind: 'taken' });
        break;
      case 'end':
        analysis.end();
        reply({ kind: 'ended' });
        break;
      case 'analyze':
        reply({ kind: 'analysed', output: analysis.analyze() });
        break;
    }
  } catch (error) {
    failed = true;
    const err = error instanceof Error ? error : new Error(String(error));
    reply({ kind: 'failed', dataError: err instanceof DimensionDataError, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
  }
});
