/** The member's choice in words, for the review before signing: what they are about to sign, not the raw ballot. */
import type { Choice } from '../../shared/counting/types';
import type { AnyRoundDefinition } from '../../shared/protocol/types';
import { h } from '../core/dom';
import { formatNumber, t } from '../core/i18n';
import { ownEntry } from '../domain/ballot-logic';

/** Words for a choice, for the review before signing. */
export function describeChoice(def: AnyRoundDefinition, choice: Choice): HTMLElement {
  const label = (id: string) => def.options.find((o) => o.id === id)?.label ?? id;
  if ('pick' in choice) return h('p', null, t('review.pick', { option: label(choice.pick) }));
  if ('answer' in choice) {
    const words = { yes: t('ballot.yesno.yes'), no: t('ballot.yesno.no'), abstain: t('ballot.yesno.abstain') };
    return h('p', null, t('review.answer', { answer: words[choice.answer], motion: def.title }));
  }
  if ('approve' in choice) {
    return choice.approve.length === 0
      ? h('p', null, t('review.blank'))
      : h('div', null, h('p', null, t('review.approve')), h('ul', null, ...choice.approve.map((id) => h('li', null, label(id)))));
  }
  if ('scores' in choice) {
    return h(
      'ul',
      { class: 'review-list' },
      ...def.options.map((o) => {
        const v = ownEntry(choice.scores, o.id);
        return h('li', null, h('span', null, o.label), ': ', h('strong', null, v === undefined ? t('ballot.score.noOpinion') : formatNumber(v)));
      }),
    );
  }
  if ('points' in choice) {
    const given = def.options.filter((o) => (ownEntry(choice.points, o.id) ?? 0) > 0);
    return given.length === 0
      ? h('p', null, t('review.blank'))
      : h('ul', { class: 'review-list' }, ...given.map((o) => h('li', null, h('span', null, o.label), ': ', h('strong', null, t('review.points', { n: ownEntry(choice.points, o.id) ?? 0 })))));
  }
  const rest = def.options.filter((o) => !choice.ranking.includes(o.id));
  return h(
    'div',
    null,
    choice.ranking.length === 0 ? h('p', null, t('review.blank')) : [h('p', null, t('review.ranking')), h('ol', null, ...choice.ranking.map((id) => h('li', null, label(id))))],
    rest.length > 0 && choice.ranking.length > 0 ? h('p', { class: 'hint' }, t('review.unranked', { list: rest.map((o) => o.label).join(', ') })) : null,
  );
}
