import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { evaluateDataset, type BatchEvaluation } from '../agreement/evaluate';
import { FLAG_CODES, SEVERITIES, type Finding, type ResolvedPolicy } from '../agreement/evaluation.types';
import { fanOutResampleAlphas } from '../batches/bootstrap-fan-out';
import { formatIssuePath } from '../common/schema-issues';
import { formatNames } from '../ingest/detect-format';
import { InputError, type InputIssue } from '../ingest/ingest.errors';
import { compileSchema, inferSchema, type CompiledSchema } from '../projects/project-schema';
import type * as ProjectSettings from '../projects/project-settings';
import type { ProjectSchemaDefinition } from '../projects/project-settings';
import { analyzeLoaded } from './agreement.command';
import { COMMON_OPTIONS, EXIT_OK, UsageError, numberOption, stringOption, type CliIo, type Command, type OptionValues } from './command';
import { UnreadableFileError, ingestNotes, loadDataset } from './load-dataset';
import { INPUT_OPTIONS_HELP, inputOptions } from './read-options';
import { writeJson } from './write-json';

/**
 * The settings schemas, loaded when `report` runs: they bring zod, whose load alone (~100 ms) would
 * otherwise be paid by every `concord` command at start, `agreement` on a million rows included.
 */
function projectSettings(): typeof ProjectSettings {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load (see above), synchronous as the rest of this CommonJS build.
  return require('../projects/project-settings') as typeof ProjectSettings;
}

/** The gate failed: the batch does not meet the policy. */
const EXIT_GATE_FAILED = 1;
const DEFAULT_SEED = 1;
const MAX_BOOTSTRAP_SAMPLES = 100_000;
/** Flags listed in the text report, the most severe first. */
const TOP_FLAGS = 10;

/**
 * A JSON settings file (`--policy`, `--schema`) parsed by its zod schema; every problem becomes an
 * input issue naming the file and the JSON path (or the line and column of a syntax error).
 */
async function readSettings<T extends z.ZodType>(file: string, schema: T): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFileError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new InputError([{ file, ...syntaxErrorPlace(text, (error as Error).message), message: `not valid JSON: ${(error as Error).message}` }]);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new InputError(parsed.error.issues.map((issue): InputIssue => ({ file, path: formatIssuePath(issue.path), message: issue.message })));
  }
  return parsed.data;
}

/** The line of a JSON.parse error, from the position V8 names in its message. */
function syntaxErrorPlace(text: string, message: string): { line?: number } {
  const position = /position (\d+)/.exec(message);
  if (position === null) return {};
  let line = 1;
  for (let at = 0; at < Number(position[1]) && at < text.length; at++) if (text.charCodeAt(at) === 10) line += 1;
  return { line };
}

const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;

