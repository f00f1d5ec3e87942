/**
 * ELAN EAF 2.8 / 3.0 → canonical interval records, streamed: one record per annotation, emitted as
 * soon as its times are known. How the format is read, rule by rule:
 *
 * Item and modality. The first MEDIA_DESCRIPTOR (ELAN's master media) names the item: the base name of
 * its RELATIVE_MEDIA_URL, else of its MEDIA_URL (percent-escapes decoded); without one, the base name
 * of `ReadOptions.fileName`. Its MIME_TYPE gives the modality (`audio/*` → audio, `video/*` → video,
 * anything else → video), which `ReadOptions.modalities[dimension]` overrides. Times are on that
 * media's own clock: annotation time + the descriptor's TIME_ORIGIN (ELAN's media offset: the media
 * time shown at document time 0), in seconds. TIME_UNITS must be `milliseconds` (the schema default).
 *
 * Dimension and annotator of a tier, in this order of precedence:
 * - the tier id matched against `ReadOptions.tierPattern` (named groups `dimension`, `annotator`;
 *   default `^(?<dimension>.+)@(?<annotator>.+)$`) gives the dimension, else the tier id is the dimension;
 * - the annotator is the tier's ANNOTATOR attribute when set (it wins over the pattern's group), else
 *   the pattern's `annotator` group, else `ReadOptions.annotator` (one file per annotator with the same
 *   tier ids). A tier with annotations and none of the three is an error; so is a second tier giving
 *   the same (dimension, annotator). Empty tiers give no records and are not checked.
 *
 * Times. TIME_SLOTs may come in any order. A slot without TIME_VALUE (unaligned) gets its time from
 * its tier's chain of slots: the slots the tier's annotations use, in document order (TIME_SLOT_REF1,
 * TIME_SLOT_REF2 of each, a slot shared by neighbours counted once). A run of k unaligned slots between
 * the aligned slots at times a and b gets a + (b − a)·i/(k + 1), i = 1…k (evenly spaced, as ELAN draws
 * them). A slot keeps the first time it gets, so annotations of other tiers that share it share the
 * boundary (and see it as aligned). An unaligned slot with no aligned slot before or after it on the
 * chain is an error naming the slot. An annotation must end after it starts.
 *
 * REF_ANNOTATION takes its parent's interval (ANNOTATION_REF, resolved through chains of references,
 * on any tier, before or after it in the file). Several REF annotations of one tier on one parent
 * (Symbolic_Subdivision) split the parent's interval evenly in their PREVIOUS_ANNOTATION order, as ELAN
 * displays them; they must be adjacent in the tier (ELAN writes them so). A reference to an annotation
 * the file lacks is an error naming both ids.
 *
 * Labels are ANNOTATION_VALUE trimmed; an empty value is label null (an unlabelled segment, which
 * still counts for segmentation). A value of a tier whose LINGUISTIC_TYPE has a
 * CONTROLLED_VOCABULARY_REF must be one of the vocabulary's values (any language; EAF ≤ 2.7 CV_ENTRY
 * too). Types and vocabularies come after the tiers, so each tier's distinct values are kept (at most
 * MAX_VOCABULARY_SIZE) and checked at the end; records are already emitted by then, but the read
 * still fails, so nothing is stored. Vocabularies in an external file (EXT_REF) are not checked.
 *
 * Memory: slot times and annotation intervals are kept for the whole file (REF annotations and shared
 * slots may point anywhere); ELAN's numbered ids (`ts12`, `a34`) cost 8 bytes per column in typed
 * arrays instead of a map entry. Annotations waiting for a later slot or parent are bounded by
 * MAX_WAITING_ANNOTATIONS.
 */
import { MODALITIES, type Modality } from '../../agreement/types';
import type { FormatAdapter, ParsedRecord, Provenance, ReadOptions } from '../adapter';
import { InputError, IssueCollector, type InputIssue } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { readXml, xmlPlace, type XmlHandler, type XmlStartTag } from './xml-reader';

const ROOT = 'ANNOTATION_DOCUMENT';
const DEFAULT_TIER_PATTERN = '^(?<dimension>.+)@(?<annotator>.+)$';
const DEFAULT_MODALITY: Modality = 'video';

/**
 * Annotations held back at once: alignable ones whose unaligned slots wait for the next aligned slot
 * of their tier, REF annotations waiting for a parent later in the file or for the rest of their
 * subdivision. Real files hold a handful; a file past this is refused rather than buffered.
 */
export const MAX_WAITING_ANNOTATIONS = 100_000;

/**
 * Distinct values kept per tier for the controlled-vocabulary check, and entries read per vocabulary.
 * A vocabulary tier past it necessarily holds a value outside a vocabulary this size.
 */
export const MAX_VOCABULARY_SIZE = 10_000;

/** Vocabulary entries quoted in an error message. */
const QUOTED_ENTRIES = 20;

/** A slot or annotation id → its row in typed-array columns; `null` when the id has none. */
type Key = number;

/**
 * Columns of numbers keyed by a file's ids. ELAN numbers its ids (`ts1`…, `a1`…): an id that is the
 * prefix and a number without leading zeros uses the number as row, with no map entry (a map of a
 * million ids costs ~100 MB). Those rows are taken only while they stay dense — below twice the
 * numbered ids defined plus a margin — so a hostile `ts999999999` goes to the map instead of
 * allocating gigabytes. Other ids get rows from a map, numbered −1, −2, … Cells start as NaN.
 */
