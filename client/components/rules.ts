/** A round's method and rules in plain words. */
import type { Method } from '../../shared/counting/types';
import type { RoundDefinition } from '../../shared/protocol/types';
import { t, tn, type MessageKey } from '../core/i18n';
import type { Round } from '../domain/types';

const EXPLAIN = {
  plurality: 'method.plurality.explain',
  approval: 'method.approval.explain',
  yesno: 'method.yesno.explain',
  score: 'method.score.explain',
  cumulative: 'method.cumulative.explain',
  borda: 'method.borda.explain',
  irv: 'method.irv.explain',
  stv: 'method.stv.explain',
  schulze: 'method.schulze.explain',
} as const satisfies Record<Method, MessageKey>;

export function methodExplanation(method: Method): string {
  return t(EXPLAIN[method]);
}

type RulesSource = Pick<Round, 'method' | 'rules' | 'seats'> | RoundDefinition;

function numberOf(rules: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = rules[key];
  return typeof v === 'number' ? v : undefined;
}

/** One line per rule that matters to a voter. */
export function rulesLines(round: RulesSource): string[] {
  const rules = round.rules as Readonly<Record<string, unknown>>;
  const lines: string[] = [];
  switch (round.method) {
    case 'approval': {
      const max = numberOf(rules, 'maxApprovals');
      lines.push(max === undefined ? t('rules.approval.noMax') : tn('rules.approval.max', max));
      break;
    }
    case 'yesno': {
      const quorum = rules['quorum'] as { kind?: string; numerator?: number; denominator?: number; count?: number } | undefined;
      if (quorum?.kind === 'share') lines.push(t('rules.yesno.quorumShare', { n: quorum.numerator ?? 0, d: quorum.denominator ?? 1 }));
      else if (quorum?.kind === 'absolute') lines.push(tn('rules.yesno.quorumAbsolute', quorum.count ?? 0));
      else lines.push(t('rules.yesno.noQuorum'));
      const threshold = rules['threshold'] as { kind?: string; numerator?: number; denominator?: number } | undefined;
      if (threshold?.kind === 'qualified') lines.push(t('rules.yesno.qualified', { n: threshold.numerator ?? 0, d: threshold.denominator ?? 1 }));
      else lines.push(t('rules.yesno.simple'));
      break;
    }
    case 'score':
      lines.push(t('rules.score.scale', { min: numberOf(rules, 'min') ?? 0, max: numberOf(rules, 'max') ?? 5 }));
      break;
    case 'cumulative':
      lines.push(tn('rules.cumulative.budget', numberOf(rules, 'budget') ?? 0));
      break;
    case 'stv':
      lines.push(rules['variant'] === 'meek' ? t('rules.stv.meek') : t('rules.stv.scottish'));
      break;
    case 'plurality':
    case 'borda':
    case 'irv':
    case 'schulze':
      break;
  }
  if (round.method !== 'yesno') lines.push(tn('rules.seats', round.seats));
  return lines;
}
