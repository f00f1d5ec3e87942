/**
 * CVAT for images 1.1 and CVAT for video 1.1 XML (task, job and project exports), streamed.
 *
 * Mapping (one file = one annotator):
 * - item: an image's `name` (its `id` when the name is empty); for a track, the video — the task's
 *   `<source>` (the video file name; `<meta><source>` in older exports), else the task's `<name>`,
 *   else the file name (job exports name neither). Project exports give each track's and image's task
 *   with `task_id`.
 * - annotator: `ReadOptions.annotator`, else the job's `<assignee><username>` (job exports only: a
 *   task's owner or assignee is the same person in every annotator's export of that task, so it cannot
 *   tell annotators apart), else an InputError saying how to give it.
 * - Shapes become box records (pixels) in dimension `objects`, label = the CVAT label:
 *   box → {x: xtl, y: ytl, w: xbr − xtl, h: ybr − ytl}, or with `rotation` (degrees, about the centre)
 *   the axis-aligned bounding box of the rotated rectangle; polygon, polyline, cuboid → the bounding box
 *   of their points (so IoU compares the enclosing rectangles, not the outlines); ellipse → the bounding
 *   box of the (rotated) ellipse; mask → its `left top width height` rectangle; skeleton → the bounding
 *   box of its points that are not `outside`.
 * - `points` shapes outside a skeleton are refused with an error: points have no area, so box IoU
 *   cannot compare them (a single point would never match), and no other metric applies.
 * - An image-level `<tag>` is a categorical record in dimension `tags`. One tag per image: several are
 *   a multi-label judgement a categorical dimension cannot hold, so a second tag is an error.
 * - Each `<attribute name="a">v</attribute>` of a shape is one more record in dimension `<label>.a`
 *   with label v and the shape's box, so attribute agreement is measured on matched objects (box
 *   matching, then class agreement of v); on a tag it is a categorical record `<label>.a` of the
 *   image; on a skeleton's point `<element>` it is dimension `<label>.<element>.a`. An empty value is
 *   a null label.
 * - Video: one record per `<track>` shape that is not `outside="1"`, frame = its `frame`, modality
 *   video. Exports list every interpolated frame (keyframe="0"), so nothing is interpolated here; an
 *   `outside="1"` frame and the frames after it until the next listed shape are not boxes. Frames
 *   must increase within a track.
 * - `keyframe`, `occluded`, `z_order`, `group_id` and `source` (auto-annotated shapes included) are
 *   read past; so is `<meta>` beyond the ids, names and assignee above.
 * - An image or frame with no shape yields no record: the canonical record cannot say "looked, found
 *   nothing".
 * - Anything else (another element where a shape belongs, a missing or malformed coordinate) is an
 *   issue naming `line:column <element>` and the attribute; XML that is not well-formed stops reading.
 * - Provenance: file name, task id (job id in job exports), track id.
 */
import { parseDecimal } from '../../agreement/numbers';
import type { Box } from '../../agreement/types';
import type { FormatAdapter, ParsedRecord, Provenance, ReadOptions } from '../adapter';
import { InputError, IssueCollector } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { readXml, xmlPlace, type XmlHandler, type XmlStartTag } from './xml-reader';

const OBJECTS_DIMENSION = 'objects';
const TAGS_DIMENSION = 'tags';

/** The shape elements CVAT writes (`tag` aside); `points` is recognised in order to refuse it. */
const SHAPE_ELEMENTS: ReadonlySet<string> = new Set(['box', 'polygon', 'polyline', 'ellipse', 'cuboid', 'mask', 'skeleton', 'points']);
const CUBOID_CORNERS = ['tl1', 'bl1', 'tr1', 'br1', 'tl2', 'bl2', 'tr2', 'br2'] as const;
const POINTS_REFUSED =
  'points shapes are not supported: points have no area, so box IoU cannot compare them; remove them from the export or draw boxes or polygons';
const DEGREES = Math.PI / 180;

