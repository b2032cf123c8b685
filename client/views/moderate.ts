/**
 * Moderators' pages: members waiting for approval (and all members), invite
 * codes, new sessions, and the audit log.
 */
import { call, type ApiResult, type BodyOf, type QueryOf } from '../core/api';
import { auth } from '../core/auth';
import { h, replace, uid } from '../core/dom';
import { flash } from '../core/flash';
import { busy, checkRequired, dropDraft, field, form, keepDraft, problemText, showProblem, submitButton } from '../core/forms';
import { formatDateTime, t, tn, type MessageKey } from '../core/i18n';
import type { RouteContext, View } from '../core/router';
import { isModeratorRole, type Member, type MemberStatus, type Role } from '../domain/types';
import { button, buttonLink, heading, link, memberStatusText, notice, problemView, roleText } from '../components/ui';

type Navigate = (to: string, options?: { replace?: boolean }) => void;

/** Moderators only; anyone else is sent to sign in or told no. */
export function guardModerator(navigate: Navigate, ctx: RouteContext): View | null {
  const member = auth()?.member ?? null;
  if (member === null) {
    navigate(`/login?next=${encodeURIComponent(ctx.path)}`, { replace: true });
    return { title: t('auth.login.title'), node: h('div') };
  }
  if (member.status !== 'active' || !isModeratorRole(member.role)) return problemView({ status: 403, code: 'forbidden', message: '' });
  return null;
}

function memberRow(m: Member, ctx: RouteContext, me: Member): HTMLElement {
  const status = h('span', { attrs: { role: 'status' } });
  const act = (send: () => Promise<ApiResult<{ member: Member }>>, done: MessageKey) => (b: HTMLButtonElement) => {
    b.disabled = true;
    void send().then((res) => {
      b.disabled = false;
      if (!res.ok) {
        replace(status, notice('error', problemText(res.error)));
        return;
      }
      flash(t(done, { name: m.name }));
      ctx.refresh();
    });
  };
  const actions: HTMLElement[] = [];
  if (m.status === 'pending') actions.push(button(t('moderate.members.approve', { name: m.name }), act(() => call('approve', { params: { id: m.id } }), 'moderate.members.approved'), 'primary'));
  if (m.status === 'active' && m.id !== me.id) actions.push(button(t('moderate.members.suspend', { name: m.name }), act(() => call('suspend', { params: { id: m.id }, body: {} }), 'moderate.members.suspended'), 'danger'));
  if (m.status === 'suspended') actions.push(button(t('moderate.members.reinstate', { name: m.name }), act(() => call('reinstate', { params: { id: m.id } }), 'moderate.members.reinstated')));
  if (me.role === 'admin' && m.id !== me.id && m.status === 'active') {
    const roleId = uid('role');
    const select = h('select', { attrs: { id: roleId } }, ...(['member', 'moderator', 'admin'] as const).map((r: Role) => h('option', { attrs: { value: r } }, roleText(r))));
    select.value = m.role;
    const apply = button(t('moderate.members.setRole'), (b) => act(() => call('setRole', { params: { id: m.id }, body: { role: select.value as Role } }), 'moderate.members.roleSet')(b));
    actions.push(h('span', { class: 'inline-field' }, h('label', { attrs: { for: roleId } }, t('moderate.members.role', { name: m.name })), select, apply));
  }
  return h(
    'li',
    { class: ['card', 'member'] },
    h('p', null, h('strong', null, m.name), ' · ', m.email),
    h('p', { class: 'meta' }, memberStatusText(m.status), ' · ', roleText(m.role)),
    h('div', { class: 'actions' }, ...actions),
    status,
  );
}

function invitesSection(): HTMLElement {
  const count = field({ name: 'count', label: t('moderate.invites.count'), type: 'number', value: '1', min: 1, max: 100, required: true, inputmode: 'numeric' });
  const out = h('div', { attrs: { 'aria-live': 'polite' } });
  const f = form(
    (el) => {
      if (!checkRequired(el)) return;
      void busy(el, async () => {
        const res = await call('invites', { body: { count: Number(count.control.value) } });
        if (!res.ok) return showProblem(el, res.error);
        replace(
          out,
          notice('success', t('moderate.invites.made', { at: formatDateTime(res.value.expiresAt) })),
          h(
            'ul',
            { class: ['plain-list', 'codes'] },
            ...res.value.codes.map((c) => {
              const url = `${location.origin}/register?invite=${encodeURIComponent(c)}`;
              return h('li', null, h('code', null, c), ' ', link(`/register?invite=${encodeURIComponent(c)}`, t('moderate.invites.link')), ' ', button(t('moderate.invites.copy'), (b) => {
                void navigator.clipboard?.writeText(url).then(() => {
                  b.textContent = t('moderate.invites.copied');
                });
              }, 'link'));
            }),
          ),
        );
      });
    },
    count.row,
    h('div', { class: 'actions' }, submitButton(t('moderate.invites.submit'))),
  );
  return h('section', { class: 'panel', attrs: { 'aria-labelledby': 'invites-title' } }, h('h2', { id: 'invites-title' }, t('moderate.invites.title')), h('p', null, t('moderate.invites.explain')), f, out);
}

