/**
 * Where an export's bytes go: an HTTP response or a file, behind one small interface that waits for the consumer
 * (backpressure), so memory holds one batch whatever the size of the export. The hashing wrapper gives the sha256
 * and size the export record keeps of what was sent.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Writable } from 'node:stream';

export interface ByteSink {
  write(chunk: Buffer | string): Promise<void>;
}

export class HashingSink implements ByteSink {
  private readonly hash = crypto.createHash('sha256');
  bytes = 0;
  constructor(private readonly inner: ByteSink) {}

  async write(chunk: Buffer | string): Promise<void> {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (b.length === 0) return;
    this.hash.update(b);
    this.bytes += b.length;
    await this.inner.write(b);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export class ConsumerGoneError extends Error {
  constructor() {
    super('The download was interrupted before the file was complete.');
    this.name = 'ConsumerGoneError';
  }
}

/** Writes to a Node stream, waiting for 'drain' when it is full; a closed or failed stream rejects. */
export function streamSink(out: Writable): ByteSink {
  return {
    write: (chunk) => new Promise<void>((resolve, reject) => {
      if (out.destroyed || out.writableEnded) return reject(new ConsumerGoneError());
      if (out.write(chunk)) return resolve();
      const done = (err?: Error) => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        out.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new ConsumerGoneError());
      const onError = (e: Error) => done(e);
      out.on('drain', onDrain);
      out.on('close', onClose);
      out.on('error', onError);
    }),
  };
}

/** A file written under a temporary name and renamed when complete, so a half-written export never looks finished. */
export function fileSink(file: string): { sink: ByteSink; finish(): Promise<void>; abort(): Promise<void> } {
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  return {
    sink: streamSink(out),
    async finish() {
      out.end();
      await closed;
      await fs.promises.rename(partial, file);
    },
    async abort() {
      out.destroy();
      await closed.catch(() => undefined);
      await fs.promises.rm(partial, { force: true });
    },
  };
}
