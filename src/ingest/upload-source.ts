/**
 * The uploaded files as byte streams, whether they came as the raw request body (any content type:
 * one file) or as the file parts of a `multipart/form-data` body (parsed by busboy as it arrives:
 * one file per part, in order). Nothing is buffered beyond the streams' own chunks: bytes are counted
 * and hashed (sha256) as they pass, and reading stops with PAYLOAD_TOO_LARGE as soon as the count of
 * all parts together passes the limit.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { DomainError } from '../common/domain-error';

export interface UploadDigest {
  /** Bytes of the files (the parts' contents for multipart, the whole body otherwise). */
  bytes: number;
  /**
   * Lowercase hex sha256: of the file's bytes for a one-file upload (raw or one part, the same
   * bytes give the same hash); for several parts, of one line per part (its sha256, size and name).
   */
  sha256: string;
}

/** One uploaded file. */
export interface UploadPart {
  /** The multipart part's file name, when given; null for a raw body. */
  readonly fileName: string | null;
  /** The file's own content type (the part's for multipart), without parameters. */
  readonly contentType: string | null;
  /**
   * The file's bytes; iterate once, to the end or not at all, before asking for the next part.
   * Throws DomainError PAYLOAD_TOO_LARGE past the limit and INVALID_INPUT for a malformed or
   * truncated multipart body.
   */
  readonly body: AsyncIterable<Buffer>;
}

export interface UploadSource {
  readonly kind: 'raw' | 'multipart';
  /**
   * The files in order: one for a raw body, one per file part for multipart. Ends with
   * INVALID_INPUT when a multipart body has no file part, or is malformed or truncated.
   */
  readonly parts: AsyncIterable<UploadPart>;
  /**
   * The multipart form's text fields read so far: while a part is read, the fields that came before
   * it (a field that names a file's annotator must precede the file's part).
   */
  readonly fields: ReadonlyMap<string, string>;
  /** Count and hash of all the files' bytes; available once every part has been read to its end. */
  digest(): UploadDigest;
}

/** File parts one multipart upload may have. */
export const MAX_UPLOAD_PARTS = 1000;
/** Text fields one multipart upload may have, and the characters of one. */
const MAX_FIELDS = 2000;
const MAX_FIELD_BYTES = 16 * 1024;

function tooLarge(limitBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `The upload is larger than the limit of ${limitBytes} bytes.`);
}

function mediaType(header: string | undefined): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

/** Counts and hashes the parts' bytes against one limit for the whole upload. */
class UploadMeter {
  private bytes = 0;
  private readonly parts: Array<{ name: string | null; bytes: number; sha256: string }> = [];
  private open = 0;

  constructor(private readonly limitBytes: number) {}

  /** Wraps a part's chunks so that they are counted, hashed and limited as they pass. */
  measure(name: string | null, chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>): AsyncIterable<Buffer> {
    this.open += 1;
    return { [Symbol.asyncIterator]: () => this.measured(name, chunks) };
  }

  private async *measured(name: string | null, chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>): AsyncGenerator<Buffer> {
    const hash: Hash = createHash('sha256');
    let bytes = 0;
    for await (const raw of chunks) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
      bytes += chunk.length;
      this.bytes += chunk.length;
      if (this.bytes > this.limitBytes) throw tooLarge(this.limitBytes);
      hash.update(chunk);
      yield chunk;
    }
    this.parts.push({ name, bytes, sha256: hash.digest('hex') });
    this.open -= 1;
  }

  digest(): UploadDigest {
    if (this.open > 0 || this.parts.length === 0) throw new Error('the upload body has not been read to its end');
    if (this.parts.length === 1) return { bytes: this.bytes, sha256: this.parts[0]!.sha256 };
    const hash = createHash('sha256');
    for (const part of this.parts) hash.update(`${part.sha256} ${part.bytes} ${part.name ?? ''}\n`);
    return { bytes: this.bytes, sha256: hash.digest('hex') };
  }
}

/**
 * Opens the upload carried by `request`. A raw body whose `Content-Length` already exceeds the limit
 * is refused before reading; a multipart body is parsed as `parts` is read.
 *
 * The request stream is never destroyed here (the response still has to go out on its socket): when
 * the caller stops early, Node discards the unread rest of the body after the response is sent.
 */
export async function openUploadSource(request: IncomingMessage, limitBytes: number): Promise<UploadSource> {
  const type = mediaType(request.headers['content-type']);
  const declared = Number(request.headers['content-length']);
  if (type !== 'multipart/form-data') {
    if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
    const chunks = request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>;
    return singlePart('raw', null, type, chunks, limitBytes);
  }
  return openMultipart(request, limitBytes);
}

