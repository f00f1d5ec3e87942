/**
 * Streaming XML for the adapters (CVAT, ELAN): saxes underneath, bytes in, element events out, with
 * positions an editor understands and the hostile-input guards every XML format needs.
 *
 * Guards, each a fatal InputError at the place it trips:
 * - A DOCTYPE is refused. saxes never fetches external entities and expands only the five predefined
 *   ones and character references (an undeclared `&name;` is a well-formedness error), so with no DTD
 *   there are no external entities and no entity expansion to bound; refusing the DOCTYPE outright
 *   also keeps an internal subset from being read at all.
 * - Nesting depth and attributes per element are capped (INGEST_LIMITS.maxXmlDepth, maxXmlAttributes).
 * - saxes buffers a text run, comment, attribute value or tag until it ends; a run longer than
 *   `maxTokenLength` characters is refused, so memory stays bounded whatever the input.
 * - Only UTF-8 input (an XML declaration naming another encoding is refused).
 *
 * The first well-formedness error stops reading: after it saxes' events are guesses.
 */
import { SaxesParser, type SaxesTagPlain, type XMLDecl } from 'saxes';
import { InputError } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { Utf8ChunkDecoder } from '../utf8-decoder';

/** A start tag as a handler sees it. */
export interface XmlStartTag {
  readonly name: string;
  /** A null-prototype object (use `in` or `Object.hasOwn`, not `hasOwnProperty`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** 1-based line and column of the tag's `<`. */
  readonly line: number;
  readonly column: number;
  /** 1 for the root element. */
  readonly depth: number;
  /** `<tag/>`: `endElement` follows at once. */
  readonly selfClosing: boolean;
}

/** What the reader calls, synchronously, in document order. Throwing from a handler stops reading. */
export interface XmlHandler {
  startElement?(tag: XmlStartTag): void;
  /** `depth` is the closed element's depth (1 for the root). */
  endElement?(name: string, depth: number): void;
  /**
   * Character data inside the root element (entities decoded, CDATA included, whitespace kept),
   * possibly in several calls for one element's text: concatenate until the next start/end element.
   */
  text?(text: string): void;
}

export interface XmlReaderOptions {
  maxDepth?: number;
  maxAttributes?: number;
  /** Characters saxes may buffer for one token (a text run, attribute value, comment); default 16 Mi. */
  maxTokenLength?: number;
}

/**
 * Default bound of one token. Large enough for real content (a CVAT mask's run-length string on a
 * big image runs to a few MB), small enough that a hostile file cannot exhaust memory.
 */
export const MAX_XML_TOKEN_LENGTH = 16 * 1024 * 1024;

const UTF8_NAMES: ReadonlySet<string> = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** `12:5 <box>`: the place an XML issue's `path` names (1-based line and column, then the element). */
export function xmlPlace(line: number, column: number, element?: string): string {
  return element === undefined ? `${line}:${column}` : `${line}:${column} <${element}>`;
}

/**
 * Push parser: `write` each chunk of bytes (split anywhere), then `end`. Both throw an InputError
 * (one issue with `line` and `path` = `line:column`) at the first malformed or refused construct.
 */
export class XmlReader {
  private readonly parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  private readonly decoder = new Utf8ChunkDecoder();
  private readonly maxDepth: number;
  private readonly maxAttributes: number;
  private readonly maxTokenLength: number;
  private depth = 0;
  private failure: InputError | null = null;
  /** In `end`: saxes' errors then mean the document is incomplete. */
  private ending = false;
  /** Where the next markup starts (the `<` of a tag): the position right after the last event. */
  private markupLine = 1;
  private markupColumn = 0;
  /** saxes' stream position at the last event, to bound what it buffers between events. */
  private lastEventPosition = 0;

