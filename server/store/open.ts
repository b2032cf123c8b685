import path from 'node:path';
import { SqliteStore, type StoreOptions } from './sqlite/sqlite-store';

/**
 * The store a build opens. Today the one dialect: SQLite in the data folder.
 * A second database is chosen here from configuration; the rest of the server
 * sees the Store interface (store.ts).
 */
export type OpenedStore = SqliteStore;

export type { StoreOptions };

export function openStore(dataDir: string, options: StoreOptions = {}): Promise<OpenedStore> {
  return SqliteStore.open(path.join(dataDir, 'stemkring.sqlite'), options);
}
