import type { RowFeedReply, RowFeedRequest } from '../common/row-feed-thread';
import type { BatchEvaluationOutput } from './batch-evaluation';

/** Messages to the evaluation thread (batch-evaluation.thread.ts), handled in order. */
export type EvaluationThreadRequest = RowFeedRequest | { kind: 'evaluate' };

/** The evaluation thread's results. */
export type EvaluationResultReply =
  /** Followed by the findings: `flags` messages, then `flags-end`. */
  | { kind: 'evaluated'; output: BatchEvaluationOutput }
  /** COPY text rows of `flags` (transferred). */
  | { kind: 'flags'; bytes: Uint8Array }
  | { kind: 'flags-end' };

/** Messages from the evaluation thread. */
export type EvaluationThreadReply = RowFeedReply | EvaluationResultReply;
