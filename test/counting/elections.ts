/** Access to the golden elections (test/fixtures/elections) for the counting tests. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bltBallots, parseBlt, type BltElection } from '../../shared/blt';
import type { RankedBallot } from '../../shared/counting/ranked';
import type { CountOption } from '../../shared/counting/types';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Kept inside the repository, so that a clone anywhere can run the counting tests. */
export const ELECTIONS = path.resolve(here, '../fixtures/elections');

export function electionFiles(folder: string, ext = '.blt'): string[] {
  return readdirSync(path.join(ELECTIONS, folder))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(ELECTIONS, folder, f));
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

export function readJson(file: string): unknown {
  return JSON.parse(readText(file)) as unknown;
}

export function loadBlt(file: string): BltElection {
  const parsed = parseBlt(readText(file));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
  return parsed.value;
}

/** Options named after the candidates (names are unique in every golden file), and the ballots. */
export function bltContest(election: BltElection): { options: CountOption[]; ballots: RankedBallot[] } {
  const options = election.candidates.map((name) => ({ id: name, label: name }));
  return { options, ballots: bltBallots(election, election.candidates) };
}
