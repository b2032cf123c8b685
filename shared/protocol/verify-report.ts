/**
 * What the offline verifier reports: every check in report order, and the
 * short list of problems each keeps (the count of all, the text of the first
 * few), so a board of 100,000 bad entries gives a readable report.
 */
import type { CountResult } from '../counting/index';
import type { RoundDefinition, RoundOption } from './types';

/** Every check, in report order. A report holds those that apply to its bundle's protocol (protocol 2 has no ballot-keys, protocol 1 no credentials). */
export const CHECKS = {
  'bundle-schema': 'Bundle format',
  'definition-signature': 'Definition signed by the instance key',
  'definition-hash': 'Definition hash in the outcome and in every ballot',
  'round-identity': 'Outcome names the round of the definition',
  register: 'Register: sorted, one entry per voter, count and root',
  'board-sequence': 'Entries numbered 1, 2, 3, … without gaps',
  'ballot-fields': 'Ballots name this instance and round',
  'ballot-keys': "Ballot keys listed in the register under the entry's voter",
  'ballot-credentials': "Every ballot's credential signed by the round's issuing key for its round key",
  'credentials-issued': 'No more credentials used than issued, no more issued than eligible',
  'ballot-choices': 'Choices fit the method',
  'ballot-nonces': 'Nonces unique in the round',
  revote: 'One ballot per voter unless revoting is allowed',
  'ballot-signatures': 'Ballot signatures',
  'board-chain': 'Leaves and chained heads',
  'board-final': 'Final head and entry count match the outcome',
  'outcome-signature': 'Outcome signed by the instance key',
  counted: 'Number of voters counted',
  recount: 'Recount matches the published result',
  'receipt-signature': 'Receipt signed by the instance key',
  'receipt-on-board': 'Receipt matches its entry on the board',
} as const;
export type CheckId = keyof typeof CHECKS;

/** Checks of one protocol only: protocol 1 has a key register, protocol 2 credentials instead. */
const ONLY_IN: Readonly<Record<1 | 2, readonly CheckId[]>> = { 1: ['ballot-keys'], 2: ['ballot-credentials', 'credentials-issued'] };

/** The checks a report on a bundle of `protocol` holds (the receipt's two only when a receipt is given), in report order. */
export function checksOf(protocol: 1 | 2): CheckId[] {
  const other = ONLY_IN[protocol === 1 ? 2 : 1];
  return (Object.keys(CHECKS) as CheckId[]).filter((id) => !other.includes(id));
}

export interface VerifyCheck {
  readonly id: CheckId;
  readonly title: string;
  readonly ok: boolean;
  /** One line for people: what holds, or what does not. */
  readonly detail: string;
  /** The first few specific problems (e.g. per entry); empty when ok. */
  readonly problems: readonly string[];
  /** How many problems there were in all. */
  readonly failures: number;
}

export interface VerifyReport {
  /** True only when every check holds. */
  readonly ok: boolean;
  readonly checks: readonly VerifyCheck[];
  /** What the bundle is about, once it parsed. */
  readonly round?: {
    readonly instance: string;
    readonly round: string;
    readonly title: string;
    readonly method: RoundDefinition['method'];
    readonly seats: number;
    readonly revote: boolean;
    readonly options: readonly RoundOption[];
  };
  readonly figures?: {
    readonly electorate: number;
    readonly entries: number;
    /** Voters with at least one entry: their latest (or only) ballot counts. */
    readonly counted: number;
    readonly definitionHash: string;
    readonly finalHead: string;
    /** Protocol 2: credentials issued (register.issued). */
    readonly issued?: number;
  };
  /** The verifier's own count, when it could be made. */
  readonly recount?: CountResult;
}

const MAX_PROBLEMS = 10;

/** Problems of one check, kept short: the count of all, the text of the first few. */
export class Problems {
  failures = 0;
  readonly list: string[] = [];
  add(problem: string): void {
    this.failures += 1;
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
  }
  get ok(): boolean {
    return this.failures === 0;
  }
}

export function check(id: CheckId, ok: boolean, detail: string, problems?: Problems): VerifyCheck {
  return {
    id,
    title: CHECKS[id],
    ok,
    detail,
    problems: ok || problems === undefined ? [] : problems.list,
    failures: ok ? 0 : Math.max(1, problems?.failures ?? 1),
  };
}

export function fromProblems(id: CheckId, problems: Problems, whenOk: string, whenNot: (failures: number) => string): VerifyCheck {
  return check(id, problems.ok, problems.ok ? whenOk : whenNot(problems.failures), problems);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