/** The text report: the verdict and its reasons, the flags by code and severity, the first flags. */
function renderReport(evaluation: BatchEvaluation, policySource: string): string {
  const { verdict, flags } = evaluation;
  const lines = [`Verdict: ${verdict.verdict.toUpperCase()} (${verdict.checks.length} checks, policy ${policySource})`];
  if (verdict.reasons.length > 0) {
    lines.push('', 'Failed rules:');
    for (const reason of verdict.reasons) lines.push(`  ${reason.rule}: ${reason.message}`);
  }
  lines.push('', `Items: ${evaluation.items}, flagged ${evaluation.flaggedItems} (${percent(evaluation.flaggedItemShare)})`);
  if (flags.length === 0) {
    lines.push('No flags.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('', `Flags: ${flags.length}`);
  const width = Math.max(...FLAG_CODES.map((code) => code.length));
  for (const code of FLAG_CODES) {
    const ofCode = flags.filter((flag) => flag.code === code);
    if (ofCode.length === 0) continue;
    const bySeverity = SEVERITIES.map((severity) => `${severity} ${ofCode.filter((flag) => flag.severity === severity).length}`).join(', ');
    lines.push(`  ${code.padEnd(width)}  ${String(ofCode.length).padStart(6)}  (${bySeverity})`);
  }
  lines.push('', flags.length > TOP_FLAGS ? `First ${TOP_FLAGS} flags:` : 'Flags:');
  for (const flag of flags.slice(0, TOP_FLAGS)) lines.push(`  ${flagLine(flag)}`);
  return `${lines.join('\n')}\n`;
}

function flagLine(flag: Finding): string {
  return `[${flag.severity}] ${flag.code}: ${flag.message}`;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'evaluate FILE against a quality-gate policy: verdict, reasons and flags with evidence',
  usage: `Usage: concord report FILE... [--policy policy.json] [--schema schema.json] [--bootstrap N [--seed S]]
                      [--format ${formatNames().join('|')}]
                      [--annotator [FILE=]NAME]... [--fps N] [--tier-pattern REGEX]
                      [--modality NAME=MODALITY]... [--json]

The batch's quality gate, as the service's evaluate step gives it: the agreement of every
dimension, stream synchronisation and cross-modal agreement, accuracy against gold, the flags
(label conflicts, misaligned or unmatched segments, outlier annotators, missing judgements, …,
each with its evidence) and the verdict against the policy, with every failed rule as a reason.
FILEs are read as by \`concord agreement\`.

Options:
  --policy FILE    the quality-gate policy (JSON, as PUT /v1/projects/:id/policy takes it);
                   default: DESIGN.md's defaults (alpha 0.667, mean IoU 0.5, 5% flagged items, …)
  --schema FILE    the project schema (JSON, as PUT /v1/projects/:id/schema takes it): levels,
                   allowed labels, timed dimensions, cross-modal mappings, gold annotators;
                   default: the schema the data implies (printed with --json)
  --bootstrap N    N-resample bootstrap confidence interval of alpha (against the policy's minAlpha)
  --seed S         seed of the bootstrap (default ${DEFAULT_SEED})
${INPUT_OPTIONS_HELP}
  --json           one JSON object on stdout: {verdict, reasons, checks, results, flags, sync,
                   crossModal, gold, items, flaggedItems, flaggedItemShare, schema (the data's
                   when no --schema; schemaInferred says which), policy (resolved), ingest}
  -h, --help       this help

Exit codes: 0 the batch passes, 1 it fails the policy, 2 bad input (each problem on stderr as
FILE:LINE: message, or FILE: JSON.PATH: message, the policy and schema files included).`,
  options: {
    ...COMMON_OPTIONS,
    policy: { type: 'string' },
    schema: { type: 'string' },
    bootstrap: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(files: readonly string[], values: OptionValues, io: CliIo): Promise<number> {
    const samples = numberOption(values, 'bootstrap', { min: 1, max: MAX_BOOTSTRAP_SAMPLES, integer: true });
    const seed = numberOption(values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true });
    if (seed !== undefined && samples === undefined) throw new UsageError('--seed only applies with --bootstrap N');
    const policyFile = stringOption(values, 'policy');
    const schemaFile = stringOption(values, 'schema');
    const { PolicySchema, ProjectSchemaDefinitionSchema, resolvePolicy } = projectSettings();
    const policy: ResolvedPolicy = resolvePolicy(policyFile === undefined ? null : await readSettings(policyFile, PolicySchema));
    const given: ProjectSchemaDefinition | undefined = schemaFile === undefined ? undefined : await readSettings(schemaFile, ProjectSchemaDefinitionSchema);
    const compiledGiven: CompiledSchema | undefined = given === undefined ? undefined : compileSchema(given);

    const loaded = await loadDataset(files, inputOptions(values), io, compiledGiven);
    const definition = given ?? inferSchema(loaded.dataset);
    const schema = compiledGiven ?? compileSchema(definition);
    const results = analyzeLoaded(loaded, {
      levels: schema.levels,
      threshold: policy.matchThreshold,
      ...(samples === undefined ? {} : { bootstrap: { samples, seed: seed ?? DEFAULT_SEED, alphaMin: policy.minAlpha, resampleAlphas: fanOutResampleAlphas } }),
    });
    const evaluation = evaluateDataset(loaded.dataset, results, { policy, crossModal: schema.crossModal, isTimed: (m, d) => schema.isTimed(m, d) });
    const { verdict } = evaluation;

    if (values.json === true) {
      writeJson(io, {
        verdict: verdict.verdict,
        reasons: verdict.reasons,
        checks: verdict.checks,
        results,
        flags: evaluation.flags,
        sync: evaluation.sync,
        crossModal: evaluation.crossModal,
        gold: evaluation.gold,
        items: evaluation.items,
        flaggedItems: evaluation.flaggedItems,
        flaggedItemShare: evaluation.flaggedItemShare,
        schema: definition,
        schemaInferred: given === undefined,
        policy,
        ingest: loaded.ingest,
      });
    } else {
      io.stderr.write(ingestNotes(loaded.ingest));
      io.stdout.write(renderReport(evaluation, policyFile ?? 'defaults'));
    }
    return verdict.verdict === 'pass' ? EXIT_OK : EXIT_GATE_FAILED;
  },
};
