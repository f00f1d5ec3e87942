/**
 * A zip of exports (several annotators' files, or several formats) read as one data set: each entry
 * is streamed out of the archive straight into its adapter — nothing is extracted to disk. The
 * central directory is checked whole before any entry is read, so a hostile archive is refused
 * before any work: entry count, each entry's size, the total size, and the compression ratio (a
 * zip bomb's tell). yauzl checks that every entry inflates to exactly its declared size, so the
 * declared sizes checked here bound what is actually decompressed.
 *
 * yauzl needs random access (the central directory is at the end), so an uploaded zip is first
 * spooled to a temporary file (`spoolToTempFile`), compressed as it came; the file is removed after.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import yauzl from 'yauzl';
import { InputError } from './ingest.errors';
import { INGEST_LIMITS } from './limits';

export interface ZipLimits {
  /** Entries in the central directory (directories and skipped entries included). */
  maxEntries: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries read. */
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed size of an entry, for entries above `ratioFloorBytes`. */
  maxCompressionRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: INGEST_LIMITS.maxZipEntries,
  maxEntryBytes: INGEST_LIMITS.maxZipEntryBytes,
  maxTotalBytes: INGEST_LIMITS.maxZipTotalBytes,
  maxCompressionRatio: INGEST_LIMITS.maxZipCompressionRatio,
  ratioFloorBytes: 1024 * 1024,
});

/** One file of the archive. */
export interface ZipEntrySource {
  /** The entry's path inside the archive (`exports/coder_a.xml`). */
  name: string;
  /** Uncompressed bytes, as declared (and enforced by yauzl). */
  size: number;
  /** The entry's bytes; read it to its end (or not at all) before asking for the next entry. */
  body: AsyncIterable<Buffer>;
}

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ARCHIVE = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/** Whether bytes start like a zip archive (a local file header, or the end record of an empty one). */
export function isZipHead(head: Buffer): boolean {
  return head.length >= 4 && (head.subarray(0, 4).equals(LOCAL_HEADER) || head.subarray(0, 4).equals(EMPTY_ARCHIVE));
}

/** Whether the file at `path` is a zip archive (by its first bytes, not its name). */
export async function isZipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return isZipHead(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Entries that are not files of the data set: directories, macOS resource forks and Finder files. */
export function isSkippedEntry(name: string): boolean {
  if (name.endsWith('/')) return true;
  if (name.startsWith('__MACOSX/') || name.includes('/__MACOSX/')) return true;
  const base = basename(name);
  return base === '.DS_Store' || base.startsWith('._') || base === 'Thumbs.db';
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/** What is wrong with an entry's declared sizes or method, or null. */
function entryProblem(entry: yauzl.Entry, limits: ZipLimits): string | null {
  if (entry.isEncrypted()) return 'is encrypted; Concord reads unencrypted archives only';
  if (!entry.canDecodeFileData()) return `uses compression method ${entry.compressionMethod}; only stored and deflated entries are read`;
  if (/\.zip$/i.test(entry.fileName)) return 'is itself a zip archive; nested archives are not read';
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    return `inflates to ${mib(entry.uncompressedSize)}, more than the limit of ${mib(limits.maxEntryBytes)} per entry`;
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (entry.uncompressedSize > limits.ratioFloorBytes && ratio > limits.maxCompressionRatio) {
    return `has a compression ratio of ${Math.round(ratio)}:1, more than the limit of ${limits.maxCompressionRatio}:1 (a zip bomb?)`;
  }
  return null;
}

/**
 * The archive's data files, one at a time, in central-directory order. Throws InputError for an
 * archive that breaks a limit or cannot be read, before yielding anything; an issue about one entry
 * names it as `file` (`<archiveName>/<entry>` when `archiveName` is given, else the entry's name), and
 * an issue about the whole archive names `archiveName` (when given).
 */
export async function* zipEntries(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS, archiveName?: string): AsyncGenerator<ZipEntrySource> {
  const entryFile = (name: string): string => (archiveName === undefined ? name : `${archiveName}/${name}`);
  const refuse = (message: string): InputError => new InputError([archiveName === undefined ? { message } : { file: archiveName, message }]);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true });
  } catch (error) {
    throw refuse(`is not a readable zip archive: ${(error as Error).message}`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) throw refuse(`has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
    const files: yauzl.Entry[] = [];
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        if (isSkippedEntry(entry.fileName)) continue;
        const problem = entryProblem(entry, limits);
        if (problem !== null) throw new InputError([{ file: entryFile(entry.fileName), message: problem }]);
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) throw refuse(`inflates to more than the limit of ${mib(limits.maxTotalBytes)} in all`);
        files.push(entry);
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw refuse(`is not a readable zip archive: ${(error as Error).message}`);
    }
    if (files.length === 0) throw refuse('holds no files');
    for (const entry of files) {
      yield { name: entry.fileName, size: entry.uncompressedSize, body: entryBytes(zip, entry, entryFile(entry.fileName)) };
    }
  } finally {
    zip.close();
  }
}

/** An entry's inflated bytes; yauzl's errors (bad data, a size that lies) become InputErrors. */
async function* entryBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, file: string): AsyncIterable<Buffer> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw new InputError([{ file, message: `cannot be read: ${(error as Error).message}` }]);
  }
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ file, message: `cannot be read: ${(error as Error).message}` }]);
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

/**
 * Writes a byte stream to a new temporary file (compressed as it came: nothing is extracted) and
 * returns its path and how to remove it. For an uploaded zip, which yauzl can only read from a file.
 */
export async function spoolToTempFile(source: AsyncIterable<Buffer>, name = 'upload.zip'): Promise<{ path: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'concord-zip-'));
  const path = join(directory, basename(name) || 'upload.zip');
  const remove = (): Promise<void> => rm(directory, { recursive: true, force: true });
  try {
    const out = createWriteStream(path);
    try {
      for await (const chunk of source) {
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, remove };
}
