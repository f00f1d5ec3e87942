import { SaxesParser } from 'saxes';
import { parseCsv } from '../../test/helpers/csv-parse';
import { CSV_COLUMNS, csvField, csvReport } from './csv-report.writer';
import type { ReportHead } from './dto/report.response';
import { escapeHtml, htmlReport } from './html-report.writer';
import { jsonReport } from './json-report.writer';
import type { RedeliveryKey, ReportFlagRow, ReportSource } from './report.types';

const HEAD: ReportHead = {
  id: '0123456789abcdef0123456789abcdef',
  batch: {
    id: '11111111-1111-4111-8111-111111111111',
    projectId: '22222222-2222-4222-8222-222222222222',
    vendor: 'acme <&> "co"',
    fileName: 'export.csv',
    createdAt: '2026-11-27T01:00:00.000Z',
    replaces: null,
  },
  policyVersion: 3,
  evaluatedAt: '2026-11-27T01:05:00.000Z',
  verdict: 'fail',
  reasons: [
    {
      rule: 'minAlpha',
      passed: false,
      modality: 'text',
      dimension: 'sentiment',
      subject: null,
      threshold: 0.667,
      measured: 0.41,
      message: 'alpha 0.410 < 0.667',
    },
  ],
  results: [
    {
      modality: 'text',
      dimension: 'sentiment',
      shape: 'categorical',
      level: 'nominal',
      alpha: 0.41,
      ci: { lower: 0.3, upper: 0.52, confidence: 0.95 },
      meanIoU: null,
      f1: null,
      items: 3,
      annotators: 3,
      undefinedReasons: {},
    },
  ],
  annotators: [
    {
      annotator: 'ann-a',
      judgements: 3,
      flags: 2,
      dimensions: [
        {
          modality: 'text',
          dimension: 'sentiment',
          judgements: 3,
          dropOneAlpha: 0.6,
          dropOneChange: 0.19,
          meanPairwiseAlpha: 0.3,
          meanIoU: null,
          meanF1: null,
          goldAccuracy: null,
        },
      ],
    },
  ],
  flags: { total: 4, flaggedItems: 2, byCode: { LABEL_CONFLICT: 2, OUTLIER_ANNOTATOR: 1, TEMPORAL_MISALIGNMENT: 1 } },
  redelivery: null,
};

function flag(overrides: Partial<ReportFlagRow>): ReportFlagRow {
  return {
    key: 'k',
    code: 'LABEL_CONFLICT',
    severity: 'medium',
    item: 'item-1',
    modality: 'text',
    dimension: 'sentiment',
    annotators: ['ann-a', 'ann-b'],
    start: null,
    end: null,
    message: 'Annotators disagree.',
    evidenceJson: '{"votes":{"neg":1,"pos":2}}',
    status: 'open',
    change: null,
    ...overrides,
  };
}

/** Batch-wide first, then by item; names and messages with every character CSV and markup care about. */
const FLAGS: ReportFlagRow[] = [
  flag({ key: 'o', code: 'OUTLIER_ANNOTATOR', severity: 'high', item: null, annotators: ['ann-a'], message: 'ann-a lowers alpha' }),
  flag({ key: 'a', item: 'clip "1", part <a> & b\r\nnext', message: 'quote " comma , newline \n end', evidenceJson: '{"votes":{"a,b":2,"\\"q\\"":1}}' }),
  flag({ key: 'b', item: 'clip "1", part <a> & b\r\nnext', code: 'TEMPORAL_MISALIGNMENT', modality: 'audio', dimension: 'speech', start: 1.25, end: 3.5 }),
  flag({ key: 'c', item: 'ctrl\u0001char', annotators: ['x;y', 'z'], status: 'dismissed', message: '=SUM(A1) stays as it is' }),
];

async function* pages<T>(items: readonly T[], size = 2): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function source(overrides: Partial<ReportSource> = {}): ReportSource {
  return { head: HEAD, flags: pages(FLAGS), resolved: pages([]), redeliveryKeys: pages<RedeliveryKey>([]), ...overrides };
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

/** Parses XHTML strictly (well-formedness errors throw) and returns the text of every element with `tag`. */
function parseXhtml(markup: string): { texts: (tag: string) => string[] } {
  const parser = new SaxesParser({ xmlns: true });
  const found: Array<{ tag: string; text: string }> = [];
  const open: Array<{ tag: string; text: string }> = [];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (node) => open.push({ tag: node.local, text: '' }));
  parser.on('text', (value) => {
    for (const element of open) element.text += value;
  });
  parser.on('closetag', () => found.push(open.pop()!));
  parser.write(markup).close();
  return { texts: (tag) => found.filter((element) => element.tag === tag).map((element) => element.text) };
}