/**
 * |cos| and |sin| of a rotation in degrees, exact at quarter turns (Math.cos(π/2) is 6e-17, which
 * would turn a 90° box's width of 40 into 40.00000000000001).
 */
function turn(degrees: number): { cos: number; sin: number } {
  const quarterTurns = degrees / 90;
  if (Number.isInteger(quarterTurns)) return quarterTurns % 2 === 0 ? { cos: 1, sin: 0 } : { cos: 0, sin: 1 };
  return { cos: Math.abs(Math.cos(degrees * DEGREES)), sin: Math.abs(Math.sin(degrees * DEGREES)) };
}

/** 10^0 … 10^15, exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, power) => 10 ** power);

/**
 * `parseDecimal(text)`, computed here for a plain decimal of at most 15 digits (`-12.5`, `1093.45`:
 * every CVAT coordinate): digits and scale are then exact doubles, and one division rounds their
 * quotient as `Number()` rounds the text. `Number()` of a freshly sliced text was an eighth of
 * reading a video export. Anything else goes to `parseDecimal`.
 */
function decimal(text: string): number {
  const length = text.length;
  let i = text.charCodeAt(0) === 0x2d ? 1 : 0;
  const negative = i === 1;
  let digits = 0;
  let point = -1;
  let mantissa = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) {
      mantissa = mantissa * 10 + (code - 0x30);
      digits += 1;
    } else if (code === 0x2e && point === -1) {
      point = i;
    } else {
      return parseDecimal(text);
    }
  }
  if (digits === 0 || digits > 15) return parseDecimal(text);
  const value = point === -1 ? mantissa : mantissa / POWERS_OF_TEN[length - point - 1]!;
  return negative ? -value : value;
}

/** Where a shape or tag sits: an image (image mode) or a track (video mode). */
interface Container {
  readonly item: string;
  readonly modality: 'image' | 'video';
  readonly provenance: Provenance;
}

interface ImageContainer extends Container {
  shapeCount: number;
  /** The image's tag, to report a second one. */
  tag: { label: string; line: number } | null;
}

interface TrackContainer extends Container {
  readonly label: string | null;
  readonly id: string;
  shapeCount: number;
  lastFrame: number;
  /** A refused shape kind is reported once per track, not once per frame. */
  refusedReported: boolean;
}

/** The shape (or tag) being read, until its end tag. */
interface OpenShape {
  readonly kind: string;
  readonly label: string | null;
  readonly line: number;
  readonly path: string;
  readonly frame: number | null;
  /** False once an issue is reported: the shape yields no record. */
  valid: boolean;
  /** `outside="1"` in a track: the object is not on this frame. */
  readonly outside: boolean;
  /** Null for tags, and for skeletons until their points are read. */
  box: Box | null;
  /** Attribute names seen, to refuse duplicates; values become records at the end tag. */
  readonly attributes: { dimension: string; value: string | null }[];
  /** Bounds of a skeleton's visible points. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** A skeleton's `<points label=…>` element being read. */
interface OpenElement {
  readonly label: string;
}

interface TaskMeta {
  id: string | null;
  name: string | null;
  source: string | null;
}

/** Texts of `<meta>` the mapping uses, by element path below `<annotations>`. */
const META_TEXTS: ReadonlySet<string> = new Set([
  'meta/task/id',
  'meta/task/name',
  'meta/task/source',
  'meta/project/tasks/task/id',
  'meta/project/tasks/task/name',
  'meta/project/tasks/task/source',
  'meta/job/id',
  'meta/job/assignee/username',
  'meta/source',
]);

type AttributeSource = Readonly<Record<string, string>>;

class CvatHandler implements XmlHandler {
  batch: ParsedRecord[] = [];
  private readonly fileName: string | undefined;
  private annotator: string | null = null;
  /** Element names from `<meta>` down while inside it, else null. */
  private metaPath: string[] | null = null;
  private metaTask: TaskMeta | null = null;
  /** Tasks by id (project exports list several), and the one task of a task export. */
  private readonly tasks = new Map<string, TaskMeta>();
  private singleTask: TaskMeta | null = null;
  /** `<meta><source>`: where older task exports name the video. */
  private metaSource: string | null = null;
  private jobId: string | null = null;
  private jobAssignee: string | null = null;
  private image: ImageContainer | null = null;
  private track: TrackContainer | null = null;
  private shape: OpenShape | null = null;
  private element: OpenElement | null = null;
  /** Text being collected (attribute value or meta field), or null when text is not wanted. */
  private collected: string | null = null;
  /** The `<attribute>` being read: its name and where it is. */
  private attributeName: string | null = null;
  private attributeLine = 0;
  private attributePath = '';
  /** Depth of an element whose content is ignored (reported, or of no interest), 0 when none. */
  private skipDepth = 0;