function newSessionSection(navigate: Navigate): HTMLElement {
  const title = field({ name: 'title', label: t('moderate.session.title'), required: true, maxlength: 300 });
  const date = field({ name: 'date', label: t('moderate.session.date'), type: 'date' });
  const description = field({ name: 'description', label: t('moderate.session.description'), type: 'textarea', rows: 4, maxlength: 20_000 });
  const f = form(
    (el) => {
      if (!checkRequired(el)) return;
      void busy(el, async () => {
        const body: BodyOf<'createSession'> = { title: title.control.value };
        if (date.control.value !== '') body.date = date.control.value;
        if (description.control.value.trim() !== '') body.description = description.control.value;
        const res = await call('createSession', { body });
        if (!res.ok) return showProblem(el, res.error);
        dropDraft('new-session');
        flash(t('moderate.session.made'));
        navigate(`/sessions/${res.value.session.id}`);
      });
    },
    title.row,
    date.row,
    description.row,
    h('div', { class: 'actions' }, submitButton(t('moderate.session.submit'))),
  );
  keepDraft(f, 'new-session');
  return h('section', { class: 'panel', attrs: { 'aria-labelledby': 'session-title' } }, h('h2', { id: 'session-title' }, t('moderate.session.heading')), f);
}

export function moderateView(navigate: Navigate) {
  return async (ctx: RouteContext): Promise<View> => {
    const blocked = guardModerator(navigate, ctx);
    if (blocked !== null) return blocked;
    const me = auth()?.member;
    if (me === undefined) return problemView({ status: 401, code: 'unauthenticated', message: '' });
    const pending = await call('members', { query: { status: 'pending' } });
    if (!pending.ok) return problemView(pending.error);
    const title = t('moderate.title');
    const list = pending.value.members;
    const node = h(
      'div',
      { class: 'page' },
      heading(title),
      h('nav', { class: 'subnav', attrs: { 'aria-label': t('moderate.subnav') } }, h('ul', null, h('li', null, link('/moderate/members', t('moderate.members.all'))), h('li', null, link('/moderate/rounds/new', t('moderate.round.newFree'))), h('li', null, link('/moderate/audit', t('moderate.audit.title'))))),
      h(
        'section',
        { class: 'panel', attrs: { 'aria-labelledby': 'pending-title' } },
        h('h2', { id: 'pending-title' }, tn('moderate.members.pending', list.length)),
        list.length === 0 ? h('p', null, t('moderate.members.nonePending')) : h('ul', { class: 'cards' }, ...list.map((m) => memberRow(m, ctx, me))),
      ),
      invitesSection(),
      newSessionSection(navigate),
    );
    return { title, node };
  };
}

const STATUS_FILTERS: readonly (MemberStatus | '')[] = ['', 'pending', 'active', 'suspended'];

export function membersView(navigate: Navigate) {
  return async (ctx: RouteContext): Promise<View> => {
    const blocked = guardModerator(navigate, ctx);
    if (blocked !== null) return blocked;
    const me = auth()?.member;
    if (me === undefined) return problemView({ status: 401, code: 'unauthenticated', message: '' });
    const wanted = ctx.query.get('status') ?? '';
    const status = STATUS_FILTERS.find((s) => s === wanted) ?? '';
    const res = await call('members', status === '' ? {} : { query: { status } });
    if (!res.ok) return problemView(res.error);
    const title = t('moderate.members.all');
    const filterId = uid('filter');
    const select = h('select', { attrs: { id: filterId } }, ...STATUS_FILTERS.map((s) => h('option', { attrs: { value: s } }, s === '' ? t('moderate.members.everyone') : memberStatusText(s))));
    select.value = status;
    select.addEventListener('change', () => navigate(`/moderate/members${select.value === '' ? '' : `?status=${select.value}`}`, { replace: true }));
    const node = h(
      'div',
      { class: 'page' },
      heading(title),
      h('p', null, link('/moderate', t('moderate.back'))),
      h('div', { class: 'field' }, h('label', { attrs: { for: filterId } }, t('moderate.members.filter')), select),
      h('p', { attrs: { role: 'status' } }, tn('moderate.members.count', res.value.members.length)),
      h('ul', { class: 'cards' }, ...res.value.members.map((m) => memberRow(m, ctx, me))),
    );
    return { title, node };
  };
}

