/**
 * Per-field limits every adapter enforces, each with a precise error naming where it was exceeded.
 * They bound the memory one record (or one task) can take, so a hostile or broken export cannot
 * exhaust the process; real exports stay far below them.
 */
export const INGEST_LIMITS = Object.freeze({
  /** Characters in an item id, annotator name, dimension or label. */
  maxNameLength: 1_000,
  /** Characters of free text (Label Studio textarea) per record. */
  maxTextLength: 100_000,
  /** Labels (choices, labels, taxonomy paths) in one result. */
  maxLabelsPerResult: 100,
  /** Results in one annotation, and annotations in one task. */
  maxResultsPerTask: 10_000,
  /** Frames in one Label Studio videorectangle sequence or CVAT track. */
  maxFramesPerTrack: 1_000_000,
  /** Characters of JSON text one Label Studio task may have; beyond it the task is an error and is
   * not kept (the adapter holds one task's text at a time, so this bounds its memory). */
  maxTaskChars: 32 * 1024 * 1024,
  /** Zip of exports: entries in the archive, inflated bytes per entry and in all, and the highest
   * compression ratio of an entry over 1 MiB (JSON and XML exports deflate 5–30×; a zip bomb 1000×). */
  maxZipEntries: 10_000,
  maxZipEntryBytes: 4 * 1024 ** 3,
  maxZipTotalBytes: 8 * 1024 ** 3,
  maxZipCompressionRatio: 200,
  /** XML nesting depth and attribute count per element. */
  maxXmlDepth: 64,
  maxXmlAttributes: 256,
});