  constructor(
    private readonly issues: IssueCollector,
    private readonly options: ReadOptions,
  ) {
    this.fileName = options.fileName;
  }

  startElement(tag: XmlStartTag): void {
    if (this.skipDepth !== 0) return;
    const { name, depth } = tag;
    if (depth === 1) {
      if (name !== 'annotations') throw this.fatal(tag, `the root element is <${name}>; a CVAT 1.1 export has <annotations>`);
      return;
    }
    if (this.metaPath !== null) return this.openMeta(name);
    if (depth === 2) return this.openTopLevel(tag);
    if (this.shape !== null) return this.openInsideShape(tag);
    if (this.image !== null) return this.openInImage(tag);
    if (this.track !== null) return this.openInTrack(tag);
    this.skip(tag);
  }

  endElement(_name: string, depth: number): void {
    if (this.skipDepth !== 0) {
      if (depth === this.skipDepth) this.skipDepth = 0;
      return;
    }
    if (this.metaPath !== null) return this.closeMeta();
    if (this.attributeName !== null) return this.closeAttribute();
    if (this.element !== null) {
      this.element = null;
      return;
    }
    if (this.shape !== null) return this.closeShape();
    if (depth === 2) {
      this.image = null;
      this.track = null;
    }
  }

  text(text: string): void {
    if (this.collected !== null) this.collected += text;
  }

  private openTopLevel(tag: XmlStartTag): void {
    switch (tag.name) {
      case 'version':
        return;
      case 'meta':
        this.metaPath = ['meta'];
        return;
      case 'image':
        return this.openImage(tag);
      case 'track':
        return this.openTrack(tag);
      default:
        this.report(tag, undefined, `unknown element <${tag.name}> in <annotations> (expected version, meta, image or track)`);
        this.skip(tag);
    }
  }

  private openMeta(name: string): void {
    const path = this.metaPath!;
    path.push(name);
    const joined = path.join('/');
    if (joined === 'meta/task' || joined === 'meta/project/tasks/task') this.metaTask = { id: null, name: null, source: null };
    this.collected = META_TEXTS.has(joined) ? '' : null;
  }

  private closeMeta(): void {
    const path = this.metaPath!;
    const joined = path.join('/');
    const text = this.collected;
    this.collected = null;
    if (text !== null) this.takeMetaText(joined, text.trim());
    if (joined === 'meta/task' || joined === 'meta/project/tasks/task') {
      const task = this.metaTask!;
      if (task.id !== null) this.tasks.set(task.id, task);
      if (joined === 'meta/task') this.singleTask = task;
      this.metaTask = null;
    }
    path.pop();
    if (path.length === 0) this.metaPath = null;
  }

  private takeMetaText(path: string, text: string): void {
    const value = text === '' ? null : text;
    const field = path.slice(path.lastIndexOf('/') + 1);
    if (path === 'meta/job/id') this.jobId = value;
    else if (path === 'meta/job/assignee/username') this.jobAssignee = value;
    else if (path === 'meta/source') this.metaSource = value;
    else if (this.metaTask !== null && (field === 'id' || field === 'name' || field === 'source')) this.metaTask[field] = value;
  }

