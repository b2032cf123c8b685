/**
 * Counting benchmark: our counts on large seeded elections, against the
 * targets and against the npm packages `votes`, `caritat` and `meeks-prf-js`
 * on the same ballots, with a check that the winners agree.
 *
 *   npx tsx bench/suites/counting.ts [--runs N] [--peer-budget SECONDS] [--scale F] [--no-peers] [--write]
 *
 * Every figure is the median of N timed runs (default 5) after one untimed
 * warm-up run. What is timed:
 *
 * - ours (the headline): `count()` from the raw ballot list, one ranking per
 *   voter: checking every ballot, grouping identical rankings, counting.
 * - peers: their count on identical rankings already grouped into weighted
 *   ballots (all three accept weights) before the clock starts, so the
 *   grouping, which a million ballots make costly, is a courtesy to them and
 *   the headline ratios flatter the peers. How long that grouping takes is
 *   printed. Inside the clock each peer builds what its API needs from the
 *   grouped ballots where it must (see runPeer).
 * - ours from the peers' input: `count()` on the same grouped weighted
 *   ballots, also prepared off the clock, in a separate labelled table, so
 *   that like can be compared with like.
 *
 * Each peer runs in its own worker thread with a time budget and a bounded
 * heap (1 GB unless a case says otherwise): a peer that runs over is stopped
 * and reported, not waited for. `--write` puts the printed tables into
 * BENCHMARKS.md under "## Counting".
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { count } from '../../shared/counting/index';
import { assertNever } from '../../shared/result';
import type { Contest, CountOption, RankingChoice } from '../../shared/counting/types';
import { mulberry32 } from '../lib/stats';

// ---------------------------------------------------------------------------
// Seeded ballots

interface Election {
  readonly options: readonly CountOption[];
  readonly ballots: readonly RankingChoice[];
  /** The lot: a seeded order of the option ids, most favoured first. */
  readonly lotOrder: readonly string[];
}

/**
 * A few popular options (three with clearly more support, in a seeded place
 * on the list), the rest with scattered support; each voter ranks a short
 * list (1 + an exponential with mean 3, so most rank 1 to 5 and a few rank
 * everything), drawn by popularity without replacement.
 */
function election(voters: number, optionCount: number, seed: number): Election {
  const random = mulberry32(seed);
  const options = Array.from({ length: optionCount }, (_, i) => ({ id: `o${String(i + 1).padStart(2, '0')}`, label: `Option ${i + 1}` }));
  const popularity = options.map(() => 0.3 + random() * 1.2);
  for (const strong of [4, 3.5, 3]) popularity[Math.floor(random() * optionCount)] = strong;
  const total = popularity.reduce((a, b) => a + b, 0);
  const weights = new Float64Array(optionCount);
  const ballots: RankingChoice[] = [];
  for (let v = 0; v < voters; v += 1) {
    const length = Math.min(optionCount, 1 + Math.floor(-Math.log(1 - random()) * 3));
    weights.set(popularity);
    let left = total;
    const ranking: string[] = [];
    for (let k = 0; k < length; k += 1) {
      let r = random() * left;
      let pick = 0;
      while (pick < optionCount - 1 && (r >= (weights[pick] ?? 0) || weights[pick] === 0)) {
        r -= weights[pick] ?? 0;
        pick += 1;
      }
      while (weights[pick] === 0) pick = (pick + 1) % optionCount;
      ranking.push((options[pick] as CountOption).id);
      left -= weights[pick] ?? 0;
      weights[pick] = 0;
    }
    ballots.push({ ranking });
  }
  const lotOrder = options.map((o) => o.id);
  for (let i = lotOrder.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [lotOrder[i], lotOrder[j]] = [lotOrder[j] as string, lotOrder[i] as string];
  }
  return { options, ballots, lotOrder };
}

/** Identical rankings as one weighted ranking, for the peers. */
function grouped(ballots: readonly RankingChoice[]): [number, string[]][] {
  const groups = new Map<string, [number, string[]]>();
  for (const { ranking } of ballots) {
    const key = ranking.join('\n');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [1, [...ranking]]);
    else group[0] += 1;
  }
  return [...groups.values()];
}

// ---------------------------------------------------------------------------
// Timing

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

interface Timed<T> {
  /** The median of the timed runs. */
  readonly ms: number;
  readonly bestMs: number;
  readonly runs: number;
  readonly result: T;
}

