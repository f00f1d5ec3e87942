import type { Finding } from '../agreement/evaluation.types';
import { FlagCopyEncoder, FlagIdSequence, severityRank, textArrayLiteral } from './flag-copy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('flag COPY rows', () => {
  it('quotes every array element, escaping quotes and backslashes', () => {
    expect(textArrayLiteral([])).toBe('{}');
    expect(textArrayLiteral(['a', 'b c', 'x"y', 'back\\slash', 'NULL', 'a,b'])).toBe('{"a","b c","x\\"y","back\\\\slash","NULL","a,b"}');
  });

  it('ranks severities most severe first', () => {
    expect(['high', 'medium', 'low'].map((s) => severityRank(s as Finding['severity']))).toEqual([0, 1, 2]);
  });

  it('takes ids that are version-7 UUIDs increasing in the order they are taken', () => {
    const sequence = new FlagIdSequence(Date.UTC(2026, 10, 27));
    const ids = Array.from({ length: 300 }, () => sequence.next());
    for (const id of ids) expect(id).toMatch(UUID);
    expect(ids[0]!.startsWith('01a21a4d-4000-7')).toBe(true); // the milliseconds come first
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Two sequences of the same millisecond differ in their random bits.
    expect(new FlagIdSequence(0).next()).not.toBe(new FlagIdSequence(0).next());
  });

  it('writes one COPY text row per key, in key order and chunks, nulls as \\N, text escaped', () => {
    const finding: Finding = {
      key: 'K|a\tb',
      code: 'STREAM_DESYNC',
      severity: 'medium',
      item: 'clip\n1',
      modality: null,
      dimension: null,
      annotators: ['a\\b'],
      start: 0.5,
      end: null,
      message: 'video lags',
      evidence: { offset: 0.4, note: 'tab\there' },
    };
    const encoder = new FlagCopyEncoder('B', 'P', [finding, { ...finding, key: 'A2' }, { ...finding, severity: 'low' }]);
    expect(encoder.rows).toBe(2); // one row per key: the first (most severe) of a repeated key
    const chunks = [encoder.nextChunk(1), encoder.nextChunk(1)];
    expect(encoder.nextChunk()).toBeNull();
    const [second, first] = chunks.map((chunk) => new TextDecoder().decode(chunk!));
    expect(second!.endsWith('\n')).toBe(true);
    expect(second!.split('\t')[3]).toBe('A2');
    const fields = first!.slice(0, -1).split('\t');
    expect(fields[0]).toMatch(UUID);
    expect(fields[0]! > second!.split('\t')[0]!).toBe(true);
    expect(fields.slice(1)).toEqual([
      'B',
      'P',
      'K|a\\tb',
      'STREAM_DESYNC',
      'medium',
      '1',
      'clip\\n1',
      '\\N',
      '\\N',
      '{"a\\\\\\\\b"}',
      '0.5',
      '\\N',
      'video lags',
      '{"offset":0.4,"note":"tab\\\\there"}',
    ]);
  });
});
