import path from 'node:path';
import { ROOT, startChild, type ChildServer } from '../../test/helpers/process';

export { ROOT, startChild };
export type Child = ChildServer;

/** The Stemkring server as `npm start` runs it (the esbuild bundle in dist/). */
export function startStemkring(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const profile = process.env['BENCH_PROFILE'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`];
  return startChild([...profile, path.join(ROOT, 'dist/server/main.js')], {
    PORT: '0',
    HOST: '127.0.0.1',
    STEMKRING_DATA: dataDir,
    STEMKRING_DEMO: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}
