import { setFlagsFromString } from 'node:v8';

/**
 * V8's heap growth while uploads stream. An upload holds little (rows go to COPY as they come), but
 * the garbage of millions of parsed rows reaches the old generation, and with V8's own growth
 * factor (up to 4× the live heap) it waits there: a 1 GB export peaked at ~460 MB RSS. Letting the
 * heap grow only `percent`% past the live heap while any upload runs collects it as it comes
 * (~250 MB). Between uploads V8's factor is back: a tight heap under request load means frequent
 * major collections, and their pauses land on every request in flight.
 *
 * V8 reads `--heap-growing-percent` whenever it sets the next collection's limit, so switching it
 * at run time takes effect at the next collection. The flag is per process, so the count of
 * uploads in flight is too.
 */
export class UploadHeapGrowth {
  private uploads = 0;

  constructor(private readonly setFlags: (flags: string) => void = setFlagsFromString) {}

  /** Tightens the heap's growth to `percent` (0: leave V8's) until the returned function is called. */
  begin(percent: number): () => void {
    if (percent <= 0) return () => undefined;
    if (this.uploads === 0) this.setFlags(`--heap-growing-percent=${percent}`);
    this.uploads += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.uploads -= 1;
      if (this.uploads === 0) this.setFlags('--heap-growing-percent=0');
    };
  }
}

/** The process's one instance. */
export const uploadHeapGrowth = new UploadHeapGrowth();
