import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Child {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
  /** Resident memory of the child, in MB, from /proc. */
  rssMb(): number;
}

/** Starts a program that prints its URL and waits for that line. */
export async function startChild(args: readonly string[], env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`did not start: ${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/[^\s]+:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then(() => reject(new Error(`exited: ${out}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    rssMb: () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8');
        const m = /VmRSS:\s+(\d+) kB/.exec(status);
        return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
      } catch {
        return 0;
      }
    },
  };
}

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
