import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CountResult } from '../../shared/counting/index';
import type { Choice, Contest, CountContext } from '../../shared/counting/types';
import { COUNT_BALLOT_CHUNK } from '../../node/tuning';
import { WorkerRpc } from '../../node/workers/rpc';
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

/** Main thread → worker, after the job: the ballots, a chunk per note. */
export interface CountNote {
  readonly ballots: readonly Choice[];
}

/** Sent after the last chunk: count now. */
export type CountRequest = 'count';

/** Worker → main thread: the result, or the bug that stopped the count. */
export type CountReply = { readonly ok: true; readonly result: CountResult } | { readonly ok: false; readonly message: string; readonly stack?: string };

const countWorker = workerModule(import.meta.url, 'count-worker');

export async function runCountInWorker(contest: Contest, ballots: readonly Choice[], ctx: CountContext): Promise<CountResult> {
  const job: CountJob = { contest, ctx, ballotCount: ballots.length };
  const rpc = new WorkerRpc<CountRequest, CountReply, CountNote>(startWorker(countWorker, { workerData: job }), 'the count worker');
  try {
    for (let start = 0; start < ballots.length; start += COUNT_BALLOT_CHUNK) {
      // A worker that failed while chunks were still going out: stop sending, report its failure.
      if (rpc.failure !== undefined) throw rpc.failure;
      rpc.notify({ ballots: ballots.slice(start, start + COUNT_BALLOT_CHUNK) });
      await nextTurn();
    }
    const reply = await rpc.request('count');
    if (!reply.ok) throw new Error(`count failed in worker: ${reply.message}`, { cause: reply.stack });
    return reply.result;
  } finally {
    void rpc.terminate();
  }
}
