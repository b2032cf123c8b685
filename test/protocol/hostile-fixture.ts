/**
 * Valid bundles whose option ids are names of Object.prototype's members
 * (`constructor`, `toString`, `__proto__`, `hasOwnProperty`): valid ids that
 * code reading parsed input by name (`obj[id]`, `id in obj`) mistakes for the
 * inherited members when the own ones are missing.
 */
import type { Choice, Method } from '../../shared/counting/types';
import type { RoundDefinition } from '../../shared/protocol/types';
import { buildBundle } from './bundle-fixture';

export const HOSTILE_IDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty'] as const;
const [A, B, C, D] = HOSTILE_IDS;

/** Per method: rules, and three voters' choices over the hostile ids. */
const ROUNDS: Record<Method, { rules: unknown; choices: Choice[] }> = {
  approval: { rules: { maxApprovals: 3 }, choices: [{ approve: [A, B] }, { approve: [C, D] }, { approve: [A] }] },
  plurality: { rules: {}, choices: [{ pick: A }, { pick: C }, { pick: A }] },
  yesno: {
    rules: { quorum: { kind: 'share', numerator: 1, denominator: 2 }, threshold: { kind: 'simple' } },
    choices: [{ answer: 'yes' }, { answer: 'no' }, { answer: 'yes' }],
  },
  score: { rules: { min: 0, max: 5 }, choices: [{ scores: { [A]: 3, [B]: 5 } }, { scores: JSON.parse('{"__proto__":4,"hasOwnProperty":1}') as Record<string, number> }, { scores: { [A]: 1 } }] },
  cumulative: { rules: { budget: 5 }, choices: [{ points: { [A]: 3, [B]: 2 } }, { points: JSON.parse('{"__proto__":5}') as Record<string, number> }, { points: { [D]: 1 } }] },
  borda: { rules: {}, choices: [{ ranking: [B, A] }, { ranking: [D, C] }, { ranking: [A, C, B] }] },
  irv: { rules: {}, choices: [{ ranking: [B, A] }, { ranking: [D, C] }, { ranking: [A, C, B] }] },
  stv: { rules: { variant: 'scottish' }, choices: [{ ranking: [B, A] }, { ranking: [D, C] }, { ranking: [A, C, B] }] },
  schulze: { rules: {}, choices: [{ ranking: [B, A] }, { ranking: [D, C] }, { ranking: [A, C, B] }] },
};

/** A valid bundle whose options are the hostile ids, as text (a bundle is a file). */
export function hostileBundle(method: Method): string {
  const { rules, choices } = ROUNDS[method];
  const seats = method === 'yesno' || method === 'irv' ? 1 : 2;
  const options = HOSTILE_IDS.map((id) => ({ id, label: `Option ${id}` }));
  const definition = { method, rules, seats, options } as Partial<RoundDefinition>;
  const { bundle } = buildBundle({ definition, voters: 4, ballots: choices.map((choice, voter) => ({ voter, choice })) });
  return JSON.stringify(bundle);
}

export const HOSTILE_METHODS = Object.keys(ROUNDS) as Method[];

/** The approval bundle with one byte changed: "constructor" among the published approvals becomes "constructos". */
export function tamperedHostileBundle(): string {
  const text = hostileBundle('approval');
  const at = text.indexOf('"constructor":', text.indexOf('"approvals"'));
  return `${text.slice(0, at + 11)}s${text.slice(at + 12)}`;
}
