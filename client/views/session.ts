/**
 * A session: its questions, the proposals members made for each, the rounds
 * that choose among them, and the form to propose. Moderators also see hidden
 * and merged proposals, can hide or merge them, add questions and start a
 * round for a question.
 */
import { call, type BodyOf } from '../core/api';
import { auth } from '../core/auth';
import { h, replace, uid } from '../core/dom';
import { flash } from '../core/flash';
import { busy, checkRequired, dropDraft, field, form, keepDraft, showProblem, submitButton } from '../core/forms';
import { formatDate, t, tn } from '../core/i18n';
import type { RouteContext, View } from '../core/router';
import { isModeratorRole, type Proposal, type QuestionDetail, type SessionDetail } from '../domain/types';
import { secrecyBadge } from '../components/secret-promise';
import { buttonLink, heading, link, methodName, notice, problemView, statusBadge } from '../components/ui';

function paragraphs(text: string): HTMLElement[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => h('p', { class: 'prose' }, p));
}

function proposalCard(p: Proposal, q: QuestionDetail, moderator: boolean, refresh: () => void): HTMLElement {
  const titleId = uid('proposal');
  const card = h(
    'li',
    { class: ['card', 'proposal', p.status !== 'visible' && 'muted'], attrs: { 'aria-labelledby': titleId } },
    h('h4', { id: titleId }, p.title),
    p.body.length > 0 ? h('p', { class: 'prose' }, p.body) : null,
    p.mergedFrom.length > 0 ? h('p', { class: 'meta' }, tn('proposal.mergedFrom', p.mergedFrom.length, { titles: p.mergedFrom.map((m) => `“${m.title}”`).join(', ') })) : null,
  );
  if (!moderator) return card;
  if (p.status === 'hidden') card.append(h('p', { class: 'meta' }, h('span', { class: 'badge' }, t('proposal.hidden')), ' ', t('proposal.hiddenReason', { reason: p.hiddenReason ?? '' })));
  if (p.status === 'merged') {
    const into = q.proposals.find((x) => x.id === p.mergedInto);
    card.append(h('p', { class: 'meta' }, h('span', { class: 'badge' }, t('proposal.merged')), ' ', t('proposal.mergedInto', { title: into?.title ?? '' })));
  }
  if (p.status !== 'visible') return card;
  const reason = field({ name: 'reason', label: t('proposal.hide.reason'), required: true, maxlength: 1000 });
  const hideForm = form(
    (el) => {
      if (!checkRequired(el)) return;
      void busy(el, async () => {
        const res = await call('hide', { params: { id: p.id }, body: { reason: reason.control.value } });
        if (!res.ok) return showProblem(el, res.error);
        flash(t('proposal.hide.done', { title: p.title }));
        refresh();
      });
    },
    reason.row,
    h('div', { class: 'actions' }, submitButton(t('proposal.hide.submit'))),
  );
  const others = q.proposals.filter((x) => x.id !== p.id && x.status === 'visible');
  const into = field({ name: 'into', label: t('proposal.merge.into'), type: 'select', required: true, options: [{ value: '', label: t('form.choose') }, ...others.map((o) => ({ value: o.id, label: o.title }))] });
  const mergeForm = form(
    (el) => {
      if (!checkRequired(el)) return;
      void busy(el, async () => {
        const res = await call('merge', { params: { id: p.id }, body: { into: into.control.value } });
        if (!res.ok) return showProblem(el, res.error);
        flash(t('proposal.merge.done', { title: p.title }));
        refresh();
      });
    },
    into.row,
    h('div', { class: 'actions' }, submitButton(t('proposal.merge.submit'))),
  );
  card.append(
    h(
      'details',
      { class: 'moderation' },
      h('summary', null, t('proposal.moderate', { title: p.title })),
      h('h5', null, t('proposal.hide.title')),
      hideForm,
      others.length > 0 ? [h('h5', null, t('proposal.merge.title')), mergeForm] : null,
    ),
  );
  return card;
}

