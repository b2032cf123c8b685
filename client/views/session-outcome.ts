/**
 * A session's outcome as the association publishes it: per question, the
 * chosen three (or as many as the round elected), in order, with the numbers
 * behind them, like the article of 1 December 2022 about the session of
 * 25 November. Every figure links to the round's own outcome page, where the
 * bundle can be checked.
 */
import type { CountResult } from '../../shared/counting/index';
import { call } from '../core/api';
import { h } from '../core/dom';
import { formatDate, t, tn } from '../core/i18n';
import type { RouteContext, View } from '../core/router';
import { figuresOf } from '../domain/figures';
import type { QuestionDetail, Round, RoundView } from '../domain/types';
import { figureWithUnit } from '../components/tally';
import { heading, link, methodName, problemView } from '../components/ui';

/** The question's latest published round. */
function decidingRound(q: QuestionDetail): Round | undefined {
  return q.rounds.filter((r) => r.status === 'published').sort((a, b) => ((a.publishedAt ?? '') < (b.publishedAt ?? '') ? 1 : -1))[0];
}

function questionOutcome(q: QuestionDetail, view: RoundView | undefined, index: number): HTMLElement {
  const number = h('span', { class: 'question-number' }, t('session.question', { n: index + 1 }));
  if (view === undefined || view.outcome === undefined || view.definition === undefined) {
    return h('li', { class: 'article-question' }, h('h2', null, number, ' ', q.text), h('p', { class: 'hint' }, t('sessionOutcome.noOutcome')));
  }
  const def = view.definition;
  const result = view.outcome.result as unknown as CountResult;
  const figures = figuresOf(result, def.options, def.method === 'score' ? def.rules : undefined);
  const counted = view.outcome.counted;
  const items = result.winners.map((w) => {
    const proposal = q.proposals.find((p) => p.id === w);
    const option = def.options.find((o) => o.id === w);
    const bar = figures.bars.find((b) => b.id === w);
    const figure = bar === undefined ? '' : figureWithUnit(figures.unit, bar.exact, bar.value, bar.scorers);
    const share = (result.method === 'approval' || result.method === 'plurality') && bar !== undefined && counted > 0 ? t('sessionOutcome.share', { n: bar.value, of: counted }) : figure;
    return h(
      'li',
      null,
      h('p', { class: 'winner-title' }, h('strong', null, proposal?.title ?? option?.label ?? w)),
      proposal !== undefined && proposal.body.length > 0 ? h('p', { class: 'prose' }, proposal.body) : null,
      h('p', { class: 'winner-figure' }, share),
    );
  });
  return h(
    'li',
    { class: 'article-question' },
    h('h2', null, number, ' ', q.text),
    items.length === 0 ? h('p', null, t('outcome.noWinners')) : h('ol', { class: 'article-winners' }, ...items),
    h(
      'p',
      { class: 'meta' },
      tn('sessionOutcome.roundLine', counted, { method: methodName(def.method), electorate: view.outcome.register.count }),
      ' ',
      link(`/rounds/${def.round}/outcome`, t('sessionOutcome.figuresLink')),
    ),
  );
}

export async function sessionOutcomeView(ctx: RouteContext): Promise<View> {
  const res = await call('session', { params: { id: ctx.params['id'] ?? '' } });
  if (!res.ok) return problemView(res.error);
  const s = res.value.session;
  const rounds = await Promise.all(
    s.questions.map(async (q) => {
      const r = decidingRound(q);
      if (r === undefined) return undefined;
      const view = await call('round', { params: { id: r.id } });
      return view.ok ? view.value : undefined;
    }),
  );
  const decided = rounds.filter((r) => r !== undefined).length;
  const title = t('sessionOutcome.title', { session: s.title });
  const node = h(
    'article',
    { class: ['page', 'article'] },
    heading(title),
    s.date === null ? null : h('p', { class: 'meta' }, t('sessionOutcome.held', { date: formatDate(s.date) })),
    ...s.description
      .split(/\n\s*\n/)
      .filter((p) => p.trim().length > 0)
      .map((p) => h('p', { class: 'prose' }, p.trim())),
    h('p', null, decided === 0 ? t('sessionOutcome.none') : tn('sessionOutcome.intro', s.questions.length)),
    h('ol', { class: 'article-questions' }, ...s.questions.map((q, i) => questionOutcome(q, rounds[i], i))),
    h('p', { class: 'hint' }, t('sessionOutcome.trust')),
    h('p', null, link(`/sessions/${s.id}`, t('sessionOutcome.toSession'))),
  );
  return { title, node };
}