  constructor(
    private readonly handler: XmlHandler,
    options: XmlReaderOptions = {},
  ) {
    this.maxDepth = options.maxDepth ?? INGEST_LIMITS.maxXmlDepth;
    this.maxAttributes = options.maxAttributes ?? INGEST_LIMITS.maxXmlAttributes;
    this.maxTokenLength = options.maxTokenLength ?? MAX_XML_TOKEN_LENGTH;
    // Seven handlers at most: saxes adds each as a new property, and an eighth turns the parser into a
    // slow dictionary-mode object (measured: 4 s → 16 s on a 158 MB export). Comments and processing
    // instructions get none, so a tag right after one (no text between) is placed at the comment's start.
    const parser = this.parser;
    parser.on('xmldecl', (declaration: XMLDecl) => {
      const encoding = declaration.encoding;
      if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) {
        this.fail(`the XML declaration names encoding "${encoding}"; only UTF-8 is read (re-export or convert the file to UTF-8)`);
      }
      this.afterMarkup();
    });
    parser.on('doctype', () => {
      // Reported where it starts: saxes reports it at its end, possibly many lines later.
      this.failAt(
        this.markupLine,
        this.markupColumn + 1,
        undefined,
        'a DOCTYPE is not accepted (DTDs and entity declarations are refused for safety); remove the <!DOCTYPE …> declaration',
      );
    });
    parser.on('opentag', (tag: SaxesTagPlain) => this.open(tag));
    parser.on('closetag', (tag: SaxesTagPlain) => {
      const depth = this.depth;
      this.depth -= 1;
      this.afterMarkup();
      this.handler.endElement?.(tag.name, depth);
    });
    parser.on('text', (text: string) => {
      // saxes reports text when it reaches the `<` that ends it: that `<` is one column back.
      this.markupLine = parser.line;
      this.markupColumn = parser.column - 1;
      this.lastEventPosition = parser.position;
      if (this.depth > 0) this.handler.text?.(text);
    });
    parser.on('cdata', (text: string) => {
      this.afterMarkup();
      this.handler.text?.(text);
    });
    parser.on('error', (error: Error) => {
      const message = error.message.replace(/^\d+:\d+: /, '');
      this.fail(this.ending ? `the input ends early (${message})` : message);
    });
  }

  /** 1-based line and column of the last character read. */
  get line(): number {
    return this.parser.line;
  }

  get column(): number {
    return this.parser.column;
  }

  write(bytes: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.fail('is not valid UTF-8');
    }
    this.parser.write(text);
    if (this.parser.position - this.lastEventPosition > this.maxTokenLength) {
      this.fail(`more than ${this.maxTokenLength} characters without markup since line ${this.markupLine} (a text, attribute or comment that long is refused)`);
    }
  }

  end(): void {
    if (this.failure !== null) throw this.failure;
    let rest: string;
    try {
      rest = this.decoder.end();
    } catch {
      this.fail('is not valid UTF-8 (the input ends inside a character)');
    }
    if (rest !== '') this.parser.write(rest);
    this.ending = true;
    this.parser.close();
  }

  private open(tag: SaxesTagPlain): void {
    const line = this.markupLine;
    const column = this.markupColumn + 1;
    const tagLength = this.parser.position - this.lastEventPosition;
    this.depth += 1;
    this.afterMarkup();
    if (this.depth > this.maxDepth) {
      this.failAt(line, column, tag.name, `nesting deeper than ${this.maxDepth} elements is refused`);
    }
    // Each attribute takes at least 5 characters (` a=""`), so only a long tag can have too many;
    // counting the keys of every tag's (dictionary-mode) attribute object costs 10% of a large read.
    if (tagLength > 5 * this.maxAttributes) {
      const attributeCount = Object.keys(tag.attributes).length;
      if (attributeCount > this.maxAttributes) {
        this.failAt(line, column, tag.name, `${attributeCount} attributes; at most ${this.maxAttributes} per element are accepted`);
      }
    }
    const depth = this.depth;
    const selfClosing = tag.isSelfClosing;
    this.handler.startElement?.({ name: tag.name, attributes: tag.attributes, line, column, depth, selfClosing });
  }

  private afterMarkup(): void {
    const parser = this.parser;
    this.markupLine = parser.line;
    this.markupColumn = parser.column;
    this.lastEventPosition = parser.position;
  }

  /** Fails at the character saxes is reading. */
  private fail(message: string): never {
    return this.failAt(this.parser.line, this.parser.column, undefined, message);
  }

  /**
   * Throws (out of saxes' `write`, which stops it: whatever it reports after an error is
   * unreliable) and keeps the error so later calls throw it again.
   */
  private failAt(line: number, column: number, element: string | undefined, message: string): never {
    this.failure = new InputError([{ line, path: xmlPlace(line, column, element), message: `XML: ${message}` }]);
    throw this.failure;
  }
}

/**
 * Reads `source` through `handler`, yielding after each chunk so the caller can emit what the
 * handler collected (bounded batches, control back to the event loop):
 *
 *   for await (const _ of readXml(source, handler)) { if (batch.length > 0) { yield batch; batch = []; } }
 *
 * Throws as `XmlReader` does.
 */
export async function* readXml(source: AsyncIterable<Buffer>, handler: XmlHandler, options: XmlReaderOptions = {}): AsyncGenerator<void> {
  const reader = new XmlReader(handler, options);
  for await (const chunk of source) {
    reader.write(chunk);
    yield;
  }
  reader.end();
}
