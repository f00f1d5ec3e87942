import type { RowFeedReply, RowFeedRequest } from '../common/row-feed-thread';
import type { DimensionAnalysisOutput } from './dimension-analysis';

/** Messages to the analysis thread (dimension-analysis.thread.ts), handled in order. */
export type ThreadRequest = RowFeedRequest | { kind: 'analyze' };

/** The analysis thread's result. */
export type AnalysisResultReply = { kind: 'analysed'; output: DimensionAnalysisOutput };

/** Messages from the analysis thread. */
export type ThreadReply = RowFeedReply | AnalysisResultReply;
