import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEaf } from '../../../test/fixtures/elan/generate';
import type { ParsedRecord, ReadOptions } from '../adapter';
import { InputError, type InputIssue } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { elanAdapter, MAX_WAITING_ANNOTATIONS, xmlRootName } from './elan';

const FIXTURES = join(__dirname, '../../../test/fixtures/elan');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

async function* chunksOf(text: string, size: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** Every record read, and the issues of the InputError thrown (none when the read succeeded). */
async function readAll(text: string, options: ReadOptions = {}, chunkSize = 61): Promise<{ records: ParsedRecord[]; issues: InputIssue[] }> {
  const records: ParsedRecord[] = [];
  try {
    for await (const batch of elanAdapter.read(chunksOf(text, chunkSize), options)) records.push(...batch);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { records, issues: [...error.issues] };
  }
  return { records, issues: [] };
}

type Row = [annotation: string, tier: string, annotator: string, dimension: string, label: string | null, start: number, end: number, line: number];

/** The records `rows` describe, on `item` (video unless said otherwise), read from `file`. */
function records(rows: Row[], { item = 'session_12.mp4', modality = 'video', file }: { item?: string; modality?: string; file?: string } = {}) {
  return rows.map(([annotation, tier, annotator, dimension, label, start, end, line]) => {
    const element = /^(referent|handshape|certainty)/.test(tier) ? 'REF_ANNOTATION' : 'ALIGNABLE_ANNOTATION';
    return {
      item,
      annotator,
      modality,
      dimension,
      label,
      value: null,
      start,
      end,
      frame: null,
      box: null,
      line,
      path: `${line}:7 <${element}>`,
      provenance: file === undefined ? { tier, annotation } : { file, tier, annotation },
    };
  });
}

/** A small EAF document around `body` (TIME_ORDER and tiers); every tier may use LINGUISTIC_TYPE "lt". */
function eaf(body: string, { media = '<MEDIA_DESCRIPTOR MEDIA_URL="file:///media/clip_7.mp4" MIME_TYPE="video/mp4"/>', tail = '' } = {}): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2025-03-03T12:00:00+00:00" FORMAT="3.0" VERSION="3.0">',
    `<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">${media}</HEADER>`,
    body,
    '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="lt" TIME_ALIGNABLE="true" GRAPHIC_REFERENCES="false"/>',
    tail,
    '</ANNOTATION_DOCUMENT>',
  ].join('\n');
}

const slotsOf = (...slots: [string, number | null][]): string =>
  `<TIME_ORDER>${slots.map(([id, value]) => (value === null ? `<TIME_SLOT TIME_SLOT_ID="${id}"/>` : `<TIME_SLOT TIME_SLOT_ID="${id}" TIME_VALUE="${value}"/>`)).join('')}</TIME_ORDER>`;
const aligned = (id: string, from: string, to: string, value: string): string =>
  `<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="${id}" TIME_SLOT_REF1="${from}" TIME_SLOT_REF2="${to}"><ANNOTATION_VALUE>${value}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>`;
const referring = (id: string, parent: string, value: string, previous?: string): string =>
  `<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="${id}" ANNOTATION_REF="${parent}"${previous === undefined ? '' : ` PREVIOUS_ANNOTATION="${previous}"`}><ANNOTATION_VALUE>${value}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>`;
const tierOf = (attributes: string, ...annotations: string[]): string => `<TIER ${attributes} LINGUISTIC_TYPE_REF="lt">${annotations.join('')}</TIER>`;

/** Label, start and end of each record: enough where only the times or names are under test. */
const spans = (found: ParsedRecord[]) => found.map(({ label, start, end }) => [label, start, end]);
/** `line` and `path` (`line:column <element>`) of the first `needle` (a start tag) in `text`. */
function placeOf(text: string, needle: string): { line: number; path: string } {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  const line = before.length;
  return { line, path: `${line}:${before[line - 1]!.length + 1} <${/^<([A-Z_]+)/.exec(needle)![1]}>` };
}

