import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Sends the signal and resolves with the exit code once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  stop(): Promise<void>;
  /** Resident memory of the process, in MB, from /proc. */
  rssMb(): number;
  /** CPU time the process has used so far (user + system, all threads), in seconds, from /proc. */
  cpuSeconds(): number;
}

/** Linux counts process CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** Starts a Node program that prints the URL it listens on, and waits for that line. */
export async function startChild(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`did not start: ${out}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/[^\s]+:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)}: ${out}`));
    });
  });
  const kill = (signal: NodeJS.Signals) => {
    child.kill(signal);
    return exited;
  };
  return {
    url,
    child,
    kill,
    stop: async () => {
      await kill('SIGTERM');
    },
    rssMb: () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8'));
        return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
      } catch {
        return 0;
      }
    },
    cpuSeconds: () => {
      try {
        // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are 12th and 13th.
        const stat = fs.readFileSync(`/proc/${child.pid ?? 0}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      } catch {
        return 0;
      }
    },
  };
}

/** The server as its own process from the sources, for tests that kill it. */
export function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  return startChild(
    ['--import', 'tsx', path.join(ROOT, 'server/main.ts')],
    { PORT: '0', HOST: '127.0.0.1', STEMKRING_DATA: dataDir, STEMKRING_DEMO: '0', LOG_LEVEL: 'error', ...env },
    30_000,
  );
}