  /** The file's annotator, settled when the first image or track starts (the meta comes first). */
  private resolveAnnotator(tag: XmlStartTag): string {
    if (this.annotator !== null) return this.annotator;
    const annotator = this.options.annotator ?? this.jobAssignee;
    if (annotator === null || annotator === '') {
      throw this.fatal(
        tag,
        'the annotator is missing: this CVAT export does not say who annotated it (only job exports name an <assignee>); ' +
          'give it with ?annotator=<name> (API) or --annotator <name> (CLI), one file per annotator',
      );
    }
    if (annotator.length > INGEST_LIMITS.maxNameLength) {
      throw this.fatal(tag, `the annotator name is longer than ${INGEST_LIMITS.maxNameLength} characters`);
    }
    this.annotator = annotator;
    return annotator;
  }

  private taskOf(taskId: string | undefined): TaskMeta | null {
    if (taskId !== undefined) return this.tasks.get(taskId) ?? { id: taskId, name: null, source: null };
    return this.singleTask;
  }

  private provenanceOf(taskId: string | null, trackId?: string): Provenance {
    const provenance: Provenance = {};
    if (this.fileName !== undefined) provenance.file = this.fileName;
    if (taskId !== null) provenance.task = taskId;
    if (trackId !== undefined) provenance.track = trackId;
    return provenance;
  }

  private openImage(tag: XmlStartTag): void {
    this.resolveAnnotator(tag);
    const { id, name } = tag.attributes;
    const item = name !== undefined && name !== '' ? name : id;
    if (item === undefined || item === '') {
      this.report(tag, 'name', 'the image has neither a name nor an id');
      return this.skip(tag);
    }
    if (item.length > INGEST_LIMITS.maxNameLength) {
      this.report(tag, 'name', `is longer than ${INGEST_LIMITS.maxNameLength} characters`);
      return this.skip(tag);
    }
    const task = this.taskOf(tag.attributes.task_id);
    const taskId = task?.id ?? this.jobId;
    this.image = { item, modality: 'image', provenance: this.provenanceOf(taskId), shapeCount: 0, tag: null };
  }

  private openTrack(tag: XmlStartTag): void {
    this.resolveAnnotator(tag);
    const { id, label } = tag.attributes;
    const task = this.taskOf(tag.attributes.task_id);
    const item = task?.source ?? (task === this.singleTask ? this.metaSource : null) ?? task?.name ?? this.fileName;
    if (item === undefined) {
      throw this.fatal(tag, 'cannot name the video: the export names no task <source> or <name>, and the upload gives no file name');
    }
    if (item.length > INGEST_LIMITS.maxNameLength) throw this.fatal(tag, `the video name is longer than ${INGEST_LIMITS.maxNameLength} characters`);
    if (id === undefined || id === '') this.report(tag, 'id', 'is missing');
    const trackLabel = this.checkedLabel(tag, label);
    const taskId = task?.id ?? this.jobId;
    this.track = {
      item,
      modality: 'video',
      provenance: this.provenanceOf(taskId, id ?? ''),
      label: trackLabel,
      id: id ?? '',
      shapeCount: 0,
      lastFrame: -1,
      refusedReported: false,
    };
  }

  private openInImage(tag: XmlStartTag): void {
    const image = this.image!;
    image.shapeCount += 1;
    if (image.shapeCount > INGEST_LIMITS.maxResultsPerTask) {
      if (image.shapeCount === INGEST_LIMITS.maxResultsPerTask + 1) {
        this.report(tag, undefined, `more than ${INGEST_LIMITS.maxResultsPerTask} shapes in one image`);
      }
      return this.skip(tag);
    }
    if (tag.name === 'tag') return this.openTag(tag, image);
    if (!SHAPE_ELEMENTS.has(tag.name)) {
      this.report(tag, undefined, `unknown element <${tag.name}> in <image> (expected a shape or <tag>)`);
      return this.skip(tag);
    }
    if (tag.name === 'points') {
      this.report(tag, undefined, POINTS_REFUSED);
      return this.skip(tag);
    }
    const label = this.checkedLabel(tag, tag.attributes.label);
    this.openShape(tag, label, null, false);
  }

