import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DatasetBuilder } from '../../agreement/dataset';
import { parseDecimal } from '../../agreement/numbers';
import type { Box } from '../../agreement/types';
import type { ParsedRecord, Provenance, ReadOptions } from '../adapter';
import { InputError, type InputIssue } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { cvatAdapter } from './cvat';

const FIXTURES = join(__dirname, '../../../test/fixtures/cvat');

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

async function* chunks(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function readBytes(bytes: Buffer, options: ReadOptions = {}, size = 4096): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const batch of cvatAdapter.read(chunks(bytes, size), options)) records.push(...batch);
  return records;
}

async function read(name: string, options: ReadOptions = {}, size = 4096): Promise<ParsedRecord[]> {
  return readBytes(fixture(name), { fileName: name, ...options }, size);
}

async function issuesOf(records: Promise<ParsedRecord[]>): Promise<readonly InputIssue[]> {
  try {
    await records;
  } catch (error) {
    if (error instanceof InputError) return error.issues;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** A whole expected record: the fields every record of one fixture shares, then this record's own. */
function expected(
  shared: { item?: string; annotator: string; modality: 'image' | 'video'; provenance: Provenance },
  own: { item?: string; dimension: string; label: string | null; frame?: number; box: Box | null; line: number; path: string; provenance?: Provenance },
): ParsedRecord {
  return {
    item: own.item ?? shared.item ?? '',
    annotator: shared.annotator,
    modality: shared.modality,
    dimension: own.dimension,
    label: own.label,
    value: null,
    start: null,
    end: null,
    frame: own.frame ?? null,
    box: own.box,
    line: own.line,
    path: own.path,
    provenance: own.provenance ?? shared.provenance,
  };
}

describe('cvatAdapter.detect', () => {
  it('recognises <annotations> with <version> after a declaration and comments', () => {
    expect(cvatAdapter.detect(fixture('video-annotator-a.xml').toString())).toBe(true);
    expect(cvatAdapter.detect('<!-- exported --><annotations>\n  <!-- v --><version>1.1</version>')).toBe(true);
    expect(cvatAdapter.detect('<annotations><meta></meta></annotations>')).toBe(false);
    expect(cvatAdapter.detect('<ANNOTATION_DOCUMENT><version>1.1</version>')).toBe(false);
    expect(cvatAdapter.detect('item,annotator,label\n')).toBe(false);
  });
});

describe('CVAT for video 1.1', () => {
  const a = { item: 'street_cam_batch_03', annotator: 'coder_a', modality: 'video' as const, provenance: { file: 'video-annotator-a.xml', task: '77', track: '0' } };

  it('emits a box per visible frame (interpolated ones included, none from outside="1" on) and one per attribute', async () => {
    const car = { file: 'video-annotator-a.xml', task: '77', track: '1' };
    const walkingBox = { x: 108, y: 201, w: 60, h: 180 };
    expect(await read('video-annotator-a.xml', { annotator: 'coder_a' })).toEqual([
      expected(a, { dimension: 'objects', label: 'pedestrian', frame: 0, box: { x: 100, y: 200, w: 60, h: 180 }, line: 45, path: '45:5 <box>' }),
      expected(a, { dimension: 'pedestrian.pose', label: 'standing', frame: 0, box: { x: 100, y: 200, w: 60, h: 180 }, line: 45, path: '45:5 <box>' }),
      expected(a, { dimension: 'objects', label: 'pedestrian', frame: 1, box: { x: 104, y: 200, w: 60, h: 180 }, line: 48, path: '48:5 <box>' }),
      expected(a, { dimension: 'pedestrian.pose', label: 'standing', frame: 1, box: { x: 104, y: 200, w: 60, h: 180 }, line: 48, path: '48:5 <box>' }),
      // Occluded, and the mutable attribute changes to walking.
      expected(a, { dimension: 'objects', label: 'pedestrian', frame: 2, box: walkingBox, line: 51, path: '51:5 <box>' }),
      expected(a, { dimension: 'pedestrian.pose', label: 'walking', frame: 2, box: walkingBox, line: 51, path: '51:5 <box>' }),
      // Frame 3 is outside="1": no record. The car leaves at frame 2.
      expected(a, { dimension: 'objects', label: 'car', frame: 1, box: { x: 900, y: 500, w: 300, h: 200 }, line: 59, path: '59:5 <box>', provenance: car }),
    ]);
  });

  it("reads the second annotator's export of the same task onto the same item and frames", async () => {
    const b = { item: 'street_cam_batch_03', annotator: 'coder_b', modality: 'video' as const, provenance: { file: 'video-annotator-b.xml', task: '77', track: '1' } };
    const car = { file: 'video-annotator-b.xml', task: '77', track: '0' };
    expect(await read('video-annotator-b.xml', { annotator: 'coder_b' })).toEqual([
      expected(b, { dimension: 'objects', label: 'car', frame: 1, box: { x: 905.5, y: 498, w: 290, h: 204 }, line: 45, path: '45:5 <box>', provenance: car }),
      expected(b, { dimension: 'objects', label: 'pedestrian', frame: 0, box: { x: 98, y: 198, w: 60, h: 180 }, line: 49, path: '49:5 <box>' }),
      expected(b, { dimension: 'pedestrian.pose', label: 'standing', frame: 0, box: { x: 98, y: 198, w: 60, h: 180 }, line: 49, path: '49:5 <box>' }),
      expected(b, { dimension: 'objects', label: 'pedestrian', frame: 1, box: { x: 103, y: 199, w: 60, h: 180 }, line: 52, path: '52:5 <box>' }),
      expected(b, { dimension: 'pedestrian.pose', label: 'standing', frame: 1, box: { x: 103, y: 199, w: 60, h: 180 }, line: 52, path: '52:5 <box>' }),
      expected(b, { dimension: 'objects', label: 'pedestrian', frame: 2, box: { x: 108, y: 200, w: 60, h: 180 }, line: 55, path: '55:5 <box>' }),
      expected(b, { dimension: 'pedestrian.pose', label: 'standing', frame: 2, box: { x: 108, y: 200, w: 60, h: 180 }, line: 55, path: '55:5 <box>' }),
      expected(b, { dimension: 'objects', label: 'pedestrian', frame: 3, box: { x: 110, y: 200, w: 60, h: 180 }, line: 58, path: '58:5 <box>' }),
      expected(b, { dimension: 'pedestrian.pose', label: 'standing', frame: 3, box: { x: 110, y: 200, w: 60, h: 180 }, line: 58, path: '58:5 <box>' }),
    ]);
  });

  it('takes the annotator from a job export’s assignee and names the video by the file; polygons and skeletons become bounding boxes', async () => {
    const job = { item: 'video-job.xml', annotator: 'coder_c', modality: 'video' as const, provenance: { file: 'video-job.xml', task: '412', track: '1' } };
    const skeletonBox = { x: 600, y: 300, w: 20, h: 220 };
    expect(await read('video-job.xml')).toEqual([
      expected(job, {
        dimension: 'objects',
        label: 'crosswalk',
        frame: 0,
        box: { x: 380, y: 880, w: 1180, h: 140 },
        line: 39,
        path: '39:5 <polygon>',
        provenance: { file: 'video-job.xml', task: '412', track: '0' },
      }),
      // The right foot is outside, so the box spans head and left foot; at frame 1 every point is outside.
      expected(job, { dimension: 'objects', label: 'person', frame: 0, box: skeletonBox, line: 43, path: '43:5 <skeleton>' }),
      expected(job, { dimension: 'person.left_foot.contact', label: 'ground', frame: 0, box: skeletonBox, line: 43, path: '43:5 <skeleton>' }),
    ]);
  });

  it('gives a dataset of two annotators with box dimensions for objects and attributes', async () => {
    const builder = new DatasetBuilder();
    for (const [name, annotator] of [['video-annotator-a.xml', 'coder_a'], ['video-annotator-b.xml', 'coder_b']] as const) {
      for (const record of await read(name, { annotator })) builder.add(record, record.line);
    }
    const dataset = builder.build();
    expect(dataset.annotators).toEqual(['coder_a', 'coder_b']);
    expect(dataset.dimensions.map(({ modality, dimension, shape, size }) => ({ modality, dimension, shape, size }))).toEqual([
      { modality: 'video', dimension: 'objects', shape: 'boxes', size: 9 },
      { modality: 'video', dimension: 'pedestrian.pose', shape: 'boxes', size: 7 },
    ]);
  });

  it('prefers the given annotator to the job assignee', async () => {
    const records = await read('video-job.xml', { annotator: 'override' });
    expect(new Set(records.map((record) => record.annotator))).toEqual(new Set(['override']));
  });

  it('names each track’s video through task_id in a project export, by the task’s <source> first', async () => {
    const project = `<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <project>
      <id>5</id>
      <name>streets</name>
      <tasks>
        <task><id>77</id><name>batch_03</name><source>cam_03.mp4</source></task>
        <task><id>78</id><name>batch_04</name></task>
      </tasks>
    </project>
  </meta>
  <track id="0" label="car" source="manual" task_id="77" subset="default">
    <box frame="4" keyframe="1" outside="0" occluded="0" xtl="1" ytl="2" xbr="3" ybr="4" z_order="0"></box>
  </track>
  <track id="1" label="car" source="manual" task_id="78" subset="default">
    <box frame="4" keyframe="1" outside="0" occluded="0" xtl="1" ytl="2" xbr="3" ybr="4" z_order="0"></box>
  </track>
</annotations>`;
    const records = await readBytes(Buffer.from(project), { annotator: 'coder_a' });
    expect(records.map((record) => [record.item, record.provenance])).toEqual([
      ['cam_03.mp4', { task: '77', track: '0' }],
      ['batch_04', { task: '78', track: '1' }],
    ]);
  });

  it('names the video by <meta><source> in older task exports', async () => {
    const xml = `<annotations><version>1.1</version>
  <meta><task><id>9</id><name>old_task</name></task><source>clip_9.mp4</source></meta>
  <track id="0" label="car" source="manual">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="2" xbr="3" ybr="4" z_order="0"></box>
  </track>
</annotations>`;
    const records = await readBytes(Buffer.from(xml), { annotator: 'coder_a' });
    expect(records.map((record) => [record.item, record.provenance])).toEqual([['clip_9.mp4', { task: '9', track: '0' }]]);
  });

  it('gives the same records whatever the chunk size (tags, numbers and characters split across chunks)', async () => {
    for (const name of ['video-annotator-a.xml', 'video-job.xml', 'images.xml']) {
      expect(await read(name, { annotator: 'coder_a' }, 7)).toEqual(await read(name, { annotator: 'coder_a' }));
    }
  });

  it('says how to give the annotator when the export names none', async () => {
    expect(await issuesOf(read('video-annotator-a.xml'))).toEqual([
      {
        line: 44,
        path: '44:3 <track>',
        message:
          'the annotator is missing: this CVAT export does not say who annotated it (only job exports name an <assignee>); ' +
          'give it with ?annotator=<name> (API) or --annotator <name> (CLI), one file per annotator',
      },
    ]);
  });

  it('reports frames out of order, bad outside flags and missing frames, and keeps the valid tracks', async () => {
    expect(await issuesOf(read('malformed-track.xml', { annotator: 'coder_a' }))).toEqual([
      { line: 14, path: '14:5 <box>', field: 'frame', message: 'frame 1 comes after frame 2 in track 0: frames must increase' },
      { line: 15, path: '15:5 <box>', field: 'outside', message: '"yes" is not 0 or 1' },
      { line: 16, path: '16:5 <box>', field: 'frame', message: 'is missing' },
    ]);
  });

  it('refuses points tracks once per track', async () => {
    const xml = `<annotations><version>1.1</version>
  <track id="3" label="nose" source="manual">
    <points frame="0" keyframe="1" outside="0" occluded="0" points="1,2" z_order="0"></points>
    <points frame="1" keyframe="1" outside="0" occluded="0" points="1,2" z_order="0"></points>
  </track>
</annotations>`;
    expect(await issuesOf(readBytes(Buffer.from(xml), { annotator: 'coder_a', fileName: 'points.xml' }))).toEqual([
      {
        line: 3,
        path: '3:5 <points>',
        message:
          'points shapes are not supported: points have no area, so box IoU cannot compare them; remove them from the export or draw boxes or polygons (reported once for track 3)',
      },
    ]);
  });

  it('stops at truncated XML with the line and column, after the records before it', async () => {
    expect(await issuesOf(read('truncated.xml', { annotator: 'coder_a' }))).toEqual([
      { line: 60, path: '60:82', message: 'XML: the input ends early (unclosed tag: track)' },
    ]);
  });

  it('refuses a DOCTYPE where it starts, before any entity is expanded', async () => {
    expect(await issuesOf(read('doctype.xml', { annotator: 'coder_a' }))).toEqual([
      {
        line: 2,
        path: '2:1',
        message: 'XML: a DOCTYPE is not accepted (DTDs and entity declarations are refused for safety); remove the <!DOCTYPE …> declaration',
      },
    ]);
  });

  it('refuses a root other than <annotations>', async () => {
    expect(await issuesOf(readBytes(Buffer.from('<?xml version="1.0"?>\n<dataset/>'), { annotator: 'coder_a' }))).toEqual([
      { line: 2, path: '2:1 <dataset>', message: 'the root element is <dataset>; a CVAT 1.1 export has <annotations>' },
    ]);
  });
});

describe('CVAT for images 1.1', () => {
  const shared = { annotator: 'coder_a', modality: 'image' as const, provenance: { file: 'images.xml', task: '81' } };
  const first = { ...shared, item: 'shelf/img_0001.jpg' };
  const second = { ...shared, item: 'shelf/img_0002.jpg' };

  it('maps every shape to its bounding box, tags to categorical records and attributes to their own dimensions', async () => {
    const rotated = { x: 270, y: 130, w: 100, h: 40 };
    const skeleton = { x: 1100, y: 470, w: 40, h: 30 };
    expect(await read('images.xml', { annotator: 'coder_a' })).toEqual([
      expected(first, { dimension: 'objects', label: 'bottle', box: { x: 100, y: 50, w: 60, h: 200 }, line: 42, path: '42:5 <box>' }),
      expected(first, { dimension: 'bottle.brand', label: 'Aqua', box: { x: 100, y: 50, w: 60, h: 200 }, line: 42, path: '42:5 <box>' }),
      // 40 × 100 at centre (320, 150) turned 90° about its centre: 100 × 40.
      expected(first, { dimension: 'objects', label: 'bottle', box: rotated, line: 45, path: '45:5 <box>' }),
      // An empty attribute value is no label.
      expected(first, { dimension: 'bottle.brand', label: null, box: rotated, line: 45, path: '45:5 <box>' }),
      expected(first, { dimension: 'objects', label: 'shelf', box: { x: 10, y: 400, w: 1260, h: 60 }, line: 48, path: '48:5 <polygon>' }),
      expected(first, { dimension: 'tags', label: 'scene', box: null, line: 50, path: '50:5 <tag>' }),
      expected(first, { dimension: 'scene.lighting', label: 'night', box: null, line: 50, path: '50:5 <tag>' }),
      expected(second, { dimension: 'objects', label: 'price_tag', box: { x: 460, y: 280, w: 80, h: 40 }, line: 55, path: '55:5 <ellipse>' }),
      expected(second, { dimension: 'objects', label: 'spill', box: { x: 700, y: 600, w: 4, h: 3 }, line: 57, path: '57:5 <mask>' }),
      expected(second, { dimension: 'objects', label: 'box', box: { x: 900, y: 80, w: 130, h: 120 }, line: 59, path: '59:5 <cuboid>' }),
      expected(second, { dimension: 'objects', label: 'cable', box: { x: 50, y: 690, w: 200, h: 10 }, line: 61, path: '61:5 <polyline>' }),
      // The index finger is outside: the box spans wrist and thumb.
      expected(second, { dimension: 'objects', label: 'hand', box: skeleton, line: 63, path: '63:5 <skeleton>' }),
    ]);
  });

  it('reads coordinates as parseDecimal does, through its own fast path for plain decimals', async () => {
    const decimalText = fc.oneof(
      fc.tuple(fc.constantFrom('', '-'), fc.stringMatching(/^[0-9]{0,10}$/), fc.constantFrom('', '.'), fc.stringMatching(/^[0-9]{0,10}$/)).map((parts) => parts.join('')),
      fc.constantFrom('1e3', '+2', ' 3 ', '0x10', '.', '-', '1.2.3', '12345678901234567890', '0.1000000000000000055511151231257827'),
    );
    await fc.assert(
      fc.asyncProperty(decimalText, async (text) => {
        const xml = `<annotations><version>1.1</version><image id="0" name="i"><mask label="l" left="${text}" top="0" width="1" height="1" rle="1"/></image></annotations>`;
        const expected = parseDecimal(text);
        if (Number.isFinite(expected)) expect((await readBytes(Buffer.from(xml), { annotator: 'a' }))[0]!.box!.x).toBe(expected);
        else expect(await issuesOf(readBytes(Buffer.from(xml), { annotator: 'a' }))).toEqual([expect.objectContaining({ field: 'left' })]);
      }),
      { numRuns: 300 },
    );
  });

  it('bounds rotated boxes and ellipses at any angle', async () => {
    const xml = `<annotations><version>1.1</version>
  <image id="0" name="a.jpg" width="100" height="100">
    <box label="a" source="manual" occluded="0" xtl="0" ytl="0" xbr="4" ybr="2" rotation="30" z_order="0"></box>
    <ellipse label="b" source="manual" occluded="0" cx="10" cy="10" rx="4" ry="2" rotation="45.00" z_order="0"></ellipse>
  </image>
</annotations>`;
    const [box, ellipse] = await readBytes(Buffer.from(xml), { annotator: 'coder_a' });
    const cos = Math.cos(Math.PI / 6);
    const w = 4 * cos + 2 * 0.5;
    const h = 4 * 0.5 + 2 * cos;
    expect(box!.box).toEqual({ x: expect.closeTo(2 - w / 2, 12), y: expect.closeTo(1 - h / 2, 12), w: expect.closeTo(w, 12), h: expect.closeTo(h, 12) });
    const half = Math.sqrt((16 + 4) / 2);
    expect(ellipse!.box).toEqual({ x: expect.closeTo(10 - half, 12), y: expect.closeTo(10 - half, 12), w: expect.closeTo(2 * half, 12), h: expect.closeTo(2 * half, 12) });
  });

  it('reports every malformed shape with its line, column and field', async () => {
    expect(await issuesOf(read('malformed-images.xml', { annotator: 'coder_a' }))).toEqual([
      { line: 12, path: '12:5 <box>', field: 'xbr', message: 'is missing' },
      { line: 13, path: '13:5 <box>', field: 'xbr', message: 'xbr (240) is less than xtl (300)' },
      { line: 14, path: '14:5 <box>', field: 'ytl', message: '"1O0.00" is not a finite number' },
      { line: 15, path: '15:5 <circle>', message: 'unknown element <circle> in <image> (expected a shape or <tag>)' },
      {
        line: 16,
        path: '16:5 <points>',
        message: 'points shapes are not supported: points have no area, so box IoU cannot compare them; remove them from the export or draw boxes or polygons',
      },
      { line: 17, path: '17:5 <polygon>', field: 'points', message: 'point 2 ("1270.00") is not "x,y" with two finite numbers' },
      { line: 18, path: '18:5 <box>', field: 'label', message: 'is missing or empty' },
      { line: 20, path: '20:7 <attribute>', field: 'name', message: 'the <attribute> has no name' },
      {
        line: 23,
        path: '23:5 <tag>',
        field: 'label',
        message:
          'a second tag "outdoor" on image "shelf/img_0001.jpg" (tag "scene" at line 22): several tags on one image are a multi-label judgement, which one categorical dimension cannot hold',
      },
    ]);
  });

  it('refuses a duplicated attribute, an unknown child of a shape and an image without name or id', async () => {
    const xml = `<annotations><version>1.1</version>
  <image id="0" name="a.jpg" width="100" height="100">
    <box label="a" source="manual" occluded="0" xtl="0" ytl="0" xbr="4" ybr="2" z_order="0">
      <attribute name="kind">x</attribute>
      <attribute name="kind">y</attribute>
    </box>
    <box label="a" source="manual" occluded="0" xtl="0" ytl="0" xbr="4" ybr="2" z_order="0"><note/></box>
  </image>
  <image width="100" height="100"></image>
</annotations>`;
    expect(await issuesOf(readBytes(Buffer.from(xml), { annotator: 'coder_a' }))).toEqual([
      { line: 5, path: '5:7 <attribute>', field: 'name', message: 'attribute "kind" appears twice in one <box>' },
      { line: 7, path: '7:93 <note>', message: 'unexpected <note> inside <box> (expected <attribute>)' },
      { line: 9, path: '9:3 <image>', field: 'name', message: 'the image has neither a name nor an id' },
    ]);
  });

  it(`refuses more than ${INGEST_LIMITS.maxResultsPerTask} shapes in one image`, async () => {
    const box = '<box label="a" xtl="0" ytl="0" xbr="1" ybr="1"/>';
    const xml = `<annotations><version>1.1</version><image id="0" name="a.jpg">\n${box.repeat(INGEST_LIMITS.maxResultsPerTask + 2)}</image></annotations>`;
    const issues = await issuesOf(readBytes(Buffer.from(xml), { annotator: 'coder_a' }));
    expect(issues).toEqual([
      { line: 2, path: `2:${box.length * INGEST_LIMITS.maxResultsPerTask + 1} <box>`, message: `more than ${INGEST_LIMITS.maxResultsPerTask} shapes in one image` },
    ]);
  });
});
