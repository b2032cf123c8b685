/** Small building blocks shared by the views. */
import type { Method } from '../../shared/counting/types';
import type { RoundOption } from '../../shared/protocol/types';
import type { ApiProblem } from '../core/api';
import { h, type Child } from '../core/dom';
import { problemText } from '../core/forms';
import { t, type MessageKey } from '../core/i18n';
import type { View } from '../core/router';
import type { MemberStatus, Role, RoundStatus } from '../domain/types';

export function heading(text: string): HTMLHeadingElement {
  return h('h1', { attrs: { tabindex: -1 } }, text);
}

export function page(title: string, ...children: readonly Child[]): View {
  return { title, node: h('div', { class: 'page' }, heading(title), ...children) };
}

export function link(href: string, text: string, cls?: string | readonly string[]): HTMLAnchorElement {
  return h('a', { attrs: { href }, ...(cls === undefined ? {} : { class: cls }) }, text);
}

export function buttonLink(href: string, text: string, primary = false): HTMLAnchorElement {
  return h('a', { class: ['button', primary ? 'primary' : 'secondary'], attrs: { href } }, text);
}

export function button(label: string, onClick: (b: HTMLButtonElement) => void, kind: 'primary' | 'secondary' | 'danger' | 'link' = 'secondary'): HTMLButtonElement {
  const b = h('button', { class: ['button', kind], attrs: { type: 'button' } }, label);
  b.addEventListener('click', () => onClick(b));
  return b;
}

export type NoticeKind = 'info' | 'success' | 'warning' | 'error';

export function notice(kind: NoticeKind, ...children: readonly Child[]): HTMLElement {
  return h('div', { class: ['notice', kind], attrs: kind === 'error' ? { role: 'alert' } : {} }, ...children);
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', attrs: { role: 'status' } }, t('common.loading'));
}

export function problemView(problem: ApiProblem): View {
  const title = problem.code === 'not_found' ? t('page.notFound.title') : t('page.problem.title');
  return page(title, notice('error', problemText(problem)), h('p', null, link('/', t('nav.home'))));
}

const STATUS_KEYS = {
  draft: 'round.status.draft',
  open: 'round.status.open',
  closed: 'round.status.closed',
  published: 'round.status.published',
} as const satisfies Record<RoundStatus, MessageKey>;

export function roundStatusText(status: RoundStatus): string {
  return t(STATUS_KEYS[status]);
}

export function statusBadge(status: RoundStatus): HTMLElement {
  return h('span', { class: ['badge', `status-${status}`] }, roundStatusText(status));
}

const METHOD_KEYS = {
  plurality: 'method.plurality',
  approval: 'method.approval',
  yesno: 'method.yesno',
  score: 'method.score',
  cumulative: 'method.cumulative',
  borda: 'method.borda',
  irv: 'method.irv',
  stv: 'method.stv',
  schulze: 'method.schulze',
} as const satisfies Record<Method, MessageKey>;

export function methodName(method: Method): string {
  return t(METHOD_KEYS[method]);
}

const MEMBER_STATUS_KEYS = {
  pending: 'member.status.pending',
  active: 'member.status.active',
  suspended: 'member.status.suspended',
} as const satisfies Record<MemberStatus, MessageKey>;

export function memberStatusText(status: MemberStatus): string {
  return t(MEMBER_STATUS_KEYS[status]);
}

const ROLE_KEYS = {
  member: 'member.role.member',
  moderator: 'member.role.moderator',
  admin: 'member.role.admin',
} as const satisfies Record<Role, MessageKey>;

export function roleText(role: Role): string {
  return t(ROLE_KEYS[role]);
}

/** A list of term/definition pairs. */
export function facts(pairs: readonly (readonly [string, Child])[]): HTMLDListElement {
  return h('dl', { class: 'facts' }, ...pairs.map(([term, value]) => h('div', null, h('dt', null, term), h('dd', null, value))));
}
const ANSWER_KEYS: Readonly<Record<string, MessageKey>> = { yes: 'answer.yes', no: 'answer.no', abstain: 'answer.abstain' };

/**
 * A round's options as the member reads them. A yes/no round's options are
 * the fixed answers, labelled by the server in Dutch; they are shown in the
 * member's language.
 */
export function shownOptions(method: Method, options: readonly RoundOption[]): RoundOption[] {
  if (method !== 'yesno') return [...options];
  return options.map((o) => {
    const key = ANSWER_KEYS[o.id];
    return key === undefined ? o : { id: o.id, label: t(key) };
  });
}
