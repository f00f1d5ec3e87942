/**
 * Streaming XML for the adapters (CVAT, ELAN): bytes in, element events out, with positions an
 * editor understands and the hostile-input guards every XML format needs.
 *
 * The tokenizer is this file's own, limited to what the formats use: elements, attributes, text,
 * CDATA, comments, processing instructions, the five predefined entities and character references.
 * It works on whole tokens of the decoded text (a tag, a text run) found with `indexOf` and one pass
 * over their characters, where saxes (which it replaces, with the same messages and positions for
 * well-formedness errors) ran a state machine per character: a 158 MB CVAT export took 4 s in
 * saxes alone. Positions are counted lazily, only where an event or an error needs one. A token cut
 * by the end of a chunk is kept and read again once the character that can end it (`>`, `<`, `;`)
 * has arrived, so each byte is scanned a bounded number of times however the input is split.
 *
 * Guards, each a fatal InputError at the place it trips:
 * - A DOCTYPE is refused where it starts. Only the five predefined entities and character references
 *   are expanded (an undeclared `&name;` is a well-formedness error), so with no DTD there are no
 *   external entities and no entity expansion to bound; refusing the DOCTYPE outright also keeps an
 *   internal subset from being read at all.
 * - Nesting depth and attributes per element are capped (INGEST_LIMITS.maxXmlDepth, maxXmlAttributes).
 * - A token still unfinished after `maxTokenLength` characters (a text run, tag, attribute value or
 *   comment) is refused, so memory stays bounded whatever the input.
 * - Only UTF-8 input (an XML declaration naming another encoding is refused), XML 1.0 (a document
 *   declaring 1.1, whose other line ends and control characters nothing here needs, is refused).
 *
 * The first well-formedness error stops reading.
 */
import { InputError } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { Utf8ChunkDecoder } from '../utf8-decoder';

/** A start tag as a handler sees it. */
export interface XmlStartTag {
  readonly name: string;
  /**
   * An object with no `Object.prototype` in its chain, so `constructor` or `__proto__` are plain
   * attribute names (use `in` or `Object.hasOwn`, not `hasOwnProperty`).
   */
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
   * Character data inside the root element (entities decoded, line ends as `\n`, whitespace kept):
   * one call per run between two pieces of markup, and one per CDATA section, so one element's text
   * may come in several calls: concatenate until the next start/end element.
   */
  text?(text: string): void;
}

export interface XmlReaderOptions {
  maxDepth?: number;
  maxAttributes?: number;
  /** Characters one unfinished token may hold (a text run, tag, attribute value, comment); default 16 Mi. */
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

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const AMP = 0x26;
const APOS = 0x27;
const SLASH = 0x2f;
const LT = 0x3c;
const EQUALS = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const BANG = 0x21;
const CLOSE_BRACKET = 0x5d;

/** A token function's answer when the input ends inside the token. */
const NEED_MORE = -1;

/** ASCII name characters: 1 = may start a name, 2 = may only continue one. */
const ASCII_NAME = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z_:]/.test(char)) ASCII_NAME[code] = 1;
  else if (/[0-9.-]/.test(char)) ASCII_NAME[code] = 2;
}

/** XML 1.0 (fifth edition) NameStartChar, for a code point. */
function isNameStart(code: number): boolean {
  if (code < 0x80) return ASCII_NAME[code] === 1;
  return (
    (code >= 0xc0 && code <= 0xd6) ||
    (code >= 0xd8 && code <= 0xf6) ||
    (code >= 0xf8 && code <= 0x2ff) ||
    (code >= 0x370 && code <= 0x37d) ||
    (code >= 0x37f && code <= 0x1fff) ||
    code === 0x200c ||
    code === 0x200d ||
    (code >= 0x2070 && code <= 0x218f) ||
    (code >= 0x2c00 && code <= 0x2fef) ||
    (code >= 0x3001 && code <= 0xd7ff) ||
    (code >= 0xf900 && code <= 0xfdcf) ||
    (code >= 0xfdf0 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0xeffff)
  );
}

/** XML 1.0 (fifth edition) NameChar, for a code point. */
function isNameChar(code: number): boolean {
  if (code < 0x80) return ASCII_NAME[code] !== 0;
  return isNameStart(code) || code === 0xb7 || (code >= 0x300 && code <= 0x36f) || code === 0x203f || code === 0x2040;
}