  private openInTrack(tag: XmlStartTag): void {
    const track = this.track!;
    if (!SHAPE_ELEMENTS.has(tag.name)) {
      this.report(tag, undefined, `unknown element <${tag.name}> in <track> (expected a shape)`);
      return this.skip(tag);
    }
    if (tag.name === 'points') {
      if (!track.refusedReported) this.report(tag, undefined, `${POINTS_REFUSED} (reported once for track ${track.id})`);
      track.refusedReported = true;
      return this.skip(tag);
    }
    track.shapeCount += 1;
    if (track.shapeCount > INGEST_LIMITS.maxFramesPerTrack) {
      if (track.shapeCount === INGEST_LIMITS.maxFramesPerTrack + 1) {
        this.report(tag, undefined, `more than ${INGEST_LIMITS.maxFramesPerTrack} frames in track ${track.id}`);
      }
      return this.skip(tag);
    }
    const attributes = tag.attributes;
    const frameText = attributes.frame;
    let frame: number | null = null;
    if (frameText === undefined) {
      this.report(tag, 'frame', 'is missing');
    } else {
      const parsed = decimal(frameText);
      if (!Number.isInteger(parsed) || parsed < 0) this.report(tag, 'frame', `"${frameText}" is not a frame number (an integer ≥ 0)`);
      else if (parsed <= track.lastFrame) this.report(tag, 'frame', `frame ${parsed} comes after frame ${track.lastFrame} in track ${track.id}: frames must increase`);
      else frame = parsed;
    }
    if (frame !== null) track.lastFrame = frame;
    const outside = this.flag(tag, 'outside');
    this.openShape(tag, track.label, frame, outside === true);
    if (frame === null || outside === null) this.shape!.valid = false;
  }

  /** A `0`/`1` attribute (absent = 0), or null after reporting another value. */
  private flag(tag: XmlStartTag, name: string): boolean | null {
    const text = tag.attributes[name];
    if (text === undefined || text === '0') return false;
    if (text === '1') return true;
    this.report(tag, name, `"${text}" is not 0 or 1`);
    return null;
  }

  private openShape(tag: XmlStartTag, label: string | null, frame: number | null, outside: boolean): void {
    const shape: OpenShape = {
      kind: tag.name,
      label,
      line: tag.line,
      path: xmlPlace(tag.line, tag.column, tag.name),
      frame,
      valid: label !== null,
      outside,
      box: null,
      attributes: [],
      minX: Infinity,
      minY: Infinity,
      maxX: -Infinity,
      maxY: -Infinity,
    };
    this.shape = shape;
    if (tag.name !== 'skeleton' && tag.name !== 'tag' && !outside) {
      shape.box = this.outlineBox(tag);
      if (shape.box === null) shape.valid = false;
    }
  }

  private openTag(tag: XmlStartTag, image: ImageContainer): void {
    const label = this.checkedLabel(tag, tag.attributes.label);
    if (label !== null && image.tag !== null) {
      this.report(
        tag,
        'label',
        `a second tag "${label}" on image "${image.item}" (tag "${image.tag.label}" at line ${image.tag.line}): ` +
          'several tags on one image are a multi-label judgement, which one categorical dimension cannot hold',
      );
      return this.skip(tag);
    }
    if (label !== null) image.tag = { label, line: tag.line };
    this.openShape(tag, label, null, false);
  }

