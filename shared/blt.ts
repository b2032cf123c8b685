/**
 * The BLT ballot format, the common exchange format of STV counting software
 * (OpenSTV, Droop, eSTV): read it to import a past election, write it to hand
 * a round's ballots to other counting software.
 *
 *   <candidates> <seats>
 *   -2 -5                         optional: withdrawn candidates
 *   <weight> <c1> <c2> ... 0      one line per distinct ranking
 *   0                             end of ballots
 *   "<candidate 1 name>"          one per candidate, numbered from 1
 *   "<title>"                     optional; free text may follow
 */
import { err, ok, type Result } from './result';
import type { RankedBallot } from './counting/ranked';
import type { CountOption } from './counting/types';

export interface BltBallot {
  /** How many voters cast this ranking. */
  readonly weight: number;
  /** Candidate numbers (1-based), most preferred first; may be empty. */
  readonly ranking: readonly number[];
}

export interface BltElection {
  readonly title: string;
  readonly seats: number;
  /** Candidate names; candidate number k is candidates[k - 1]. */
  readonly candidates: readonly string[];
  /** Candidate numbers (1-based) of withdrawn candidates. */
  readonly withdrawn: readonly number[];
  readonly ballots: readonly BltBallot[];
}

export type BltErrorKind = 'empty' | 'header' | 'withdrawn' | 'ballot' | 'unterminated' | 'names';

export interface BltError {
  readonly kind: BltErrorKind;
  /** 1-based line of the file where the problem is. */
  readonly line: number;
  /** Readable, starts with "line N:". */
  readonly message: string;
}

function fail(kind: BltErrorKind, line: number, text: string): Result<never, BltError> {
  return err({ kind, line, message: `line ${line}: ${text}` });
}

const INTEGER = /^[+-]?\d+$/;

function toInt(token: string): number | undefined {
  if (!INTEGER.test(token)) return undefined;
  const v = Number(token);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Reads a BLT file. Errors name the line and what is wrong with it. */
export function parseBlt(text: string): Result<BltElection, BltError> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let i = 0;
  const nextContentLine = (): number => {
    while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
    return i;
  };

  nextContentLine();
  if (i >= lines.length) return fail('empty', 1, 'the file is empty; expected "<candidates> <seats>"');
  const headerTokens = (lines[i] ?? '').trim().split(/\s+/);
  const headerLine = i + 1;
  const nCandidates = headerTokens[0] === undefined ? undefined : toInt(headerTokens[0]);
  const seats = headerTokens[1] === undefined ? undefined : toInt(headerTokens[1]);
  if (headerTokens.length !== 2 || nCandidates === undefined || seats === undefined) {
    return fail('header', headerLine, `expected "<candidates> <seats>", found "${(lines[i] ?? '').trim()}"`);
  }
  if (nCandidates < 1) return fail('header', headerLine, `the number of candidates must be at least 1, found ${nCandidates}`);
  if (seats < 1) return fail('header', headerLine, `the number of seats must be at least 1, found ${seats}`);
  i++;

  const withdrawn: number[] = [];
  nextContentLine();
  if (i < lines.length && (lines[i] ?? '').trim().startsWith('-')) {
    const line = i + 1;
    for (const token of (lines[i] ?? '').trim().split(/\s+/)) {
      const v = toInt(token);
      if (v === undefined || v >= 0) return fail('withdrawn', line, `withdrawn candidates are written as negative numbers, found "${token}"`);
      const c = -v;
      if (c > nCandidates) return fail('withdrawn', line, `withdrawn candidate ${c} is out of range (1..${nCandidates})`);
      if (withdrawn.includes(c)) return fail('withdrawn', line, `candidate ${c} is withdrawn twice`);
      withdrawn.push(c);
    }
    i++;
  }

  const ballots: BltBallot[] = [];
  let terminated = false;
  while (nextContentLine() < lines.length) {
    const line = i + 1;
    const raw = (lines[i] ?? '').trim();
    i++;
    if (raw === '0') {
      terminated = true;
      break;
    }
    if (raw.startsWith('"')) return fail('unterminated', line, 'found candidate names before the "0" line that ends the ballots');
    const tokens = raw.split(/\s+/);
    const weight = toInt(tokens[0] ?? '');
    if (weight === undefined || weight < 1) {
      return fail('ballot', line, `a ballot line starts with a positive whole weight, found "${tokens[0] ?? ''}"`);
    }
    if (tokens.length < 2 || tokens[tokens.length - 1] !== '0') {
      return fail('ballot', line, 'a ballot line must end with 0');
    }
    const ranking: number[] = [];
    for (let k = 1; k < tokens.length - 1; k++) {
      const token = tokens[k] ?? '';
      if (token.includes('=')) return fail('ballot', line, `equal rankings ("${token}") are not supported`);
      const c = toInt(token);
      if (c === undefined) return fail('ballot', line, `expected a candidate number, found "${token}"`);
      if (c === 0) return fail('ballot', line, 'a 0 in the middle of a ballot line; 0 only ends the line');
      if (c < 1 || c > nCandidates) return fail('ballot', line, `candidate ${c} is out of range (1..${nCandidates})`);
      if (ranking.includes(c)) return fail('ballot', line, `candidate ${c} is ranked twice`);
      ranking.push(c);
    }
    ballots.push({ weight, ranking });
  }
  if (!terminated) return fail('unterminated', lines.length, 'the ballots must end with a line holding only 0');

  // Names, then the title; whatever follows the title is free text (real
  // files carry a source note or the counter's summary there) and is skipped.
  const strings: { value: string; line: number }[] = [];
  for (; i < lines.length && strings.length <= nCandidates; i++) {
    let rest = (lines[i] ?? '').trim();
    while (rest !== '' && strings.length <= nCandidates) {
      const match = /^"([^"]*)"\s*/.exec(rest);
      if (match === null) {
        if (strings.length === nCandidates) break;
        return fail('names', i + 1, `expected a name in double quotes, found ${JSON.stringify(rest)}`);
      }
      strings.push({ value: match[1] ?? '', line: i + 1 });
      rest = rest.slice(match[0].length);
    }
    if (strings.length === nCandidates && rest !== '') break;
  }
  if (strings.length < nCandidates) {
    return fail('names', lines.length, `expected ${nCandidates} candidate names, found ${strings.length}`);
  }
  return ok({
    title: strings[nCandidates]?.value ?? '',
    seats,
    candidates: strings.slice(0, nCandidates).map((s) => s.value),
    withdrawn,
    ballots,
  });
}

