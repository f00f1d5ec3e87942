import { analyzeDataset } from '../agreement/analyze';
import { LEVELS } from '../agreement/types';
import { formatNames } from '../ingest/detect-format';
import {
  COMMON_OPTIONS,
  EXIT_OK,
  UsageError,
  choiceOption,
  numberOption,
  stringOption,
  type CliIo,
  type Command,
  type OptionValues,
} from './command';
import { loadDataset } from './load-dataset';
import { renderResults } from './render-text';
import { writeJson } from './write-json';

const DEFAULT_SEED = 1;
const MAX_BOOTSTRAP_SAMPLES = 100_000;

export const agreementCommand: Command = {
  name: 'agreement',
  summary: 'inter-annotator agreement of every dimension in FILE (alpha, kappas, segments, boxes)',
  usage: `Usage: concord agreement FILE [--level nominal|ordinal|interval|ratio] [--bootstrap N [--seed S]]
                         [--format ${formatNames().join('|')}] [--json]

Agreement of each (modality, dimension) in FILE: Krippendorff's alpha, percent agreement,
Cohen's kappa (two annotators), Fleiss' kappa, alpha without each annotator, pairwise
agreement and the most disagreed items; temporal IoU for segments and IoU matching for boxes.

Options:
  --level L        level of measurement of label/value dimensions (default nominal)
  --bootstrap N    N-resample bootstrap confidence interval of alpha
  --seed S         seed of the bootstrap (default ${DEFAULT_SEED}; same seed, same interval)
  --format F       input format instead of detecting it (${formatNames().join(', ')})
  --json           one JSON object on stdout: the result itself for one dimension, else {results: [...]}
  -h, --help       this help

Exit codes: 0 done, 2 bad input (each problem on stderr as FILE:LINE: message).`,
  options: {
    ...COMMON_OPTIONS,
    level: { type: 'string' },
    bootstrap: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(file: string, values: OptionValues, io: CliIo): Promise<number> {
    const level = choiceOption(values, 'level', LEVELS);
    const samples = numberOption(values, 'bootstrap', { min: 1, max: MAX_BOOTSTRAP_SAMPLES, integer: true });
    const seed = numberOption(values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true });
    if (seed !== undefined && samples === undefined) throw new UsageError('--seed only applies with --bootstrap N');

    const dataset = await loadDataset(file, stringOption(values, 'format'), io);
    const { results } = analyzeDataset(dataset, {
      ...(level === undefined ? {} : { level }),
      ...(samples === undefined ? {} : { bootstrap: { samples, seed: seed ?? DEFAULT_SEED } }),
    });
    if (values.json === true) writeJson(io, results.length === 1 ? results[0] : { results });
    else io.stdout.write(renderResults(results));
    return EXIT_OK;
  },
};
