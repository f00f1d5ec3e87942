import type { DimensionAnalysisOutput } from './dimension-analysis';

/** Messages to the analysis thread (dimension-analysis.thread.ts), handled in order. */
export type ThreadRequest =
  /** COPY text bytes (transferred). */
  | { kind: 'rows'; bytes: Uint8Array }
  | { kind: 'end' }
  | { kind: 'analyze' };

/** Messages from the analysis thread. */
export type ThreadReply =
  /** One `rows` message has been decoded (flow control). */
  | { kind: 'taken' }
  | { kind: 'ended' }
  | { kind: 'analysed'; output: DimensionAnalysisOutput }
  /** `dataError`: the core rejected the data (no retry helps). The thread takes no more work. */
  | { kind: 'failed'; dataError: boolean; message: string; stack?: string };