describe('elanAdapter.detect', () => {
  it.each([
    ['an EAF file', fixture('two-annotators.eaf'), true],
    ['an EAF 2.8 file', fixture('eaf-2.8-audio.eaf'), true],
    ['a root after comments and a processing instruction', '<!-- exported --><?elan x?>\n<ANNOTATION_DOCUMENT>', true],
    ['a root after a DOCTYPE (read then refuses it)', '<!DOCTYPE ANNOTATION_DOCUMENT [<!ENTITY x "y">]><ANNOTATION_DOCUMENT/>', true],
    ['CVAT XML', '<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>', false],
    ['a prefix of the root name', '<ANNOTATION_DOCUMENTS>', false],
    ['a head that ends in a comment', '<?xml version="1.0"?><!-- ANNOTATION_DOCUMENT', false],
    ['JSON', '[{"id": 1}]', false],
    ['CSV', 'item,annotator,label\n', false],
  ])('%s', (_name, head, expected) => {
    expect(elanAdapter.detect(head)).toBe(expected);
  });

  it('names the root element', () => {
    expect(xmlRootName('\n  <?xml version="1.0"?>\n<!-- c --><annotations>')).toBe('annotations');
    expect(xmlRootName('<!DOCTYPE x')).toBeNull();
  });
});

describe('elanAdapter.read: the FORMATS.md file (two annotator tiers, slots out of order)', () => {
  const expected = records(
    [
      ['a1', 'gesture@coder_a', 'coder_a', 'gesture', 'point', 1, 2.4, 23],
      ['a2', 'gesture@coder_a', 'coder_a', 'gesture', 'beat', 3.1, 4.8, 28],
      ['a3', 'gesture@coder_a', 'coder_a', 'gesture', 'point', 6, 6.5, 33],
      ['a4', 'gesture@coder_b', 'coder_b', 'gesture', 'point', 1.15, 2.3, 40],
      ['a5', 'gesture@coder_b', 'coder_b', 'gesture', 'iconic', 3.6, 5.2, 45],
    ],
    { file: 'two-annotators.eaf' },
  );

  it('gives one interval record per annotation, in seconds, with its provenance', async () => {
    const { records: found, issues } = await readAll(fixture('two-annotators.eaf'), { fileName: 'two-annotators.eaf' });
    expect(issues).toEqual([]);
    expect(found).toEqual(expected);
  });

  it.each([1, 7, 4096])('gives the same records whatever the chunk size (%i bytes)', async (size) => {
    const { records: found } = await readAll(fixture('two-annotators.eaf'), { fileName: 'two-annotators.eaf' }, size);
    expect(found).toEqual(expected);
  });

  it('takes the modality for a dimension from options.modalities', async () => {
    const { records: found } = await readAll(fixture('two-annotators.eaf'), { modalities: { gesture: 'sensor' } });
    expect(found.map((record) => record.modality)).toEqual(['sensor', 'sensor', 'sensor', 'sensor', 'sensor']);
  });
});

describe('elanAdapter.read: unaligned time slots', () => {
  it('interpolates along each tier chain: one slot halfway, a run of them evenly, shared slots keep their first time', async () => {
    const { records: found, issues } = await readAll(fixture('unaligned.eaf'));
    expect(issues).toEqual([]);
    expect(found).toEqual(
      records([
        // ts2 has no TIME_VALUE: halfway between ts1 (1000) and ts3 (3100) on gesture@coder_a's chain.
        ['a1', 'gesture@coder_a', 'coder_a', 'gesture', 'point', 1, 2.05, 26],
        ['a2', 'gesture@coder_a', 'coder_a', 'gesture', 'beat', 3.1, 4.8, 31],
        ['a3', 'gesture@coder_a', 'coder_a', 'gesture', 'point', 6, 6.5, 36],
        ['a4', 'gesture@coder_b', 'coder_b', 'gesture', 'point', 1.15, 2.3, 43],
        ['a5', 'gesture@coder_b', 'coder_b', 'gesture', 'iconic', 3.6, 5.2, 48],
        // ts11, ts12: thirds between ts1 (1000) and ts2, which keeps its interpolated 2050.
        ['a6', 'phase@coder_a', 'coder_a', 'phase', 'preparation', 1, 1.35, 55],
        ['a7', 'phase@coder_a', 'coder_a', 'phase', 'stroke', 1.35, 1.7, 60],
        ['a8', 'phase@coder_a', 'coder_a', 'phase', 'retraction', 1.7, 2.05, 65],
        // ts13: halfway between ts5 (1150) and ts6 (2300).
        ['a9', 'phase@coder_b', 'coder_b', 'phase', 'preparation', 1.15, 1.725, 72],
        ['a10', 'phase@coder_b', 'coder_b', 'phase', 'stroke', 1.725, 2.3, 77],
      ]),
    );
  });

  it('interpolates on the order the annotations use the slots, not the slot ids', async () => {
    const text = eaf(
      slotsOf(['ts9', 0], ['ts1', null], ['ts5', null], ['ts2', 3000]) +
        tierOf('TIER_ID="gesture@ann"', aligned('a1', 'ts9', 'ts5', 'x'), aligned('a2', 'ts5', 'ts1', 'y'), aligned('a3', 'ts1', 'ts2', 'z')),
    );
    const { records: found, issues } = await readAll(text);
    expect(issues).toEqual([]);
    expect(spans(found)).toEqual([
      ['x', 0, 1],
      ['y', 1, 2],
      ['z', 2, 3],
    ]);
  });
});

