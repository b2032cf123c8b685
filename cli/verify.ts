/**
 * `stemkring verify`: check a published outcome bundle offline (protocol.md,
 * "Outcome and bundle") and recount it. Exit 0 only when every check holds,
 * 1 when one does not, 2 for usage errors and files that cannot be read.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { nodeCrypto } from '../server/crypto/node-crypto';
import { verifyBundle, verifyBundleAsync, type SignatureTask, type VerifyReport } from '../shared/protocol/verify';
import type { VerifyBatch, VerifyBatchReply } from './verify-worker';

export const VERIFY_USAGE = `usage: stemkring verify <bundle.json> [--receipt receipt.json] [--json] [--workers N]

  --receipt  also check a receipt ({ receipt, receiptSig } as the server answered a ballot)
  --json     print the report as JSON instead of text
  --workers  threads that verify ballot signatures (default: one per CPU when the
             board has more than ${(20_000).toLocaleString('en')} entries, else none; 0 = none)
`;

/** Boards larger than this get worker threads by default. */
const WORKERS_FROM = 20_000;
/** Boards larger than this get a progress bar (on a terminal). */
const PROGRESS_FROM = 2_000;

interface VerifyArgs {
  readonly bundle: string;
  readonly receipt: string | undefined;
  readonly json: boolean;
  readonly workers: number | undefined;
}

type Parsed = { ok: true; args: VerifyArgs } | { ok: false; message: string } | { ok: false; help: true };

function parseArgs(argv: readonly string[]): Parsed {
  let bundle: string | undefined;
  let receipt: string | undefined;
  let json = false;
  let workers: number | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    switch (arg) {
      case '-h':
      case '--help':
        return { ok: false, help: true };
      case '--json':
        json = true;
        break;
      case '--receipt': {
        const value = argv[i + 1];
        if (value === undefined) return { ok: false, message: '--receipt needs a file' };
        receipt = value;
        i += 1;
        break;
      }
      case '--workers': {
        const value = argv[i + 1];
        if (value === undefined || !/^\d{1,3}$/.test(value)) return { ok: false, message: '--workers needs a whole number' };
        workers = Number(value);
        i += 1;
        break;
      }
      default:
        if (arg.startsWith('-')) return { ok: false, message: `unknown option ${arg}` };
        if (bundle !== undefined) return { ok: false, message: `one bundle at a time (got ${bundle} and ${arg})` };
        bundle = arg;
    }
  }
  if (bundle === undefined) return { ok: false, message: 'which bundle? give the path of a bundle.json' };
  return { ok: true, args: { bundle, receipt, json, workers } };
}

type Read = { ok: true; value: unknown } | { ok: false; message: string };

async function readJson(path: string, what: string): Promise<Read> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: `cannot read ${what} ${path}${code === undefined ? '' : ` (${code})`}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `${what} ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function boardLength(bundle: unknown): number {
  if (typeof bundle !== 'object' || bundle === null) return 0;
  const board: unknown = (bundle as { board?: unknown }).board;
  return Array.isArray(board) ? board.length : 0;
}

export async function runVerify(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    if ('help' in parsed) {
      process.stdout.write(VERIFY_USAGE);
      return 0;
    }
    process.stderr.write(`stemkring verify: ${parsed.message}\n\n${VERIFY_USAGE}`);
    return 2;
  }
  const { args } = parsed;
  const bundle = await readJson(args.bundle, 'bundle');
  if (!bundle.ok) {
    process.stderr.write(`stemkring verify: ${bundle.message}\n`);
    return 2;
  }
  let receipt: unknown;
  if (args.receipt !== undefined) {
    const read = await readJson(args.receipt, 'receipt');
    if (!read.ok) {
      process.stderr.write(`stemkring verify: ${read.message}\n`);
      return 2;
    }
    receipt = read.value;
  }

  const entries = boardLength(bundle.value);
  const workers = args.workers ?? (entries > WORKERS_FROM ? availableParallelism() : 0);
  const progress = process.stderr.isTTY && entries > PROGRESS_FROM ? progressBar() : undefined;
  const options = { ...(receipt === undefined ? {} : { receipt }), ...(progress === undefined ? {} : { onProgress: progress.update }) };

  let report: VerifyReport;
  if (workers > 0 && entries > 0) {
    const pool = new WorkerPool(workers);
    try {
      report = await verifyBundleAsync(bundle.value, nodeCrypto, { ...options, verifyBatch: (tasks) => pool.verify(tasks), inFlight: workers * 2 });
    } catch (error) {
      // Worker threads could not run here (or died); the same checks in this thread give the same report.
      progress?.clear();
      process.stderr.write(`stemkring verify: worker threads failed (${error instanceof Error ? error.message : String(error)}); verifying in one thread\n`);
      report = verifyBundle(bundle.value, nodeCrypto, options);
    } finally {
      await pool.close();
    }
  } else {
    report = verifyBundle(bundle.value, nodeCrypto, options);
  }
  progress?.clear();

  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, args.bundle));
  return report.ok ? 0 : 1;
}

// ---------------------------------------------------------------------------
// Output