  private openInsideShape(tag: XmlStartTag): void {
    const shape = this.shape!;
    if (this.attributeName !== null) {
      this.report(tag, undefined, `unexpected <${tag.name}> inside <attribute> (its content is the value as text)`);
      shape.valid = false;
      return this.skip(tag);
    }
    if (tag.name === 'attribute') return this.openAttribute(tag);
    if (shape.kind === 'skeleton' && this.element === null && tag.name === 'points') return this.openSkeletonPoints(tag, shape);
    this.report(tag, undefined, `unexpected <${tag.name}> inside <${shape.kind}> (expected <attribute>${shape.kind === 'skeleton' ? ' or <points>' : ''})`);
    shape.valid = false;
    this.skip(tag);
  }

  private openSkeletonPoints(tag: XmlStartTag, shape: OpenShape): void {
    const label = this.checkedLabel(tag, tag.attributes.label);
    this.element = { label: label ?? '' };
    if (label === null) shape.valid = false;
    const outside = this.flag(tag, 'outside');
    if (outside === null) shape.valid = false;
    if (outside !== false) return;
    const bounds = this.pointBounds(tag);
    if (bounds === null) {
      shape.valid = false;
      return;
    }
    shape.minX = Math.min(shape.minX, bounds.minX);
    shape.minY = Math.min(shape.minY, bounds.minY);
    shape.maxX = Math.max(shape.maxX, bounds.maxX);
    shape.maxY = Math.max(shape.maxY, bounds.maxY);
  }

  private openAttribute(tag: XmlStartTag): void {
    const name = tag.attributes.name;
    if (name === undefined || name === '') {
      this.report(tag, 'name', 'the <attribute> has no name');
      this.shape!.valid = false;
      return this.skip(tag);
    }
    this.attributeName = name;
    this.attributeLine = tag.line;
    this.attributePath = xmlPlace(tag.line, tag.column, tag.name);
    this.collected = '';
  }

  private closeAttribute(): void {
    const shape = this.shape!;
    const value = this.collected!;
    const name = this.attributeName!;
    this.collected = null;
    this.attributeName = null;
    const owner = this.element === null ? shape.label : `${shape.label}.${this.element.label}`;
    const dimension = `${owner}.${name}`;
    const line = this.attributeLine;
    const path = this.attributePath;
    if (shape.attributes.some((attribute) => attribute.dimension === dimension)) {
      this.issues.add({ line, path, field: 'name', message: `attribute "${name}" appears twice in one <${shape.kind}>` });
      shape.valid = false;
    } else if (value.length > INGEST_LIMITS.maxNameLength || dimension.length > INGEST_LIMITS.maxNameLength) {
      this.issues.add({ line, path, field: name, message: `the attribute name or value is longer than ${INGEST_LIMITS.maxNameLength} characters` });
      shape.valid = false;
    } else {
      shape.attributes.push({ dimension, value: value === '' ? null : value });
    }
  }

  private closeShape(): void {
    const shape = this.shape!;
    this.shape = null;
    if (!shape.valid || shape.outside) return;
    const container: Container = this.image ?? this.track!;
    if (shape.kind === 'skeleton') {
      if (shape.minX === Infinity) {
        // In a track an all-outside skeleton is simply not on this frame, as `outside="1"` is elsewhere.
        if (this.track === null) {
          this.issues.add({ line: shape.line, path: shape.path, message: 'the skeleton has no visible point, so no box' });
        }
        return;
      }
      shape.box = { x: shape.minX, y: shape.minY, w: shape.maxX - shape.minX, h: shape.maxY - shape.minY };
    }
    const isTag = shape.kind === 'tag';
    this.emit(container, shape, isTag ? TAGS_DIMENSION : OBJECTS_DIMENSION, shape.label);
    for (const attribute of shape.attributes) this.emit(container, shape, attribute.dimension, attribute.value);
  }

  private emit(container: Container, shape: OpenShape, dimension: string, label: string | null): void {
    this.batch.push({
      item: container.item,
      annotator: this.annotator!,
      modality: container.modality,
      dimension,
      label,
      value: null,
      start: null,
      end: null,
      frame: shape.frame,
      box: shape.box,
      line: shape.line,
      path: shape.path,
      provenance: container.provenance,
    });
  }

