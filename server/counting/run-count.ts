import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import type { CountResult } from '../../shared/counting/index';
import type { Choice, Contest, CountContext } from '../../shared/counting/types';
import { startWorker, workerModule } from '../../node/workers/start';

/**
 * Runs a count in a worker thread, so a large count never stalls the
 * server's event loop (requests, sockets) while it runs.
 */

/** What the worker starts with; the ballots follow in chunks. */
export interface CountJob {
  readonly contest: Contest;
  readonly ctx: CountContext;
  readonly ballotCount: number;
}

/** Main thread → worker, after the job. */
export type CountMessage = { readonly kind: 'ballots'; readonly ballots: readonly Choice[] } | { readonly kind: 'done' };

/** Worker → main thread: the result, or the bug that stopped the count. */
export type CountReply = { readonly ok: true; readonly result: CountResult } | { readonly ok: false; readonly message: string; readonly stack?: string };

/**
 * Ballots cross to the worker in chunks of this size. Copying a million
 * ballots in one message would itself block the event loop for a while; a
 * chunk takes a few milliseconds, and other work runs between chunks.
 */
export const BALLOT_CHUNK = 5_000;

const countWorker = workerModule(import.meta.url, 'count-worker');

export function runCountInWorker(contest: Contest, ballots: readonly Choice[], ctx: CountContext): Promise<CountResult> {
  const job: CountJob = { contest, ctx, ballotCount: ballots.length };
  const worker = startWorker(countWorker, { workerData: job });
  let settled = false;
  const answered = new Promise<CountResult>((resolve, reject) => {
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
      void worker.terminate();
    };
    worker.once('message', (reply: CountReply) =>
      settle(() => (reply.ok ? resolve(reply.result) : reject(new Error(`count failed in worker: ${reply.message}`, { cause: reply.stack })))),
    );
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`count worker exited with code ${code} before answering`))));
  });
  const sent = sendBallots(worker, ballots, () => !settled).catch((error: unknown) => {
    void worker.terminate();
    throw error;
  });
  // Both promises get their handlers now: a worker that fails while chunks are
  // still being sent must not leave an unhandled rejection behind.
  return Promise.all([answered, sent]).then(([result]) => result);
}

async function sendBallots(worker: Worker, ballots: readonly Choice[], wanted: () => boolean): Promise<void> {
  for (let start = 0; start < ballots.length; start += BALLOT_CHUNK) {
    if (!wanted()) return;
    const message: CountMessage = { kind: 'ballots', ballots: ballots.slice(start, start + BALLOT_CHUNK) };
    worker.postMessage(message);
    await nextTurn();
  }
  const done: CountMessage = { kind: 'done' };
  if (wanted()) worker.postMessage(done);
}
