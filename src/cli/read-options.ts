import { MODALITIES, type Modality } from '../agreement/types';
import type { ReadOptions } from '../ingest/adapter';
import { formatNames } from '../ingest/detect-format';
import { AnnotatorAssignment } from '../ingest/input-files';
import { tierPatternProblem } from '../ingest/tier-pattern';
import { UsageError, listOption, numberOption, stringOption, type OptionValues } from './command';

/** Most frames per second `--fps` takes (high-speed cameras reach a few thousand). */
const MAX_FPS = 10_000;

/** How the files of a command are read: the options every file command shares. */
export interface InputOptions {
  format: string | undefined;
  /** fps, modalities and tierPattern; each file adds its name and annotator. */
  read: ReadOptions;
  annotators: AnnotatorAssignment;
}

/** The help text of the reading options, shared by the commands' usage. */
export const INPUT_OPTIONS_HELP = `  --format F       read every FILE as format F instead of detecting it
                   (${formatNames().join(', ')})
  --annotator NAME the annotator of every FILE whose format names none (CVAT, which names
                   one only in job exports; ELAN files with one annotator's tiers)
  --annotator FILE=NAME
                   the annotator of one FILE, or of one zip entry (its name in the archive
                   or its base name); repeat per file; wins over --annotator NAME
  --fps N          frames per second, for Label Studio timelinelabels (frame ranges)
  --tier-pattern REGEX
                   ELAN: how a tier id names its dimension and annotator, with the named
                   groups (?<dimension>…) and (?<annotator>…); default
                   ^(?<dimension>.+)@(?<annotator>.+)$ — at most 200 characters, at most
                   3 unbounded quantifiers, no repeated group holding a quantifier or |
  --modality NAME=MODALITY
                   the modality (${MODALITIES.join(', ')}) of a Label Studio control or
                   object name, or of an ELAN dimension, where the file cannot tell; repeatable`;

/** The part of `FILE=NAME` before the last `=`, and after it; null without a `=`. */
function splitAssignment(text: string): [string, string] | null {
  const at = text.lastIndexOf('=');
  return at < 0 ? null : [text.slice(0, at), text.slice(at + 1)];
}

export function inputOptions(values: OptionValues): InputOptions {
  const read: ReadOptions = {};
  const fps = numberOption(values, 'fps', { min: 0.001, max: MAX_FPS });
  if (fps !== undefined) read.fps = fps;

  const tierPattern = stringOption(values, 'tier-pattern');
  if (tierPattern !== undefined) {
    const problem = tierPatternProblem(tierPattern);
    if (problem !== null) throw new UsageError(`--tier-pattern ${problem}`);
    read.tierPattern = tierPattern;
  }

  const modalities: Record<string, Modality> = {};
  for (const entry of listOption(values, 'modality')) {
    const parts = splitAssignment(entry);
    if (parts === null || parts[0] === '' || !(MODALITIES as readonly string[]).includes(parts[1])) {
      throw new UsageError(`--modality must be NAME=MODALITY with MODALITY one of ${MODALITIES.join(', ')}, got "${entry}"`);
    }
    const [name, modality] = parts;
    if (modalities[name] !== undefined && modalities[name] !== modality) throw new UsageError(`--modality gives "${name}" two modalities`);
    modalities[name] = modality as Modality;
  }
  if (Object.keys(modalities).length > 0) read.modalities = modalities;

  let defaultAnnotator: string | undefined;
  const perFile: Array<[string, string]> = [];
  for (const entry of listOption(values, 'annotator')) {
    const parts = splitAssignment(entry);
    if (parts === null) {
      if (entry === '') throw new UsageError('--annotator must not be empty');
      if (defaultAnnotator !== undefined && defaultAnnotator !== entry) {
        throw new UsageError(`--annotator NAME is given twice ("${defaultAnnotator}", "${entry}"); name each file's with --annotator FILE=NAME`);
      }
      defaultAnnotator = entry;
    } else {
      if (parts[0] === '' || parts[1] === '') throw new UsageError(`--annotator FILE=NAME needs both, got "${entry}"`);
      perFile.push(parts);
    }
  }
  const annotators = new AnnotatorAssignment(defaultAnnotator);
  for (const [file, name] of perFile) {
    try {
      annotators.assign(file, name);
    } catch {
      throw new UsageError(`--annotator names two annotators for "${file}"`);
    }
  }
  return { format: stringOption(values, 'format'), read, annotators };
}
