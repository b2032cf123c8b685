/**
 * `stemkring tally`: count a BLT ballot file with a ranked method and print
 * the count stage by stage (or the result as JSON).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readArgs } from './args';
import { bltBallots, parseBlt, type BltElection } from '../shared/blt';
import { count } from '../shared/counting/index';
import { countIrv, type IrvResult } from '../shared/counting/irv';
import type { RankedBallot } from '../shared/counting/ranked';
import { countStv, type StvResult } from '../shared/counting/stv';
import { isRanked, RANKED_METHODS, type Choice, type CountOption, type RankedMethod } from '../shared/counting/types';

export const TALLY_USAGE = `usage: stemkring tally --method <m> [--seats N] [--variant scottish|meek] [--lot hash|listed|reversed] FILE.blt [--json]

  --method   irv, stv, borda or schulze
  --seats    seats to fill (default: the file's header; irv always fills one)
  --variant  stv rules: scottish (SSI 2007/42, the default) or meek (PR Foundation reference rule)
  --lot      how ties no rule settles are drawn:
               hash      (default) options ordered by SHA-256(SHA-256(file) || name), lowest first
                         is favoured: the protocol's lot, with the file's hash for the board's head
               listed    the option listed first in the file is favoured
               reversed  the option listed last is favoured (the PR Foundation reference's order)
  --json     print the result object (options named by their names) instead of tables
`;

type Lot = 'hash' | 'listed' | 'reversed';
const LOTS: readonly Lot[] = ['hash', 'listed', 'reversed'];

interface TallyArgs {
  readonly method: RankedMethod;
  readonly seats: number | null;
  readonly variant: 'scottish' | 'meek' | null;
  readonly lot: Lot;
  readonly json: boolean;
  readonly file: string;
}

/** Where the command writes; tests pass their own. */
export interface TallyIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Width for tables; defaults to the terminal's, or 120. */
  readonly columns?: number;
}

const processIo: TallyIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  columns: process.stdout.columns,
};

type Parsed = { ok: true; args: TallyArgs } | { ok: false; message: string } | { ok: false; help: true };

function parseArgs(argv: readonly string[]): Parsed {
  const read = readArgs(argv, ['method', 'seats', 'variant', 'lot'], ['json']);
  if (!read.ok) return read;
  const { method, seats, variant, lot, json } = read.values;
  const files = read.positionals;
  if (method === undefined) return { ok: false, message: '--method is required' };
  if (!isRanked(method)) {
    return { ok: false, message: `--method must be one of ${RANKED_METHODS.join(', ')} (a BLT file holds rankings), got '${method}'` };
  }
  if (files.length !== 1) return { ok: false, message: files.length === 0 ? 'a BLT file is required' : `one BLT file only, got ${files.length}` };
  let seatCount: number | null = null;
  if (seats !== undefined) {
    seatCount = /^\d+$/.test(seats) ? Number(seats) : NaN;
    if (!Number.isSafeInteger(seatCount) || seatCount < 1) return { ok: false, message: `--seats must be a positive whole number, got '${seats}'` };
    if (method === 'irv' && seatCount !== 1) return { ok: false, message: 'irv fills one seat; use --method stv for more' };
  }
  if (variant !== undefined) {
    if (method !== 'stv') return { ok: false, message: '--variant applies to --method stv only' };
    if (variant !== 'scottish' && variant !== 'meek') return { ok: false, message: `--variant must be scottish or meek, got '${variant}'` };
  }
  if (lot !== undefined && !(LOTS as readonly string[]).includes(lot)) return { ok: false, message: `--lot must be one of ${LOTS.join(', ')}, got '${lot}'` };
  return {
    ok: true,
    args: {
      method,
      seats: seatCount,
      variant: variant === 'scottish' || variant === 'meek' ? variant : method === 'stv' ? 'scottish' : null,
      lot: (lot ?? 'hash') as Lot,
      json,
      file: files[0] ?? '',
    },
  };
}

/** Names as option ids, so that every result names its options; repeated names get their number. */
function optionsOf(election: BltElection): CountOption[] {
  const seen = new Map<string, number>();
  for (const name of election.candidates) seen.set(name, (seen.get(name) ?? 0) + 1);
  return election.candidates.map((name, k) => {
    const id = (seen.get(name) ?? 0) > 1 ? `${name} (#${k + 1})` : name;
    return { id, label: id };
  });
}