describe('elanAdapter.read: REF annotations', () => {
  it('inherits times through chains, splits a symbolic subdivision in PREVIOUS_ANNOTATION order, and waits for later parents', async () => {
    const { records: found, issues } = await readAll(fixture('ref-annotations.eaf'));
    expect(issues).toEqual([]);
    expect(found).toEqual(
      records([
        ['a1', 'gesture@coder_a', 'coder_a', 'gesture', 'point', 1, 2.4, 23],
        ['a2', 'gesture@coder_a', 'coder_a', 'gesture', 'beat', 3.1, 4.8, 28],
        ['a3', 'gesture@coder_a', 'coder_a', 'gesture', 'point', 6, 6.5, 33],
        ['a6', 'referent@coder_a', 'coder_a', 'referent', 'door', 1, 2.4, 40],
        ['a7', 'referent@coder_a', 'coder_a', 'referent', 'none', 3.1, 4.8, 45],
        ['a8', 'referent@coder_a', 'coder_a', 'referent', 'door', 6, 6.5, 50],
        // Written a12 (PREVIOUS_ANNOTATION a11) then a11: ordered a11, a12, each half of a1.
        ['a11', 'handshape@coder_a', 'coder_a', 'handshape', 'index', 1, 1.7, 62],
        ['a12', 'handshape@coder_a', 'coder_a', 'handshape', 'flat', 1.7, 2.4, 57],
        // certainty → referent → gesture.
        ['a13', 'certainty@coder_a', 'coder_a', 'certainty', 'sure', 1, 2.4, 69],
        ['a14', 'certainty@coder_a', 'coder_a', 'certainty', 'unsure', 6, 6.5, 74],
        // referent@coder_b comes before gesture@coder_b: each REF is emitted once its parent is read.
        ['a4', 'gesture@coder_b', 'coder_b', 'gesture', 'point', 1.15, 2.3, 93],
        ['a9', 'referent@coder_b', 'coder_b', 'referent', 'door', 1.15, 2.3, 81],
        ['a5', 'gesture@coder_b', 'coder_b', 'gesture', 'iconic', 3.6, 5.2, 98],
        ['a10', 'referent@coder_b', 'coder_b', 'referent', 'window', 3.6, 5.2, 86],
      ]),
    );
  });

  const body = slotsOf(['ts1', 1000], ['ts2', 2000], ['ts3', 3000]) + tierOf('TIER_ID="word@ann"', aligned('a1', 'ts1', 'ts2', 'w1'), aligned('a2', 'ts2', 'ts3', 'w2'));

  it('rejects the REF annotations of one parent that are not next to each other in their tier', async () => {
    const text = eaf(body + tierOf('TIER_ID="morph@ann"', referring('a3', 'a1', 'm1'), referring('a4', 'a2', 'm2'), referring('a5', 'a1', 'm3', 'a3')));
    const { records: found, issues } = await readAll(text);
    expect(spans(found)).toEqual([
      ['w1', 1, 2],
      ['w2', 2, 3],
      ['m1', 1, 2],
      ['m2', 2, 3],
    ]);
    expect(issues).toEqual([
      {
        ...placeOf(text, '<REF_ANNOTATION ANNOTATION_ID="a5"'),
        field: 'ANNOTATION_REF',
        message: '"a5" refers to "a1", whose other REF annotations on tier "morph@ann" are not next to it',
      },
    ]);
  });

  it('rejects subdivisions that do not form one PREVIOUS_ANNOTATION chain', async () => {
    const text = eaf(body + tierOf('TIER_ID="morph@ann"', referring('a3', 'a1', 'm1'), referring('a4', 'a1', 'm2', 'a9')));
    const { records: found, issues } = await readAll(text);
    expect(found.map((record) => record.label)).toEqual(['w1', 'w2']);
    expect(issues).toEqual([
      {
        ...placeOf(text, '<REF_ANNOTATION ANNOTATION_ID="a3"'),
        field: 'PREVIOUS_ANNOTATION',
        message: 'the REF annotations on "a1" in tier "morph@ann" (a3, a4) do not form one PREVIOUS_ANNOTATION chain starting at one without PREVIOUS_ANNOTATION',
      },
    ]);
  });

  it('rejects references in a cycle, naming both ids', async () => {
    const text = eaf(body + tierOf('TIER_ID="morph@ann"', referring('a3', 'a4', 'm1')) + tierOf('TIER_ID="gloss@ann"', referring('a4', 'a3', 'g1')));
    const { issues } = await readAll(text);
    expect(issues.map((issue) => issue.message)).toEqual([
      '"a3" refers to "a4", whose interval never resolves (the references form a cycle)',
      '"a4" refers to "a3", whose interval never resolves (the references form a cycle)',
    ]);
  });

  it(`refuses more than ${MAX_WAITING_ANNOTATIONS} annotations waiting for later parents`, async () => {
    const waiting = Array.from({ length: MAX_WAITING_ANNOTATIONS + 1 }, (_, index) => referring(`r${index}`, `p${index}`, 'x')).join('\n');
    const text = eaf(slotsOf(['ts1', 0]) + `\n<TIER TIER_ID="gloss@ann" LINGUISTIC_TYPE_REF="lt">\n${waiting}\n</TIER>`);
    const { records: found, issues } = await readAll(text, {}, 1 << 20);
    expect(found).toEqual([]);
    expect(issues).toEqual([
      {
        line: MAX_WAITING_ANNOTATIONS + 6,
        path: `${MAX_WAITING_ANNOTATIONS + 6}:13 <REF_ANNOTATION>`,
        message: `more than ${MAX_WAITING_ANNOTATIONS} annotations wait at once for a later aligned time slot or a later parent annotation`,
      },
    ]);
  }, 60_000);
});