/** An upload from bytes already in memory (the demo seed, scripts). */
export function uploadSourceFromBytes(bytes: Buffer, fileName: string | null, limitBytes = Number.MAX_SAFE_INTEGER): UploadSource {
  return singlePart('raw', fileName, null, [bytes], limitBytes);
}

function singlePart(
  kind: UploadSource['kind'],
  fileName: string | null,
  contentType: string | null,
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>,
  limitBytes: number,
): UploadSource {
  const meter = new UploadMeter(limitBytes);
  const part: UploadPart = { fileName, contentType, body: meter.measure(fileName, chunks) };
  return {
    kind,
    fields: new Map(),
    parts: {
      async *[Symbol.asyncIterator]() {
        yield part;
      },
    },
    digest: () => meter.digest(),
  };
}

function malformed(error: unknown): DomainError {
  return new DomainError('INVALID_INPUT', `Malformed multipart body: ${(error as Error).message}`);
}

/** What busboy has produced and the parts generator not yet taken. */
type MultipartEvent = { kind: 'file'; stream: Readable; fileName: string | null; contentType: string | null } | { kind: 'close' };

function openMultipart(request: IncomingMessage, limitBytes: number): UploadSource {
  let parser: busboy.Busboy;
  try {
    // fileSize: one byte past the limit, so that the meter sees the overflow and says 413.
    parser = busboy({
      headers: request.headers,
      limits: { files: MAX_UPLOAD_PARTS, fileSize: limitBytes + 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    });
  } catch (error) {
    throw new DomainError('INVALID_INPUT', `Malformed multipart request: ${(error as Error).message}`);
  }

  const meter = new UploadMeter(limitBytes);
  const fields = new Map<string, string>();
  const events: MultipartEvent[] = [];
  let failure: DomainError | null = null;
  let current: Readable | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const fail = (error: DomainError): void => {
    if (failure === null) failure = error;
    if (current !== null && !current.readableEnded && !current.destroyed) current.destroy(failure);
    notify();
  };

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(new DomainError('INVALID_INPUT', `The form field "${name}" is longer than ${MAX_FIELD_BYTES} bytes.`));
    else fields.set(name, value);
  });
  parser.on('file', (_field, stream, info) => {
    // Errors reach the reader through the iterator; this only keeps a late one from going unhandled.
    stream.on('error', () => {});
    events.push({ kind: 'file', stream, fileName: info.filename ?? null, contentType: mediaType(info.mimeType) });
    notify();
  });
  parser.on('filesLimit', () => fail(new DomainError('INVALID_INPUT', `A multipart upload may carry at most ${MAX_UPLOAD_PARTS} file parts.`)));
  parser.on('fieldsLimit', () => fail(new DomainError('INVALID_INPUT', `A multipart upload may carry at most ${MAX_FIELDS} form fields.`)));
  parser.on('error', (error: unknown) => fail(malformed(error)));
  parser.on('close', () => {
    events.push({ kind: 'close' });
    notify();
  });
  request.on('aborted', () => fail(new DomainError('INVALID_INPUT', 'The upload was aborted by the client.')));
  request.pipe(parser);

  async function next(): Promise<MultipartEvent> {
    for (;;) {
      if (failure !== null) throw failure;
      const event = events.shift();
      if (event !== undefined) return event;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }

  async function* partBody(stream: Readable): AsyncGenerator<Buffer> {
    try {
      try {
        yield* stream as AsyncIterable<Buffer>;
      } catch (error) {
        throw failure ?? (error instanceof DomainError ? error : malformed(error));
      }
      if (failure !== null) throw failure;
    } finally {
      // A reader that stopped early must not stall busboy (and with it the rest of the body).
      if (!stream.readableEnded) stream.resume();
    }
  }

  const parts: AsyncIterable<UploadPart> = {
    async *[Symbol.asyncIterator]() {
      let count = 0;
      for (;;) {
        const event = await next();
        if (event.kind === 'close') {
          if (count === 0) throw new DomainError('INVALID_INPUT', 'The multipart body has no file part.');
          return;
        }
        count += 1;
        current = event.stream;
        try {
          yield { fileName: event.fileName, contentType: event.contentType, body: meter.measure(event.fileName, partBody(event.stream)) };
        } finally {
          // The next part only comes once this one has been read (or drained).
          if (!event.stream.readableEnded) event.stream.resume();
          current = null;
        }
      }
    },
  };

  return { kind: 'multipart', fields, parts, digest: () => meter.digest() };
}