function isSpace(code: number): boolean {
  return code === SPACE || code === NL || code === CR || code === TAB;
}

/** A UTF-16 unit that cannot be (part of) an XML 1.0 character. Lone surrogates never get here: the input is strictly decoded UTF-8. */
function isForbidden(code: number): boolean {
  return code < SPACE ? code !== TAB && code !== NL && code !== CR : code >= 0xfffe && code <= 0xffff;
}

// eslint-disable-next-line no-control-regex -- the characters XML forbids, to be found
const FORBIDDEN_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
const HIGH_SURROGATE = /[\ud800-\udbff]/;
const NAME = /^[A-Za-z_:\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\u{10000}-\u{effff}][-.0-9A-Za-z_:\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c-\u200d\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\u{10000}-\u{effff}]*$/u;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { __proto__: null, lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as unknown as Record<string, string>;
const S = '[ \\t\\r\\n]';
const XML_DECLARATION = new RegExp(
  `^<\\?xml${S}+version${S}*=${S}*(?:"(?<version>1\\.[0-9]+)"|'(?<version2>1\\.[0-9]+)')` +
    `(?:${S}+encoding${S}*=${S}*(?:"(?<encoding>[A-Za-z][A-Za-z0-9._-]*)"|'(?<encoding2>[A-Za-z][A-Za-z0-9._-]*)'))?` +
    `(?:${S}+standalone${S}*=${S}*(?:"(?:yes|no)"|'(?:yes|no)'))?${S}*\\?>$`,
);

/**
 * `name` as V8's internalised copy (object keys are internalised): a key that already is one is
 * stored and looked up without hashing it again.
 */
function internalised(name: string): string {
  return Object.keys({ [name]: true })[0]!;
}

/**
 * The prototype of attribute objects: no `Object.prototype` behind it, and unlike
 * `Object.create(null)` objects, objects made from it keep V8's fast shared shapes (the same
 * attributes in the same order read at inline-cache speed).
 */
const ATTRIBUTES_PROTOTYPE: object = Object.create(null) as object;

/**
 * Push parser: `write` each chunk of bytes (split anywhere), then `end`. Both throw an InputError
 * (one issue with `line` and `path` = `line:column`) at the first malformed or refused construct.
 */
export class XmlReader {
  private readonly decoder = new Utf8ChunkDecoder();
  private readonly maxDepth: number;
  private readonly maxAttributes: number;
  private readonly maxTokenLength: number;
  /** Decoded input not consumed yet: an unfinished token, then what came after it. */
  private buffer = '';
  /** The buffer may hold surrogate pairs (a column counts a pair as one character). */
  private astral = false;
  /** The input has had a carriage return (line counting then looks at every character). */
  private carriageReturns = false;
  // Lines are counted lazily, up to `lineCursor` (a buffer index), when a position is needed.
  private line = 1;
  /** Buffer index where the current line starts, and the columns of that line before it. */
  private lineStart = 0;
  private lineColumnsBefore = 0;
  private lineCursor = 0;
  /** The first `\n` at or after `lineCursor` (a cache: no rescanning of one long line); -1 unknown. */
  private nextNewline = -1;
  /** Set by `locate`. */
  private placeLine = 1;
  private placeColumn = 0;
  /**
   * Names seen last (see `elementName`): elements' by their first character, attributes' by their
   * position in the tag and first character (an attribute found there is not scanned again).
   */
  private readonly elementNames: (string | undefined)[] = new Array<string | undefined>(128).fill(undefined);
  private readonly attributeNames: (string | undefined)[] = new Array<string | undefined>(1024).fill(undefined);
  /** The attribute names of the tag being read, to find a duplicate. */
  private readonly tagAttributes: string[] = [];
  /** Names of the open elements. */
  private readonly stack: string[] = [];
  private sawRoot = false;
  private closedRoot = false;
  /** Nothing read yet: an XML declaration may come. */
  private atStart = true;
  /** The unfinished token at the buffer's start can only end once this character arrives. */
  private awaited = '';
  private failure: InputError | null = null;

  constructor(
    private readonly handler: XmlHandler,
    options: XmlReaderOptions = {},
  ) {
    this.maxDepth = options.maxDepth ?? INGEST_LIMITS.maxXmlDepth;
    this.maxAttributes = options.maxAttributes ?? INGEST_LIMITS.maxXmlAttributes;
    this.maxTokenLength = options.maxTokenLength ?? MAX_XML_TOKEN_LENGTH;
  }

  write(bytes: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      return this.failAtEnd('is not valid UTF-8');
    }
    this.feed(text, false);
    if (this.buffer.length > this.maxTokenLength) {
      this.locate(0);
      this.failAt(
        this.placeLine,
        this.placeColumn,
        undefined,
        `more than ${this.maxTokenLength} characters without markup since line ${this.placeLine} (a text, attribute or comment that long is refused)`,
      );
    }
  }

  end(): void {
    if (this.failure !== null) throw this.failure;
    let rest: string;
    try {
      rest = this.decoder.end();
    } catch {
      return this.failAtEnd('is not valid UTF-8 (the input ends inside a character)');
    }
    this.feed(rest, true);
  }

  /**
   * Reads `text` after what is left of the previous chunks. Reading a string joined with `+` is
   * 2-3 times slower than reading a flat one (V8 reaches its characters through the join), so an
   * unfinished token is completed with only the piece of `text` up to the character that can end
   * it, and the rest of `text` is read where it lies.
   */
  private feed(text: string, final: boolean): void {
    if (HIGH_SURROGATE.test(text)) this.astral = true;
    if (!this.carriageReturns && text.includes('\r')) this.carriageReturns = true;
    let from = 0;
    if (this.buffer.length > 0) {
      const awaited = this.awaited;
      const end = awaited === '' ? -1 : text.indexOf(awaited);
      if (end !== -1) {
        // A text run ends before its `<`, markup with its `>`; an entity's `;` is not the end of anything.
        from = awaited === '<' ? end : end + 1;
        this.join(text.slice(0, from));
        this.parse(false, awaited === '<');
      }
      if (end === -1 || this.buffer.length > 0) {
        this.join(from === 0 ? text : text.slice(from));
        if (end !== -1 || final) this.parse(final, false);
        return;
      }
    }
    this.buffer = text;
    this.lineStart = from;
    this.lineCursor = from;
    this.nextNewline = -1;
    this.parse(final, false, from);
  }

  private join(text: string): void {
    this.buffer += text;
    this.nextNewline = -1;
  }

  /**
   * Reads every complete token of the buffer from `from`; with `final` the input ends after it, with
   * `textEnds` a text run ends at the buffer's end (its `<` is known to follow).
   */
  private parse(final: boolean, textEnds: boolean, from = 0): void {
    this.awaited = '';
    const buffer = this.buffer;
    const length = buffer.length;
    let index = from;
    while (index < length) {
      const next = buffer.charCodeAt(index) === LT ? this.markup(index) : this.text(index, final, textEnds);
      if (next === NEED_MORE) break;
      index = next;
      this.atStart = false;
    }
    if (final) this.endOfInput(index);
    this.consume(index);
  }

  private endOfInput(index: number): void {
    // The unfinished token was read up to its end already, all but the characters.
    if (index < this.buffer.length) this.checkChars(index, this.buffer.length);
    let problem: string | null = null;
    if (!this.sawRoot) problem = 'document must contain a root element.';
    else if (this.stack.length > 0) problem = `unclosed tag: ${this.stack[this.stack.length - 1]}`;
    else if (index < this.buffer.length) problem = 'unexpected end.';
    if (problem !== null) this.failAtEnd(`the input ends early (${problem})`);
  }

  /** Drops the buffer's first `index` characters (read), keeping line and column counts right. */
  private consume(index: number): void {
    if (index === 0) return;
    this.advanceLines(index);
    if (this.lineStart <= index) {
      this.lineColumnsBefore += this.codePoints(this.lineStart, index);
      this.lineStart = 0;
    } else {
      this.lineStart -= index;
    }
    this.lineCursor -= index;
    this.nextNewline = -1;
    this.buffer = index === this.buffer.length ? '' : this.buffer.slice(index);
  }

  private needMore(awaited: string): number {
    this.awaited = awaited;
    return NEED_MORE;
  }

  // ---- tokens ------------------------------------------------------------------------------------

  /**
   * Character data from `start` to the next `<`; returns where it ends. With `final` or `textEnds`
   * a run without `<` ends at the buffer's end (with `final` unreported: the input stops inside an
   * element, which is the error).
   */
  private text(start: number, final: boolean, textEnds: boolean): number {
    const buffer = this.buffer;
    let end = buffer.indexOf('<', start);
    const unfinished = end === -1 && !textEnds;
    if (end === -1) {
      if (unfinished && !final) return this.needMore('<');
      end = buffer.length;
    }
    const inRoot = this.stack.length > 0;
    let plain = true;
    let nonSpace = false;
    let brackets = 0;
    for (let i = start; i < end; i++) {
      const code = buffer.charCodeAt(i);
      if (code > CLOSE_BRACKET) {
        if (code >= 0xfffe && code <= 0xffff) this.fail(i, 'disallowed character.');
        nonSpace = true;
        brackets = 0;
      } else if (code === CLOSE_BRACKET) {
        nonSpace = true;
        brackets += 1;
      } else if (code === AMP) {
        if (!inRoot) this.fail(i, 'text data outside of root node.');
        const semicolon = buffer.indexOf(';', i + 1);
        if (semicolon === -1) return final ? NEED_MORE : this.needMore(';');
        this.entity(i + 1, semicolon);
        plain = false;
        i = semicolon;
        brackets = 0;
      } else {
        if (code === GT && brackets >= 2 && inRoot) this.fail(i, 'the string "]]>" is disallowed in char data.');
        if (code < SPACE) {
          if (code === CR) plain = false;
          else if (code !== NL && code !== TAB) this.fail(i, 'disallowed character.');
        } else if (code !== SPACE) {
          nonSpace = true;
        }
        brackets = 0;
      }
    }
    if (!inRoot) {
      // At the `<` that ends the run, which may be the next input's first character.
      if (nonSpace) this.failAtEnd('text data outside of root node.', end, unfinished ? 0 : 1);
    } else if (!unfinished && this.handler.text !== undefined) {
      this.handler.text(plain ? buffer.slice(start, end) : this.decodedText(start, end, false));
    }
    return end;
  }

  /** Markup at `start` (a `<`): returns where it ends, or NEED_MORE. */
  private markup(start: number): number {
    const buffer = this.buffer;
    if (start + 1 >= buffer.length) return this.needMore('>');
    switch (buffer.charCodeAt(start + 1)) {
      case SLASH:
        return this.closeTag(start);
      case BANG:
        return this.bang(start);
      case QUESTION:
        return this.processingInstruction(start);
      default:
        return this.startTag(start);
    }
  }

  private startTag(start: number): number {
    const buffer = this.buffer;
    const length = buffer.length;
    if (!isNameStart(buffer.codePointAt(start + 1)!)) this.fail(start + 1, 'disallowed character in tag name');
    let i = this.nameEnd(start + 1);
    if (i >= length) return this.needMore('>');
    const name = this.elementName(start + 1, i);
    if (this.closedRoot) this.fail(i, 'documents may contain only one root.');
    this.sawRoot = true;
    let code = buffer.charCodeAt(i);
    if (code !== GT && code !== SLASH && !isSpace(code)) this.fail(i, 'disallowed character in tag name.');
    const attributes = Object.create(ATTRIBUTES_PROTOTYPE) as Record<string, string>;
    let count = 0;
    let letters = 0;
    let duplicate: string | null = null;
    let selfClosing = false;
    for (;;) {
      if (code === GT) {
        i += 1;
        break;
      }
      if (code === SLASH) {
        if (i + 1 >= length) return this.needMore('>');
        if (buffer.charCodeAt(i + 1) !== GT) this.fail(i + 1, 'forward-slash in opening tag not followed by >.');
        selfClosing = true;
        i += 2;
        break;
      }
      // Whitespace, then an attribute, `>` or `/>`.
      do {
        i += 1;
        if (i >= length) return this.needMore('>');
        code = buffer.charCodeAt(i);
      } while (isSpace(code));
      if (code === GT || code === SLASH) continue;
      if (!isNameStart(code < 0xd800 ? code : buffer.codePointAt(i)!)) this.fail(i, 'disallowed character in attribute name.');
      const nameStart = i;
      const slot = ((count & 7) << 7) | (code & 0x7f);
      let attribute = this.attributeNames[slot];
      if (attribute !== undefined && this.holds(attribute, nameStart, nameStart + attribute.length)) {
        i = nameStart + attribute.length;
        if (i >= length) return this.needMore('>');
        code = buffer.charCodeAt(i);
      }
      if (attribute === undefined || (code < 0x80 ? ASCII_NAME[code] !== 0 : isNameChar(buffer.codePointAt(i)!))) {
        i = this.nameEnd(nameStart);
        if (i >= length) return this.needMore('>');
        attribute = internalised(buffer.slice(nameStart, i));
        this.attributeNames[slot] = attribute;
      }
      code = buffer.charCodeAt(i);
      if (code !== EQUALS) {
        if (code === GT) this.fail(i, 'attribute without value.');
        if (!isSpace(code)) this.fail(i, 'disallowed character in attribute name.');
        do {
          i += 1;
          if (i >= length) return this.needMore('>');
          code = buffer.charCodeAt(i);
        } while (isSpace(code));
        if (code !== EQUALS) this.fail(i, 'attribute without value.');
      }
      do {
        i += 1;
        if (i >= length) return this.needMore('>');
        code = buffer.charCodeAt(i);
      } while (isSpace(code));
      if (code !== QUOTE && code !== APOS) this.fail(i, 'unquoted attribute value.');
      const quote = code;
      const valueStart = i + 1;
      let plain = true;
      for (i = valueStart; ; i++) {
        if (i >= length) return this.needMore('>');
        code = buffer.charCodeAt(i);
        if (code === quote) break;
        if (code <= LT) {
          if (code === LT) this.fail(i, 'disallowed character.');
          if (code === AMP) {
            const semicolon = buffer.indexOf(';', i + 1);
            if (semicolon === -1) return this.needMore(';');
            this.entity(i + 1, semicolon);
            plain = false;
            i = semicolon;
          } else if (code < SPACE) {
            if (code !== TAB && code !== NL && code !== CR) this.fail(i, 'disallowed character.');
            plain = false;
          }
        } else if (code >= 0xfffe && code <= 0xffff) {
          this.fail(i, 'disallowed character.');
        }
      }
      // Names are compared only when one read before in this tag began with a letter like this one's.
      const names = this.tagAttributes;
      const letter = 1 << (attribute.charCodeAt(0) & 31);
      if ((letters & letter) !== 0) for (let k = 0; k < count && duplicate === null; k++) if (names[k] === attribute) duplicate = attribute;
      letters |= letter;
      names[count] = attribute;
      attributes[attribute] = plain ? buffer.slice(valueStart, i) : this.decodedText(valueStart, i, true);
      count += 1;
      i += 1;
      if (i >= length) return this.needMore('>');
      code = buffer.charCodeAt(i);
      if (code === GT || code === SLASH || isSpace(code)) continue;
      this.fail(i, isNameStart(code < 0xd800 ? code : buffer.codePointAt(i)!) ? 'no whitespace between attributes.' : 'disallowed character in attribute name.');
    }
    if (duplicate !== null) this.fail(i - 1, `duplicate attribute: ${duplicate}.`);
    const depth = this.stack.length + 1;
    this.locate(start);
    const line = this.placeLine;
    const column = this.placeColumn;
    if (depth > this.maxDepth) this.failAt(line, column, name, `nesting deeper than ${this.maxDepth} elements is refused`);
    if (count > this.maxAttributes) this.failAt(line, column, name, `${count} attributes; at most ${this.maxAttributes} per element are accepted`);
    const handler = this.handler;
    handler.startElement?.({ name, attributes, line, column, depth, selfClosing });
    if (selfClosing) {
      if (depth === 1) this.closedRoot = true;
      handler.endElement?.(name, depth);
    } else {
      this.stack.push(name);
    }
    return i;
  }

  private closeTag(start: number): number {
    const buffer = this.buffer;
    const length = buffer.length;
    let i = this.nameEnd(start + 2);
    if (i >= length) return this.needMore('>');
    const name = this.elementName(start + 2, i);
    let code = buffer.charCodeAt(i);
    if (code !== GT) {
      if (!isSpace(code)) this.fail(i, 'disallowed character in closing tag.');
      do {
        i += 1;
        if (i >= length) return this.needMore('>');
        code = buffer.charCodeAt(i);
      } while (isSpace(code));
      if (code !== GT) this.fail(i, 'disallowed character in closing tag.');
    }
    if (name === '') this.fail(i, 'weird empty close tag.');
    const stack = this.stack;
    if (stack.length === 0) this.fail(i, `unmatched closing tag: ${name}.`);
    if (stack[stack.length - 1] !== name) this.fail(i, 'unexpected close tag.');
    stack.pop();
    const depth = stack.length + 1;
    if (depth === 1) this.closedRoot = true;
    this.handler.endElement?.(name, depth);
    return i + 1;
  }

  /** `<!--`, `<![CDATA[` or `<!DOCTYPE`. */
  private bang(start: number): number {
    const buffer = this.buffer;
    const length = buffer.length;
    if (start + 3 >= length) return this.needMore('>');
    if (buffer.charCodeAt(start + 2) === 0x2d && buffer.charCodeAt(start + 3) === 0x2d) {
      const close = buffer.indexOf('--', start + 4);
      if (close === -1 || close + 2 >= length) return this.needMore('>');
      this.checkChars(start + 4, close);
      if (buffer.charCodeAt(close + 2) !== GT) this.fail(close + 2, 'malformed comment.');
      return close + 3;
    }
    // saxes read 7 UTF-16 units (`\r\n` one of them) before calling them wrong.
    let last = start + 1;
    for (let count = 0; count < 7; ) {
      last += 1;
      if (last >= length) return this.needMore('>');
      const code = buffer.charCodeAt(last);
      if (isForbidden(code)) this.fail(last, 'disallowed character.');
      const pair = code >= 0xd800 && code <= 0xdbff;
      count += pair ? 2 : 1;
      if (pair || (code === CR && buffer.charCodeAt(last + 1) === NL)) last += 1;
    }
    if (last >= length) return this.needMore('>');
    const keyword = buffer.slice(start + 2, start + 9);
    if (keyword === 'DOCTYPE') {
      this.locate(start);
      this.failAt(
        this.placeLine,
        this.placeColumn,
        undefined,
        'a DOCTYPE is not accepted (DTDs and entity declarations are refused for safety); remove the <!DOCTYPE …> declaration',
      );
    }
    if (keyword !== '[CDATA[') this.fail(last, 'incorrect syntax.');
    if (!this.sawRoot || this.closedRoot) this.fail(start + 8, 'text data outside of root node.');
    const close = buffer.indexOf(']]>', start + 9);
    if (close === -1) return this.needMore('>');
    this.checkChars(start + 9, close);
    const content = buffer.slice(start + 9, close);
    this.handler.text?.(this.carriageReturns ? content.replace(/\r\n?/g, '\n') : content);
    return close + 3;
  }

  /** `<?target …?>`, or the XML declaration. */
  private processingInstruction(start: number): number {
    const buffer = this.buffer;
    const length = buffer.length;
    if (start + 2 >= length) return this.needMore('>');
    const first = buffer.codePointAt(start + 2)!;
    if (!isNameStart(first)) {
      this.fail(start + 2, first === QUESTION || isSpace(first) ? 'processing instruction without a target.' : 'disallowed character in processing instruction name.');
    }
    const targetEnd = this.nameEnd(start + 2);
    if (targetEnd >= length) return this.needMore('>');
    const code = buffer.charCodeAt(targetEnd);
    if (code !== QUESTION && !isSpace(code)) this.fail(targetEnd, 'disallowed character in processing instruction name.');
    const target = buffer.slice(start + 2, targetEnd);
    if (target === 'xml' && !this.atStart) this.fail(targetEnd, 'an XML declaration must be at the start of the document.');
    const close = buffer.indexOf('?>', targetEnd);
    if (close === -1) return this.needMore('>');
    this.checkChars(targetEnd, close);
    if (target === 'xml') this.declaration(buffer.slice(start, close + 2), close + 1);
    else if (target.toLowerCase() === 'xml') this.fail(close + 1, 'the XML declaration must appear at the start of the document.');
    return close + 2;
  }

  private declaration(text: string, end: number): void {
    const match = XML_DECLARATION.exec(text);
    if (match === null) this.fail(end, 'malformed XML declaration (expected <?xml version="1.0" encoding="UTF-8"?>)');
    const groups = match.groups!;
    const version = groups.version ?? groups.version2!;
    if (version === '1.1') this.fail(end, 'the document is XML 1.1; only XML 1.0 is read (re-export it as XML 1.0)');
    const encoding = groups.encoding ?? groups.encoding2;
    if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) {
      this.fail(end, `the XML declaration names encoding "${encoding}"; only UTF-8 is read (re-export or convert the file to UTF-8)`);
    }
  }

  /**
   * The element name in buffer [from, to): the same string as the last name that began with that
   * character when it is the same name. A string used as an object key is hashed and looked up in
   * V8's table of internalised strings, a fresh copy each time: reused, it is found at once (that
   * lookup was half the time of reading a start tag) and no copy is made.
   */
  private elementName(from: number, to: number): string {
    const slot = this.buffer.charCodeAt(from) & 0x7f;
    const known = this.elementNames[slot];
    if (known !== undefined && this.holds(known, from, to)) return known;
    const name = internalised(this.buffer.slice(from, to));
    this.elementNames[slot] = name;
    return name;
  }

  /** Whether buffer [from, to) is `name` (compared here: `startsWith` is a call into the runtime). */
  private holds(name: string, from: number, to: number): boolean {
    if (name.length !== to - from || to > this.buffer.length) return false;
    const buffer = this.buffer;
    for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== buffer.charCodeAt(from + i)) return false;
    return true;
  }

  // ---- characters --------------------------------------------------------------------------------

  /** The index after the name characters from `from` (the buffer's length when they run to it). */
  private nameEnd(from: number): number {
    const buffer = this.buffer;
    const length = buffer.length;
    let i = from;
    while (i < length) {
      const code = buffer.charCodeAt(i);
      if (code < 0x80) {
        if (ASCII_NAME[code] === 0) return i;
        i += 1;
      } else {
        const point = buffer.codePointAt(i)!;
        if (!isNameChar(point)) return i;
        i += point > 0xffff ? 2 : 1;
      }
    }
    return length;
  }

  /** Checks the entity between `&` and `;` (`from`, `semicolon`); returns its text. */
  private entity(from: number, semicolon: number): string {
    const name = this.buffer.slice(from, semicolon);
    const forbidden = FORBIDDEN_CHARS.exec(name);
    if (forbidden !== null) this.fail(from + forbidden.index, 'disallowed character.');
    if (name === '') this.fail(semicolon, 'empty entity name.');
    if (name.charCodeAt(0) !== 0x23) {
      const predefined = PREDEFINED_ENTITIES[name];
      if (predefined !== undefined) return predefined;
      this.fail(semicolon, NAME.test(name) ? 'undefined entity.' : 'disallowed character in entity name.');
    }
    let code = Number.NaN;
    if (/^#x[0-9a-fA-F]+$/.test(name)) code = parseInt(name.slice(2), 16);
    else if (/^#[0-9]+$/.test(name)) code = parseInt(name.slice(1), 10);
    const isChar =
      code === TAB || code === NL || code === CR || (code >= SPACE && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!isChar) this.fail(semicolon, 'malformed character entity.');
    return String.fromCodePoint(code);
  }

  /**
   * Text or an attribute value with entities decoded and line ends normalised (`\r\n` and `\r` to
   * `\n`; in an attribute every line end and tab to a space). Already checked.
   */
  private decodedText(from: number, to: number, attribute: boolean): string {
    const buffer = this.buffer;
    let result = '';
    let runStart = from;
    for (let i = from; i < to; i++) {
      const code = buffer.charCodeAt(i);
      if (code === AMP) {
        const semicolon = buffer.indexOf(';', i + 1);
        result += buffer.slice(runStart, i) + this.entity(i + 1, semicolon);
        i = semicolon;
        runStart = i + 1;
      } else if (code === CR || (attribute && (code === NL || code === TAB))) {
        result += buffer.slice(runStart, i) + (attribute ? ' ' : '\n');
        if (code === CR && buffer.charCodeAt(i + 1) === NL) i += 1;
        runStart = i + 1;
      }
    }
    return result + buffer.slice(runStart, to);
  }

  /** Fails at the first character in [from, to) that XML does not allow. */
  private checkChars(from: number, to: number): void {
    const forbidden = FORBIDDEN_CHARS.exec(this.buffer.slice(from, to));
    if (forbidden !== null) this.fail(from + forbidden.index, 'disallowed character.');
  }

  // ---- positions ---------------------------------------------------------------------------------

  /** Counts the line ends before buffer index `to`. */
  private advanceLines(to: number): void {
    const buffer = this.buffer;
    if (to <= this.lineCursor) return;
    if (!this.carriageReturns) {
      let newline = this.nextNewline;
      if (newline < this.lineCursor) {
        newline = buffer.indexOf('\n', this.lineCursor);
        if (newline === -1) newline = Number.MAX_SAFE_INTEGER;
      }
      while (newline < to) {
        this.line += 1;
        this.lineStart = newline + 1;
        this.lineColumnsBefore = 0;
        newline = buffer.indexOf('\n', newline + 1);
        if (newline === -1) newline = Number.MAX_SAFE_INTEGER;
      }
      this.nextNewline = newline;
    } else {
      // `\r\n` is one line end, and so is a `\r` alone.
      for (let i = this.lineCursor; i < to; i++) {
        const code = buffer.charCodeAt(i);
        if (code === NL || code === CR) {
          if (!(code === NL && i > 0 && buffer.charCodeAt(i - 1) === CR)) this.line += 1;
          this.lineStart = i + 1;
          this.lineColumnsBefore = 0;
        }
      }
    }
    this.lineCursor = to;
  }

  /** Characters (surrogate pairs counted once) in buffer [from, to). */
  private codePoints(from: number, to: number): number {
    if (!this.astral) return to - from;
    let count = 0;
    for (let i = from; i < to; i++) {
      const code = this.buffer.charCodeAt(i);
      if (code < 0xd800 || code > 0xdbff) count += 1;
    }
    return count;
  }

  /** Sets `placeLine` and `placeColumn` to the place of the character at buffer index `index`. */
  private locate(index: number): void {
    this.advanceLines(index);
    this.placeLine = this.line;
    this.placeColumn = this.lineColumnsBefore + this.codePoints(this.lineStart, index) + 1;
  }

  /** Fails at the character at `index`: a character XML does not allow is what is reported there. */
  private fail(index: number, message: string): never {
    const code = this.buffer.charCodeAt(index);
    if (code === NL || code === CR) {
      // Past a line end, as saxes counted: the next line's column 0.
      this.advanceLines(index + 1);
      return this.failAt(this.line, 0, undefined, message);
    }
    this.locate(index);
    return this.failAt(this.placeLine, this.placeColumn, undefined, isForbidden(code) ? 'disallowed character.' : message);
  }

  /**
   * Fails after the last character received, or `ahead` characters after it; at `index` instead
   * when that is inside the buffer.
   */
  private failAtEnd(message: string, index = this.buffer.length, ahead = 0): never {
    const length = this.buffer.length;
    if (index < length) return this.fail(index, message);
    this.advanceLines(length);
    return this.failAt(this.line, this.lineColumnsBefore + this.codePoints(this.lineStart, length) + ahead, undefined, message);
  }

  /** Throws, and keeps the error so later calls throw it again. */
  private failAt(line: number, column: number, element: string | undefined, message: string): never {
    this.failure = new InputError([{ line, path: xmlPlace(line, column, element), message: `XML: ${message}` }]);
    throw this.failure;
  }
}

/**
 * Reads `source` through `handler`, yielding after each piece of at most READ_PIECE_BYTES of a
 * chunk so the caller can emit what the handler collected (bounded batches, control back to the
 * event loop):
 *
 *   for await (const _ of readXml(source, handler)) { if (batch.length > 0) { yield batch; batch = []; } }
 *
 * Throws as `XmlReader` does.
 */
export async function* readXml(source: AsyncIterable<Buffer>, handler: XmlHandler, options: XmlReaderOptions = {}): AsyncGenerator<void> {
  const reader = new XmlReader(handler, options);
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; offset += READ_PIECE_BYTES) {
      reader.write(chunk.subarray(offset, offset + READ_PIECE_BYTES));
      yield;
    }
  }
  reader.end();
}

/**
 * Bytes read between two yields. A batch lives until its yield, through the young-generation
 * collections meanwhile, each of which copies it: batches of a 1 MB chunk (10,000 CVAT records)
 * made garbage collection a quarter of reading a video export.
 */
const READ_PIECE_BYTES = 64 * 1024;