class IdTable {
  private readonly named = new Map<string, Key>();
  private numbered: Float64Array[];
  private others: Float64Array[];
  private numberedDefined = 0;

  constructor(
    private readonly prefix: string,
    columns: number,
  ) {
    this.numbered = Array.from({ length: columns }, () => new Float64Array(0));
    this.others = Array.from({ length: columns }, () => new Float64Array(0));
  }

  /** The id's row, or null when it has none and `create` is false. */
  key(id: string, create: boolean): Key | null {
    if (this.named.size > 0) {
      const named = this.named.get(id);
      if (named !== undefined) return named;
    }
    const number = this.numberOf(id);
    const capacity = this.numbered[0]!.length;
    if (number >= 0 && number < capacity) {
      if (create) this.numberedDefined += 1;
      return number;
    }
    if (!create) return null;
    if (number >= 0 && number < 2 * this.numberedDefined + 4096) {
      this.numberedDefined += 1;
      this.numbered = this.numbered.map((column) => grown(column, Math.max(number + 1, 2 * capacity)));
      return number;
    }
    const key = -(this.named.size + 1);
    this.named.set(id, key);
    if (this.named.size > this.others[0]!.length) this.others = this.others.map((column) => grown(column, 2 * column.length + 16));
    return key;
  }

  get(key: Key, column: number): number {
    return key >= 0 ? this.numbered[column]![key]! : this.others[column]![-key - 1]!;
  }

  set(key: Key, column: number, value: number): void {
    if (key >= 0) this.numbered[column]![key] = value;
    else this.others[column]![-key - 1] = value;
  }

  /** The number after the prefix (at most 9 digits, no leading zero), or −1. */
  private numberOf(id: string): number {
    const from = this.prefix.length;
    if (id.length === from || id.length > from + 9 || !id.startsWith(this.prefix)) return -1;
    if (id.charCodeAt(from) === 48 /* 0 */ && id.length > from + 1) return -1;
    let number = 0;
    for (let index = from; index < id.length; index += 1) {
      const digit = id.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) return -1;
      number = number * 10 + digit;
    }
    return number;
  }
}

function grown(column: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length).fill(Number.NaN);
  next.set(column);
  return next;
}

/**
 * Slot time column: NaN = no such slot, UNALIGNED, INVALID (its bad TIME_VALUE is reported; the
 * annotations using it fail without a second message), else milliseconds (interpolated ones too).
 */
const UNALIGNED = -1;
const INVALID = -2;
/** Annotation columns: start (ms, or a state below), end (ms), and the last tier that subdivided it. */
const START = 0;
const END = 1;
const SUBDIVIDED_ON = 2;
/** Start-column states: declared but times not known yet; failed (its error is already reported). */
const PENDING = -1;
const FAILED = -2;

interface Tier {
  /** 1-based, as stored in the SUBDIVIDED_ON column. */
  readonly index: number;
  readonly id: string;
  readonly line: number;
  readonly column: number;
  readonly dimension: string | null;
  readonly annotator: string | null;
  readonly modality: Modality;
  readonly linguisticType: string | null;
  /** Why the tier cannot give records; reported at its first annotation (an empty tier gives none). */
  readonly problems: string[];
  hasAnnotations: boolean;
  /** Distinct labels with the annotation where each first occurs; null once past MAX_VOCABULARY_SIZE. */
  values: Map<string, Annotation> | null;
}

interface Annotation {
  readonly id: string;
  readonly key: Key;
  readonly tier: Tier;
  readonly label: string | null;
  readonly line: number;
  readonly column: number;
  readonly element: string;
  /** Already reported as bad (its label): its interval still serves references, but it gives no record. */
  readonly rejected: boolean;
}

interface Alignable extends Annotation {
  readonly slot1: Key;
  readonly slot2: Key;
  readonly slotId1: string;
  readonly slotId2: string;
}

interface Reference extends Annotation {
  readonly parent: string;
  readonly previous: string | null;
}

/** REF annotations of one tier on one parent, in document order until ordered by PREVIOUS_ANNOTATION. */
interface Subdivision {
  readonly parent: string;
  readonly tier: Tier;
  readonly members: Reference[];
}

/** An unaligned slot waiting on its tier's chain for the next aligned one. */
interface QueuedSlot {
  readonly key: Key;
  readonly id: string;
  readonly line: number;
  readonly column: number;
}

/** Attributes and text of the annotation being read. */
interface OpenAnnotation {
  readonly tag: XmlStartTag;
  text: string;
  /** Past the label length limit (whitespace that later turned out to be inside the label included). */
  tooLong: boolean;
  /** Trailing whitespace was dropped to bound the buffer: any further non-space text makes it too long. */
  trimmedTail: boolean;
}

interface Vocabulary {
  readonly values: Set<string>;
  readonly external: boolean;
  oversized: boolean;
}

type TextTarget = 'label' | 'vocabulary' | null;

/** A slot on its tier's chain: has a time, waits in the run of unaligned slots, or cannot get one. */
type SlotVisit = 'aligned' | 'queued' | 'lost';

const MODALITY_SET: ReadonlySet<string> = new Set(MODALITIES);

