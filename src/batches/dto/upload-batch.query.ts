import { z } from 'zod';
import { formatNames } from '../../ingest/detect-format';
import { INGEST_LIMITS } from '../../ingest/limits';
import { tierPatternProblem } from '../../ingest/tier-pattern';

/** Most frames per second `?fps=` takes (as the CLI's --fps). */
export const MAX_FPS = 10_000;

/** Query of `POST /v1/projects/:projectId/batches`. */
export const UploadBatchQuery = z
  .object({
    format: z
      .enum(formatNames() as [string, ...string[]])
      .optional()
      .describe('Input format of every file; detected from each file\'s content when absent'),
    vendor: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('The vendor the export comes from (admin and qa_lead keys; a vendor key is its own vendor)'),
    annotator: z
      .string()
      .trim()
      .min(1)
      .max(INGEST_LIMITS.maxNameLength)
      .optional()
      .describe(
        'The annotator of every file whose format names none (CVAT, which names one only in job exports; ELAN files of one ' +
          'annotator). A multipart field `annotator:<file name>` before a file part names that file\'s annotator instead.',
      ),
    fps: z.coerce
      .number()
      .positive()
      .max(MAX_FPS)
      .optional()
      .describe('Frames per second of the video, for Label Studio timelinelabels (frame ranges)'),
    tierPattern: z
      .string()
      .optional()
      .superRefine((pattern, context) => {
        const problem = pattern === undefined ? null : tierPatternProblem(pattern);
        if (problem !== null) context.addIssue({ code: 'custom', message: problem });
      })
      .describe(
        'ELAN: how a tier id names its dimension and annotator, a regular expression with the named groups ' +
          '`dimension` and `annotator` (default `^(?<dimension>.+)@(?<annotator>.+)$`); at most 200 characters, at most ' +
          '3 unbounded quantifiers, no repeated group holding a quantifier or an alternation, no backreferences',
      ),
    replaces: z
      .uuid()
      .optional()
      .describe(
        'A re-delivery: the id of the earlier batch of the same project this upload replaces (for a vendor key, one ' +
          'of its own batches). The new batch\'s rejection report then shows which earlier flags are resolved, which ' +
          'remain and which are new, and how each failed rule moved.',
      ),
  });
export type UploadBatchQuery = z.infer<typeof UploadBatchQuery>;