/**
 * The ballots of a BLT election as rankings of option ids, `ids[k - 1]`
 * standing for candidate k. Withdrawn candidates are struck from every
 * ranking, as counting software does before the first stage.
 */
export function bltBallots(election: BltElection, ids: readonly string[]): RankedBallot[] {
  const out = new Set(election.withdrawn);
  return election.ballots.map((b) => ({
    weight: b.weight,
    ranking: b.ranking.filter((c) => !out.has(c)).map((c) => ids[c - 1] ?? String(c)),
  }));
}

export interface BltWriteInput {
  readonly title: string;
  readonly seats: number;
  /** The candidates in order; each label is written as the name. */
  readonly options: readonly CountOption[];
  readonly ballots: readonly RankedBallot[];
  /** Option ids of withdrawn candidates. */
  readonly withdrawn?: readonly string[];
}

export type BltWriteErrorKind = 'bad-name' | 'unknown-option' | 'duplicate-option' | 'bad-weight' | 'bad-seats';

export interface BltWriteError {
  readonly kind: BltWriteErrorKind;
  readonly message: string;
}

function quotable(s: string): boolean {
  return !/["\r\n]/.test(s);
}

/**
 * Writes ballots as BLT. Identical rankings become one line with their
 * number as weight, and lines are sorted by ranking rather than kept in the
 * order of casting, so the file says nothing about when anyone voted.
 */
export function writeBlt(input: BltWriteInput): Result<string, BltWriteError> {
  const { options } = input;
  if (!Number.isSafeInteger(input.seats) || input.seats < 1) {
    return err({ kind: 'bad-seats', message: `seats must be a positive integer, got ${String(input.seats)}` });
  }
  const number = new Map<string, number>();
  for (const [k, o] of options.entries()) {
    if (number.has(o.id)) return err({ kind: 'duplicate-option', message: `option id '${o.id}' appears twice` });
    if (!quotable(o.label)) return err({ kind: 'bad-name', message: `option '${o.id}': a BLT name cannot hold a double quote or a line break` });
    number.set(o.id, k + 1);
  }
  if (!quotable(input.title)) return err({ kind: 'bad-name', message: 'a BLT title cannot hold a double quote or a line break' });

  const withdrawn: number[] = [];
  for (const id of input.withdrawn ?? []) {
    const c = number.get(id);
    if (c === undefined) return err({ kind: 'unknown-option', message: `withdrawn '${id}' is not an option` });
    if (!withdrawn.includes(c)) withdrawn.push(c);
  }

  const grouped = new Map<string, { ranking: number[]; weight: number }>();
  for (const [i, ballot] of input.ballots.entries()) {
    const weight = ballot.weight ?? 1;
    if (!Number.isSafeInteger(weight) || weight < 1) {
      return err({ kind: 'bad-weight', message: `ballot ${i}: weight must be a positive integer, got ${String(weight)}` });
    }
    const ranking: number[] = [];
    for (const id of ballot.ranking) {
      const c = number.get(id);
      if (c === undefined) return err({ kind: 'unknown-option', message: `ballot ${i} ranks '${id}', which is not an option` });
      if (ranking.includes(c)) return err({ kind: 'duplicate-option', message: `ballot ${i} ranks '${id}' twice` });
      ranking.push(c);
    }
    const key = ranking.join(' ');
    const group = grouped.get(key);
    if (group === undefined) grouped.set(key, { ranking, weight });
    else group.weight += weight;
  }
  const lines = [...grouped.values()].sort((a, b) => compareRankings(a.ranking, b.ranking));

  const out: string[] = [`${options.length} ${input.seats}`];
  if (withdrawn.length > 0) out.push(withdrawn.map((c) => `-${c}`).join(' '));
  for (const { ranking, weight } of lines) out.push([weight, ...ranking, 0].join(' '));
  out.push('0');
  for (const o of options) out.push(`"${o.label}"`);
  out.push(`"${input.title}"`);
  return ok(`${out.join('\n')}\n`);
}

function compareRankings(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const d = (a[k] ?? 0) - (b[k] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