/** Reads one EAF document; `batch` collects the records found since the caller last took them. */
class EafReader implements XmlHandler {
  batch: ParsedRecord[] = [];
  private readonly issues: IssueCollector;
  private readonly fileName: string | undefined;
  private readonly defaultAnnotator: string | undefined;
  private readonly modalities: Readonly<Record<string, Modality>>;
  private readonly tierPattern: RegExp;

  private readonly stack: string[] = [];
  private sawRoot = false;
  private item: string | null = null;
  private itemResolved = false;
  private mediaModality: Modality = DEFAULT_MODALITY;
  private timeOrigin = 0;
  private sawMedia = false;

  private readonly slots = new IdTable('ts', 1);
  private readonly annotations = new IdTable('a', 3);
  private readonly tiers: Tier[] = [];
  private readonly tierIds = new Set<string>();
  /** `dimension␀annotator` → the tier id that first gave it. */
  private readonly streams = new Map<string, string>();
  private tier: Tier | null = null;

  /** The current tier's chain of slots. */
  private lastSlot: Key | null = null;
  private lastVisit: SlotVisit = 'aligned';
  private lastTime: number | null = null;
  private queue: QueuedSlot[] = [];
  private pending: Alignable[] = [];
  private subdivision: Subdivision | null = null;
  /** Subdivisions whose parent's interval is not known yet, by parent id. */
  private readonly waiting = new Map<string, Subdivision[]>();
  private waitingCount = 0;

  private open: OpenAnnotation | null = null;
  private textTarget: TextTarget = null;
  private valueTag: XmlStartTag | null = null;

  private readonly typeVocabulary = new Map<string, string | null>();
  private readonly vocabularies = new Map<string, Vocabulary>();
  private vocabulary: Vocabulary | null = null;
  private vocabularyText = '';
  /** The error this reader threw itself, which already holds every issue. */
  private thrown: InputError | null = null;

  constructor(options: ReadOptions) {
    this.issues = new IssueCollector(options.issueLimit);
    this.fileName = options.fileName;
    this.defaultAnnotator = options.annotator;
    this.modalities = options.modalities ?? {};
    this.tierPattern = compileTierPattern(options.tierPattern ?? DEFAULT_TIER_PATTERN);
  }

  startElement(tag: XmlStartTag): void {
    const parent = this.stack[this.stack.length - 1];
    this.stack.push(tag.name);
    if (!this.sawRoot) {
      this.sawRoot = true;
      if (tag.name !== ROOT) this.fatal(tag, undefined, `the root element is <${tag.name}>, not <${ROOT}>: this is not an ELAN EAF file`);
      return;
    }
    switch (tag.name) {
      case 'HEADER':
        if (parent === ROOT) this.header(tag);
        break;
      case 'MEDIA_DESCRIPTOR':
        if (parent === 'HEADER') this.media(tag);
        break;
      case 'TIME_SLOT':
        if (parent === 'TIME_ORDER') this.timeSlot(tag);
        break;
      case 'TIER':
        if (parent === ROOT) this.startTier(tag);
        break;
      case 'ALIGNABLE_ANNOTATION':
      case 'REF_ANNOTATION':
        if (this.tier !== null) this.open = { tag, text: '', tooLong: false, trimmedTail: false };
        else this.issue(tag, undefined, 'an annotation outside a <TIER> belongs to no tier, so it has no dimension or annotator');
        break;
      case 'ANNOTATION_VALUE':
        if (this.open !== null) {
          this.textTarget = 'label';
          this.valueTag = tag;
        }
        break;
      case 'LINGUISTIC_TYPE':
        if (parent === ROOT) this.linguisticType(tag);
        break;
      case 'CONTROLLED_VOCABULARY':
        if (parent === ROOT) this.startVocabulary(tag);
        break;
      case 'CVE_VALUE':
      case 'CV_ENTRY':
        if (this.vocabulary !== null && (parent === 'CV_ENTRY_ML' || tag.name === 'CV_ENTRY')) {
          this.textTarget = 'vocabulary';
          this.vocabularyText = '';
        }
        break;
    }
  }

  text(text: string): void {
    if (this.textTarget === 'label') this.appendLabel(text);
    else if (this.textTarget === 'vocabulary' && this.vocabularyText.length <= INGEST_LIMITS.maxNameLength) this.vocabularyText += text;
  }

  endElement(name: string): void {
    this.stack.pop();
    switch (name) {
      case 'HEADER':
        if (this.stack.length === 1) this.resolveItem();
        break;
      case 'TIER':
        if (this.tier !== null && this.stack.length === 1) this.endTier();
        break;
      case 'ANNOTATION_VALUE':
        this.textTarget = null;
        break;
      case 'ALIGNABLE_ANNOTATION':
      case 'REF_ANNOTATION':
        if (this.open !== null) this.endAnnotation(this.open);
        this.open = null;
        this.valueTag = null;
        break;
      case 'CVE_VALUE':
      case 'CV_ENTRY':
        if (this.textTarget === 'vocabulary') this.addVocabularyEntry();
        break;
      case 'CONTROLLED_VOCABULARY':
        this.vocabulary = null;
        break;
    }
  }

  /** After the last byte: what could only be judged with the whole file, then every issue at once. */
  finish(): void {
    this.reportUnresolvedReferences();
    this.checkVocabularies();
    const error = this.issues.toError();
    if (error !== null) throw error;
  }

  /** Keeps the issues found before an error that stopped reading (malformed XML), then throws them all. */
  fail(error: InputError): never {
    if (error === this.thrown) throw error;
    this.issues.addAll(error);
    throw this.issues.toError()!;
  }

