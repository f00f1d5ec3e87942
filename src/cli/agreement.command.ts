import { analyzeDataset, type AnalyzeOptions, type DimensionResult } from '../agreement/analyze';
import { DatasetInputError } from '../agreement/dataset';
import { LEVELS } from '../agreement/types';
import { fanOutResampleAlphas } from '../batches/bootstrap-fan-out';
import { formatNames } from '../ingest/detect-format';
import {
  COMMON_OPTIONS,
  EXIT_OK,
  UsageError,
  choiceOption,
  numberOption,
  type CliIo,
  type Command,
  type OptionValues,
} from './command';
import { ingestNotes, loadDataset, type LoadedDataset } from './load-dataset';
import { INPUT_OPTIONS_HELP, inputOptions } from './read-options';
import { renderResults } from './render-text';
import { writeJson } from './write-json';

const DEFAULT_SEED = 1;
const MAX_BOOTSTRAP_SAMPLES = 100_000;

/** analyzeDataset, with its DatasetInputErrors naming files, lines and JSON paths. */
export function analyzeLoaded(loaded: LoadedDataset, options: AnalyzeOptions): DimensionResult[] {
  try {
    return analyzeDataset(loaded.dataset, options).results;
  } catch (error) {
    throw error instanceof DatasetInputError ? loaded.positions.inputError(error) : error;
  }
}

/**
 * A command's output: with `--json` one object, the one result at the top level or `results[]`,
 * with `ingest` beside it; else the table on stdout, and what was skipped or set apart on stderr.
 */
export function writeResults(io: CliIo, values: OptionValues, results: readonly DimensionResult[], loaded: LoadedDataset): void {
  if (values.json === true) {
    writeJson(io, results.length === 1 ? { ...results[0], ingest: loaded.ingest } : { results, ingest: loaded.ingest });
    return;
  }
  io.stderr.write(ingestNotes(loaded.ingest));
  io.stdout.write(renderResults(results));
}

export const agreementCommand: Command = {
  name: 'agreement',
  summary: 'inter-annotator agreement of every dimension in FILE (alpha, kappas, segments, boxes)',
  usage: `Usage: concord agreement FILE... [--level nominal|ordinal|interval|ratio] [--bootstrap N [--seed S]]
                         [--format ${formatNames().join('|')}]
                         [--annotator [FILE=]NAME]... [--fps N] [--tier-pattern REGEX]
                         [--modality NAME=MODALITY]... [--json]

Agreement of each (modality, dimension) in FILE: Krippendorff's alpha, percent agreement,
Cohen's kappa (two annotators), Fleiss' kappa, alpha without each annotator, pairwise
agreement and the most disagreed items; temporal IoU for segments and IoU matching for boxes.

FILE is a Label Studio JSON export, CVAT 1.1 XML, ELAN EAF, or canonical CSV/JSONL, detected
from its content; or a zip of such files. Several FILEs (and every file of a zip) form one data
set: e.g. one CVAT export per annotator,
  concord agreement coder_a.xml coder_b.xml --annotator coder_a.xml=alice --annotator coder_b.xml=bob
Gold (ground-truth) judgements are kept apart from agreement, free text is not analysed;
both are counted (--json: "ingest", else a note on stderr).

Options:
  --level L        level of measurement of label/value dimensions (default nominal)
  --bootstrap N    N-resample bootstrap confidence interval of alpha
  --seed S         seed of the bootstrap (default ${DEFAULT_SEED}; same seed, same interval)
${INPUT_OPTIONS_HELP}
  --json           one JSON object on stdout: the result itself for one dimension, else {results: [...]},
                   with "ingest" (files, formats, records, gold and text records, what was skipped)
  -h, --help       this help

Exit codes: 0 done, 2 bad input (each problem on stderr as FILE:LINE: message, or FILE: JSON.PATH: message).`,
  options: {
    ...COMMON_OPTIONS,
    level: { type: 'string' },
    bootstrap: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(files: readonly string[], values: OptionValues, io: CliIo): Promise<number> {
    const level = choiceOption(values, 'level', LEVELS);
    const samples = numberOption(values, 'bootstrap', { min: 1, max: MAX_BOOTSTRAP_SAMPLES, integer: true });
    const seed = numberOption(values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true });
    if (seed !== undefined && samples === undefined) throw new UsageError('--seed only applies with --bootstrap N');

    const loaded = await loadDataset(files, inputOptions(values), io);
    const results = analyzeLoaded(loaded, {
      ...(level === undefined ? {} : { level }),
      ...(samples === undefined ? {} : { bootstrap: { samples, seed: seed ?? DEFAULT_SEED, resampleAlphas: fanOutResampleAlphas } }),
    });
    writeResults(io, values, results, loaded);
    return EXIT_OK;
  },
};
