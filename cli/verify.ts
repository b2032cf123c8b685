/**
 * `stemkring verify`: check a published outcome bundle offline (protocol.md,
 * "Outcome and bundle"; protocol 2's in "Protocol 2: secret rounds") and
 * recount it. Exit 0 only when every check holds,
 * 1 when one does not, 2 for usage errors and files that cannot be read.
 */
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { readArgs } from './args';
import { nodeCredentialCrypto } from '../node/crypto/blind-rsa';
import { nodeCrypto } from '../node/crypto/node-crypto';
import { CryptoPool } from '../node/crypto/pool';
import { VERIFY_BATCHES_PER_WORKER, VERIFY_WORKERS_FROM } from '../node/tuning';
import { verifyBundle, verifyBundleAsync, type VerifyOptions, type VerifyReport } from '../shared/protocol/verify';

export const VERIFY_USAGE = `usage: stemkring verify <bundle.json> [--receipt receipt.json] [--json] [--workers N]

  --receipt  also check a receipt ({ receipt, receiptSig } as the server answered a ballot)
  --json     print the report as JSON instead of text
  --workers  threads that verify ballot signatures and credentials (default: one per CPU when the
             board has more than ${VERIFY_WORKERS_FROM.toLocaleString('en')} entries, else none; 0 = none)
`;

/** The fewest bytes a board entry takes in a bundle file (a protocol-1 entry of a plurality ballot is about 500). */
const MIN_ENTRY_BYTES = 450;

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
  const read = readArgs(argv, ['receipt', 'workers'], ['json'], (option) => (option === '--receipt' ? '--receipt needs a file' : '--workers needs a whole number'));
  if (!read.ok) return read;
  const { receipt, json } = read.values;
  if (read.values.workers !== undefined && !/^\d{1,3}$/.test(read.values.workers)) return { ok: false, message: '--workers needs a whole number' };
  const workers = read.values.workers === undefined ? undefined : Number(read.values.workers);
  if (read.positionals.length > 1) return { ok: false, message: `one bundle at a time (got ${read.positionals.join(' and ')})` };
  const bundle = read.positionals[0];
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
  // The worker threads start (each loads the verifier's code) while this thread reads and parses the bundle,
  // rather than after: for a large bundle both take about a second. Started only when they will be used:
  // asked for, or by default for a file big enough to hold more than VERIFY_WORKERS_FROM entries.
  const early = args.workers ?? (await fileSize(args.bundle)) >= VERIFY_WORKERS_FROM * MIN_ENTRY_BYTES ? availableParallelism() : 0;
  const pool = early > 0 ? new CryptoPool(early) : undefined;
  try {
    return await verifyFile(args, pool);
  } finally {
    await pool?.close();
  }
}

async function verifyFile(args: VerifyArgs, earlyPool: CryptoPool | undefined): Promise<number> {
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
  const workers = args.workers ?? (entries > VERIFY_WORKERS_FROM ? availableParallelism() : 0);
  const progress = process.stderr.isTTY && entries > PROGRESS_FROM ? progressBar() : undefined;
  const options = { credentials: nodeCredentialCrypto, ...(receipt === undefined ? {} : { receipt }), ...(progress === undefined ? {} : { onProgress: progress.update }) };

  let report: VerifyReport;
  try {
    report = await check(bundle.value, workers > 0 ? earlyPool : undefined, workers, entries, options, () => progress?.clear());
  } catch (error) {
    // The verifier reports everything wrong with a bundle; a throw is a bug of ours. It still must not pass for a
    // verdict, nor bury the one line that matters under a stack trace.
    progress?.clear();
    process.stderr.write(`stemkring verify: the check stopped on an internal error (${error instanceof Error ? error.message : String(error)}); the bundle is NOT verified\n`);
    return 1;
  }
  progress?.clear();

  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, args.bundle));
  return report.ok ? 0 : 1;
}

/** The bytes of a file, or 0 when it cannot be read (readJson says why, later). */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function check(bundle: unknown, started: CryptoPool | undefined, workers: number, entries: number, options: VerifyOptions, clearProgress: () => void): Promise<VerifyReport> {
  let report: VerifyReport;
  if (workers > 0 && entries > 0) {
    const pool = started ?? new CryptoPool(workers);
    try {
      report = await verifyBundleAsync(bundle, nodeCrypto, {
        ...options,
        verifyBatch: (tasks) => pool.verifyBatch(tasks),
        verifyCredentials: (issuingKey, tasks) => pool.verifyCredentials(issuingKey, tasks),
        inFlight: workers * VERIFY_BATCHES_PER_WORKER,
      });
    } catch (error) {
      // Worker threads could not run here (or died); the same checks in this thread give the same report.
      clearProgress();
      process.stderr.write(`stemkring verify: worker threads failed (${error instanceof Error ? error.message : String(error)}); verifying in one thread\n`);
      report = verifyBundle(bundle, nodeCrypto, options);
    } finally {
      if (pool !== started) await pool.close();
    }
  } else {
    report = verifyBundle(bundle, nodeCrypto, options);
  }
  return report;
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
    // A secret round's bundle (protocol 2) also says how many credentials were issued; its voters are credentials.
    const issued = figures.issued === undefined ? '' : `, credentials issued ${figures.issued}`;
    lines.push(`  Electorate ${figures.electorate}${issued}, entries on the board ${figures.entries}, voters counted ${figures.counted}${turnout}`);
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