  // ── header and time order ─────────────────────────────────────────────────────────────────────

  private header(tag: XmlStartTag): void {
    const units = tag.attributes.TIME_UNITS;
    if (units !== undefined && units !== 'milliseconds') {
      this.fatal(tag, 'TIME_UNITS', `is "${units}"; only "milliseconds" is read (ELAN itself writes nothing else)`);
    }
  }

  private media(tag: XmlStartTag): void {
    if (this.sawMedia) return;
    this.sawMedia = true;
    const url = tag.attributes.RELATIVE_MEDIA_URL || tag.attributes.MEDIA_URL;
    if (url === undefined || url === '') {
      this.issue(tag, 'MEDIA_URL', 'is missing or empty: the media file names the item');
    } else {
      this.item = baseName(url);
      if (this.item === '') this.issue(tag, 'MEDIA_URL', `"${url}" names no file`);
    }
    const mime = tag.attributes.MIME_TYPE ?? '';
    if (mime.startsWith('audio/')) this.mediaModality = 'audio';
    const origin = tag.attributes.TIME_ORIGIN;
    if (origin !== undefined) {
      if (/^-?\d+$/.test(origin)) this.timeOrigin = Number(origin);
      else this.issue(tag, 'TIME_ORIGIN', `"${origin}" is not a whole number of milliseconds`);
    }
  }

  /** After the header (or at the first tier of a file without one): the item every record names. */
  private resolveItem(): void {
    if (this.itemResolved) return;
    this.itemResolved = true;
    if (this.item === null) {
      if (this.fileName === undefined || baseName(this.fileName) === '') {
        this.fatalIssue({ message: 'no MEDIA_DESCRIPTOR names the media file and no file name was given, so nothing names the item' });
      }
      this.item = baseName(this.fileName);
    }
    if (this.item.length > INGEST_LIMITS.maxNameLength) {
      this.fatalIssue({ message: `the item name (the media file name) is longer than ${INGEST_LIMITS.maxNameLength} characters` });
    }
  }

  private timeSlot(tag: XmlStartTag): void {
    const id = tag.attributes.TIME_SLOT_ID;
    if (id === undefined || id === '') {
      this.issue(tag, 'TIME_SLOT_ID', 'is missing or empty');
      return;
    }
    const key = this.slots.key(id, true)!;
    if (!Number.isNaN(this.slots.get(key, 0))) {
      this.issue(tag, 'TIME_SLOT_ID', `"${id}" is defined twice`);
      return;
    }
    const text = tag.attributes.TIME_VALUE;
    let time = UNALIGNED;
    if (text !== undefined) {
      if (/^\d{1,15}$/.test(text)) {
        time = Number(text);
      } else {
        this.issue(tag, 'TIME_VALUE', `"${text}" is not a whole number of milliseconds ≥ 0`);
        time = INVALID;
      }
    }
    this.slots.set(key, 0, time);
  }

  // ── tiers ─────────────────────────────────────────────────────────────────────────────────────

  private startTier(tag: XmlStartTag): void {
    this.resolveItem();
    const id = tag.attributes.TIER_ID ?? '';
    const problems: string[] = [];
    let dimension: string | null = null;
    let annotator: string | null = tag.attributes.ANNOTATOR?.trim() || null;
    if (id === '') {
      problems.push('TIER_ID is missing or empty');
    } else if (id.length > INGEST_LIMITS.maxNameLength) {
      problems.push(`TIER_ID is longer than ${INGEST_LIMITS.maxNameLength} characters`);
    } else {
      if (this.tierIds.has(id)) problems.push(`TIER_ID "${id}" is used by an earlier tier too`);
      this.tierIds.add(id);
      const groups = this.tierPattern.exec(id)?.groups;
      dimension = groups?.dimension || id;
      annotator ??= groups?.annotator || this.defaultAnnotator || null;
      if (annotator === null) {
        problems.push(
          `tier "${id}" names no annotator: it has no ANNOTATOR attribute, its id does not match the tier pattern ` +
            `${this.tierPattern.source}, and no annotator was given for the file`,
        );
      } else if (annotator.length > INGEST_LIMITS.maxNameLength) {
        problems.push(`the annotator of tier "${id}" is longer than ${INGEST_LIMITS.maxNameLength} characters`);
      }
    }
    const modality = dimension !== null && Object.hasOwn(this.modalities, dimension) ? this.modalities[dimension]! : this.mediaModality;
    if (!MODALITY_SET.has(modality)) problems.push(`the modality given for dimension "${dimension}" is "${modality}", not one of ${MODALITIES.join(', ')}`);
    const tier: Tier = {
      index: this.tiers.length + 1,
      id,
      line: tag.line,
      column: tag.column,
      dimension,
      annotator,
      modality,
      linguisticType: tag.attributes.LINGUISTIC_TYPE_REF ?? null,
      problems,
      hasAnnotations: false,
      values: new Map(),
    };
    this.tiers.push(tier);
    this.tier = tier;
    this.lastSlot = null;
    this.lastVisit = 'aligned';
    this.lastTime = null;
  }

