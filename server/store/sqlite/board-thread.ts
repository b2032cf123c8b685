import type { Insertable } from 'kysely';
import { BOARD_CLOSE_BUDGET_MS, SMALL_WORKER } from '../../../node/tuning';
import { WorkerRpc } from '../../../node/workers/rpc';
import { startWorker, workerModule } from '../../../node/workers/start';
import type { BoardNote, BoardReply, BoardRequest, BoardWorkerData } from './board-worker';
import type { BoardEntriesTable } from '../schema';

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
  private readonly rpc: WorkerRpc<BoardRequest, BoardReply, BoardNote>;

  constructor(file: string, onFailure: (error: Error) => void) {
    const data: BoardWorkerData = { file };
    this.rpc = new WorkerRpc(startWorker(boardWorker, { workerData: data, resourceLimits: SMALL_WORKER }), 'the board writer thread', onFailure);
  }

  /** Set once the thread has failed (or was closed): from then on the Store writes on the main thread. */
  get failure(): Error | undefined {
    return this.rpc.failure;
  }

  async append(rows: readonly Insertable<BoardEntriesTable>[]): Promise<void> {
    const reply = await this.rpc.request({ rows });
    if (!reply.ok) throw new BoardWriteError(reply.message, reply.code);
  }

  /** Closes the thread's connection (after what it was given) and waits for the thread to end. */
  close(): Promise<void> {
    return this.rpc.end('close', BOARD_CLOSE_BUDGET_MS);
  }
}
