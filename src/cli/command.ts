import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDecimal } from '../agreement/numbers';

/** Where a command writes; `main` passes the process streams, tests pass captures. */
export interface CliOutput {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput & { isTTY?: boolean; columns?: number };
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** One `concord <name>` command; main.ts lists them, so a new command is one entry there. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  readonly options: OptionSpecs;
  /** false for a command that reads no FILE (e.g. `gate`, which asks the API); default true. */
  readonly takesFiles?: boolean;
  /** `files`: the FILE arguments, at least one (none when `takesFiles` is false); together they are one data set. */
  run(files: readonly string[], values: OptionValues, io: CliIo): Promise<number>;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** Wrong command-line use: exit code 2 with the message and the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;

/** Options every file command takes: the format and how to read it, and the output. */
export const COMMON_OPTIONS = {
  format: { type: 'string' },
  annotator: { type: 'string', multiple: true },
  fps: { type: 'string' },
  'tier-pattern': { type: 'string' },
  modality: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

/** Files one command reads together (zip entries count once per archive here). */
export const MAX_FILES = 1000;

/** Parses a command's arguments: one FILE or more, only known options. */
export function parseCommandArgs(command: Command, args: string[]): { files: string[] | null; values: OptionValues } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as OptionValues;
  if (values.help === true) return { files: null, values };
  if (command.takesFiles === false) {
    if (parsed.positionals.length > 0) throw new UsageError(`takes no FILE arguments, got "${parsed.positionals[0]}"`);
    return { files: [], values };
  }
  if (parsed.positionals.length === 0) throw new UsageError('missing FILE');
  if (parsed.positionals.length > MAX_FILES) throw new UsageError(`at most ${MAX_FILES} FILEs, got ${parsed.positionals.length}`);
  return { files: parsed.positionals, values };
}

/** The values of a repeatable option, in order ([] when absent). */
export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** The value of a string option, or undefined when it was not given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A numeric option within [min, max] (integers only when asked), or undefined when absent. */
export function numberOption(
  values: OptionValues,
  name: string,
  range: { min: number; max: number; integer?: boolean },
): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const value = parseDecimal(text);
  const kind = range.integer === true ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (range.integer === true && !Number.isInteger(value)) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be ${kind} from ${range.min} to ${range.max}, got "${text}"`);
  }
  return value;
}

/** A string option restricted to `allowed`, or undefined when absent. */
export function choiceOption<T extends string>(values: OptionValues, name: string, allowed: readonly T[]): T | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${text}"`);
  }
  return text as T;
}
