import { isAscii } from 'node:buffer';

/**
 * Streaming UTF-8 decoding for chunks split anywhere, strict (invalid bytes throw a TypeError) and
 * with a leading BOM removed. Pure-ASCII chunks skip the decoder: a latin1 copy of ASCII is the same
 * text and an order of magnitude faster, which matters at 30 MB per run.
 */
export class Utf8ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** The decoder may hold the first bytes of a character split by the previous chunk. */
  private decoderPending = false;
  private atStart = true;

  decode(bytes: Uint8Array): string {
    let text: string;
    if (!this.decoderPending && isAscii(bytes)) {
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    } else {
      text = this.decoder.decode(bytes, { stream: true });
      // After a chunk that ends in an ASCII byte no partial character can be pending.
      this.decoderPending = bytes.length > 0 ? bytes[bytes.length - 1]! >= 0x80 : this.decoderPending;
    }
    return this.withoutBom(text);
  }

  /** The rest of the input; throws a TypeError when it ends inside a character. */
  end(): string {
    const text = this.decoderPending ? this.decoder.decode() : '';
    this.decoderPending = false;
    return this.withoutBom(text);
  }

  private withoutBom(text: string): string {
    if (!this.atStart || text.length === 0) return text;
    this.atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}