function lotOrderOf(options: readonly CountOption[], lot: Lot, file: Uint8Array): string[] {
  const ids = options.map((o) => o.id);
  switch (lot) {
    case 'listed':
      return ids;
    case 'reversed':
      return [...ids].reverse();
    case 'hash': {
      const seed = createHash('sha256').update(file).digest();
      const key = new Map(ids.map((id) => [id, createHash('sha256').update(seed).update(id, 'utf8').digest('hex')]));
      return [...ids].sort((a, b) => ((key.get(a) ?? '') < (key.get(b) ?? '') ? -1 : 1));
    }
    default: {
      const never: never = lot;
      throw new Error(`unknown lot ${String(never)}`);
    }
  }
}

export async function runTally(argv: readonly string[], io: TallyIo = processIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    if ('help' in parsed) {
      io.out(TALLY_USAGE);
      return 0;
    }
    io.err(`stemkring tally: ${parsed.message}\n\n${TALLY_USAGE}`);
    return 2;
  }
  const args = parsed.args;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(args.file);
  } catch (e) {
    io.err(`stemkring tally: cannot read ${args.file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const election = parseBlt(new TextDecoder('utf-8').decode(bytes));
  if (!election.ok) {
    io.err(`stemkring tally: ${args.file}: ${election.error.message}\n`);
    return 1;
  }
  const e = election.value;
  const all = optionsOf(e);
  const withdrawn = new Set(e.withdrawn);
  const options = all.filter((_, k) => !withdrawn.has(k + 1));
  if (options.length === 0) {
    io.err(`stemkring tally: ${args.file}: every candidate is withdrawn\n`);
    return 1;
  }
  const ballots = bltBallots(e, all.map((o) => o.id));
  const seats = args.method === 'irv' ? 1 : (args.seats ?? e.seats);
  const ctx = { lotOrder: lotOrderOf(options, args.lot, bytes) };

  let result: IrvResult | StvResult | ReturnType<typeof count>;
  switch (args.method) {
    case 'irv':
      result = countIrv({ method: 'irv', options, seats: 1, rules: {} }, ballots, ctx);
      break;
    case 'stv':
      result = countStv({ method: 'stv', options, seats, rules: { variant: args.variant ?? 'scottish' } }, ballots, ctx);
      break;
    case 'borda':
    case 'schulze':
      result = count({ method: args.method, options, seats, rules: {} }, expand(ballots), ctx);
      break;
    default: {
      const never: never = args.method;
      throw new Error(`unknown method ${String(never)}`);
    }
  }

  if (args.json) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const width = io.columns !== undefined && io.columns >= 60 ? io.columns : 120;
  const header = [
    e.title === '' ? args.file : e.title,
    `${describeMethod(args.method, args.variant)}; seats: ${seats}; ballots: ${ballots.reduce((a, b) => a + (b.weight ?? 1), 0)}; lot: ${args.lot}`,
  ];
  if (withdrawn.size > 0) header.push(`withdrawn: ${all.filter((_, k) => withdrawn.has(k + 1)).map((o) => o.label).join(', ')}`);
  io.out(`${header.join('\n')}\n\n${render(result, options, width)}`);
  return 0;
}

/** The board's ballots count once each; BLT lines stand for `weight` of them. */
function expand(ballots: readonly RankedBallot[]): Choice[] {
  const out: Choice[] = [];
  for (const b of ballots) {
    const choice = { ranking: b.ranking };
    for (let k = 0; k < (b.weight ?? 1); k++) out.push(choice);
  }
  return out;
}

function describeMethod(method: RankedMethod, variant: 'scottish' | 'meek' | null): string {
  if (method === 'stv') return variant === 'meek' ? 'STV, Meek (PR Foundation reference rule)' : 'STV, Scottish rules (SSI 2007/42)';
  if (method === 'irv') return 'instant-runoff';
  return method === 'borda' ? 'Borda count' : 'Schulze method';
}

// ---------------------------------------------------------------------------
// Rendering

function render(result: IrvResult | StvResult | ReturnType<typeof count>, options: readonly CountOption[], width: number): string {
  const label = new Map(options.map((o) => [o.id, o.label]));
  const name = (id: string): string => label.get(id) ?? id;
  const lines: string[] = [];
  if (result.method === 'irv') {
    for (const r of result.rounds) {
      const what = r.elected !== null ? `${name(r.elected)} has a majority of the continuing ballots: elected` : r.eliminated !== null ? `${name(r.eliminated)} eliminated` : 'no valid ballots: nobody elected';
      lines.push(`Round ${r.round}: ${what}`);
    }
    lines.push('');
    const rows: Row[] = options.map((o) => ({ label: o.label, cells: result.rounds.map((r) => String(r.votes[o.id] ?? 0)) }));
    rows.push({ label: 'Exhausted', cells: result.rounds.map((r) => String(r.exhausted)) });
    rows.push({ label: 'Continuing', cells: result.rounds.map((r) => String(r.continuing)) });
    lines.push(...table(result.rounds.map((r) => `Round ${r.round}`), rows, width));
  } else if (result.method === 'stv') {
    lines.push(`Valid ballots: ${result.valid}${result.blank > 0 ? ` (blank: ${result.blank})` : ''}; quota: ${result.quota}${result.variant === 'meek' ? ' (last stage)' : ''}`);
    lines.push('');
    for (const s of result.stages) lines.push(`Stage ${s.stage}: ${s.description}`);
    lines.push('');
    const rows: Row[] = options.map((o) => ({ label: o.label, cells: result.stages.map((s) => s.votes[o.id] ?? '') }));
    rows.push({ label: result.variant === 'meek' ? 'Exhausted' : 'Non-transferable', cells: result.stages.map((s) => s.nonTransferable) });
    if (result.variant === 'scottish') rows.push({ label: 'Residue', cells: result.stages.map((s) => s.residue) });
    else rows.push({ label: 'Quota', cells: result.stages.map((s) => s.quota) });
    lines.push(...table(result.stages.map((s) => `Stage ${s.stage}`), rows, width));
  } else if (result.method === 'borda') {
    lines.push(...table(['Points', 'Ranked by'], options.map((o) => ({ label: o.label, cells: [String(result.points[o.id] ?? 0), String(result.rankedBy[o.id] ?? 0)] })), width));
  } else if (result.method === 'schulze') {
    lines.push(`Ranking: ${result.ranking.map(name).join(' > ')}`, '', 'Pairwise: ballots ranking the row above the column');
    const heads = result.options.map((_, j) => `#${j + 1}`);
    const rows = result.options.map((id, i) => ({ label: `#${i + 1} ${name(id)}`, cells: (result.pairwise[i] ?? []).map((v, j) => (i === j ? '-' : String(v))) }));
    lines.push(...table(heads, rows, width));
  } else {
    lines.push(JSON.stringify(result, null, 2));
  }
  lines.push('');
  lines.push(result.winners.length === 0 ? 'Elected: nobody' : `Elected: ${result.winners.map((id, k) => `${k + 1}. ${name(id)}`).join('  ')}`);
  for (const t of result.ties) {
    const where = t.stage === undefined ? '' : `stage ${t.stage}, `;
    lines.push(`Tie (${where}${t.decision}) among ${t.tied.map(name).join(', ')}: ${name(t.chosen)}, by ${t.by === 'lot' ? 'lot' : 'looking back at earlier stages'}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Row {
  readonly label: string;
  readonly cells: readonly string[];
}

const MAX_LABEL = 40;

/** Rows of figures under column heads, right-aligned, in blocks of columns that fit the width. */
function table(heads: readonly string[], rows: readonly Row[], width: number): string[] {
  const clip = (s: string): string => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);
  const labelWidth = Math.max(0, ...rows.map((r) => clip(r.label).length));
  const colWidth = heads.map((h, j) => Math.max(h.length, ...rows.map((r) => (r.cells[j] ?? '').length)));
  const out: string[] = [];
  for (let from = 0; from < heads.length || from === 0; ) {
    let to = from;
    let used = labelWidth;
    while (to < heads.length && (to === from || used + 2 + (colWidth[to] ?? 0) <= width)) {
      used += 2 + (colWidth[to] ?? 0);
      to++;
    }
    if (out.length > 0) out.push('');
    const line = (first: string, cells: readonly string[]): string =>
      `${first.padEnd(labelWidth)}${cells.slice(from, to).map((c, k) => `  ${c.padStart(colWidth[from + k] ?? 0)}`).join('')}`.trimEnd();
    out.push(line('', heads));
    for (const r of rows) out.push(line(clip(r.label), r.cells));
    if (to === from) break;
    from = to;
  }
  return out;
}
