/** The start page: what this is, the rounds open now, the latest outcomes, and the sessions. The outcomes page lists every published round. */
import { call } from '../core/api';
import { auth } from '../core/auth';
import { h } from '../core/dom';
import { formatDate, formatDateTime, t, tn } from '../core/i18n';
import type { View } from '../core/router';
import type { Round } from '../domain/types';
import { secrecyBadge } from '../components/secret-promise';
import { buttonLink, heading, link, methodName, notice, problemView, statusBadge } from '../components/ui';

/** How many published rounds the start page shows. */
const LATEST_OUTCOMES = 4;

function roundItem(r: Round, href: string): HTMLElement {
  return h(
    'li',
    { class: 'card' },
    h('h3', null, link(href, r.title)),
    h('p', { class: 'meta' }, statusBadge(r.status), ' ', secrecyBadge(r.secret), ' ', methodName(r.method), r.closesAt !== null && r.status === 'open' ? ` · ${t('round.closesAt', { at: formatDateTime(r.closesAt) })}` : null),
  );
}

export async function homeView(): Promise<View> {
  const [sessions, open, published] = await Promise.all([
    call('sessions'),
    call('rounds', { query: { status: 'open' } }),
    call('rounds', { query: { status: 'published' } }),
  ]);
  if (!sessions.ok) return problemView(sessions.error);
  const member = auth()?.member ?? null;
  const title = t('home.title');
  const openRounds = open.ok ? open.value.rounds : [];
  // The latest few outcomes, so a newcomer sees results (the demo's, at first) without looking for them.
  const latest = (published.ok ? [...published.value.rounds] : []).sort((a, b) => ((a.publishedAt ?? '') < (b.publishedAt ?? '') ? 1 : -1)).slice(0, LATEST_OUTCOMES);
  const node = h(
    'div',
    { class: 'page' },
    heading(title),
    h('p', { class: 'lead' }, t('home.lead')),
    member === null
      ? h('div', { class: 'actions' }, buttonLink('/register', t('home.register'), true), buttonLink('/login', t('nav.login')))
      : member.status === 'pending'
        ? notice('warning', t('account.pending.body'), ' ', link('/account', t('nav.account')))
        : null,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'open-rounds' } },
      h('h2', { id: 'open-rounds' }, t('home.openRounds')),
      openRounds.length === 0 ? h('p', null, t('home.noOpenRounds')) : h('ul', { class: 'cards' }, ...openRounds.map((r) => roundItem(r, `/rounds/${r.id}`))),
    ),
    latest.length === 0
      ? null
      : h(
          'section',
          { attrs: { 'aria-labelledby': 'latest-outcomes' } },
          h('h2', { id: 'latest-outcomes' }, t('home.latestOutcomes')),
          h('ul', { class: 'cards' }, ...latest.map((r) => roundItem(r, `/rounds/${r.id}/outcome`))),
          h('p', null, link('/outcomes', t('home.allOutcomes'))),
        ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'sessions' } },
      h('h2', { id: 'sessions' }, t('home.sessions')),
      sessions.value.sessions.length === 0
        ? h('p', null, t('home.noSessions'))
        : h(
            'ul',
            { class: 'cards' },
            ...sessions.value.sessions.map((s) =>
              h(
                'li',
                { class: 'card' },
                h('h3', null, link(`/sessions/${s.id}`, s.title)),
                h('p', { class: 'meta' }, s.date === null ? null : `${formatDate(s.date)} · `, tn('home.questions', s.questionCount)),
              ),
            ),
          ),
    ),
  );
  return { title, node };
}

export async function outcomesView(): Promise<View> {
  const [published, sessions] = await Promise.all([
    call('rounds', { query: { status: 'published' } }),
    call('sessions'),
  ]);
  if (!published.ok) return problemView(published.error);
  const title = t('outcomes.title');
  const rounds = [...published.value.rounds].sort((a, b) => ((a.publishedAt ?? '') < (b.publishedAt ?? '') ? 1 : -1));
  const node = h(
    'div',
    { class: 'page' },
    heading(title),
    h('p', { class: 'lead' }, t('outcomes.lead')),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'published-rounds' } },
      h('h2', { id: 'published-rounds' }, t('outcomes.rounds')),
      rounds.length === 0
        ? h('p', null, t('outcomes.none'))
        : h(
            'ul',
            { class: 'cards' },
            ...rounds.map((r) =>
              h(
                'li',
                { class: 'card' },
                h('h3', null, link(`/rounds/${r.id}/outcome`, r.title)),
                h('p', { class: 'meta' }, secrecyBadge(r.secret), ' ', methodName(r.method), ' · ', t('outcome.publishedAt', { at: formatDateTime(r.publishedAt) })),
              ),
            ),
          ),
    ),
    sessions.ok && sessions.value.sessions.length > 0
      ? h(
          'section',
          { attrs: { 'aria-labelledby': 'session-outcomes' } },
          h('h2', { id: 'session-outcomes' }, t('outcomes.sessions')),
          h('ul', { class: 'plain-list' }, ...sessions.value.sessions.map((s) => h('li', null, link(`/sessions/${s.id}/outcome`, s.title)))),
        )
      : null,
  );
  return { title, node };
}