  /** The first annotation of a tier: the tier's problems now cost records, so report them. */
  private firstAnnotation(tier: Tier): void {
    tier.hasAnnotations = true;
    if (tier.problems.length === 0 && tier.dimension !== null && tier.annotator !== null) {
      const stream = `${tier.dimension}\u0000${tier.annotator}`;
      const other = this.streams.get(stream);
      if (other === undefined) this.streams.set(stream, tier.id);
      else tier.problems.push(`tier "${tier.id}" gives dimension "${tier.dimension}" and annotator "${tier.annotator}", as tier "${other}" does`);
    }
    for (const problem of tier.problems) {
      this.issues.add({ line: tier.line, path: xmlPlace(tier.line, tier.column, 'TIER'), message: problem });
    }
  }

  private endTier(): void {
    this.flushSubdivision();
    const reported = new Set<Key>();
    for (const slot of this.queue) {
      if (reported.has(slot.key)) continue;
      reported.add(slot.key);
      this.issues.add({
        line: slot.line,
        path: xmlPlace(slot.line, slot.column, 'ALIGNABLE_ANNOTATION'),
        message: `TIME_SLOT "${slot.id}" has no TIME_VALUE and no aligned slot after it on tier "${this.tier!.id}", so its time cannot be interpolated`,
      });
    }
    for (const annotation of this.pending) this.failAnnotation(annotation.id, annotation.key);
    this.waitingCount -= this.pending.length;
    this.queue = [];
    this.pending = [];
    this.tier = null;
  }

  // ── annotations ───────────────────────────────────────────────────────────────────────────────

  /**
   * Keeps the label's text bounded: leading whitespace is never stored, and once the buffer passes
   * the limit its trailing whitespace is dropped; more text after that is only allowed if blank.
   */
  private appendLabel(text: string): void {
    const open = this.open!;
    if (open.tooLong) return;
    const limit = INGEST_LIMITS.maxNameLength;
    if (open.trimmedTail) {
      if (text.trim() !== '') open.tooLong = true;
      return;
    }
    open.text += open.text === '' ? text.trimStart() : text;
    if (open.text.length > limit) {
      open.text = open.text.trimEnd();
      if (open.text.length > limit) open.tooLong = true;
      else open.trimmedTail = true;
    }
  }

  private endAnnotation(open: OpenAnnotation): void {
    const tier = this.tier!;
    if (!tier.hasAnnotations) this.firstAnnotation(tier);
    const { tag } = open;
    const id = tag.attributes.ANNOTATION_ID;
    if (id === undefined || id === '') {
      this.issue(tag, 'ANNOTATION_ID', 'is missing or empty');
      return;
    }
    const key = this.annotations.key(id, true)!;
    if (!Number.isNaN(this.annotations.get(key, START))) {
      this.issue(tag, 'ANNOTATION_ID', `"${id}" is used twice`);
      return;
    }
    this.annotations.set(key, START, PENDING);
    if (open.tooLong) this.issue(this.valueTag ?? tag, 'ANNOTATION_VALUE', `is longer than ${INGEST_LIMITS.maxNameLength} characters`);
    const label = open.tooLong ? null : open.text.trimEnd() || null;
    if (tag.name === 'ALIGNABLE_ANNOTATION') {
      this.flushSubdivision();
      this.alignable(tag, id, key, label, open.tooLong);
    } else {
      this.reference(tag, id, key, label, open.tooLong);
    }
  }

  private alignable(tag: XmlStartTag, id: string, key: Key, label: string | null, rejected: boolean): void {
    const slotId1 = tag.attributes.TIME_SLOT_REF1;
    const slotId2 = tag.attributes.TIME_SLOT_REF2;
    const slot1 = this.slotKey(tag, 'TIME_SLOT_REF1', slotId1);
    const slot2 = this.slotKey(tag, 'TIME_SLOT_REF2', slotId2);
    if (slot1 === null || slot2 === null) {
      this.failAnnotation(id, key);
      return;
    }
    const { line, column, name: element } = tag;
    const annotation: Alignable = { id, key, tier: this.tier!, label, line, column, element, rejected, slot1, slot2, slotId1: slotId1!, slotId2: slotId2! };
    // Visiting the second slot may settle the first (then no longer queued): ask the slots, not the visits.
    const lost = [this.visitSlot(slot1, slotId1!, tag), this.visitSlot(slot2, slotId2!, tag)].includes('lost');
    if (lost) {
      this.failAnnotation(id, key);
    } else if (this.slots.get(slot1, 0) === UNALIGNED || this.slots.get(slot2, 0) === UNALIGNED) {
      this.hold(tag);
      this.pending.push(annotation);
    } else {
      this.completeAlignable(annotation);
    }
  }

  private slotKey(tag: XmlStartTag, field: string, id: string | undefined): Key | null {
    if (id === undefined || id === '') {
      this.issue(tag, field, 'is missing or empty');
      return null;
    }
    const key = this.slots.key(id, false);
    const time = key === null ? Number.NaN : this.slots.get(key, 0);
    if (Number.isNaN(time)) this.issue(tag, field, `names TIME_SLOT "${id}", which TIME_ORDER does not define`);
    return Number.isNaN(time) || time === INVALID ? null : key;
  }

  /**
   * Walks the tier's chain one slot on. An aligned (or already interpolated) slot settles the run of
   * unaligned slots queued since the previous aligned one and completes the annotations waiting on
   * them; an unaligned slot joins the run, or is lost when no aligned slot precedes it on the chain.
   */
  private visitSlot(key: Key, id: string, tag: XmlStartTag): SlotVisit {
    if (key === this.lastSlot) return this.lastVisit;
    this.lastSlot = key;
    this.lastVisit = this.nextSlot(key, id, tag);
    return this.lastVisit;
  }

