/**
 * The board writer thread: appends batches of board entries in one
 * synchronous=FULL transaction each, on its own connection, so the fsync of
 * every group commit waits here rather than on the main thread.
 */
import { workerData } from 'node:worker_threads';
import type { Insertable } from 'kysely';
import { mainThreadPort, serveRequests } from '../../../node/workers/rpc';
import { INSERT_BOARD_ENTRY, openWriter } from './connection';
import type { BoardEntriesTable } from '../schema';

export interface BoardWorkerData {
  readonly file: string;
}

/** Append these rows in one transaction; answered once committed (or refused). */
export interface BoardRequest {
  readonly rows: readonly Insertable<BoardEntriesTable>[];
}

/** The one note: close the connection after what came before, and end the thread. */
export type BoardNote = 'close';

export type BoardReply =
  | { readonly ok: true }
  /** `code`: SQLite's result code (e.g. SQLITE_FULL), so the main thread can tell a full disk from a bug. */
  | { readonly ok: false; readonly message: string; readonly code: string | undefined };

const port = mainThreadPort('board-worker (see Store)');
const { file } = workerData as BoardWorkerData;
const sqlite = openWriter(file);
const insert = sqlite.prepare(INSERT_BOARD_ENTRY);
const appendAll = sqlite.transaction((rows: readonly Insertable<BoardEntriesTable>[]) => {
  for (const row of rows) insert.run(row);
});

serveRequests<BoardRequest, BoardReply, BoardNote>(port, {
  answer(request) {
    try {
      appendAll(request.rows);
      return { ok: true };
    } catch (error) {
      // A refused batch is an answer, not a failure of the thread: the next batches still go here.
      const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
      return { ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : undefined };
    }
  },
  // 'close', the one note: close the connection after what came before, and end the thread.
  take() {
    sqlite.close();
    port.close();
  },
});