/** One warm-up run, then up to `runs` timed runs, fewer if `budgetMs` is spent (at least one). */
function timed<T>(runs: number, f: () => T, budgetMs = Infinity): Timed<T> {
  const warm = performance.now();
  let result = f();
  const warmMs = performance.now() - warm;
  // A run slower than the whole budget is not repeated: its warm-up is its figure.
  if (warmMs > budgetMs) return { ms: warmMs, bestMs: warmMs, runs: 1, result };
  const times: number[] = [];
  const started = performance.now();
  while (times.length < runs && (times.length === 0 || performance.now() - started < budgetMs)) {
    const t0 = performance.now();
    result = f();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), bestMs: Math.min(...times), runs: times.length, result };
}

// ---------------------------------------------------------------------------
// Peers, each behind a small typed face (none ships types we can use as is)

type PeerTask =
  | { readonly peer: 'votes'; readonly method: 'irv' | 'schulze' | 'borda' }
  | { readonly peer: 'caritat'; readonly method: 'irv' | 'schulze' | 'borda' | 'meek' }
  | { readonly peer: 'meeks-prf-js'; readonly method: 'meek' };

interface PeerJob {
  readonly task: PeerTask;
  readonly ids: readonly string[];
  readonly groups: readonly [number, string[]][];
  readonly seats: number;
  readonly lotOrder: readonly string[];
  readonly runs: number;
  readonly budgetMs: number;
}

type PeerReply = { readonly ok: true; readonly ms: number; readonly runs: number; readonly winners: readonly string[]; readonly note?: string } | { readonly ok: false; readonly why: string };

interface CaritatElection {
  addBallot(ballot: unknown): boolean;
}
interface Caritat {
  Ballot: new (votes: string[], count: number) => unknown;
  Election: new (config: { candidates: string[] }) => CaritatElection;
  irv(election: CaritatElection): string;
  borda(election: CaritatElection): string[];
  condorcet: { schulze(election: CaritatElection): string[] };
  stv: { meek(election: CaritatElection, config: { seats: number }): string[] };
}
interface MeekPrf {
  tabulate(
    seats: number,
    candidates: string[],
    ballots: [number, string[]][],
    maxRankingLevels: number,
    tieBreaker: string[],
    excluded: string[],
    protectedzz: string[],
    options: Record<string, never>,
    progress: null,
  ): { elected: Set<string> };
}
type VotesBallot = { ranking: string[][]; weight: number };
interface Votes {
  Borda: new (input: { candidates: string[]; ballots: VotesBallot[] }) => { ranking(): string[][] };
  InstantRunoff: new (input: { candidates: string[]; ballots: VotesBallot[] }) => { ranking(): string[][] };
  Schulze: new (matrix: { candidates: string[]; array: number[][] }) => { ranking(): string[][] };
  utils: { matrixFromBallots(ballots: VotesBallot[], candidates: string[]): { candidates: string[]; array: number[][] } };
}

async function runPeer(job: PeerJob): Promise<PeerReply> {
  const require = createRequire(import.meta.url);
  const ids = [...job.ids];
  const { task } = job;
  const measure = (f: () => readonly string[], note?: string): PeerReply => {
    const t = timed(job.runs, f, job.budgetMs);
    return { ok: true, ms: t.ms, runs: t.runs, winners: t.result, ...(note === undefined ? {} : { note }) };
  };
  switch (task.peer) {
    case 'votes': {
      const votes = (await import('votes')) as unknown as Votes;
      const ballots: VotesBallot[] = job.groups.map(([weight, ranking]) => ({ weight, ranking: ranking.map((id) => [id]) }));
      // votes ranks with ties as groups; its first group is the winner only when it holds one option.
      const top = (ranking: string[][]): string[] => ranking[0] ?? [];
      switch (task.method) {
        case 'irv':
          return measure(() => top(new votes.InstantRunoff({ candidates: ids, ballots }).ranking()));
        case 'borda':
          return measure(() => top(new votes.Borda({ candidates: ids, ballots }).ranking()));
        case 'schulze':
          return measure(() => top(new votes.Schulze(votes.utils.matrixFromBallots(ballots, ids)).ranking()));
        default:
          return assertNever(task, 'votes task');
      }
    }
    case 'caritat': {
      const caritat = require('caritat') as Caritat;
      const build = (): CaritatElection => {
        const e = new caritat.Election({ candidates: ids });
        for (const [weight, ranking] of job.groups) e.addBallot(new caritat.Ballot(ranking, weight));
        return e;
      };
      // caritat's counts never change the election they get, so one is built, off the clock.
      const e = build();
      switch (task.method) {
        case 'irv':
          return measure(() => [caritat.irv(e)]);
        case 'borda':
          return measure(() => caritat.borda(e).slice(0, 1));
        case 'schulze':
          return measure(() => caritat.condorcet.schulze(e).slice(0, 1));
        case 'meek':
          return measure(() => [...caritat.stv.meek(e, { seats: job.seats })]);
        default:
          return assertNever(task, 'caritat task');
      }
    }
    case 'meeks-prf-js': {
      const meek = require('meeks-prf-js/run/meek.js') as MeekPrf;
      // Its tie-breaker lists the option to defeat first; our lot lists the one to keep first.
      const tieBreaker = [...job.lotOrder].reverse();
      const maxLevels = Math.max(1, ...job.groups.map(([, r]) => r.length));
      return measure(() => [...meek.tabulate(job.seats, ids, job.groups.map(([w, r]) => [w, [...r]]), maxLevels, tieBreaker, [], [], {}, null).elected]);
    }
    default:
      return assertNever(task, 'peer task');
  }
}