describe('csvField', () => {
  it.each<[string | number | null, string]>([
    [null, ''],
    ['plain', 'plain'],
    [1.25, '1.25'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\r', '"cr\r"'],
  ])('%p → %p', (value, expected) => expect(csvField(value)).toBe(expected));
});

describe('csvReport', () => {
  it('writes a header and one CRLF row per flag that parse back to the same values', async () => {
    const csv = await text(csvReport(source()));
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(FLAGS.length);
    rows.forEach((row, index) => {
      const record = Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, row[i]]));
      const expected = FLAGS[index]!;
      expect(record).toEqual({
        report_id: HEAD.id,
        batch_id: HEAD.batch.id,
        item: expected.item ?? '',
        code: expected.code,
        severity: expected.severity,
        modality: expected.modality ?? '',
        dimension: expected.dimension ?? '',
        annotators: JSON.stringify(expected.annotators),
        start_s: expected.start === null ? '' : String(expected.start),
        end_s: expected.end === null ? '' : String(expected.end),
        message: expected.message,
        evidence: expected.evidenceJson,
        status: expected.status,
        change: '',
      });
      expect(JSON.parse(record.annotators!)).toEqual(expected.annotators);
    });
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('reads the flags lazily: the header and first page leave before the source is drained', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<ReportFlagRow[]> {
      for (;;) {
        pulled += 1;
        yield [flag({ key: String(pulled) })];
      }
    }
    const writer = csvReport({ head: HEAD, flags: endless() });
    expect((await writer.next()).value).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    expect(pulled).toBe(0);
    await writer.next();
    await writer.next();
    expect(pulled).toBe(2);
    await writer.return(undefined);
  });
});

describe('jsonReport', () => {
  it('is one JSON document: the head, then the flags grouped by item in order', async () => {
    const body = JSON.parse(await text(jsonReport(source())));
    expect(body).toMatchObject({ id: HEAD.id, verdict: 'fail', redelivery: null, reasons: HEAD.reasons, results: HEAD.results });
    expect(body.items.map((group: { item: string | null }) => group.item)).toEqual([null, FLAGS[1]!.item, 'ctrl\u0001char']);
    expect(body.items.flatMap((group: { flags: unknown[] }) => group.flags)).toEqual(
      FLAGS.map(({ evidenceJson, ...rest }) => ({ ...rest, evidence: JSON.parse(evidenceJson) })),
    );
  });

  it('has an empty item list without flags', async () => {
    const body = JSON.parse(await text(jsonReport(source({ flags: pages([]) }))));
    expect(body.items).toEqual([]);
  });

  it('lists a re-delivery\'s keys by change, every list present even when empty', async () => {
    const redelivery = { replaces: '33333333-3333-4333-8333-333333333333', previousVerdict: 'fail' as const, counts: { resolved: 2, remaining: 0, new: 1 }, rules: [] };
    const keys: RedeliveryKey[] = [
      { key: 'r1', change: 'resolved' },
      { key: 'r2', change: 'resolved' },
      { key: 'n1', change: 'new' },
    ];
    const body = JSON.parse(await text(jsonReport(source({ head: { ...HEAD, redelivery }, redeliveryKeys: pages(keys, 1) }))));
    expect(body.redelivery).toEqual({ ...redelivery, flags: { resolved: ['r1', 'r2'], remaining: [], new: ['n1'] } });
    const none = JSON.parse(await text(jsonReport(source({ head: { ...HEAD, redelivery } }))));
    expect(none.redelivery.flags).toEqual({ resolved: [], remaining: [], new: [] });
  });
});

describe('htmlReport', () => {
  it('is well-formed XHTML with every flagged item, message, evidence and span, and no external asset', async () => {
    const html = await text(htmlReport(source()));
    expect(html.startsWith('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"')).toBe(true);
    const document = parseXhtml(html);
    const headings = document.texts('th');
    expect(headings).toContain('Batch-wide');
    expect(headings).toContain(`Item ${FLAGS[1]!.item!.replace(/\r\n/, '\n')}`);
    expect(headings).toContain('Item ctrl\uFFFDchar');
    const cells = document.texts('td');
    expect(cells).toContain(FLAGS[1]!.message);
    expect(cells).toContain('1.250–3.500 s');
    expect(document.texts('code')).toContain(FLAGS[1]!.evidenceJson);
    expect(cells).toContain('minAlpha');
    expect(document.texts('dd')).toContain('acme <&> "co"');
    expect(html).not.toMatch(/<(script|link|img)\b|src=|href=/);
    expect(html).toContain('@media print');
  });

  it('shows a re-delivery: rule movement and the resolved flags', async () => {
    const redelivery = {
      replaces: '33333333-3333-4333-8333-333333333333',
      previousVerdict: 'fail' as const,
      counts: { resolved: 1, remaining: 0, new: 4 },
      rules: [
        { rule: 'minAlpha' as const, modality: 'text', dimension: 'sentiment', subject: null, threshold: 0.667, before: 0.3, after: 0.41, passedBefore: false, passedAfter: false },
      ],
    };
    const resolved = [flag({ key: 'gone', item: 'item-9', message: 'fixed since' })];
    const document = parseXhtml(await text(htmlReport(source({ head: { ...HEAD, redelivery }, resolved: pages(resolved) }))));
    expect(document.texts('h2')).toContain('Re-delivery of batch 33333333-3333-4333-8333-333333333333');
    expect(document.texts('td')).toEqual(expect.arrayContaining(['0.300', '0.410', 'still fails', 'fixed since']));
    expect(document.texts('th')).toContain('Item item-9');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and replaces what XML cannot carry', () => {
    expect(escapeHtml(`<a href="x">'&'</a>\u0000\uD800`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\uFFFD\uFFFD');
    expect(escapeHtml('emoji 😀 stays')).toBe('emoji 😀 stays');
  });
});