  /** The label of a shape, tag or track, or null after reporting. */
  private checkedLabel(tag: XmlStartTag, label: string | undefined): string | null {
    if (label === undefined || label === '') {
      this.report(tag, 'label', 'is missing or empty');
      return null;
    }
    if (label.length > INGEST_LIMITS.maxNameLength) {
      this.report(tag, 'label', `is longer than ${INGEST_LIMITS.maxNameLength} characters`);
      return null;
    }
    return label;
  }

  /** The axis-aligned box enclosing a shape's outline, or null after reporting. */
  private outlineBox(tag: XmlStartTag): Box | null {
    const attributes = tag.attributes;
    switch (tag.name) {
      case 'box':
        return this.rectangle(tag, attributes);
      case 'ellipse':
        return this.ellipse(tag, attributes);
      case 'mask':
        return this.mask(tag, attributes);
      case 'cuboid':
        return this.cuboid(tag, attributes);
      default: {
        const bounds = this.pointBounds(tag);
        return bounds === null ? null : { x: bounds.minX, y: bounds.minY, w: bounds.maxX - bounds.minX, h: bounds.maxY - bounds.minY };
      }
    }
  }

  private rectangle(tag: XmlStartTag, attributes: AttributeSource): Box | null {
    const xtl = this.coordinate(tag, attributes, 'xtl');
    const ytl = this.coordinate(tag, attributes, 'ytl');
    const xbr = this.coordinate(tag, attributes, 'xbr');
    const ybr = this.coordinate(tag, attributes, 'ybr');
    const rotation = attributes.rotation === undefined ? 0 : this.coordinate(tag, attributes, 'rotation');
    if (xtl === null || ytl === null || xbr === null || ybr === null || rotation === null) return null;
    if (xbr < xtl) return this.reject(tag, 'xbr', `xbr (${xbr}) is less than xtl (${xtl})`);
    if (ybr < ytl) return this.reject(tag, 'ybr', `ybr (${ybr}) is less than ytl (${ytl})`);
    const width = xbr - xtl;
    const height = ybr - ytl;
    if (rotation === 0) return { x: xtl, y: ytl, w: width, h: height };
    const { cos, sin } = turn(rotation);
    const w = width * cos + height * sin;
    const h = width * sin + height * cos;
    return { x: (xtl + xbr) / 2 - w / 2, y: (ytl + ybr) / 2 - h / 2, w, h };
  }

  private ellipse(tag: XmlStartTag, attributes: AttributeSource): Box | null {
    const cx = this.coordinate(tag, attributes, 'cx');
    const cy = this.coordinate(tag, attributes, 'cy');
    const rx = this.coordinate(tag, attributes, 'rx');
    const ry = this.coordinate(tag, attributes, 'ry');
    const rotation = attributes.rotation === undefined ? 0 : this.coordinate(tag, attributes, 'rotation');
    if (cx === null || cy === null || rx === null || ry === null || rotation === null) return null;
    if (rx < 0) return this.reject(tag, 'rx', `is negative (${rx})`);
    if (ry < 0) return this.reject(tag, 'ry', `is negative (${ry})`);
    const { cos, sin } = turn(rotation);
    const halfWidth = Math.hypot(rx * cos, ry * sin);
    const halfHeight = Math.hypot(rx * sin, ry * cos);
    return { x: cx - halfWidth, y: cy - halfHeight, w: 2 * halfWidth, h: 2 * halfHeight };
  }

  private mask(tag: XmlStartTag, attributes: AttributeSource): Box | null {
    const left = this.coordinate(tag, attributes, 'left');
    const top = this.coordinate(tag, attributes, 'top');
    const width = this.coordinate(tag, attributes, 'width');
    const height = this.coordinate(tag, attributes, 'height');
    if (left === null || top === null || width === null || height === null) return null;
    if (width < 0) return this.reject(tag, 'width', `is negative (${width})`);
    if (height < 0) return this.reject(tag, 'height', `is negative (${height})`);
    return { x: left, y: top, w: width, h: height };
  }

