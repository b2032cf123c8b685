/**
 * Quick timing of the ranked counts on random ballots, against the targets:
 * Scottish STV < 0.2 s and Meek STV < 2 s on 100,000 ballots over 20 options
 * for 5 seats; IRV < 1 s on 1,000,000 ballots over 20 options.
 *
 *   npx tsx bench/stv-irv-quick.ts [--runs N]
 *
 * Ballots come from a seeded generator (the same every run): options have
 * unequal popularity, and each voter ranks a random number of them (1 to all
 * 20, shorter rankings more common), drawn by popularity without replacement.
 * The time includes turning the ballots into the count's internal profile.
 */
import { countIrv } from '../shared/counting/irv';
import type { RankedBallot } from '../shared/counting/ranked';
import { countStv } from '../shared/counting/stv';
import type { CountOption } from '../shared/counting/types';
import { mulberry32 } from './lib/stats';

function randomElection(voters: number, optionCount: number, seed: number): { options: CountOption[]; ballots: RankedBallot[] } {
  const random = mulberry32(seed);
  const options = Array.from({ length: optionCount }, (_, i) => ({ id: `o${i + 1}`, label: `Option ${i + 1}` }));
  const popularity = options.map(() => 0.2 + random() ** 2);
  const ballots: RankedBallot[] = [];
  const weights = new Array<number>(optionCount);
  for (let v = 0; v < voters; v++) {
    const length = Math.min(optionCount, 1 + Math.floor(-Math.log(1 - random()) * 4));
    for (let i = 0; i < optionCount; i++) weights[i] = popularity[i] ?? 0;
    let left = popularity.reduce((a, b) => a + b, 0);
    const ranking: string[] = [];
    for (let k = 0; k < length; k++) {
      let r = random() * left;
      let pick = 0;
      for (; pick < optionCount - 1; pick++) {
        r -= weights[pick] ?? 0;
        if (r < 0 && (weights[pick] ?? 0) > 0) break;
      }
      while ((weights[pick] ?? 0) === 0) pick = (pick + 1) % optionCount;
      ranking.push(options[pick]?.id ?? '');
      left -= weights[pick] ?? 0;
      weights[pick] = 0;
    }
    ballots.push({ ranking });
  }
  return { options, ballots };
}

function time<T>(runs: number, f: () => T): { best: number; result: T } {
  let best = Infinity;
  let result = f(); // warm-up, not timed
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = f();
    best = Math.min(best, performance.now() - t0);
  }
  return { best, result };
}

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1] ?? '3') : 3;

const stvElection = randomElection(100_000, 20, 42);
const lotOrder = stvElection.options.map((o) => o.id);
const scottish = time(runs, () =>
  countStv({ method: 'stv', options: stvElection.options, seats: 5, rules: { variant: 'scottish' } }, stvElection.ballots, { lotOrder }),
);
const meek = time(runs, () => countStv({ method: 'stv', options: stvElection.options, seats: 5, rules: { variant: 'meek' } }, stvElection.ballots, { lotOrder }));
const irvElection = randomElection(1_000_000, 20, 7);
const irv = time(runs, () => countIrv({ method: 'irv', options: irvElection.options, seats: 1, rules: {} }, irvElection.ballots, { lotOrder }));

const rows: [string, number, number, string][] = [
  ['STV scottish, 100,000 ballots, 20 options, 5 seats', scottish.best, 200, `${scottish.result.stages.length} stages`],
  ['STV meek,     100,000 ballots, 20 options, 5 seats', meek.best, 2000, `${meek.result.stages.length} stages`],
  ['IRV,        1,000,000 ballots, 20 options', irv.best, 1000, `${irv.result.rounds.length} rounds`],
];
process.stdout.write(`best of ${runs} runs (after one warm-up run)\n`);
for (const [what, ms, target, detail] of rows) {
  process.stdout.write(`${what}: ${ms.toFixed(0).padStart(5)} ms  (target < ${target} ms: ${ms < target ? 'ok' : 'MISSED'}; ${detail})\n`);
}
