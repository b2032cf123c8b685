/**
 * The board writer thread: appends batches of board entries in one
 * synchronous=FULL transaction each, on its own connection, so the fsync of
 * every group commit waits here rather than on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Insertable } from 'kysely';
import { assertNever } from '../../shared/result';
import { INSERT_BOARD_ENTRY, openWriter } from '../store/sqlite/connection';
import type { BoardEntriesTable } from '../store/schema';

export interface BoardWorkerData {
  readonly file: string;
}

export type BoardRequest =
  | { readonly kind: 'append'; readonly id: number; readonly rows: readonly Insertable<BoardEntriesTable>[] }
  | { readonly kind: 'close' };

export type BoardReply =
  | { readonly id: number; readonly ok: true }
  /** `code`: SQLite's result code (e.g. SQLITE_FULL), so the main thread can tell a full disk from a bug. */
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code: string | undefined };

const port = parentPort;
if (port === null) throw new Error('board-worker runs only as a worker thread (see Store)');
const { file } = workerData as BoardWorkerData;
const sqlite = openWriter(file);
const insert = sqlite.prepare(INSERT_BOARD_ENTRY);
const appendAll = sqlite.transaction((rows: readonly Insertable<BoardEntriesTable>[]) => {
  for (const row of rows) insert.run(row);
});

port.on('message', (request: BoardRequest) => {
  switch (request.kind) {
    case 'append': {
      let reply: BoardReply;
      try {
        appendAll(request.rows);
        reply = { id: request.id, ok: true };
      } catch (error) {
        const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
        reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : undefined };
      }
      port.postMessage(reply);
      return;
    }
    case 'close':
      sqlite.close();
      port.close();
      return;
    default:
      assertNever(request, 'board request');
  }
});