  private cuboid(tag: XmlStartTag, attributes: AttributeSource): Box | null {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let complete = true;
    for (const corner of CUBOID_CORNERS) {
      const x = this.coordinate(tag, attributes, `x${corner}`);
      const y = this.coordinate(tag, attributes, `y${corner}`);
      if (x === null || y === null) {
        complete = false;
        continue;
      }
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
    return complete ? { x: minX, y: minY, w: maxX - minX, h: maxY - minY } : null;
  }

  /** Bounds of `points="x1,y1;x2,y2;…"`, or null after reporting. */
  private pointBounds(tag: XmlStartTag): { minX: number; minY: number; maxX: number; maxY: number } | null {
    const text = tag.attributes.points;
    if (text === undefined || text.trim() === '') return this.reject(tag, 'points', 'is missing or empty');
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const pairs = text.split(';');
    for (let index = 0; index < pairs.length; index++) {
      const pair = pairs[index]!;
      const comma = pair.indexOf(',');
      const x = comma === -1 ? Number.NaN : decimal(pair.slice(0, comma));
      const y = comma === -1 ? Number.NaN : decimal(pair.slice(comma + 1));
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        return this.reject(tag, 'points', `point ${index + 1} ("${pair}") is not "x,y" with two finite numbers`);
      }
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
    return { minX, minY, maxX, maxY };
  }

  /** A finite number attribute, or null after reporting it missing or malformed. */
  private coordinate(tag: XmlStartTag, attributes: AttributeSource, name: string): number | null {
    const text = attributes[name];
    if (text === undefined) return this.reject(tag, name, 'is missing');
    const value = decimal(text);
    if (!Number.isFinite(value)) return this.reject(tag, name, `"${text}" is not a finite number`);
    return value;
  }

  private reject(tag: XmlStartTag, field: string, message: string): null {
    this.report(tag, field, message);
    return null;
  }

  private report(tag: XmlStartTag, field: string | undefined, message: string): void {
    const issue = { line: tag.line, path: xmlPlace(tag.line, tag.column, tag.name), message };
    this.issues.add(field === undefined ? issue : { ...issue, field });
  }

  private fatal(tag: XmlStartTag, message: string): InputError {
    return new InputError([{ line: tag.line, path: xmlPlace(tag.line, tag.column, tag.name), message }]);
  }

  /** Ignores `tag`'s content (already reported, or nothing the mapping reads). */
  private skip(tag: XmlStartTag): void {
    if (!tag.selfClosing) this.skipDepth = tag.depth;
  }
}

async function* readCvat(source: AsyncIterable<Buffer>, options: ReadOptions = {}): AsyncIterable<ParsedRecord[]> {
  const issues = new IssueCollector(options.issueLimit);
  const handler = new CvatHandler(issues, options);
  try {
    for await (const _ of readXml(source, handler)) {
      if (handler.batch.length > 0) {
        yield handler.batch;
        handler.batch = [];
      }
    }
  } catch (error) {
    // A fatal error ends reading; the issues found before it still belong in the one InputError.
    if (!(error instanceof InputError)) throw error;
    issues.addAll(error);
  }
  if (handler.batch.length > 0) yield handler.batch;
  const error = issues.toError();
  if (error !== null) throw error;
}

/** `<annotations>` then `<version>`, after an optional XML declaration and comments. */
const CVAT_HEAD = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<annotations\s*>\s*(?:<!--[\s\S]*?-->\s*)*<version\s*>/;

export const cvatAdapter: FormatAdapter = {
  format: 'cvat',
  description: 'CVAT for images 1.1 / CVAT for video 1.1 XML, one file per annotator (annotator from --annotator or the job assignee)',
  detect: (head) => CVAT_HEAD.test(head),
  read: readCvat,
};
