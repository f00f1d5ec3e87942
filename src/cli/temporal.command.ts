import { analyzeDataset, type IntervalResult } from '../agreement/analyze';
import { DEFAULT_MATCH_THRESHOLD } from '../agreement/temporal';
import { formatNames } from '../ingest/detect-format';
import { InputError } from '../ingest/ingest.errors';
import { COMMON_OPTIONS, EXIT_OK, numberOption, stringOption, type CliIo, type Command, type OptionValues } from './command';
import { loadDataset } from './load-dataset';
import { renderResults } from './render-text';
import { writeJson } from './write-json';

export const temporalCommand: Command = {
  name: 'temporal',
  summary: 'temporal agreement of the segment (start/end) dimensions in FILE',
  usage: `Usage: concord temporal FILE [--threshold 0.5] [--format ${formatNames().join('|')}] [--json]

For each dimension of segments (records with start and end): coverage IoU per label and
annotator pair, pooled over items, one-to-one segment matching with F1, and the onset and
offset deviation of matched segments.

Options:
  --threshold T    least IoU for two segments to match, 0 to 1 (default ${DEFAULT_MATCH_THRESHOLD}; 0 = any overlap)
  --format F       input format instead of detecting it (${formatNames().join(', ')})
  --json           one JSON object on stdout: {labels: [{label, pairs: [{a, b, iou, …}], meanIoU}], meanIoU, …}
                   for one segment dimension, else {results: [...]}
  -h, --help       this help

Exit codes: 0 done, 2 bad input (each problem on stderr as FILE:LINE: message).`,
  options: {
    ...COMMON_OPTIONS,
    threshold: { type: 'string' },
  },
  async run(file: string, values: OptionValues, io: CliIo): Promise<number> {
    const threshold = numberOption(values, 'threshold', { min: 0, max: 1 }) ?? DEFAULT_MATCH_THRESHOLD;
    const dataset = await loadDataset(file, stringOption(values, 'format'), io);
    const segmentDimensions = dataset.dimensions.filter((dimension) => dimension.shape === 'intervals');
    if (segmentDimensions.length === 0) {
      throw new InputError([{ message: 'has no segments (records with start and end) to compare' }]);
    }
    const { results } = analyzeDataset({ ...dataset, dimensions: segmentDimensions }, { threshold });
    const intervals = results.filter((result): result is IntervalResult => result.shape === 'intervals');
    if (values.json === true) writeJson(io, intervals.length === 1 ? intervals[0] : { results: intervals });
    else io.stdout.write(renderResults(intervals));
    return EXIT_OK;
  },
};
