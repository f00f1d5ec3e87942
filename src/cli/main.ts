import { DatasetInputError } from '../agreement/dataset';
import { AgreementInputError } from '../agreement/types';
import { InputError, type InputIssue } from '../ingest/ingest.errors';
import { agreementCommand } from './agreement.command';
import { EXIT_BAD_INPUT, EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from './command';
import { UnreadableFileError, asInputError } from './load-dataset';
import { gateCommand } from './gate.command';
import { reportCommand } from './report.command';
import { temporalCommand } from './temporal.command';

/** Every `concord` command; a new one (e.g. `report`) is one entry here. */
const COMMANDS: readonly Command[] = [agreementCommand, temporalCommand, reportCommand, gateCommand];

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `Usage: concord <command> [FILE...] [options]

Quality assurance and inter-annotator agreement for annotation files: Label Studio JSON exports,
CVAT 1.1 XML, ELAN EAF, canonical CSV or JSONL (the format is detected from the content), or a
zip of them; several FILEs form one data set.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run \`concord <command> --help\` for a command's options.`;
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** `FILE:LINE: field: message` (or `FILE: JSON.PATH: message`), the form editors and CI logs link to. */
function formatIssue(defaultFile: string, issue: InputIssue): string {
  const file = issue.file ?? defaultFile;
  const where = issue.line === undefined ? file : `${file}:${issue.line}`;
  const path = issue.path === undefined ? '' : `${issue.path}: `;
  const field = issue.field === undefined ? '' : `${issue.field}: `;
  return `${where}: ${path}${field}${issue.message}`;
}

function reportInputError(file: string, error: InputError, io: CliIo): void {
  const lines = error.issues.map((issue) => formatIssue(file, issue));
  if (error.omitted > 0) lines.push(`… and ${error.omitted} more`);
  io.stderr.write(`${lines.join('\n')}\n`);
}

/** Runs `concord` with the arguments after the program name; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(`${topUsage()}\n`);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(`concord: unknown command "${name}"\n\n${topUsage()}\n`);
    return EXIT_BAD_INPUT;
  }

  /** Where an issue naming no file is reported: the FILE, or the FILEs of a multi-file data set. */
  let file: string | null = null;
  try {
    const parsed = parseCommandArgs(command, args);
    if (parsed.files === null) {
      io.stdout.write(`${command.usage}\n`);
      return EXIT_OK;
    }
    file = parsed.files.join(', ');
    return await command.run(parsed.files, parsed.values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`concord ${command.name}: ${error.message}\n\n${command.usage}\n`);
    } else if (error instanceof InputError && file !== null) {
      reportInputError(file, error, io);
    } else if (error instanceof DatasetInputError && file !== null) {
      reportInputError(file, asInputError(error), io);
    } else if (error instanceof UnreadableFileError) {
      io.stderr.write(`concord: ${error.message}\n`);
    } else if (error instanceof AgreementInputError && file !== null) {
      io.stderr.write(`${file}: ${error.message}\n`);
    } else {
      throw error;
    }
    return EXIT_BAD_INPUT;
  }
}
