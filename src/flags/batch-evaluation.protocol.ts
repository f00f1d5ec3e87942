import type { BatchEvaluationOutput } from './batch-evaluation';

/** Messages to the evaluation thread (batch-evaluation.thread.ts), handled in order. */
export type EvaluationThreadRequest =
  /** COPY text bytes (transferred). */
  | { kind: 'rows'; bytes: Uint8Array }
  | { kind: 'end' }
  | { kind: 'evaluate' };

/** Messages from the evaluation thread. */
export type EvaluationThreadReply =
  /** One `rows` message has been decoded (flow control). */
  | { kind: 'taken' }
  | { kind: 'ended' }
  /** Followed by the findings: `flags` messages, then `flags-end`. */
  | { kind: 'evaluated'; output: BatchEvaluationOutput }
  /** COPY text rows of `flags` (transferred). */
  | { kind: 'flags'; bytes: Uint8Array }
  | { kind: 'flags-end' }
  /** `dataError`: the core rejected the data (no retry helps). The thread takes no more work. */
  | { kind: 'failed'; dataError: boolean; message: string; stack?: string };
