import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startChild, type ChildServer } from '../../test/helpers/process';

export { ROOT, startChild };
export type Child = ChildServer;

/** The Node flags `npm start` gives the server (package.json's start script), so the benchmarks run it the same way. */
export function serverNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const start = pkg.scripts['start'] ?? '';
  const command = start.split('&&').at(-1)?.trim().split(/\s+/) ?? [];
  if (command[0] !== 'node' || !command.includes('dist/server/main.js')) throw new Error(`cannot read the node command in the start script: ${start}`);
  return command.slice(1, command.indexOf('dist/server/main.js')).filter((arg) => arg.startsWith('--'));
}

/** The Stemkring server as `npm start` runs it (the esbuild bundle in dist/, with the same Node flags). */
export function startStemkring(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const profile = process.env['BENCH_PROFILE'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`];
  return startChild([...serverNodeFlags(), ...profile, path.join(ROOT, 'dist/server/main.js')], {
    PORT: '0',
    HOST: '127.0.0.1',
    STEMKRING_DATA: dataDir,
    STEMKRING_DEMO: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}
