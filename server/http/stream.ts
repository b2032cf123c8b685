import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';

/**
 * Sends text as it is produced, piece by piece (chunked, no Content-Length),
 * so a large answer never sits in memory whole. Node's own pipeline does the
 * work: it asks for the next piece only when the socket takes more, and when
 * the client goes away it ends the producer (its `finally` runs). A client
 * leaving is no error of ours; anything else is.
 */
export async function streamText(res: Response, pieces: AsyncIterable<string>): Promise<void> {
  try {
    await pipeline(Readable.from(pieces, { objectMode: false, highWaterMark: 1 }), res);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw e;
  }
}
