import type { IntervalResult } from '../agreement/analyze';
import { DEFAULT_MATCH_THRESHOLD } from '../agreement/temporal';
import { formatNames } from '../ingest/detect-format';
import { InputError } from '../ingest/ingest.errors';
import { analyzeLoaded, writeResults } from './agreement.command';
import { COMMON_OPTIONS, EXIT_OK, numberOption, type CliIo, type Command, type OptionValues } from './command';
import { loadDataset } from './load-dataset';
import { INPUT_OPTIONS_HELP, inputOptions } from './read-options';

export const temporalCommand: Command = {
  name: 'temporal',
  summary: 'temporal agreement of the segment (start/end) dimensions in FILE',
  usage: `Usage: concord temporal FILE... [--threshold 0.5] [--format ${formatNames().join('|')}]
                        [--annotator [FILE=]NAME]... [--fps N] [--tier-pattern REGEX]
                        [--modality NAME=MODALITY]... [--json]

For each dimension of segments (records with start and end): coverage IoU per label and
annotator pair, pooled over items, one-to-one segment matching with F1, and the onset and
offset deviation of matched segments. FILEs are read as by \`concord agreement\` (any supported
format or a zip of them; several FILEs form one data set).

Options:
  --threshold T    least IoU for two segments to match, 0 to 1 (default ${DEFAULT_MATCH_THRESHOLD}; 0 = any overlap)
${INPUT_OPTIONS_HELP}
  --json           one JSON object on stdout: {labels: [{label, pairs: [{a, b, iou, …}], meanIoU}], meanIoU, …}
                   for one segment dimension, else {results: [...]}; with "ingest"
  -h, --help       this help

Exit codes: 0 done, 2 bad input (each problem on stderr as FILE:LINE: message, or FILE: JSON.PATH: message).`,
  options: {
    ...COMMON_OPTIONS,
    threshold: { type: 'string' },
  },
  async run(files: readonly string[], values: OptionValues, io: CliIo): Promise<number> {
    const threshold = numberOption(values, 'threshold', { min: 0, max: 1 }) ?? DEFAULT_MATCH_THRESHOLD;
    const loaded = await loadDataset(files, inputOptions(values), io);
    const segmentDimensions = loaded.dataset.dimensions.filter((dimension) => dimension.shape === 'intervals');
    if (segmentDimensions.length === 0) {
      throw new InputError([{ message: 'has no segments (records with start and end) to compare' }]);
    }
    const results = analyzeLoaded({ ...loaded, dataset: { ...loaded.dataset, dimensions: segmentDimensions } }, { threshold });
    const intervals = results.filter((result): result is IntervalResult => result.shape === 'intervals');
    writeResults(io, values, intervals, loaded);
    return EXIT_OK;
  },
};
