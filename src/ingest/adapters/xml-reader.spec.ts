import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { InputError } from '../ingest.errors';
import { readXml, XmlReader, type XmlHandler, type XmlStartTag } from './xml-reader';

type Event = ['start', string, number, number, number, boolean] | ['end', string, number] | ['text', string];

function recorder(): { handler: XmlHandler; events: Event[]; attributes: Record<string, string>[] } {
  const events: Event[] = [];
  const attributes: Record<string, string>[] = [];
  const handler: XmlHandler = {
    startElement: (tag: XmlStartTag) => {
      events.push(['start', tag.name, tag.line, tag.column, tag.depth, tag.selfClosing]);
      attributes.push({ ...tag.attributes });
    },
    endElement: (name, depth) => events.push(['end', name, depth]),
    text: (text) => events.push(['text', text]),
  };
  return { handler, events, attributes };
}

/** Feeds `xml` in chunks of `size` bytes (so tokens and UTF-8 characters split across chunks). */
function readAll(xml: string, handler: XmlHandler, size = 7): void {
  const reader = new XmlReader(handler);
  const bytes = Buffer.from(xml, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += size) reader.write(bytes.subarray(offset, offset + size));
  reader.end();
}

function failureOf(xml: string, size = 5): InputError {
  try {
    readAll(xml, {}, size);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('XmlReader', () => {
  it('reports elements with the line and column of their "<", depth, attributes and text', () => {
    const { handler, events, attributes } = recorder();
    readAll('<?xml version="1.0" encoding="utf-8"?>\n<!-- c -->\n<a x="1">\n  <b\n   y="&lt;é"/><c>t&amp;u<![CDATA[<v>]]></c>\n</a>\n', handler);
    expect(events).toEqual([
      ['start', 'a', 3, 1, 1, false],
      ['text', '\n  '],
      ['start', 'b', 4, 3, 2, true],
      ['end', 'b', 2],
      ['start', 'c', 5, 15, 2, false],
      ['text', 't&u'],
      ['text', '<v>'],
      ['end', 'c', 2],
      ['text', '\n'],
      ['end', 'a', 1],
    ]);
    expect(attributes).toEqual([{ x: '1' }, { y: '<é' }, {}]);
  });

  it('yields once per chunk through readXml', async () => {
    const { handler, events } = recorder();
    async function* chunks(): AsyncIterable<Buffer> {
      yield Buffer.from('<a><b/>');
      yield Buffer.from('</a>');
    }
    let yields = 0;
    for await (const _ of readXml(chunks(), handler)) yields += 1;
    expect(yields).toBe(2);
    expect(events.map((event) => event[0] + event[1])).toEqual(['starta', 'startb', 'endb', 'enda']);
  });

  it('refuses a DOCTYPE, so no entity is ever declared or expanded', () => {
    const error = failureOf('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]>\n<a>&x;</a>');
    expect(error.issues).toEqual([
      { line: 2, path: '2:1', message: expect.stringMatching(/^XML: a DOCTYPE is not accepted/) },
    ]);
  });

  it('names the line and column of a well-formedness error', () => {
    expect(failureOf('<a>\n  <b></c>\n</a>').issues).toEqual([{ line: 2, path: '2:9', message: 'XML: unexpected close tag.' }]);
    expect(failureOf('<a>\n  <b>').issues).toEqual([{ line: 2, path: '2:5', message: 'XML: the input ends early (unclosed tag: b)' }]);
    expect(failureOf('<a>&x;</a>').issues).toEqual([{ line: 1, path: '1:6', message: 'XML: undefined entity.' }]);
  });

  it('refuses encodings other than UTF-8, and bytes that are not UTF-8', () => {
    expect(failureOf('<?xml version="1.0" encoding="ISO-8859-1"?><a/>').issues[0]!.message).toMatch(/only UTF-8 is read/);
    const reader = new XmlReader({});
    expect(() => reader.write(Buffer.from([0x3c, 0x61, 0x3e, 0xff]))).toThrow(/not valid UTF-8/);
  });

  it('caps nesting depth and attributes per element', () => {
    const deep = new XmlReader({}, { maxDepth: 2 });
    expect(() => deep.write(Buffer.from('<a><b>\n <c/></b></a>'))).toThrow(
      expect.objectContaining({ issues: [{ line: 2, path: '2:2 <c>', message: 'XML: nesting deeper than 2 elements is refused' }] }),
    );
    const wide = new XmlReader({}, { maxAttributes: 2 });
    expect(() => wide.write(Buffer.from('<a x="1" y="2" z="3"/>'))).toThrow(/3 attributes; at most 2/);
  });

  it('bounds what one unfinished token may buffer', () => {
    const reader = new XmlReader({}, { maxTokenLength: 100 });
    reader.write(Buffer.from('<a>'));
    expect(() => reader.write(Buffer.from('x'.repeat(200)))).toThrow(/more than 100 characters without markup since line 1/);
  });

  it('gives attributes named like Object.prototype members as plain attributes', () => {
    const seen: Readonly<Record<string, string>>[] = [];
    readAll('<a __proto__="p" constructor="c"><b/></a>', { startElement: (tag) => seen.push(tag.attributes) });
    expect(Object.entries(seen[0]!)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
    expect(Object.keys(seen[1]!)).toEqual([]);
    expect([seen[1]!.constructor, seen[1]!.__proto__, 'toString' in seen[1]!]).toEqual([undefined, undefined, false]);
  });

  it('refuses XML 1.1 and a malformed declaration', () => {
    expect(failureOf('<?xml version="1.1"?><a/>').issues[0]!.message).toBe('XML: the document is XML 1.1; only XML 1.0 is read (re-export it as XML 1.0)');
    expect(failureOf('<?xml encoding="UTF-8"?><a/>').issues[0]!.message).toMatch(/^XML: malformed XML declaration/);
  });

  it('keeps throwing the first failure', () => {
    const reader = new XmlReader({});
    expect(() => reader.write(Buffer.from('<a></b>'))).toThrow(InputError);
    expect(() => reader.end()).toThrow(/unexpected close tag/);
  });
});

// ---- against saxes, which this reader replaced, and across chunkings -----------------------------

type Outcome = { events: Event[]; attributes: Record<string, string>[]; error: { path: string; message: string } | null };

/** What the reader gives for `bytes` fed in pieces of the given sizes (cycled), events up to an error included. */
function outcome(bytes: Buffer, sizes: readonly number[] = [bytes.length || 1]): Outcome {
  const { handler, events, attributes } = recorder();
  const reader = new XmlReader(handler);
  try {
    let piece = 0;
    for (let offset = 0; offset < bytes.length; piece++) {
      const size = Math.max(1, sizes[piece % sizes.length]!);
      reader.write(bytes.subarray(offset, offset + size));
      offset += size;
    }
    reader.end();
    return { events, attributes, error: null };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const issue = error.issues[0]!;
    return { events, attributes, error: { path: issue.path!, message: issue.message } };
  }
}

/**
 * The same events from saxes (6, `xmlns: false`), with the guards the reader adds: the reference
 * the tokenizer is held to. Positions of start tags are checked separately (saxes reports a tag
 * where it ends).
 */
function saxesOutcome(xml: string): Omit<Outcome, 'attributes'> {
  const events: Event[] = [];
  const parser = new SaxesParser({ xmlns: false, position: true });
  let depth = 0;
  let ending = false;
  let error: { path: string; message: string } | null = null;
  const fail = (message: string): never => {
    error = { path: `${parser.line}:${parser.column}`, message: `XML: ${message}` };
    throw new Error('stop');
  };
  parser.on('doctype', () => fail('doctype'));
  parser.on('opentag', (tag: SaxesTagPlain) => {
    depth += 1;
    events.push(['start', tag.name, 0, 0, depth, tag.isSelfClosing]);
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    events.push(['end', tag.name, depth]);
    depth -= 1;
  });
  parser.on('text', (text: string) => {
    if (depth > 0) events.push(['text', text]);
  });
  parser.on('cdata', (text: string) => events.push(['text', text]));
  parser.on('error', (caught: Error) => {
    const message = caught.message.replace(/^\d+:\d+: /, '');
    fail(ending ? `the input ends early (${message})` : message);
  });
  try {
    parser.write(xml);
    ending = true;
    parser.close();
  } catch (caught) {
    if (error === null) throw caught;
  }
  return { events, error };
}

/** The text at `line:column` (1-based, a column counting characters, `\r\n` one line end). */
function textAt(xml: string, line: number, column: number): string {
  const lines = xml.split(/\r\n|\r|\n/);
  const before = lines.slice(0, line - 1).reduce((sum, text, index) => sum + text.length + (xml.startsWith('\r\n', sum + text.length) ? 2 : 1) + 0 * index, 0);
  return xml.slice(before + [...lines[line - 1]!].slice(0, column - 1).join('').length);
}

const NAMES = ['a', 'box', 'x:y', 'é', 'n-1.b', '_z', 'ß😀'];
const attributeValue = fc
  .array(fc.constantFrom('v', '1.5', ' ', '&amp;', '&lt;', '&#x41;', '&#233;', '&#128512;', '>', "'", '\n', '\t', '\r\n', 'é', '😀', '&quot;'), { maxLength: 6 })
  .map((parts) => parts.join(''));
const textPiece = fc.constantFrom('t', ' ', '\n', '\r\n', '\r', '&amp;', '&#10;', '>', ']', 'é', '😀', '<![CDATA[c<&>]]>', '<!-- c -->', '<?pi x?>');
const space = fc.constantFrom(' ', '  ', '\n', '\t', '\r\n');

function elementArbitrary(depth: number): fc.Arbitrary<string> {
  const children = depth === 0 ? fc.constant([]) : fc.array(fc.oneof(textPiece, elementArbitrary(depth - 1)), { maxLength: 4 });
  const attributes = fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), attributeValue, space, fc.boolean()), { selector: (entry) => entry[0], maxLength: 3 });
  return fc.tuple(fc.constantFrom(...NAMES), attributes, children, fc.boolean(), fc.constantFrom('', ' ', '\n')).map(([name, attrs, kids, empty, tail]) => {
    const open = `<${name}${attrs.map(([key, value, gap, single]) => `${gap}${key}${single ? ' = ' : '='}"${value.replace(/"/g, '')}"`).join('')}${tail}`;
    return empty && kids.length === 0 ? `${open}/>` : `${open}>${kids.join('')}</${name}${tail}>`;
  });
}