function proposeForm(q: QuestionDetail, list: HTMLElement, status: HTMLElement): HTMLFormElement {
  const draftKey = `propose:${q.id}`;
  const title = field({ name: 'title', label: t('proposal.new.title'), required: true, maxlength: 300, hint: t('proposal.new.titleHint') });
  const body = field({ name: 'body', label: t('proposal.new.body'), type: 'textarea', maxlength: 10_000, rows: 4 });
  const f = form(
    (el) => {
      if (!checkRequired(el)) return;
      void busy(el, async () => {
        const input: BodyOf<'propose'> = { title: title.control.value };
        if (body.control.value.trim().length > 0) input.body = body.control.value;
        const res = await call('propose', { params: { id: q.id }, body: input });
        if (!res.ok) return showProblem(el, res.error);
        list.append(proposalCard(res.value.proposal, q, false, () => undefined));
        el.reset();
        dropDraft(draftKey);
        replace(status, notice('success', t('proposal.new.done')));
        title.control.focus();
      });
    },
    title.row,
    body.row,
    h('div', { class: 'actions' }, submitButton(t('proposal.new.submit'))),
  );
  keepDraft(f, draftKey);
  return f;
}

function questionSection(q: QuestionDetail, index: number, session: SessionDetail, moderator: boolean, ctx: RouteContext): HTMLElement {
  const member = auth()?.member ?? null;
  const headingId = `q-${q.id}`;
  const shown = moderator ? q.proposals : q.proposals.filter((p) => p.status === 'visible');
  const list = h('ol', { class: ['cards', 'proposals'] }, ...shown.map((p) => proposalCard(p, q, moderator, ctx.refresh)));
  const status = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
  let proposeArea: HTMLElement;
  if (member === null) {
    proposeArea = h('p', null, link(`/login?next=${encodeURIComponent(`/sessions/${session.id}`)}`, t('proposal.new.signIn')));
  } else if (member.status !== 'active') {
    proposeArea = h('p', { class: 'hint' }, t('proposal.new.pending'));
  } else {
    proposeArea = h('details', { class: 'propose' }, h('summary', null, t('proposal.new.open')), proposeForm(q, list, status));
  }
  return h(
    'section',
    { class: 'question', attrs: { 'aria-labelledby': headingId } },
    h('h2', { id: headingId }, h('span', { class: 'question-number' }, t('session.question', { n: index + 1 })), ' ', q.text),
    q.rounds.length > 0
      ? h(
          'ul',
          { class: ['plain-list', 'rounds'] },
          ...q.rounds.map((r) =>
            h(
              'li',
              null,
              statusBadge(r.status),
              ' ',
              secrecyBadge(r.secret),
              ' ',
              link(r.status === 'published' ? `/rounds/${r.id}/outcome` : `/rounds/${r.id}`, r.title),
              ` · ${methodName(r.method)}`,
            ),
          ),
        )
      : null,
    moderator ? h('p', null, buttonLink(`/moderate/rounds/new?question=${q.id}&session=${session.id}`, t('session.newRound'))) : null,
    h('h3', null, tn('session.proposals', shown.filter((p) => p.status === 'visible').length)),
    shown.length === 0 ? h('p', null, t('session.noProposals')) : null,
    list,
    status,
    proposeArea,
  );
}

function addQuestionForm(sessionId: string, ctx: RouteContext): HTMLElement {
  const text = field({ name: 'text', label: t('session.addQuestion.text'), type: 'textarea', required: true, maxlength: 2000, rows: 3 });
  const f = form(
    (el) => {
      if (!checkRequired(el)) return;
      void busy(el, async () => {
        const res = await call('addQuestion', { params: { id: sessionId }, body: { text: text.control.value } });
        if (!res.ok) return showProblem(el, res.error);
        dropDraft(`question:${sessionId}`);
        flash(t('session.addQuestion.done'));
        ctx.refresh();
      });
    },
    text.row,
    h('div', { class: 'actions' }, submitButton(t('session.addQuestion.submit'))),
  );
  keepDraft(f, `question:${sessionId}`);
  return h('details', { class: ['panel', 'moderation'] }, h('summary', null, t('session.addQuestion.title')), f);
}

export async function sessionView(ctx: RouteContext): Promise<View> {
  const res = await call('session', { params: { id: ctx.params['id'] ?? '' } });
  if (!res.ok) return problemView(res.error);
  const s = res.value.session;
  const member = auth()?.member ?? null;
  const moderator = member !== null && member.status === 'active' && isModeratorRole(member.role);
  const node = h(
    'div',
    { class: 'page' },
    heading(s.title),
    s.date === null ? null : h('p', { class: 'meta' }, formatDate(s.date)),
    ...paragraphs(s.description),
    h('p', null, link(`/sessions/${s.id}/outcome`, t('session.outcomeLink'))),
    ...s.questions.map((q, i) => questionSection(q, i, s, moderator, ctx)),
    s.questions.length === 0 ? h('p', null, t('session.noQuestions')) : null,
    moderator ? addQuestionForm(s.id, ctx) : null,
  );
  return { title: s.title, node };
}