  private nextSlot(key: Key, id: string, tag: XmlStartTag): SlotVisit {
    const time = this.slots.get(key, 0);
    if (time !== UNALIGNED) {
      if (this.queue.length > 0) this.interpolate(time);
      this.lastTime = time;
      return 'aligned';
    }
    if (this.lastTime === null) {
      this.issues.add({
        line: tag.line,
        path: xmlPlace(tag.line, tag.column, tag.name),
        message: `TIME_SLOT "${id}" has no TIME_VALUE and no aligned slot before it on tier "${this.tier!.id}", so its time cannot be interpolated`,
      });
      return 'lost';
    }
    this.queue.push({ key, id, line: tag.line, column: tag.column });
    return 'queued';
  }

  private interpolate(next: number): void {
    const previous = this.lastTime!;
    const steps = this.queue.length + 1;
    this.queue.forEach((slot, index) => {
      if (this.slots.get(slot.key, 0) === UNALIGNED) this.slots.set(slot.key, 0, previous + ((next - previous) * (index + 1)) / steps);
    });
    this.queue = [];
    const ready = this.pending;
    this.pending = [];
    this.waitingCount -= ready.length;
    for (const annotation of ready) this.completeAlignable(annotation);
  }

  private completeAlignable(annotation: Alignable): void {
    const start = this.slots.get(annotation.slot1, 0);
    const end = this.slots.get(annotation.slot2, 0);
    if (end <= start) {
      this.issues.add({
        line: annotation.line,
        path: xmlPlace(annotation.line, annotation.column, annotation.element),
        field: 'TIME_SLOT_REF2',
        message: `"${annotation.id}" ends at ${formatMs(end)} ms (${annotation.slotId2}), not after its start at ${formatMs(start)} ms (${annotation.slotId1})`,
      });
      this.failAnnotation(annotation.id, annotation.key);
      return;
    }
    this.settle(annotation, start, end);
  }

  private reference(tag: XmlStartTag, id: string, key: Key, label: string | null, rejected: boolean): void {
    const parent = tag.attributes.ANNOTATION_REF;
    if (parent === undefined || parent === '') {
      this.issue(tag, 'ANNOTATION_REF', 'is missing or empty');
      this.failAnnotation(id, key);
      return;
    }
    const previous = tag.attributes.PREVIOUS_ANNOTATION || null;
    const { line, column, name: element } = tag;
    const reference: Reference = { id, key, tier: this.tier!, label, line, column, element, rejected, parent, previous };
    const current = this.subdivision;
    if (current !== null && current.parent === parent) {
      this.hold(tag);
      current.members.push(reference);
      return;
    }
    this.flushSubdivision();
    const parentKey = this.annotations.key(parent, true)!;
    const tierIndex = this.tier!.index;
    if (this.annotations.get(parentKey, SUBDIVIDED_ON) === tierIndex) {
      this.issue(tag, 'ANNOTATION_REF', `"${id}" refers to "${parent}", whose other REF annotations on tier "${this.tier!.id}" are not next to it`);
      this.failAnnotation(id, key);
      return;
    }
    this.annotations.set(parentKey, SUBDIVIDED_ON, tierIndex);
    this.hold(tag);
    this.subdivision = { parent, tier: this.tier!, members: [reference] };
  }

  /** The current subdivision is complete: give it its parent's interval now, or when that is known. */
  private flushSubdivision(): void {
    const subdivision = this.subdivision;
    if (subdivision === null) return;
    this.subdivision = null;
    const ordered = this.ordered(subdivision);
    if (ordered === null) {
      this.waitingCount -= subdivision.members.length;
      for (const member of subdivision.members) this.failAnnotation(member.id, member.key);
      return;
    }
    const resolved = { ...subdivision, members: ordered };
    const parentKey = this.annotations.key(subdivision.parent, false)!;
    const start = this.annotations.get(parentKey, START);
    if (start >= 0 || start === FAILED) {
      this.waitingCount -= ordered.length;
      this.divide(resolved, parentKey);
      return;
    }
    const waiting = this.waiting.get(subdivision.parent);
    if (waiting === undefined) this.waiting.set(subdivision.parent, [resolved]);
    else waiting.push(resolved);
  }

  /** The members in PREVIOUS_ANNOTATION order, or null (reported) when they do not form one chain. */
  private ordered(subdivision: Subdivision): Reference[] | null {
    const { members } = subdivision;
    if (members.length === 1 && members[0]!.previous === null) return members;
    const byPrevious = new Map<string | null, Reference>();
    for (const member of members) byPrevious.set(member.previous, member);
    const ordered: Reference[] = [];
    for (let next = byPrevious.get(null); next !== undefined && ordered.length < members.length; next = byPrevious.get(next.id)) ordered.push(next);
    if (ordered.length === members.length && byPrevious.size === members.length) return ordered;
    const first = members[0]!;
    this.issues.add({
      line: first.line,
      path: xmlPlace(first.line, first.column, first.element),
      field: 'PREVIOUS_ANNOTATION',
      message:
        `the REF annotations on "${subdivision.parent}" in tier "${subdivision.tier.id}" (${members.map((member) => member.id).join(', ')}) ` +
        'do not form one PREVIOUS_ANNOTATION chain starting at one without PREVIOUS_ANNOTATION',
    });
    return null;
  }

