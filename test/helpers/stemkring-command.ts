/**
 * The `stemkring` command as a user runs it: bin/stemkring.js in its own
 * process, from the repository root, and a scratch folder for the files it
 * reads or writes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `stemkring <args>`; a non-zero exit is a result, not a throw. */
export async function stemkring(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/stemkring.js', ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A scratch folder (remove it with `remove`) and a way to write JSON files into it. */
export function scratch(prefix: string): { readonly dir: string; write(name: string, value: unknown): string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    write(name, value) {
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(value, null, 2));
      return file;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
