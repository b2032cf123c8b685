/**
 * Whether a round is secret or named, said where rounds are shown: a badge in
 * lists and cards, and on the round page the promise in plain words, with
 * what it cannot hide (docs/credentials.md, issue 15's "The promise").
 */
import { h } from '../core/dom';
import { t } from '../core/i18n';
import { notice } from './ui';

/** "Geheim" or "Op naam", next to a round's status. */
export function secrecyBadge(secret: boolean): HTMLElement {
  return h('span', { class: ['badge', secret ? 'secret' : 'named'], attrs: { title: t('secret.badge.label') } }, secret ? t('secret.badge.secret') : t('secret.badge.named'));
}

/** The promise of the round page: what nobody can see, what holds, and, honestly, what the server still sees. */
export function secrecyPromise(secret: boolean): HTMLElement {
  if (!secret) {
    return h('section', { class: ['panel', 'promise', 'named'], attrs: { 'aria-label': t('secret.promise.namedTitle') } }, h('p', null, t('secret.promise.named')));
  }
  return h(
    'section',
    { class: ['panel', 'promise', 'secret'], attrs: { 'aria-label': t('secret.promise.secretTitle') } },
    h('p', null, h('strong', null, t('secret.promise.secret'))),
    h('details', null, h('summary', null, t('secret.promise.more')), h('p', null, t('secret.promise.secretHow')), h('p', null, t('secret.promise.secretHonest'))),
  );
}

/** The member's pseudonym in a secret round, and where to find it once the round is published. */
export function pseudonymNote(voter: string): HTMLElement {
  return notice('info', h('p', null, t('secret.pseudonym', { voter })), h('p', { class: 'hint' }, t('secret.pseudonymIssued')));
}
