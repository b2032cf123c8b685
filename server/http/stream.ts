import type { Response } from 'express';

/**
 * Sends text as it is produced, piece by piece (chunked, no Content-Length),
 * so a large answer never sits in memory whole. When the socket's buffer is
 * full it waits for 'drain' before asking for the next piece, and when the
 * client goes away it stops asking and lets the producer clean up.
 */
export async function streamText(res: Response, pieces: AsyncIterable<string>): Promise<void> {
  let closed = false;
  let wake: (() => void) | null = null;
  const onClose = (): void => {
    closed = true;
    wake?.();
  };
  const onDrain = (): void => wake?.();
  res.on('close', onClose);
  res.on('drain', onDrain);
  const iterator = pieces[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (closed) return;
      const next = await iterator.next();
      if (next.done === true) break;
      if (closed) return;
      if (!res.write(next.value)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (closed || !res.writableNeedDrain) resolve();
        });
        wake = null;
      }
    }
    res.end();
  } finally {
    res.off('close', onClose);
    res.off('drain', onDrain);
    await iterator.return?.();
  }
}
