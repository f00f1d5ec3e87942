/**
 * The uploaded file as a byte stream, whether it came as the raw request body (any content type)
 * or as the one file part of a `multipart/form-data` body (parsed by busboy as it arrives). Nothing
 * is buffered beyond the stream's own chunks: bytes are counted and hashed (sha256) as they pass, and
 * the stream stops with PAYLOAD_TOO_LARGE as soon as the count passes the limit.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { DomainError } from '../common/domain-error';

export interface UploadDigest {
  /** Bytes of the file (the part's content for multipart, the whole body otherwise). */
  bytes: number;
  /** sha256 of those bytes, lowercase hex. */
  sha256: string;
}

export interface UploadSource {
  readonly kind: 'raw' | 'multipart';
  /** The multipart part's file name, when given. */
  readonly fileName: string | null;
  /** The file's own content type (the part's for multipart), without parameters. */
  readonly contentType: string | null;
  /**
   * The file's bytes; iterate once. Throws DomainError PAYLOAD_TOO_LARGE past the limit and
   * INVALID_INPUT for a malformed or truncated multipart body or a second file part.
   */
  readonly body: AsyncIterable<Buffer>;
  /** Count and hash of the bytes; available once `body` has been read to its end. */
  digest(): UploadDigest;
}

function tooLarge(limitBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `The upload is larger than the limit of ${limitBytes} bytes.`);
}

function mediaType(header: string | undefined): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

/** Wraps a chunk source so that it counts, hashes and limits what passes. */
function measured(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>,
  limitBytes: number,
  onDone: (digest: UploadDigest) => void,
): AsyncIterable<Buffer> {
  return {
    async *[Symbol.asyncIterator]() {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const raw of chunks) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        bytes += chunk.length;
        if (bytes > limitBytes) throw tooLarge(limitBytes);
        hash.update(chunk);
        yield chunk;
      }
      onDone({ bytes, sha256: hash.digest('hex') });
    },
  };
}

function withDigest(
  kind: UploadSource['kind'],
  fileName: string | null,
  contentType: string | null,
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>,
  limitBytes: number,
): UploadSource {
  let result: UploadDigest | null = null;
  return {
    kind,
    fileName,
    contentType,
    body: measured(chunks, limitBytes, (digest) => {
      result = digest;
    }),
    digest() {
      if (result === null) throw new Error('the upload body has not been read to its end');
      return result;
    },
  };
}

/**
 * Opens the upload carried by `request`. Multipart bodies resolve once the first file part starts;
 * a multipart body without a file part is INVALID_INPUT. A raw body whose `Content-Length` already
 * exceeds the limit is refused before reading.
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
    return withDigest('raw', null, type, chunks, limitBytes);
  }
  return openMultipart(request, limitBytes);
}

/** An upload from bytes already in memory (the demo seed, scripts). */
export function uploadSourceFromBytes(bytes: Buffer, fileName: string | null, limitBytes = Number.MAX_SAFE_INTEGER): UploadSource {
  return withDigest('raw', fileName, null, [bytes], limitBytes);
}

function malformed(error: unknown): DomainError {
  return new DomainError('INVALID_INPUT', `Malformed multipart body: ${(error as Error).message}`);
}

function openMultipart(request: IncomingMessage, limitBytes: number): Promise<UploadSource> {
  return new Promise<UploadSource>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // fileSize: one byte past the limit, so that `measured` sees the overflow and says 413.
      parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: limitBytes + 1 } });
    } catch (error) {
      reject(new DomainError('INVALID_INPUT', `Malformed multipart request: ${(error as Error).message}`));
      return;
    }

    let file: Readable | null = null;
    let failure: DomainError | null = null;
    let finished = false;
    let settleFinish: (() => void) | null = null;
    const fail = (error: DomainError): void => {
      if (failure === null) failure = error;
      if (file === null) reject(failure);
      else if (!file.readableEnded && !file.destroyed) file.destroy(failure);
      settleFinish?.();
    };

    parser.on('file', (_field, stream, info) => {
      if (file !== null) {
        stream.resume();
        return;
      }
      file = stream;
      // Errors reach the reader through the iterator; this only keeps a late one from going unhandled.
      stream.on('error', () => {});
      const afterFile = new Promise<void>((done) => {
        settleFinish = done;
        if (finished) done();
      });
      const source = stream as AsyncIterable<Buffer>;
      async function* fileThenEnd(): AsyncGenerator<Buffer> {
        try {
          try {
            yield* source;
          } catch (error) {
            throw failure ?? (error instanceof DomainError ? error : malformed(error));
          }
          // The part ended; the whole form must end cleanly too (a truncated body errors here).
          await afterFile;
          if (failure !== null) throw failure;
        } finally {
          // A reader that stopped early must not stall busboy (and with it the request's drain).
          if (!stream.readableEnded) stream.resume();
        }
      }
      resolve(withDigest('multipart', info.filename ?? null, mediaType(info.mimeType), fileThenEnd(), limitBytes));
    });
    parser.on('filesLimit', () =>
      fail(new DomainError('INVALID_INPUT', 'A multipart upload must carry exactly one file part.')),
    );
    parser.on('error', (error: unknown) => fail(malformed(error)));
    parser.on('close', () => {
      finished = true;
      if (file === null && failure === null) {
        reject(new DomainError('INVALID_INPUT', 'The multipart body has no file part.'));
      }
      settleFinish?.();
    });
    request.on('aborted', () => fail(new DomainError('INVALID_INPUT', 'The upload was aborted by the client.')));
    request.pipe(parser);
  });
}
