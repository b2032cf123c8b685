import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { streamText } from '../../server/http/stream';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A producer of many large pieces that records how far it got and whether it was told to stop. */
function producer(total: number, size: number) {
  const state = { produced: 0, finished: false, stopped: deferred<void>() };
  async function* pieces(): AsyncGenerator<string> {
    try {
      for (let i = 0; i < total; i++) {
        state.produced += 1;
        yield await Promise.resolve('x'.repeat(size));
      }
      state.finished = true;
    } finally {
      state.stopped.resolve();
    }
  }
  return { state, pieces };
}

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function serve(pieces: () => AsyncIterable<string>): Promise<{ url: string; done: Promise<void> }> {
  const done = deferred<void>();
  const app = express();
  app.get('/', (_req, res) => {
    res.type('text/plain');
    streamText(res, pieces()).then(done.resolve, done.reject);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, done: done.promise };
}

describe('streamText', () => {
  it('sends every piece, in order, chunked', async () => {
    const { state, pieces } = producer(50, 10_000);
    const { url, done } = await serve(pieces);
    const res = await fetch(url);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect((await res.text()).length).toBe(500_000);
    await done;
    expect(state.finished).toBe(true);
  });

  it('waits for a slow reader and stops producing when the client goes away', async () => {
    // 128 MiB if it were all produced: a producer that ignored backpressure would run to the end.
    const { state, pieces } = producer(2_000, 64 * 1024);
    const { url, done } = await serve(pieces);
    await new Promise<void>((resolve, reject) => {
      const req = http.get(url, (res) => {
        res.once('data', () => {
          // The first piece arrived; the reader stops reading, then leaves.
          res.pause();
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.on('response', () => undefined);
      req.once('error', reject);
    });
    await state.stopped.promise;
    await done;
    expect(state.finished).toBe(false);
    expect(state.produced).toBeLessThan(2_000);
  });
});