function progressBar(): { update: (done: number, total: number) => void; clear: () => void } {
  const width = 30;
  let shown = false;
  return {
    update(done, total) {
      const share = total === 0 ? 1 : done / total;
      const filled = Math.round(share * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      process.stderr.write(`\rchecking signatures ${bar} ${Math.floor(share * 100)}% (${done.toLocaleString('en')}/${total.toLocaleString('en')})`);
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** The report for people: each check, then the recount with winners by label and its figures. */
export function formatReport(report: VerifyReport, source: string): string {
  const lines: string[] = [`Stemkring verify: ${source}`];
  const { round, figures, recount } = report;
  if (round !== undefined) {
    lines.push(`Round:  ${round.title}`, `        ${round.round} on instance ${round.instance}`);
    lines.push(`Method: ${round.method}, ${plural(round.seats, 'seat')}, ${round.revote ? 'revoting allowed' : 'one ballot per voter'}`);
  }
  lines.push('');
  for (const check of report.checks) {
    lines.push(`${check.ok ? '✓' : '✗'} ${check.title}: ${check.detail}`);
    for (const problem of check.problems) lines.push(`    ${problem}`);
    if (check.failures > check.problems.length) lines.push(`    … and ${check.failures - check.problems.length} more`);
  }
  if (round !== undefined && figures !== undefined) {
    const label = labeller(round.options);
    lines.push('', 'Recount');
    const turnout = figures.electorate === 0 ? '' : ` (${((100 * figures.counted) / figures.electorate).toFixed(1)}% turnout)`;
    lines.push(`  Electorate ${figures.electorate}, entries on the board ${figures.entries}, voters counted ${figures.counted}${turnout}`);
    if (recount === undefined) lines.push('  (no recount could be made)');
    else {
      lines.push(recount.winners.length === 0 ? '  Winners: none' : '  Winners:');
      recount.winners.forEach((id, i) => lines.push(`    ${i + 1}. ${label(id)}`));
      for (const [field, value] of Object.entries(recount)) {
        if (field === 'method' || field === 'winners' || field === 'ties') continue;
        lines.push(...formatFigure(field, value, label, round.options.map((o) => o.id)));
      }
      if (recount.ties.length === 0) lines.push('  Ties: none');
      else {
        lines.push('  Ties:');
        for (const tie of recount.ties) {
          const stage = tie.stage === undefined ? '' : `stage ${tie.stage}, `;
          lines.push(`    ${stage}${tie.decision}: ${tie.tied.map(label).join(' = ')} → ${label(tie.chosen)} (by ${tie.by === 'lot' ? 'the lot' : 'look-back'})`);
        }
      }
    }
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push(
    '',
    report.ok
      ? `OK: all ${report.checks.length} checks hold.`
      : `FAILED: ${failed} of ${report.checks.length} checks do not hold; do not trust this outcome.`,
    '',
  );
  return lines.join('\n');
}

function labeller(options: readonly { readonly id: string; readonly label: string }[]): (id: string) => string {
  const labels = new Map(options.map((o) => [o.id, o.label]));
  return (id) => {
    const found = labels.get(id);
    return found === undefined ? id : `${found} (${id})`;
  };
}

/** A result field: scalars inline, per-option maps as a list by label, anything bigger as short JSON. */
function formatFigure(field: string, value: unknown, label: (id: string) => string, optionIds: readonly string[]): string[] {
  if (value === null || typeof value !== 'object') return [`  ${field}: ${String(value)}`];
  if (!Array.isArray(value)) {
    const map = value as Readonly<Record<string, unknown>>;
    const keys = Object.keys(map);
    if (keys.length > 0 && keys.every((k) => optionIds.includes(k))) {
      return [`  ${field}:`, ...keys.map((k) => `    ${label(k)}: ${compact(map[k])}`)];
    }
  }
  const text = compact(value);
  return [`  ${field}: ${text.length <= 160 ? text : `${text.slice(0, 157)}… (see --json)`}`];
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function plural(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

// ---------------------------------------------------------------------------
// Worker threads

/**
 * Ballot signatures verified on worker threads. Each batch travels as three
 * transferred buffers (messages back to back, signatures, keys) rather than
 * as objects, which structured cloning would copy field by field.
 */
class WorkerPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (v: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private nextWorker = 0;
  private failure: Error | undefined;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = startWorker();
      worker.on('message', (reply: VerifyBatchReply) => {
        const pending = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        pending?.resolve(reply.verdicts);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a worker thread exited with code ${code}`));
      });
      return worker;
    });
  }

  verify(tasks: readonly SignatureTask[]): Promise<Uint8Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId += 1;
    const worker = this.workers[this.nextWorker % this.workers.length] as Worker;
    this.nextWorker += 1;
    const batch = packBatch(id, tasks);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(batch, [batch.messages.buffer, batch.offsets.buffer, batch.signatures.buffer, batch.keys.buffer]);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.waiting.values()) pending.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Starts a worker on verify-worker.js, or on verify-worker.ts when running
 * from source. In Node 20 `execArgv: ['--import', 'tsx']` does not reach a
 * worker's own entry file, so a source worker starts from a two-line script
 * that registers tsx (found from here, so any working directory will do) and
 * then imports the TypeScript file.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./verify-worker.js', import.meta.url));
  const tsx = import.meta.resolve('tsx/esm/api');
  const file = new URL('./verify-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(file)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function packBatch(id: number, tasks: readonly SignatureTask[]): VerifyBatch {
  let total = 0;
  for (const task of tasks) total += task.message.length;
  const messages = new Uint8Array(total);
  const offsets = new Uint32Array(tasks.length + 1);
  const signatures = new Uint8Array(tasks.length * 64);
  const keys = new Uint8Array(tasks.length * 32);
  let offset = 0;
  tasks.forEach((task, i) => {
    messages.set(task.message, offset);
    offset += task.message.length;
    offsets[i + 1] = offset;
    // A malformed length can only come from a bug; the worker then reports the signature invalid.
    if (task.signature.length === 64) signatures.set(task.signature, i * 64);
    if (task.publicKey.length === 32) keys.set(task.publicKey, i * 32);
  });
  return { id, count: tasks.length, messages, offsets, signatures, keys };
}
