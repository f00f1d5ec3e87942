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

  it('bounds what saxes buffers between two events', () => {
    const reader = new XmlReader({}, { maxTokenLength: 100 });
    reader.write(Buffer.from('<a>'));
    expect(() => reader.write(Buffer.from('x'.repeat(200)))).toThrow(/more than 100 characters without markup since line 1/);
  });

  it('keeps throwing the first failure', () => {
    const reader = new XmlReader({});
    expect(() => reader.write(Buffer.from('<a></b>'))).toThrow(InputError);
    expect(() => reader.end()).toThrow(/unexpected close tag/);
  });
});
