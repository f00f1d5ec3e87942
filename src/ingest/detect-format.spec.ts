import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat } from './detect-format';
import { InputError } from './ingest.errors';

const FIXTURES = join(__dirname, '../../test/fixtures');

async function* chunksOf(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function bytesOf(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('detectFormat', () => {
  it.each([
    ['label-studio/mixed-export.json', 'label-studio'],
    ['cvat/video-job.xml', 'cvat'],
    ['elan/two-annotators.eaf', 'elan'],
  ])('tells %s from its start even when the input comes a few bytes at a time, and replays every byte', async (path, format) => {
    const bytes = readFileSync(join(FIXTURES, path));
    for (const size of [1, 7, 100, bytes.length]) {
      const { adapter, source } = await detectFormat(chunksOf(bytes, size));
      expect(adapter.format).toBe(format);
      expect((await bytesOf(source)).equals(bytes)).toBe(true);
    }
  });

  it('reads canonical CSV and JSONL as the fallback, and refuses an empty input', async () => {
    expect((await detectFormat(chunksOf(Buffer.from('item,annotator,label\nu,a,x\n'), 3))).adapter.format).toBe('csv');
    expect((await detectFormat(chunksOf(Buffer.from('{"item":"u","annotator":"a","label":"x"}\n'), 3))).adapter.format).toBe('jsonl');
    await expect(detectFormat(chunksOf(Buffer.alloc(0), 1))).rejects.toBeInstanceOf(InputError);
  });
});
