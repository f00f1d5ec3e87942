import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipArchive, type ZipEntryInput } from '../../test/helpers/zip-writer';
import { InputError, type InputIssue } from './ingest.errors';
import { DEFAULT_ZIP_LIMITS, isSkippedEntry, isZipFile, isZipHead, spoolToTempFile, zipEntries, type ZipLimits } from './zip-source';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'concord-zip-spec-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let count = 0;
function archive(entries: readonly ZipEntryInput[]): string {
  const path = join(scratch, `a${count++}.zip`);
  writeFileSync(path, zipArchive(entries));
  return path;
}

async function readEntries(path: string, limits?: ZipLimits): Promise<Array<[string, string]>> {
  const read: Array<[string, string]> = [];
  for await (const entry of zipEntries(path, limits)) {
    const parts: Buffer[] = [];
    for await (const chunk of entry.body) parts.push(chunk);
    read.push([entry.name, Buffer.concat(parts).toString('utf8')]);
  }
  return read;
}

async function issuesOf(promise: Promise<unknown>): Promise<InputIssue[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('zipEntries', () => {
  it('streams the files of an archive in order, stored or deflated, and skips directories and macOS extras', async () => {
    const path = archive([
      { name: 'exports/', content: '', method: 'store' },
      { name: 'exports/coder_a.xml', content: '<annotations/>' },
      { name: '__MACOSX/exports/._coder_a.xml', content: 'resource fork' },
      { name: 'exports/.DS_Store', content: 'finder' },
      { name: 'exports/coder_b.xml', content: '<annotations>b</annotations>', method: 'store' },
      { name: 'ünïcode.json', content: '[]' },
    ]);
    expect(await isZipFile(path)).toBe(true);
    expect(await readEntries(path)).toEqual([
      ['exports/coder_a.xml', '<annotations/>'],
      ['exports/coder_b.xml', '<annotations>b</annotations>'],
      ['ünïcode.json', '[]'],
    ]);
  });

  it('refuses a zip bomb by its compression ratio before reading anything', async () => {
    const path = archive([
      { name: 'ok.json', content: '[]' },
      { name: 'bomb.json', content: Buffer.alloc(8 * 1024 * 1024, 0x20) },
    ]);
    expect(await issuesOf(readEntries(path))).toEqual([{ file: 'bomb.json', message: expect.stringMatching(/^has a compression ratio of \d+:1, more than the limit of 200:1 \(a zip bomb\?\)$/) }]);
  });

  it('refuses too many entries, an entry or a total too large, nested archives and encrypted entries', async () => {
    const three = archive([
      { name: 'a.csv', content: 'item,annotator,label\n' },
      { name: 'b.csv', content: 'item,annotator,label\n' },
      { name: 'c.csv', content: 'item,annotator,label\n' },
    ]);
    const limits = (overrides: Partial<ZipLimits>): ZipLimits => ({ ...DEFAULT_ZIP_LIMITS, ...overrides });
    expect(await issuesOf(readEntries(three, limits({ maxEntries: 2 })))).toEqual([{ message: 'has 3 entries, more than the limit of 2' }]);
    expect(await issuesOf(readEntries(three, limits({ maxEntryBytes: 10 })))).toEqual([
      { file: 'a.csv', message: 'inflates to 0.0 MiB, more than the limit of 0.0 MiB per entry' },
    ]);
    expect(await issuesOf(readEntries(three, limits({ maxTotalBytes: 50 })))).toEqual([{ message: 'inflates to more than the limit of 0.0 MiB in all' }]);
    expect(await issuesOf(readEntries(archive([{ name: 'inner.ZIP', content: 'PK' }])))).toEqual([
      { file: 'inner.ZIP', message: 'is itself a zip archive; nested archives are not read' },
    ]);
    expect(await issuesOf(readEntries(archive([{ name: 'secret.json', content: '[]', encrypted: true }])))).toEqual([
      { file: 'secret.json', message: 'is encrypted; Concord reads unencrypted archives only' },
    ]);
  });

  it('refuses what is not a zip, and an archive without files', async () => {
    const text = join(scratch, 'not.zip');
    writeFileSync(text, 'item,annotator,label\n');
    expect(await isZipFile(text)).toBe(false);
    expect(await issuesOf(readEntries(text))).toEqual([{ message: expect.stringMatching(/^is not a readable zip archive: /) }]);
    expect(await issuesOf(readEntries(archive([{ name: 'dir/', content: '', method: 'store' }])))).toEqual([{ message: 'holds no files' }]);
    expect(await issuesOf(readEntries(archive([])))).toEqual([{ message: 'holds no files' }]);
  });

  it('names the entry whose data is corrupt', async () => {
    const bytes = zipArchive([{ name: 'a.json', content: 'x'.repeat(1000) }]);
    // Corrupt the deflated data (it starts after the 30-byte local header and the 6-byte name).
    bytes.fill(0xff, 36, 46);
    const path = join(scratch, 'corrupt.zip');
    writeFileSync(path, bytes);
    expect(await issuesOf(readEntries(path))).toEqual([{ file: 'a.json', message: expect.stringMatching(/^cannot be read: /) }]);
  });
});

describe('zip helpers', () => {
  it('tells a zip by its first bytes', () => {
    expect(isZipHead(zipArchive([{ name: 'a', content: 'b' }]))).toBe(true);
    expect(isZipHead(zipArchive([]))).toBe(true);
    expect(isZipHead(Buffer.from('[{"id": 1}]'))).toBe(false);
    expect(isZipHead(Buffer.from('PK'))).toBe(false);
  });

  it.each([
    ['dir/', true],
    ['__MACOSX/a.json', true],
    ['x/__MACOSX/a.json', true],
    ['x/._a.json', true],
    ['.DS_Store', true],
    ['x/a.json', false],
    ['MACOSX.json', false],
  ])('isSkippedEntry(%s) is %s', (name, skipped) => {
    expect(isSkippedEntry(name)).toBe(skipped);
  });

  it('spools a stream to a temporary file and removes it', async () => {
    async function* chunks(): AsyncIterable<Buffer> {
      yield Buffer.from('PK');
      yield Buffer.from('\u0003\u0004rest');
    }
    const spooled = await spoolToTempFile(chunks(), '../../evil name.zip');
    expect(readFileSync(spooled.path, 'latin1')).toBe('PK\u0003\u0004rest');
    expect(spooled.path.endsWith('evil name.zip')).toBe(true);
    await spooled.remove();
    expect(existsSync(spooled.path)).toBe(false);
  });
});
