import fs from 'node:fs';
import path from 'node:path';

/**
 * The data folder holds the instance key, every member's password hash and
 * refresh tokens, the boards and the bundles: only the server's own user reads
 * it (issue 13, item 8). Modes are given explicitly on every file and folder
 * the server makes, rather than by process.umask, which would change them for
 * the whole process; what an earlier version made more open is tightened.
 */
export const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Makes the folder (and any missing parents) 0700, and tightens it if it was there already. */
export function privateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  fs.chmodSync(dir, FOLDER_MODE);
}

/** Tightens a file if it exists; makes it, empty and 0600, if `create`. */
export function privateFile(file: string, create: boolean): void {
  if (create) fs.closeSync(fs.openSync(file, 'a', FILE_MODE));
  try {
    fs.chmodSync(file, FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Tightens the files right in a folder (not below it): the ones an earlier version wrote there. */
export function privateFilesIn(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) fs.chmodSync(path.join(dir, entry.name), FILE_MODE);
  }
}

/**
 * Writes the whole file or nothing: to a temporary file first (0600 from its
 * creation, so no one can open it meanwhile), then renamed over the old one.
 */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  // A leftover of a crashed process with the same pid would keep its mode: start afresh.
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, text, { mode: FILE_MODE, flag: 'wx' });
  fs.renameSync(tmp, file);
}