function documentArbitrary(declarations: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...declarations), fc.constantFrom('', '<!-- head -->\n', ' \n'), elementArbitrary(3), fc.constantFrom('', '\n', '<!-- end -->'))
    .map((parts) => parts.join(''));
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 8 });

const fixtureFiles = [
  ...readdirSync(join(__dirname, '../../../test/fixtures/cvat')).filter((file) => file.endsWith('.xml')).map((file) => `cvat/${file}`),
  ...readdirSync(join(__dirname, '../../../test/fixtures/elan')).filter((file) => file.endsWith('.eaf')).map((file) => `elan/${file}`),
  ...readdirSync(join(__dirname, '../../../test/fixtures/elan/malformed')).map((file) => `elan/malformed/${file}`),
];

function withoutPositions(events: Event[]): Event[] {
  return events.map((event) => (event[0] === 'start' ? ['start', event[1], 0, 0, event[4], event[5]] : event));
}

describe('XmlReader against saxes and across chunkings', () => {
  it.each(fixtureFiles)('reads fixture %s as saxes does', (file) => {
    const bytes = readFileSync(join(__dirname, '../../../test/fixtures', file));
    const mine = outcome(bytes);
    const reference = saxesOutcome(bytes.toString('utf8'));
    if (reference.error === null || !reference.error.message.endsWith('doctype')) {
      expect(withoutPositions(mine.events)).toEqual(reference.events);
      expect(mine.error).toEqual(reference.error);
    } else {
      expect(mine.error?.message).toMatch(/DOCTYPE is not accepted/);
    }
    for (const event of mine.events) if (event[0] === 'start') expect(textAt(bytes.toString('utf8'), event[2], event[3]).startsWith(`<${event[1]}`)).toBe(true);
  });

  it('gives the same events and error however a fixture is split', () => {
    const bytes = readFileSync(join(__dirname, '../../../test/fixtures/elan/two-annotators.eaf'));
    const whole = outcome(bytes);
    fc.assert(fc.property(chunkSizes, (sizes) => expect(outcome(bytes, sizes)).toEqual(whole)), { numRuns: 50 });
  });

  it('reads random documents as saxes does, whatever the chunks, with each start tag at its "<"', () => {
    fc.assert(
      fc.property(documentArbitrary(['', '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0'?>"]), chunkSizes, (xml, sizes) => {
        const bytes = Buffer.from(xml, 'utf8');
        const mine = outcome(bytes);
        const reference = saxesOutcome(xml);
        expect(withoutPositions(mine.events)).toEqual(reference.events);
        expect(mine.error).toEqual(reference.error);
        for (const event of mine.events) if (event[0] === 'start') expect(textAt(xml, event[2], event[3]).startsWith(`<${event[1]}`)).toBe(true);
        expect(outcome(bytes, sizes)).toEqual(mine);
      }),
      { numRuns: 300 },
    );
  });

  // The XML declaration is left out: a damaged one is refused with a message of this reader's own.
  it('fails where saxes fails, with its message and position, on damaged documents', () => {
    const damage = fc.constantFrom('<', '>', '&', '"', "'", '/', '=', ']]>', '<!', '<?', '</a>', '<b>', '&bogus;', '&#0;', '\u0001', '--', ' ', 'x', '<!-- x -- y -->', '<?xml version="1.0"?>');
    fc.assert(
      fc.property(documentArbitrary(['']), damage, fc.nat(), fc.nat({ max: 3 }), chunkSizes, (xml, inserted, at, removed, sizes) => {
        const characters = [...xml];
        const position = at % (characters.length + 1);
        const damaged = [...characters.slice(0, position), inserted, ...characters.slice(position + removed)].join('');
        const bytes = Buffer.from(damaged, 'utf8');
        const mine = outcome(bytes);
        expect(mine.error).toEqual(saxesOutcome(damaged).error);
        expect(outcome(bytes, sizes)).toEqual(mine);
      }),
      { numRuns: 1000 },
    );
  });
});