describe('elanAdapter.read: annotators', () => {
  it('reads one file per annotator with identical tier ids, the annotator given by the upload', async () => {
    const a = await readAll(fixture('coder_a.eaf'), { annotator: 'coder_a', fileName: 'coder_a.eaf' });
    const b = await readAll(fixture('coder_b.eaf'), { annotator: 'coder_b', fileName: 'coder_b.eaf' });
    expect([...a.issues, ...b.issues]).toEqual([]);
    expect(a.records).toEqual(
      records(
        [
          ['a1', 'gesture', 'coder_a', 'gesture', 'point', 1, 2.4, 19],
          ['a2', 'gesture', 'coder_a', 'gesture', 'beat', 3.1, 4.8, 24],
          ['a3', 'gesture', 'coder_a', 'gesture', 'point', 6, 6.5, 29],
          ['a4', 'referent', 'coder_a', 'referent', 'door', 1, 2.4, 36],
          ['a5', 'referent', 'coder_a', 'referent', 'door', 6, 6.5, 41],
        ],
        { file: 'coder_a.eaf' },
      ),
    );
    expect(b.records).toEqual(
      records(
        [
          ['a1', 'gesture', 'coder_b', 'gesture', 'point', 1.15, 2.3, 17],
          ['a2', 'gesture', 'coder_b', 'gesture', 'iconic', 3.6, 5.2, 22],
          ['a3', 'referent', 'coder_b', 'referent', 'door', 1.15, 2.3, 29],
          ['a4', 'referent', 'coder_b', 'referent', 'window', 3.6, 5.2, 34],
        ],
        { file: 'coder_b.eaf' },
      ),
    );
  });

  it('names each tier that gives no annotator when none is given for the file', async () => {
    const { records: found, issues } = await readAll(fixture('coder_a.eaf'));
    expect(found).toEqual([]);
    const message = (tier: string) =>
      `tier "${tier}" names no annotator: it has no ANNOTATOR attribute, its id does not match the tier pattern ^(?<dimension>.+)@(?<annotator>.+)$, and no annotator was given for the file`;
    expect(issues).toEqual([
      { line: 17, path: '17:3 <TIER>', message: message('gesture') },
      { line: 34, path: '34:3 <TIER>', message: message('referent') },
    ]);
  });

  const slots = slotsOf(['ts1', 0], ['ts2', 1000]);

  it('takes the ANNOTATOR attribute over the pattern, the pattern over the file annotator, and the dimension from the pattern', async () => {
    const text = eaf(
      slots +
        tierOf('TIER_ID="gesture@coder_a" ANNOTATOR="Ana Silva"', aligned('a1', 'ts1', 'ts2', 'point')) +
        tierOf('TIER_ID="gesture@coder_b"', aligned('a2', 'ts1', 'ts2', 'beat')) +
        tierOf('TIER_ID="gesture" ANNOTATOR="coder_c"', aligned('a3', 'ts1', 'ts2', 'beat')) +
        tierOf('TIER_ID="speech"', aligned('a4', 'ts1', 'ts2', 'yes')),
    );
    const { records: found, issues } = await readAll(text, { annotator: 'uploader' });
    expect(issues).toEqual([]);
    expect(found.map(({ annotator, dimension, provenance }) => [provenance?.tier, annotator, dimension])).toEqual([
      ['gesture@coder_a', 'Ana Silva', 'gesture'],
      ['gesture@coder_b', 'coder_b', 'gesture'],
      ['gesture', 'coder_c', 'gesture'],
      ['speech', 'uploader', 'speech'],
    ]);
  });

  it('reads dimension and annotator with a configured tier pattern', async () => {
    const text = eaf(slots + tierOf('TIER_ID="R2_emotion"', aligned('a1', 'ts1', 'ts2', 'happy')));
    const { records: found } = await readAll(text, { tierPattern: '^R(?<annotator>\\d+)_(?<dimension>.+)$' });
    expect(found.map(({ annotator, dimension }) => [annotator, dimension])).toEqual([['2', 'emotion']]);
  });

  it.each([
    ['not a regular expression', '(?<dimension>', 'is not a valid regular expression: Invalid regular expression: /(?<dimension>/: Unterminated group'],
    ['without named groups', '^(.+)@(.+)$', '^(.+)@(.+)$ names neither a (?<dimension>…) nor an (?<annotator>…) group'],
  ])('refuses a tier pattern %s before reading', async (_name, tierPattern, message) => {
    expect(await readAll(eaf(slots), { tierPattern })).toEqual({ records: [], issues: [{ field: 'tierPattern', message }] });
  });

  it('rejects two tiers that give the same dimension and annotator, and a TIER_ID used twice', async () => {
    const text = eaf(
      slots +
        '\n' +
        tierOf('TIER_ID="gesture@coder_a"', aligned('a1', 'ts1', 'ts2', 'point')) +
        '\n' +
        tierOf('TIER_ID="gesture" ANNOTATOR="coder_a"', aligned('a2', 'ts1', 'ts2', 'beat')) +
        '\n' +
        tierOf('TIER_ID="gesture"', aligned('a3', 'ts1', 'ts2', 'beat')),
    );
    const { records: found, issues } = await readAll(text, { annotator: 'coder_b' });
    expect(found.map((record) => record.provenance?.annotation)).toEqual(['a1']);
    expect(issues).toEqual([
      { line: 6, path: '6:1 <TIER>', message: 'tier "gesture" gives dimension "gesture" and annotator "coder_a", as tier "gesture@coder_a" does' },
      { line: 7, path: '7:1 <TIER>', message: 'TIER_ID "gesture" is used by an earlier tier too' },
    ]);
  });

  it('does not ask an empty tier for an annotator (ELAN files often keep an empty "default" tier)', async () => {
    const { records: found, issues } = await readAll(fixture('eaf-2.8-audio.eaf'));
    expect(issues).toEqual([]);
    expect(found).toHaveLength(4);
  });
});

