import { z } from 'zod';
import { FLAG_CODES, SEVERITIES } from '../../agreement/evaluation.types';
import { MODALITIES } from '../../agreement/types';
import { FLAG_STATUSES } from '../flag.entity';

export const DEFAULT_FLAG_PAGE_SIZE = 50;
export const MAX_FLAG_PAGE_SIZE = 500;
/** Values one filter takes at most. */
const MAX_FILTER_VALUES = 100;

/** A comma-separated list of values (`code=STREAM_DESYNC,NO_MAJORITY`), each checked by `value`. */
function commaList<O extends string>(value: z.ZodType<O, string>, description: string) {
  return z
    .string()
    .max(10_000)
    .transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part.length > 0))
    .pipe(z.array(value).min(1).max(MAX_FILTER_VALUES))
    .optional()
    .describe(`${description}; a comma-separated list matches any of its values`);
}

const name = z.string().max(10_000);

/** Keys the listing sorts by: each then by severity (most severe first) and id, so the order is total. */
export const FLAG_SORT_KEYS = ['severity', 'item', 'code', 'modality', 'dimension', 'status', 'start'] as const;
export type FlagSortKey = (typeof FLAG_SORT_KEYS)[number];
export type FlagSortParam = FlagSortKey | `-${FlagSortKey}`;
export const FLAG_SORTS = FLAG_SORT_KEYS.flatMap((key): FlagSortParam[] => [key, `-${key}`]) as [FlagSortParam, ...FlagSortParam[]];
/** A sort: its key and direction. */
export interface FlagSort {
  key: FlagSortKey;
  descending: boolean;
}

export function parseFlagSort(sort: FlagSortParam): FlagSort {
  const descending = sort.startsWith('-');
  return { key: (descending ? sort.slice(1) : sort) as FlagSortKey, descending };
}

/** Query of `GET /v1/batches/:id/flags`. */
export const ListFlagsQuery = z.object({
  code: commaList(z.enum(FLAG_CODES), 'Reason code (DESIGN.md section 4)'),
  severity: commaList(z.enum(SEVERITIES), 'Severity'),
  modality: commaList(z.enum(MODALITIES), 'Modality'),
  dimension: commaList(name, 'Dimension (a cross-modal flag\'s dimension is its concept)'),
  annotator: commaList(name, 'An annotator involved'),
  status: commaList(z.enum(FLAG_STATUSES), 'Review status'),
  item: commaList(name, 'Item'),
  sort: z
    .enum(FLAG_SORTS)
    .default('severity')
    .describe(
      'Order of the flags: `severity` (default: most severe first), `item`, `code`, `modality`, `dimension`, `status` or ' +
        '`start` (span start), each then by severity and id; a leading `-` reverses the whole order (`-item`). A missing ' +
        'item, modality or dimension sorts as the empty text and a missing start before every start (first ascending, ' +
        'last descending). A `cursor` pages only the sort it came from.',
    ),
  cursor: z.string().max(8000).optional().describe('`nextCursor` of the previous page (with the same `sort`)'),
  limit: z.coerce.number().int().min(1).max(MAX_FLAG_PAGE_SIZE).default(DEFAULT_FLAG_PAGE_SIZE),
});
export type ListFlagsQuery = z.infer<typeof ListFlagsQuery>;
