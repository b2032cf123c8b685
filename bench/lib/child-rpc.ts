/**
 * A benchmark's helper process, driven over IPC (bench/lib/watchers.ts,
 * bench/lib/readers.ts): each command is numbered and gets one reply, the
 * command's answer or the message of what it threw.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Wire<Answer> = { id: number } & (({ ok: true } & Answer) | { ok: false; message: string });

/** The parent's handle: forks the module at `moduleUrl` and sends it commands. */
export class ChildRpc<Command extends object, Answer extends object> {
  readonly child: ChildProcess;
  private nextId = 0;
  private readonly waiting = new Map<number, (r: Wire<Answer>) => void>();

  constructor(
    moduleUrl: string,
    private readonly name: string,
  ) {
    this.child = fork(fileURLToPath(moduleUrl), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: Wire<Answer>) => {
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
  }

  async send(command: Command): Promise<Answer> {
    const id = this.nextId++;
    const reply = await new Promise<Wire<Answer>>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...command, id });
    });
    if (!reply.ok) throw new Error(`${this.name}: ${reply.message}`);
    return reply;
  }
}

/** Whether this module was started as the helper process (not imported by the benchmark). */
export function isHelperProcess(moduleUrl: string): boolean {
  return process.send !== undefined && process.argv[1] === fileURLToPath(moduleUrl);
}

/** The child's side: answers each command with what `run` answers, or with what it threw. */
export function serveCommands<Command extends object, Answer extends object>(run: (c: Command) => Promise<Answer>): void {
  process.on('message', (c: Command & { id: number }) => {
    run(c).then(
      (answer) => process.send?.({ ...answer, id: c.id, ok: true }),
      (e: unknown) => process.send?.({ id: c.id, ok: false, message: e instanceof Error ? e.message : String(e) }),
    );
  });
}