  /** Splits the parent's interval evenly among the ordered members (one member: the whole interval). */
  private divide(subdivision: Subdivision, parentKey: Key): void {
    const start = this.annotations.get(parentKey, START);
    if (start === FAILED) {
      for (const member of subdivision.members) this.failAnnotation(member.id, member.key);
      return;
    }
    const end = this.annotations.get(parentKey, END);
    const count = subdivision.members.length;
    subdivision.members.forEach((member, index) => {
      const memberEnd = index === count - 1 ? end : start + ((end - start) * (index + 1)) / count;
      this.settle(member, start + ((end - start) * index) / count, memberEnd);
    });
  }

  /** The annotation's interval is known: store it, emit its record, and resolve what waited for it. */
  private settle(annotation: Annotation, start: number, end: number): void {
    this.annotations.set(annotation.key, START, start);
    this.annotations.set(annotation.key, END, end);
    this.emit(annotation, start, end);
    this.release(annotation.id, annotation.key);
  }

  private failAnnotation(id: string, key: Key): void {
    this.annotations.set(key, START, FAILED);
    this.release(id, key);
  }

  private release(id: string, key: Key): void {
    if (this.waiting.size === 0) return;
    const subdivisions = this.waiting.get(id);
    if (subdivisions === undefined) return;
    this.waiting.delete(id);
    for (const subdivision of subdivisions) {
      this.waitingCount -= subdivision.members.length;
      this.divide(subdivision, key);
    }
  }

  /** One more annotation held back; past MAX_WAITING_ANNOTATIONS the file is refused. */
  private hold(tag: XmlStartTag): void {
    this.waitingCount += 1;
    if (this.waitingCount > MAX_WAITING_ANNOTATIONS) {
      this.fatal(
        tag,
        undefined,
        `more than ${MAX_WAITING_ANNOTATIONS} annotations wait at once for a later aligned time slot or a later parent annotation`,
      );
    }
  }

  private emit(annotation: Annotation, startMs: number, endMs: number): void {
    const tier = annotation.tier;
    const values = tier.values;
    if (values !== null && annotation.label !== null && !values.has(annotation.label)) {
      if (values.size < MAX_VOCABULARY_SIZE) values.set(annotation.label, annotation);
      else tier.values = null;
    }
    if (annotation.rejected || tier.problems.length > 0 || tier.dimension === null || tier.annotator === null) return;
    const provenance: Provenance = { tier: tier.id, annotation: annotation.id };
    if (this.fileName !== undefined) provenance.file = this.fileName;
    this.batch.push({
      item: this.item!,
      annotator: tier.annotator,
      modality: tier.modality,
      dimension: tier.dimension,
      label: annotation.label,
      value: null,
      start: (startMs + this.timeOrigin) / 1000,
      end: (endMs + this.timeOrigin) / 1000,
      frame: null,
      box: null,
      line: annotation.line,
      path: xmlPlace(annotation.line, annotation.column, annotation.element),
      provenance,
    });
  }

  private reportUnresolvedReferences(): void {
    for (const [parent, subdivisions] of this.waiting) {
      const parentKey = this.annotations.key(parent, false);
      const declared = parentKey !== null && !Number.isNaN(this.annotations.get(parentKey, START));
      for (const member of subdivisions.flatMap((subdivision) => subdivision.members)) {
        this.issues.add({
          line: member.line,
          path: xmlPlace(member.line, member.column, member.element),
          field: 'ANNOTATION_REF',
          message: declared
            ? `"${member.id}" refers to "${parent}", whose interval never resolves (the references form a cycle)`
            : `"${member.id}" refers to "${parent}", which is not an annotation in this file`,
        });
      }
    }
  }

  // ── linguistic types and controlled vocabularies ──────────────────────────────────────────────

  private linguisticType(tag: XmlStartTag): void {
    const id = tag.attributes.LINGUISTIC_TYPE_ID;
    if (id !== undefined) this.typeVocabulary.set(id, tag.attributes.CONTROLLED_VOCABULARY_REF || null);
  }

  private startVocabulary(tag: XmlStartTag): void {
    const id = tag.attributes.CV_ID;
    if (id === undefined) return;
    this.vocabulary = { values: new Set(), external: tag.attributes.EXT_REF !== undefined, oversized: false };
    this.vocabularies.set(id, this.vocabulary);
  }

  private addVocabularyEntry(): void {
    this.textTarget = null;
    const vocabulary = this.vocabulary!;
    if (vocabulary.values.size >= MAX_VOCABULARY_SIZE) vocabulary.oversized = true;
    else vocabulary.values.add(this.vocabularyText.trim());
  }