// This file is also the peers' worker: started with a PeerJob, it answers with a PeerReply.
if (!isMainThread && parentPort !== null && (workerData as { kind?: string } | null)?.kind === 'counting-peer') {
  const port = parentPort;
  runPeer((workerData as { job: PeerJob }).job).then(
    (reply) => port.postMessage(reply),
    (error: unknown) => port.postMessage({ ok: false, why: error instanceof Error ? error.message : String(error) } satisfies PeerReply),
  );
}

const here = fileURLToPath(import.meta.url);

function peerInWorker(job: PeerJob, timeoutMs: number, heapMb: number): Promise<PeerReply> {
  // Under tsx this file is TypeScript; Node 20 ignores `--import tsx` in a worker's execArgv, so register it inside.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: { kind: 'counting-peer', job },
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  return new Promise<PeerReply>((resolve) => {
    let settled = false;
    const settle = (reply: PeerReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(reply);
    };
    const timer = setTimeout(() => settle({ ok: false, why: `stopped after ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    worker.once('message', (reply: PeerReply) => settle(reply));
    worker.once('error', (error) =>
      settle({ ok: false, why: (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of its ${heapMb} MB heap` : error.message }),
    );
    worker.once('exit', (code) => settle({ ok: false, why: `worker exited with code ${code}` }));
  });
}

// ---------------------------------------------------------------------------
// The run

interface Case {
  readonly name: string;
  readonly contest: Contest;
  readonly election: Election;
  readonly targetMs: number | null;
  readonly peers: readonly { readonly task: PeerTask; readonly known?: string; readonly heapMb?: number; readonly timeoutS?: number }[];
}

