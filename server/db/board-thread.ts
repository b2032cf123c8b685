import type { Worker } from 'node:worker_threads';
import type { Insertable } from 'kysely';
import { SMALL_WORKER, startWorker, workerModule } from '../../node/workers/start';
import type { BoardReply, BoardRequest, BoardWorkerData } from './board-worker';
import type { BoardEntriesTable } from './schema';

const boardWorker = workerModule(import.meta.url, 'board-worker');

/** A batch the thread could not write: the database refused it (nothing of it was committed). */
export class BoardWriteError extends Error {
  constructor(
    message: string,
    /** SQLite's result code, as on the errors of the main connection. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * The main thread's side of the board writer thread. Batches are sent one at
 * a time by the BoardWriter; each answers once committed. If the thread dies,
 * `failure` is set and what it was writing is rejected; the Store then writes
 * on the main thread.
 */
export class BoardThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;
  private nextId = 0;
  private closing = false;
  failure: Error | undefined;

  constructor(file: string, onFailure: (error: Error) => void) {
    const data: BoardWorkerData = { file };
    this.worker = startWorker(boardWorker, { workerData: data, resourceLimits: SMALL_WORKER });
    this.worker.on('message', (reply: BoardReply) => {
      const pending = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) pending?.resolve();
      else pending?.reject(new BoardWriteError(reply.message, reply.code));
    });
    const fail = (error: Error): void => {
      if (this.failure !== undefined) return;
      this.failure = error;
      for (const pending of this.waiting.values()) pending.reject(error);
      this.waiting.clear();
      onFailure(error);
    };
    this.worker.on('error', fail);
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        if (!this.closing) fail(new Error(`the board writer thread exited with code ${code}`));
        resolve();
      });
    });
  }

  append(rows: readonly Insertable<BoardEntriesTable>[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId += 1;
    const request: BoardRequest = { kind: 'append', id, rows };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Closes the thread's connection (after what it was given) and waits for the thread to end. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.failure === undefined) {
      const request: BoardRequest = { kind: 'close' };
      this.worker.postMessage(request);
      const timeout = setTimeout(() => void this.worker.terminate(), 5_000);
      await this.exited;
      clearTimeout(timeout);
    } else {
      await this.worker.terminate();
    }
  }
}