describe('elanAdapter.read: EAF 2.8, audio, media and labels', () => {
  it('reads an EAF 2.8 audio file: modality audio, times shifted by TIME_ORIGIN, multilingual vocabulary', async () => {
    const { records: found, issues } = await readAll(fixture('eaf-2.8-audio.eaf'));
    expect(issues).toEqual([]);
    const row = (annotation: string, annotator: string, label: string, start: number, end: number, line: number) => ({
      item: 'interview 03.wav',
      annotator,
      modality: 'audio',
      dimension: 'speech',
      label,
      value: null,
      start,
      end,
      frame: null,
      box: null,
      line,
      path: `${line}:13 <ALIGNABLE_ANNOTATION>`,
      provenance: { tier: `speech@${annotator}`, annotation },
    });
    expect(found).toEqual([
      row('a1', 'rater1', 'speech', 0.25, 1.45, 19),
      row('a2', 'rater1', 'laughter', 1.45, 2.15, 24),
      row('a3', 'rater2', 'speech', 0.35, 1.5, 31),
      row('a4', 'rater2', 'gelach', 1.5, 2.25, 36),
    ]);
  });

  const body = slotsOf(['ts1', 0], ['ts2', 1000]) + tierOf('TIER_ID="gesture@a"', aligned('a1', 'ts1', 'ts2', 'point'));

  it('names the item after the file when no media is linked, and refuses when there is neither', async () => {
    const text = eaf(body, { media: '' });
    expect((await readAll(text, { fileName: 'uploads/clip_9.eaf' })).records[0]?.item).toBe('clip_9.eaf');
    expect((await readAll(text)).issues).toEqual([{ message: 'no MEDIA_DESCRIPTOR names the media file and no file name was given, so nothing names the item' }]);
  });

  it('trims labels and reads an empty value as label null', async () => {
    const text = eaf(
      slotsOf(['ts1', 0], ['ts2', 1000], ['ts3', 2000]) +
        tierOf('TIER_ID="speech@a"', aligned('a1', 'ts1', 'ts2', '\n   yes &amp; no\t\n'), aligned('a2', 'ts2', 'ts3', '  ')),
    );
    expect(spans((await readAll(text)).records)).toEqual([
      ['yes & no', 0, 1],
      [null, 1, 2],
    ]);
  });

  it(`rejects a label longer than ${INGEST_LIMITS.maxNameLength} characters, but not one padded with whitespace`, async () => {
    const long = 'x'.repeat(INGEST_LIMITS.maxNameLength + 1);
    const padded = `${' '.repeat(3000)}${'y'.repeat(INGEST_LIMITS.maxNameLength)}${' '.repeat(3000)}`;
    const text = eaf(slotsOf(['ts1', 0], ['ts2', 1000], ['ts3', 2000]) + '\n' + tierOf('TIER_ID="speech@a"', aligned('a1', 'ts1', 'ts2', long), aligned('a2', 'ts2', 'ts3', padded)));
    const { records: found, issues } = await readAll(text);
    expect(found.map((record) => record.label)).toEqual(['y'.repeat(INGEST_LIMITS.maxNameLength)]);
    expect(issues).toEqual([
      { ...placeOf(text, '<ANNOTATION_VALUE>'), field: 'ANNOTATION_VALUE', message: `is longer than ${INGEST_LIMITS.maxNameLength} characters` },
    ]);
  });

  it('checks labels against an EAF 2.7 CV_ENTRY vocabulary, skips an external one, and names an undefined linguistic type', async () => {
    const text = eaf(
      slotsOf(['ts1', 0], ['ts2', 1000]) +
        '\n' +
        '<TIER TIER_ID="old@a" LINGUISTIC_TYPE_REF="old-lt">' + aligned('a1', 'ts1', 'ts2', 'maybe') + '</TIER>\n' +
        '<TIER TIER_ID="ext@a" LINGUISTIC_TYPE_REF="ext-lt">' + aligned('a2', 'ts1', 'ts2', 'anything') + '</TIER>\n' +
        '<TIER TIER_ID="lost@a" LINGUISTIC_TYPE_REF="nowhere">' + aligned('a3', 'ts1', 'ts2', 'x') + '</TIER>',
      {
        tail: [
          '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="old-lt" TIME_ALIGNABLE="true" CONTROLLED_VOCABULARY_REF="yes-no"/>',
          '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="ext-lt" TIME_ALIGNABLE="true" CONTROLLED_VOCABULARY_REF="ecv"/>',
          '<CONTROLLED_VOCABULARY CV_ID="yes-no" DESCRIPTION="answers"><CV_ENTRY DESCRIPTION="">yes</CV_ENTRY><CV_ENTRY DESCRIPTION="">no</CV_ENTRY></CONTROLLED_VOCABULARY>',
          '<CONTROLLED_VOCABULARY CV_ID="ecv" EXT_REF="er1"/>',
        ].join('\n'),
      },
    );
    const { records: found, issues } = await readAll(text);
    expect(found).toHaveLength(3);
    expect(issues).toEqual([
      {
        ...placeOf(text, '<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1"'),
        field: 'ANNOTATION_VALUE',
        message: '"maybe" (tier "old@a") is not in controlled vocabulary "yes-no": "yes", "no"',
      },
      { ...placeOf(text, '<TIER TIER_ID="lost@a"'), field: 'LINGUISTIC_TYPE_REF', message: 'names "nowhere", which no LINGUISTIC_TYPE defines' },
    ]);
  });

  it('keeps numbered and other ids apart, and a far-off slot number costs no memory', async () => {
    const text = eaf(
      slotsOf(['ts999999999', 0], ['start', 500], ['ts1', 1000]) +
        tierOf('TIER_ID="gesture@a"', aligned('a999999999', 'ts999999999', 'start', 'x'), aligned('first', 'start', 'ts1', 'y')) +
        tierOf('TIER_ID="gloss@a"', referring('a1', 'a999999999', 'gx'), referring('a2', 'first', 'gy')),
    );
    const { records: found, issues } = await readAll(text);
    expect(issues).toEqual([]);
    expect(spans(found)).toEqual([
      ['x', 0, 0.5],
      ['y', 0.5, 1],
      ['gx', 0, 0.5],
      ['gy', 0.5, 1],
    ]);
  });
});