interface Row {
  readonly name: string;
  readonly input: string;
  readonly ours: Timed<readonly string[]>;
  readonly targetMs: number | null;
  /** Only for cases with peers, when they ran: the grouping done for them off the clock, and ours on its result. */
  readonly grouped: { readonly count: number; readonly groupingMs: number; readonly ours: Timed<readonly string[]> } | null;
  readonly peers: readonly { readonly label: string; readonly reply: PeerReply; readonly agree: boolean | null; readonly known?: string }[];
}

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(3)} s` : `${(ms / 1000).toFixed(1)} s`);
const thousands = (n: number): string => n.toLocaleString('en-US');

function sameWinners(method: Contest['method'], ours: readonly string[], theirs: readonly string[]): boolean {
  // STV elects a set; the order of election is not something the peers report alike.
  if (method === 'stv') return ours.length === theirs.length && [...ours].sort().join() === [...theirs].sort().join();
  return theirs.length === 1 && ours[0] === theirs[0];
}

const ratio = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(1));

function tables(rows: readonly Row[], runs: number): string {
  const lines: string[] = [];
  const [load1, load5] = os.loadavg();
  lines.push(
    `Our counts: median of ${runs} runs after a warm-up, timed from the raw ballot list (checking every ballot, grouping identical rankings, counting; best run alongside). ${os.cpus().length} cores, load average ${(load1 ?? 0).toFixed(1)} (1 min) / ${(load5 ?? 0).toFixed(1)} (5 min) when the tables were made.`,
    '',
  );
  lines.push('| count | input | ours (median) | best | target | |', '| --- | --- | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const target = row.targetMs === null ? '—' : `< ${row.targetMs / 1000} s`;
    const verdict = row.targetMs === null ? '' : row.ours.ms < row.targetMs ? 'PASS' : 'FAIL';
    lines.push(`| ${row.name} | ${row.input} | ${seconds(row.ours.ms)} | ${seconds(row.ours.bestMs)} | ${target} | ${verdict} |`);
  }
  const notes: string[] = [];
  if (rows.every((row) => row.peers.length === 0)) return lines.join('\n');
  lines.push(
    '',
    'Peers on the same ballots. Their clock starts after identical rankings have been grouped into weighted ballots for them (the grouping time below is not in their figures); inside it each builds its own input objects from those where its API needs them (votes: its count object from prepared ballot objects; caritat: nothing, its Election is built once beforehand; meeks-prf-js: a copy of the weighted rankings, which it takes over). Each runs in a worker thread; median of its runs (how many in brackets). "peer ÷ ours" divides by our headline time from the raw list; "÷ ours, same input" by our time on their grouped input (the table after this one).',
    '',
  );
  lines.push('| count | peer | peer time (runs) | peer ÷ ours | peer ÷ ours, same input | winners |', '| --- | --- | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    for (const peer of row.peers) {
      const { reply } = peer;
      if (!reply.ok) {
        lines.push(`| ${row.name} | ${peer.label} | not measured: ${reply.why} | — | — | — |`);
        continue;
      }
      const same = row.grouped === null ? '—' : `${ratio(reply.ms / row.grouped.ours.ms)}×`;
      const agreement = peer.agree === true ? 'agree' : `DIFFER: ours ${row.ours.result.join(' ')}, theirs ${reply.winners.join(' ') || '(none)'}`;
      lines.push(`| ${row.name} | ${peer.label} | ${seconds(reply.ms)} (${reply.runs}) | ${ratio(reply.ms / row.ours.ms)}× | ${same} | ${agreement} |`);
      if (peer.agree !== true && peer.known !== undefined) notes.push(`- ${row.name}, ${peer.label}: ${peer.known}`);
    }
  }
  const withGroups = rows.filter((row) => row.grouped !== null);
  if (withGroups.length > 0) {
    lines.push(
      '',
      'Ours on the peers\' input: the same grouped weighted ballots, prepared off the clock (grouping: one pass over the raw ballots keyed by the joined ranking, as done for the peers, timed once).',
      '',
    );
    lines.push('| count | grouped ballots | grouping (not timed below) | ours on grouped ballots (median) | best | ours from raw |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const row of withGroups) {
      const g = row.grouped;
      if (g === null) continue;
      lines.push(`| ${row.name} | ${thousands(g.count)} | ${seconds(g.groupingMs)} | ${seconds(g.ours.ms)} | ${seconds(g.ours.bestMs)} | ${seconds(row.ours.ms)} |`);
    }
  }
  if (notes.length > 0) lines.push('', 'Why the winners differ:', '', ...notes);
  return lines.join('\n');
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export async function runCountingBench(): Promise<string> {
  const runs = option('--runs', 5);
  const peerBudgetMs = option('--peer-budget', 60) * 1000;
  const say = (text: string): void => void process.stderr.write(`${text}\n`);

  say('generating ballots…');
  // --scale shrinks every election, for a quick look; the published figures use 1.
  const scale = option('--scale', 1);
  const stv20 = election(Math.round(100_000 * scale), 20, 20_2611);
  const schulze30 = election(Math.round(100_000 * scale), 30, 30_2611);
  const irv20 = election(Math.round(1_000_000 * scale), 20, 1_2611);

  const caritatFloats = "caritat's Meek uses floating point, a Hare-like quota (votes ÷ (seats + 1), no +1), a 1e-5 convergence test and random tie-breaks: a different rule from the PR Foundation reference that ours and meeks-prf-js follow.";
  const cases: Case[] = [
    {
      name: 'Scottish STV, 5 seats',
      contest: { method: 'stv', options: stv20.options, seats: 5, rules: { variant: 'scottish' } },
      election: stv20,
      targetMs: 200,
      peers: [],
    },
    {
      name: 'Meek STV, 5 seats',
      contest: { method: 'stv', options: stv20.options, seats: 5, rules: { variant: 'meek' } },
      election: stv20,
      targetMs: 2000,
      peers: [{ task: { peer: 'meeks-prf-js', method: 'meek' } }, { task: { peer: 'caritat', method: 'meek' }, known: caritatFloats }],
    },
    {
      name: 'Schulze',
      contest: { method: 'schulze', options: schulze30.options, seats: 1, rules: {} },
      election: schulze30,
      targetMs: 300,
      peers: [
        { task: { peer: 'votes', method: 'schulze' } },
        { task: { peer: 'caritat', method: 'schulze' }, known: 'caritat counts two options that a ballot leaves unranked as each preferred to the other, which changes winning-vote strengths.' },
      ],
    },
    {
      name: 'IRV',
      contest: { method: 'irv', options: irv20.options, seats: 1, rules: {} },
      election: irv20,
      targetMs: 1000,
      peers: [
        // votes holds every round's normalised ballots: a million of them need more than the default heap.
        // One run of votes takes minutes here; it gets them, so that its winner can be compared.
        { task: { peer: 'votes', method: 'irv' }, known: 'votes eliminates every option tied for fewest votes at once.', heapMb: 2560, timeoutS: 400 },
        // caritat needs over 50 s for a twentieth of these ballots (it rebuilds every ballot each round): a minute shows enough.
        { task: { peer: 'caritat', method: 'irv' }, known: 'caritat eliminates every option with no votes at once and breaks other ties at random.', timeoutS: 60 },
      ],
    },
    {
      name: 'Borda',
      contest: { method: 'borda', options: stv20.options, seats: 1, rules: {} },
      election: stv20,
      targetMs: null,
      peers: [
        { task: { peer: 'votes', method: 'borda' }, known: 'votes gives n − i points for place i (ours n − 1 − i), so on truncated ballots each ranked option gets one more point than ours and options ranked more often gain.' },
        { task: { peer: 'caritat', method: 'borda' } },
      ],
    },
  ];

  const rows: Row[] = [];
  const withPeers = !process.argv.includes('--no-peers');
  for (const c of cases) {
    say(`${c.name}: ours…`);
    const ours = timed(runs, () => count(c.contest, c.election.ballots, { lotOrder: c.election.lotOrder }).winners);
    let groups: [number, string[]][] = [];
    let groupedRow: Row['grouped'] = null;
    if (withPeers && c.peers.length > 0) {
      const t0 = performance.now();
      groups = grouped(c.election.ballots);
      const groupingMs = performance.now() - t0;
      say(`${c.name}: ours on the peers' grouped input…`);
      const weighted = groups.map(([weight, ranking]) => ({ ranking, weight }));
      const oursGrouped = timed(runs, () => count(c.contest, weighted, { lotOrder: c.election.lotOrder }).winners);
      if (oursGrouped.result.join() !== ours.result.join()) throw new Error(`${c.name}: grouped input gave ${oursGrouped.result.join(' ')}, raw ${ours.result.join(' ')}`);
      groupedRow = { count: groups.length, groupingMs, ours: oursGrouped };
    }
    const peers: Row['peers'][number][] = [];
    for (const { task, known, heapMb, timeoutS } of withPeers ? c.peers : []) {
      const label = `${task.peer} (${task.method})`;
      say(`${c.name}: ${label}…`);
      const job: PeerJob = { task, ids: c.election.options.map((o) => o.id), groups, seats: c.contest.seats, lotOrder: c.election.lotOrder, runs, budgetMs: peerBudgetMs };
      // The budget bounds the timed runs; unless the case says otherwise a peer is stopped at twice the budget plus half a minute.
      const reply = await peerInWorker(job, timeoutS === undefined ? peerBudgetMs * 2 + 30_000 : timeoutS * 1000, heapMb ?? 1024);
      const agree = reply.ok ? sameWinners(c.contest.method, ours.result, reply.winners) : null;
      peers.push({ label, reply, agree, ...(known === undefined ? {} : { known }) });
    }
    const input = `${thousands(c.election.ballots.length)} ballots, ${c.election.options.length} options`;
    rows.push({ name: c.name, input, ours, targetMs: c.targetMs, grouped: groupedRow, peers });
  }

  const table = tables(rows, runs);
  const section = sectionOf(table, runs);
  process.stdout.write(section);
  if (process.argv.includes('--write')) writeSection(section);
  return table;
}

/** The suite's section of BENCHMARKS.md, as `npm run bench` prints and collects it. */
function sectionOf(table: string, runs: number): string {
  return `## Counting\n\nNode ${process.version}, ${runs} runs per count. Seeded ballots: three popular options, the rest scattered; most voters rank 1 to 5 options, a few rank all.\n\n${table}\n`;
}

/** Replaces (or adds) the "## Counting" section of BENCHMARKS.md (`--write`, when the suite runs alone). */
function writeSection(section: string): void {
  const file = path.resolve(path.dirname(here), '../../BENCHMARKS.md');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = before.search(/^## Counting\s*$/m);
  let after: string;
  if (start < 0) {
    after = `${before.trimEnd()}\n\n${section}`;
  } else {
    const rest = before.slice(start + 1);
    const next = rest.search(/^## /m);
    after = before.slice(0, start) + section + (next < 0 ? '' : `\n${rest.slice(next)}`);
  }
  fs.writeFileSync(file, after.endsWith('\n') ? after : `${after}\n`);
  process.stderr.write(`wrote the Counting section of ${file}\n`);
}

if (isMainThread && process.argv[1] !== undefined && path.resolve(process.argv[1]) === here) {
  await runCountingBench();
}