const ACTION_KEYS: Readonly<Record<string, MessageKey>> = {
  'admin.bootstrap': 'audit.action.adminBootstrap',
  'member.register': 'audit.action.memberRegister',
  'member.login': 'audit.action.memberLogin',
  'member.approve': 'audit.action.memberApprove',
  'member.role': 'audit.action.memberRole',
  'member.suspend': 'audit.action.memberSuspend',
  'member.reinstate': 'audit.action.memberReinstate',
  'auth.refresh': 'audit.action.authRefresh',
  'auth.refresh_reuse': 'audit.action.authRefreshReuse',
  'auth.logout': 'audit.action.authLogout',
  'invite.create': 'audit.action.inviteCreate',
  'key.add': 'audit.action.keyAdd',
  'key.revoke': 'audit.action.keyRevoke',
  'session.create': 'audit.action.sessionCreate',
  'question.create': 'audit.action.questionCreate',
  'proposal.create': 'audit.action.proposalCreate',
  'proposal.hide': 'audit.action.proposalHide',
  'proposal.merge': 'audit.action.proposalMerge',
  'seed.demo': 'audit.action.seedDemo',
  'round.create': 'audit.action.roundCreate',
  'round.open': 'audit.action.roundOpen',
  'round.close': 'audit.action.roundClose',
  'round.publish': 'audit.action.roundPublish',
};

const TARGET_KEYS: Readonly<Record<string, MessageKey>> = {
  device_key: 'audit.target.deviceKey',
  invite: 'audit.target.invite',
  member: 'audit.target.member',
  proposal: 'audit.target.proposal',
  question: 'audit.target.question',
  round: 'audit.target.round',
  session: 'audit.target.session',
};

export function auditView(navigate: Navigate) {
  return async (ctx: RouteContext): Promise<View> => {
    const blocked = guardModerator(navigate, ctx);
    if (blocked !== null) return blocked;
    const before = ctx.query.get('before');
    const action = ctx.query.get('action') ?? '';
    const query: QueryOf<'audit'> = { limit: 50 };
    if (before !== null && /^\d+$/.test(before)) query.before = before;
    if (action !== '' && Object.hasOwn(ACTION_KEYS, action)) query.action = action;
    const [res, people] = await Promise.all([
      call('audit', { query }),
      call('members'),
    ]);
    if (!res.ok) return problemView(res.error);
    const names = new Map((people.ok ? people.value.members : []).map((m) => [m.id, m.name]));
    const title = t('moderate.audit.title');
    const filterId = uid('action');
    const select = h(
      'select',
      { attrs: { id: filterId } },
      h('option', { attrs: { value: '' } }, t('moderate.audit.allActions')),
      ...Object.entries(ACTION_KEYS).map(([a, key]) => h('option', { attrs: { value: a } }, t(key))),
    );
    select.value = query.action ?? '';
    select.addEventListener('change', () => navigate(`/moderate/audit${select.value === '' ? '' : `?action=${encodeURIComponent(select.value)}`}`, { replace: true }));
    const events = res.value.events;
    const nextHref = res.value.next === null ? null : `/moderate/audit?before=${res.value.next}${query.action !== undefined ? `&action=${encodeURIComponent(query.action)}` : ''}`;
    const actionText = (action: string) => t(ACTION_KEYS[action] ?? 'audit.action.unknown');
    const node = h(
      'div',
      { class: 'page' },
      heading(title),
      h('p', null, link('/moderate', t('moderate.back'))),
      h('p', null, t('moderate.audit.explain')),
      h('div', { class: 'field' }, h('label', { attrs: { for: filterId } }, t('moderate.audit.filter')), select),
      events.length === 0
        ? h('p', null, t('moderate.audit.none'))
        : h(
            'ol',
            { class: ['cards', 'audit'] },
            ...events.map((e) =>
              h(
                'li',
                { class: ['card', e.outcome === 'denied' && 'muted'] },
                h('p', null, h('strong', { class: 'audit-action' }, actionText(e.action)), e.outcome === 'denied' ? [' ', h('span', { class: 'badge' }, t('moderate.audit.denied'))] : null),
                h(
                  'p',
                  { class: 'meta' },
                  h('time', { attrs: { datetime: e.at } }, formatDateTime(e.at)),
                  ' · ',
                  t('moderate.audit.by', { actor: e.actorId === null ? t('moderate.audit.system') : (names.get(e.actorId) ?? e.actorId) }),
                  e.target.id === null ? null : [' · ', t('moderate.audit.on', { type: t(TARGET_KEYS[e.target.type] ?? 'audit.target.other'), id: e.target.id })],
                ),
                e.detail === null || e.detail === undefined || (typeof e.detail === 'object' && Object.keys(e.detail).length === 0) ? null : h('code', { class: 'detail' }, JSON.stringify(e.detail)),
              ),
            ),
          ),
      nextHref === null ? null : h('p', null, buttonLink(nextHref, t('moderate.audit.older'))),
    );
    return { title, node };
  };
}