describe('elanAdapter.read: malformed files', () => {
  it('fails the annotations on a slot with a bad TIME_VALUE without a second message, and names an annotation outside a tier', async () => {
    const text = eaf(
      slotsOf(['ts1', 0], ['ts2', 1000]).replace('<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="1000"/>', '\n<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="1e3"/>\n') +
        tierOf('TIER_ID="gesture@a"', aligned('a1', 'ts1', 'ts2', 'point')) +
        '\n<ANNOTATION_DOCUMENT_PART>' + aligned('a2', 'ts1', 'ts2', 'beat') + '</ANNOTATION_DOCUMENT_PART>',
    );
    const { records: found, issues } = await readAll(text);
    expect(found).toEqual([]);
    expect(issues).toEqual([
      { ...placeOf(text, '<TIME_SLOT TIME_SLOT_ID="ts2"'), field: 'TIME_VALUE', message: '"1e3" is not a whole number of milliseconds ≥ 0' },
      { ...placeOf(text, '<ALIGNABLE_ANNOTATION ANNOTATION_ID="a2"'), message: 'an annotation outside a <TIER> belongs to no tier, so it has no dimension or annotator' },
    ]);
  });

  it('collects every problem with its line:column, element and attribute, and still emits the good records', async () => {
    const { records: found, issues } = await readAll(fixture('malformed/errors.eaf'));
    expect(found).toEqual([
      expect.objectContaining({ annotator: 'coder_b', label: 'pointing', start: 1, end: 2.4, provenance: { tier: 'gesture@coder_b', annotation: 'a6' } }),
    ]);
    expect(issues).toEqual([
      { line: 13, path: '13:5 <TIME_SLOT>', field: 'TIME_VALUE', message: '"12.5" is not a whole number of milliseconds ≥ 0' },
      { line: 17, path: '17:5 <TIME_SLOT>', field: 'TIME_SLOT_ID', message: '"ts1" is defined twice' },
      { line: 21, path: '21:7 <ALIGNABLE_ANNOTATION>', field: 'TIME_SLOT_REF1', message: 'is missing or empty' },
      { line: 26, path: '26:7 <ALIGNABLE_ANNOTATION>', field: 'TIME_SLOT_REF2', message: 'names TIME_SLOT "ts99", which TIME_ORDER does not define' },
      { line: 31, path: '31:7 <ALIGNABLE_ANNOTATION>', field: 'TIME_SLOT_REF2', message: '"a3" ends at 2900 ms (ts4), not after its start at 3100 ms (ts3)' },
      {
        line: 36,
        path: '36:7 <ALIGNABLE_ANNOTATION>',
        message: 'TIME_SLOT "ts6" has no TIME_VALUE and no aligned slot after it on tier "gesture@coder_a", so its time cannot be interpolated',
      },
      {
        line: 43,
        path: '43:7 <ALIGNABLE_ANNOTATION>',
        message: 'TIME_SLOT "ts7" has no TIME_VALUE and no aligned slot before it on tier "gesture@coder_b", so its time cannot be interpolated',
      },
      {
        line: 48,
        path: '48:7 <ALIGNABLE_ANNOTATION>',
        field: 'ANNOTATION_VALUE',
        message: '"pointing" (tier "gesture@coder_b") is not in controlled vocabulary "gesture-cv": "point", "beat", "iconic"',
      },
      { line: 53, path: '53:7 <ALIGNABLE_ANNOTATION>', field: 'ANNOTATION_ID', message: '"a6" is used twice' },
      {
        line: 58,
        path: '58:3 <TIER>',
        message:
          'tier "notes" names no annotator: it has no ANNOTATOR attribute, its id does not match the tier pattern ^(?<dimension>.+)@(?<annotator>.+)$, and no annotator was given for the file',
      },
      { line: 67, path: '67:7 <REF_ANNOTATION>', field: 'ANNOTATION_REF', message: '"a8" refers to "a99", which is not an annotation in this file' },
    ]);
  });

  it.each([
    // The XML-level messages and columns are xml-reader's: only their line and gist are pinned here.
    ['truncated XML', 'malformed/truncated.eaf', [expect.objectContaining({ line: 26, message: expect.stringContaining('unclosed tag: ANNOTATION') })]],
    ['a DOCTYPE', 'malformed/doctype.eaf', [expect.objectContaining({ line: 2, message: expect.stringMatching(/^XML: a DOCTYPE is not accepted/) })]],
    [
      'TIME_UNITS other than milliseconds',
      'malformed/pal-frames.eaf',
      [{ line: 5, path: '5:3 <HEADER>', field: 'TIME_UNITS', message: 'is "PAL-frames"; only "milliseconds" is read (ELAN itself writes nothing else)' }],
    ],
  ])('stops at %s', async (_name, file, expected) => {
    const { issues } = await readAll(fixture(file));
    expect(issues).toEqual(expected);
  });

  it('refuses XML whose root is not ANNOTATION_DOCUMENT', async () => {
    const { issues } = await readAll('<?xml version="1.0"?>\n<annotations><version>1.1</version></annotations>');
    expect(issues).toEqual([{ line: 2, path: '2:1 <annotations>', message: 'the root element is <annotations>, not <ANNOTATION_DOCUMENT>: this is not an ELAN EAF file' }]);
  });
});

describe('generateEaf (benchmark input)', () => {
  it('produces a valid export: every annotation becomes a record, unaligned slots and REF tiers included', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of generateEaf({ annotationsPerTier: 200, annotators: 3, seed: 5, unalignedEvery: 7, referenceTiers: true, chunkBytes: 4096 })) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    const { records: found, issues } = await readAll(text, {}, 4096);
    expect(issues).toEqual([]);
    expect(found).toHaveLength(3 * 200 * 2);
    expect(new Set(found.map((record) => `${record.annotator}/${record.dimension}`))).toEqual(
      new Set(['coder_1/gesture', 'coder_1/referent', 'coder_2/gesture', 'coder_2/referent', 'coder_3/gesture', 'coder_3/referent']),
    );
    const again: Buffer[] = [];
    for await (const chunk of generateEaf({ annotationsPerTier: 200, annotators: 3, seed: 5, unalignedEvery: 7, referenceTiers: true })) again.push(chunk);
    expect(Buffer.concat(again).toString('utf8')).toBe(text);
  });
});
