/**
 * What a member is choosing, per method, before it becomes a protocol
 * `choice`: pure state changes (toggle, move, give points) that the ballot
 * components call, and the final check with the counting library's own
 * `checkChoice`, so that the booth never sends what the server would refuse.
 */
import { checkChoice } from '../../shared/counting/choice';
import type { Choice, Method } from '../../shared/counting/types';
import { contestOf } from '../../shared/protocol/contest';
import type { RoundDefinition } from '../../shared/protocol/types';

export type Draft =
  | { readonly kind: 'pick'; readonly pick: string | null }
  | { readonly kind: 'approve'; readonly approve: readonly string[] }
  | { readonly kind: 'answer'; readonly answer: 'yes' | 'no' | 'abstain' | null }
  | { readonly kind: 'scores'; readonly scores: Readonly<Record<string, number | null>> }
  | { readonly kind: 'points'; readonly points: Readonly<Record<string, number>> }
  | { readonly kind: 'ranking'; readonly ranking: readonly string[] };

export function emptyDraft(method: Method): Draft {
  switch (method) {
    case 'plurality':
      return { kind: 'pick', pick: null };
    case 'approval':
      return { kind: 'approve', approve: [] };
    case 'yesno':
      return { kind: 'answer', answer: null };
    case 'score':
      return { kind: 'scores', scores: {} };
    case 'cumulative':
      return { kind: 'points', points: {} };
    case 'borda':
    case 'irv':
    case 'stv':
    case 'schulze':
      return { kind: 'ranking', ranking: [] };
  }
}

// ---------------------------------------------------------------- approval

/** Toggles an approval; refused (unchanged) when it would go over the maximum. */
export function toggleApproval(selected: readonly string[], id: string, on: boolean, max: number | undefined): { approve: string[]; refused: boolean } {
  const has = selected.includes(id);
  if (on && !has) {
    if (max !== undefined && selected.length >= max) return { approve: [...selected], refused: true };
    return { approve: [...selected, id], refused: false };
  }
  if (!on && has) return { approve: selected.filter((x) => x !== id), refused: false };
  return { approve: [...selected], refused: false };
}

// ---------------------------------------------------------------- per-option records

/**
 * An option's entry in a record keyed by option ids. Option ids are the
 * moderator's to choose (`constructor`, `__proto__` are valid ids), so a
 * plain `record[id]` could read a member of Object.prototype, and a plain
 * `record[id] = v` could set a prototype instead of an entry: read own
 * entries only, and build records with Object.fromEntries (which defines).
 */
export function ownEntry<T>(record: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(record, id) ? record[id] : undefined;
}

/** A copy of `record` with `id` set to `value` (a defined entry, whatever the id). */
export function withEntry<T>(record: Readonly<Record<string, T>>, id: string, value: T): Record<string, T> {
  return Object.fromEntries([...Object.entries(record).filter(([k]) => k !== id), [id, value]]);
}

// ---------------------------------------------------------------- cumulative

export function pointsSpent(points: Readonly<Record<string, number>>): number {
  return Object.values(points).reduce((sum, n) => sum + n, 0);
}

/** Sets an option's points, clamped to 0 … what the budget still allows. */
export function setPoints(points: Readonly<Record<string, number>>, id: string, wanted: number, budget: number): Record<string, number> {
  const others = pointsSpent(points) - (ownEntry(points, id) ?? 0);
  const n = Number.isFinite(wanted) ? Math.trunc(wanted) : 0;
  const value = Math.max(0, Math.min(n, budget - others));
  return value === 0 ? Object.fromEntries(Object.entries(points).filter(([k]) => k !== id)) : withEntry(points, id, value);
}

// ---------------------------------------------------------------- ranking

export function addToRanking(ranking: readonly string[], id: string): string[] {
  return ranking.includes(id) ? [...ranking] : [...ranking, id];
}

export function removeFromRanking(ranking: readonly string[], id: string): string[] {
  return ranking.filter((x) => x !== id);
}

/** Moves an option to position `index` (clamped), the others keeping their order. */
export function moveInRanking(ranking: readonly string[], id: string, index: number): string[] {
  const from = ranking.indexOf(id);
  if (from < 0) return [...ranking];
  const rest = ranking.filter((x) => x !== id);
  const to = Math.max(0, Math.min(index, rest.length));
  return [...rest.slice(0, to), id, ...rest.slice(to)];
}

// ---------------------------------------------------------------- the choice

/** The protocol choice of a draft; null when nothing is chosen yet where a choice is needed. */
export function choiceOf(draft: Draft): Choice | null {
  switch (draft.kind) {
    case 'pick':
      return draft.pick === null ? null : { pick: draft.pick };
    case 'approve':
      return { approve: [...draft.approve] };
    case 'answer':
      return draft.answer === null ? null : { answer: draft.answer };
    case 'scores': {
      const given = Object.entries(draft.scores).filter((e): e is [string, number] => e[1] !== null);
      return { scores: Object.fromEntries(given) };
    }
    case 'points':
      return { points: Object.fromEntries(Object.entries(draft.points).filter(([, n]) => n > 0)) };
    case 'ranking':
      return { ranking: [...draft.ranking] };
  }
}

export type ChoiceCheck = { ok: true; choice: Choice } | { ok: false; reason: 'incomplete' | 'invalid'; detail?: string };

/** The choice, checked exactly as the server will check it. */
export function checkedChoice(definition: RoundDefinition, draft: Draft): ChoiceCheck {
  const choice = choiceOf(draft);
  if (choice === null) return { ok: false, reason: 'incomplete' };
  const checked = checkChoice(contestOf(definition), choice);
  return checked.ok ? { ok: true, choice: checked.value } : { ok: false, reason: 'invalid', detail: checked.error.kind };
}

/** Whether a draft says nothing at all (a blank ballot): the review asks the member to be sure. */
export function isBlank(choice: Choice): boolean {
  if ('approve' in choice) return choice.approve.length === 0;
  if ('ranking' in choice) return choice.ranking.length === 0;
  if ('scores' in choice) return Object.keys(choice.scores).length === 0;
  if ('points' in choice) return Object.keys(choice.points).length === 0;
  return false;
}