  private checkVocabularies(): void {
    for (const tier of this.tiers) {
      if (!tier.hasAnnotations || tier.linguisticType === null) continue;
      const vocabularyId = this.typeVocabulary.get(tier.linguisticType);
      if (vocabularyId === undefined) {
        this.issues.add({
          line: tier.line,
          path: xmlPlace(tier.line, tier.column, 'TIER'),
          field: 'LINGUISTIC_TYPE_REF',
          message: `names "${tier.linguisticType}", which no LINGUISTIC_TYPE defines`,
        });
        continue;
      }
      const vocabulary = vocabularyId === null ? undefined : this.vocabularies.get(vocabularyId);
      if (vocabulary === undefined || vocabulary.external) continue;
      const where = { line: tier.line, path: xmlPlace(tier.line, tier.column, 'TIER') };
      if (vocabulary.oversized) {
        this.issues.add({ ...where, message: `controlled vocabulary "${vocabularyId}" has more than ${MAX_VOCABULARY_SIZE} entries, too many to check tier "${tier.id}" against` });
      } else if (tier.values === null) {
        this.issues.add({
          ...where,
          message: `tier "${tier.id}" has more than ${MAX_VOCABULARY_SIZE} distinct values, so some are outside its controlled vocabulary "${vocabularyId}" (${vocabulary.values.size} entries)`,
        });
      } else {
        for (const [value, first] of tier.values) {
          if (vocabulary.values.has(value)) continue;
          this.issues.add({
            line: first.line,
            path: xmlPlace(first.line, first.column, first.element),
            field: 'ANNOTATION_VALUE',
            message: `"${value}" (tier "${tier.id}") is not in controlled vocabulary "${vocabularyId}": ${quoteEntries(vocabulary.values)}`,
          });
        }
      }
    }
  }

  // ── issues ────────────────────────────────────────────────────────────────────────────────────

  private issue(tag: XmlStartTag, field: string | undefined, message: string): void {
    const issue: InputIssue = { line: tag.line, path: xmlPlace(tag.line, tag.column, tag.name), message };
    if (field !== undefined) issue.field = field;
    this.issues.add(issue);
  }

  /** An error that leaves the rest unreadable: thrown at once, with the issues found so far. */
  private fatal(tag: XmlStartTag, field: string | undefined, message: string): never {
    this.issue(tag, field, message);
    this.thrown = this.issues.toError()!;
    throw this.thrown;
  }

  private fatalIssue(issue: InputIssue): never {
    this.issues.add(issue);
    this.thrown = this.issues.toError()!;
    throw this.thrown;
  }
}

/** The tier pattern as a RegExp; it must compile and name a `dimension` or an `annotator` group. */
function compileTierPattern(pattern: string): RegExp {
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern);
  } catch (error) {
    throw new InputError([{ field: 'tierPattern', message: `is not a valid regular expression: ${(error as Error).message}` }]);
  }
  // The pattern or an empty match: the groups object of the empty match lists every named group.
  const groups = new RegExp(`(?:${pattern})|`).exec('')?.groups ?? {};
  if (!('dimension' in groups) && !('annotator' in groups)) {
    throw new InputError([{ field: 'tierPattern', message: `${pattern} names neither a (?<dimension>…) nor an (?<annotator>…) group` }]);
  }
  return compiled;
}

/** The last path segment of a URL or file path, percent-escapes decoded where they are valid. */
function baseName(url: string): string {
  const name = url.slice(Math.max(url.lastIndexOf('/'), url.lastIndexOf('\\')) + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

function formatMs(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(3);
}

function quoteEntries(values: ReadonlySet<string>): string {
  const quoted = [...values].slice(0, QUOTED_ENTRIES).map((value) => `"${value}"`);
  return values.size > QUOTED_ENTRIES ? `${quoted.join(', ')} … (${values.size} entries)` : quoted.join(', ');
}

/**
 * The name of the root element, after the XML declaration, comments, processing instructions and a
 * DOCTYPE (which `read` then refuses with a clear message); null when the head does not reach it.
 */
export function xmlRootName(head: string): string | null {
  let at = 0;
  for (;;) {
    while (at < head.length && /\s/.test(head.charAt(at))) at += 1;
    if (head.startsWith('<?', at)) at = skipPast(head, '?>', at);
    else if (head.startsWith('<!--', at)) at = skipPast(head, '-->', at);
    else if (head.startsWith('<!DOCTYPE', at)) at = skipDoctype(head, at);
    else break;
    if (at < 0) return null;
  }
  const name = /^<([A-Za-z_][\w.:-]*)/.exec(head.slice(at, at + 256));
  return name === null ? null : name[1]!;
}

function skipPast(text: string, end: string, from: number): number {
  const found = text.indexOf(end, from);
  return found < 0 ? -1 : found + end.length;
}

/** Past `<!DOCTYPE …>`, including an internal subset in brackets. */
function skipDoctype(text: string, from: number): number {
  const close = text.indexOf('>', from);
  const bracket = text.indexOf('[', from);
  if (bracket >= 0 && (close < 0 || bracket < close)) {
    const subsetEnd = text.indexOf(']', bracket);
    return subsetEnd < 0 ? -1 : skipPast(text, '>', subsetEnd);
  }
  return close < 0 ? -1 : close + 1;
}

async function* readEaf(source: AsyncIterable<Buffer>, options: ReadOptions = {}): AsyncIterable<ParsedRecord[]> {
  const reader = new EafReader(options);
  try {
    for await (const _ of readXml(source, reader)) {
      if (reader.batch.length > 0) {
        yield reader.batch;
        reader.batch = [];
      }
    }
  } catch (error) {
    if (error instanceof InputError) reader.fail(error);
    throw error;
  }
  if (reader.batch.length > 0) yield reader.batch;
  reader.finish();
}

export const elanAdapter: FormatAdapter = {
  format: 'elan',
  description: 'ELAN EAF 2.8/3.0: one interval record per annotation; annotator from ANNOTATOR, the tier pattern or the file',
  detect: (head) => xmlRootName(head) === ROOT,
  read: readEaf,
};
