import { parentPort, workerData } from 'node:worker_threads';
import { count } from '../../shared/counting/index';
import { assertNever } from '../../shared/result';
import type { Choice } from '../../shared/counting/types';
import type { CountJob, CountMessage, CountReply } from './run-count';

/** The worker side of runCountInWorker: gathers the ballot chunks, counts, answers once. */

const port = parentPort;
if (port === null) throw new Error('count-worker runs only as a worker thread (see runCountInWorker)');
const job = workerData as CountJob;
const ballots: Choice[] = [];

port.on('message', (message: CountMessage) => {
  switch (message.kind) {
    case 'ballots':
      for (const ballot of message.ballots) ballots.push(ballot);
      return;
    case 'done': {
      let reply: CountReply;
      try {
        if (ballots.length !== job.ballotCount) throw new Error(`expected ${job.ballotCount} ballots, received ${ballots.length}`);
        reply = { ok: true, result: count(job.contest, ballots, job.ctx) };
      } catch (error) {
        reply = error instanceof Error
          ? { ok: false, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) }
          : { ok: false, message: String(error) };
      }
      // The main thread terminates this worker once it has the reply.
      port.postMessage(reply);
      return;
    }
    default:
      assertNever(message, 'count message');
  }
});
