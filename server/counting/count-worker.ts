import { workerData } from 'node:worker_threads';
import { mainThreadPort, serveRequests } from '../../node/workers/rpc';
import { count } from '../../shared/counting/index';
import type { Choice } from '../../shared/counting/types';
import type { CountJob, CountNote, CountReply, CountRequest } from './run-count';

/** The worker side of runCountInWorker: gathers the ballot chunks, counts, answers once. */

const port = mainThreadPort('count-worker (see runCountInWorker)');
const job = workerData as CountJob;
const ballots: Choice[] = [];

serveRequests<CountRequest, CountReply, CountNote>(port, {
  take(note) {
    for (const ballot of note.ballots) ballots.push(ballot);
  },
  // The main thread terminates this worker once it has the reply.
  answer() {
    try {
      if (ballots.length !== job.ballotCount) throw new Error(`expected ${job.ballotCount} ballots, received ${ballots.length}`);
      return { ok: true, result: count(job.contest, ballots, job.ctx) };
    } catch (error) {
      return error instanceof Error
        ? { ok: false, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) }
        : { ok: false, message: String(error) };
    }
  },
});
