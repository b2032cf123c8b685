/**
 * The tally of a round as an SVG bar chart with the numbers beside the bars,
 * the turnout, and a short summary in an aria-live region. The chart moves
 * with every push; the summary is read out at most every few seconds, so a
 * screen reader is not drowned during a burst of ballots.
 */
import type { CountResult } from '../../shared/counting/index';
import type { RoundDefinition } from '../../shared/protocol/types';
import type { LiveTally } from '../../shared/tally/live';
import { h, replace, s, setText, uid } from '../core/dom';
import { formatDecimal, formatNumber, formatPercent, t, tn, type MessageKey } from '../core/i18n';
import { figuresOf, isLiveTally, sortedBars, type Figures, type Unit } from '../domain/figures';
import type { Turnout } from '../domain/types';
import { shownOptions } from './ui';

const CAPTION_KEYS = {
  votes: 'tally.caption.votes',
  approvals: 'tally.caption.approvals',
  points: 'tally.caption.points',
  bordaPoints: 'tally.caption.bordaPoints',
  mean: 'tally.caption.mean',
  firstPreferences: 'tally.caption.firstPreferences',
  answers: 'tally.caption.answers',
  pairwiseWins: 'tally.caption.pairwiseWins',
  finalRound: 'tally.caption.finalRound',
} as const satisfies Record<Unit, MessageKey>;

export function chartCaption(unit: Unit): string {
  return t(CAPTION_KEYS[unit]);
}

const ANNOUNCE_EVERY_MS = 4000;

export interface TallyState {
  readonly turnout: Turnout;
  readonly tally?: LiveTally | CountResult;
  readonly live: boolean;
}

function figureText(unit: Unit, exact: string, value: number, scorers?: number): string {
  if (unit === 'mean') return exact === '' ? t('tally.noScores') : t('tally.meanOf', { mean: formatDecimal(exact, 2), n: scorers ?? 0 });
  if (unit === 'finalRound' && exact.includes('.')) return formatDecimal(exact, 2);
  return formatNumber(value);
}

/** A figure with its unit in words ("12 stemmen", "3 keer gesteund"), for winners and summaries. */
export function figureWithUnit(unit: Unit, exact: string, value: number, scorers?: number): string {
  switch (unit) {
    case 'votes':
    case 'answers':
      return tn('figure.votes', value);
    case 'approvals':
      return tn('figure.approvals', value);
    case 'points':
    case 'bordaPoints':
      return tn('figure.points', value);
    case 'firstPreferences':
      return tn('figure.firstPreferences', value);
    case 'pairwiseWins':
      return tn('figure.pairwiseWins', value);
    case 'finalRound':
      return tn('figure.finalRound', value);
    case 'mean':
      return figureText(unit, exact, value, scorers);
  }
}

function turnoutText(turnout: Turnout): string {
  if (turnout.electorate === null) return tn('tally.turnoutNoElectorate', turnout.voters);
  return tn('tally.turnout', turnout.voters, { electorate: turnout.electorate, percent: formatPercent(turnout.voters, turnout.electorate) });
}

/** One row per option: the label (wraps at 360 px), a bar drawn in SVG, and the number. */
export function barChart(figures: Figures, captionText: string, final = false): HTMLElement {
  const span = figures.max - figures.min;
  const rows = figures.bars.map((b) => {
    const share = span <= 0 ? 0 : Math.max(0, (b.value - figures.min) / span);
    const width = Math.round(share * 1000) / 10;
    const svg = s(
      'svg',
      { class: 'bar', attrs: { viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' } },
      s('rect', { class: 'bar-track', attrs: { x: 0, y: 0, width: 100, height: 10 } }),
      s('rect', { class: ['bar-fill', b.leading && 'leading'], attrs: { x: 0, y: 0, width, height: 10 } }),
    );
    return h(
      'li',
      { class: ['bar-row', b.leading && 'leading'] },
      h('span', { class: 'bar-label' }, b.label, b.leading ? h('span', { class: 'leading-mark' }, ` ${t(final ? 'tally.chosenMark' : 'tally.leadingMark')}`) : null),
      h('span', { class: 'bar-line' }, svg, h('span', { class: 'bar-value' }, figureText(figures.unit, b.exact, b.value, b.scorers))),
    );
  });
  const captionId = uid('chart');
  return h('figure', { class: 'chart', attrs: { 'aria-labelledby': captionId } }, h('figcaption', { id: captionId }, captionText), h('ul', { class: 'bars' }, ...rows));
}

function summaryText(figures: Figures, turnout: Turnout): string {
  const top = sortedBars(figures)
    .slice(0, 3)
    .map((b) => t('tally.summaryItem', { option: b.label, figure: figureWithUnit(figures.unit, b.exact, b.value, b.scorers) }))
    .join('; ');
  return `${turnoutText(turnout)} ${top.length > 0 ? t('tally.summaryTop', { list: top }) : ''}`.trim();
}

export function tallyPanel(definition: RoundDefinition): { node: HTMLElement; update(state: TallyState): void; setConnected(connected: boolean): void } {
  const titleId = uid('tally');
  const turnoutLine = h('p', { class: 'turnout' });
  const chartBox = h('div');
  const note = h('p', { class: 'hint' });
  const connection = h('p', { class: ['hint', 'connection'], attrs: { hidden: true } }, t('tally.offline'));
  const summary = h('p', { class: 'visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
  let lastAnnounced = 0;
  let pendingAnnounce: number | null = null;
  let latest = '';

  const announce = (text: string) => {
    latest = text;
    const due = lastAnnounced + ANNOUNCE_EVERY_MS - Date.now();
    if (due <= 0) {
      lastAnnounced = Date.now();
      setText(summary, latest);
      return;
    }
    if (pendingAnnounce !== null) return;
    pendingAnnounce = window.setTimeout(() => {
      pendingAnnounce = null;
      lastAnnounced = Date.now();
      setText(summary, latest);
    }, due);
  };

  const node = h(
    'section',
    { class: ['panel', 'tally'], attrs: { 'aria-labelledby': titleId } },
    h('h2', { id: titleId }, t('tally.title')),
    turnoutLine,
    chartBox,
    note,
    connection,
    summary,
  );
  const scale = definition.method === 'score' ? definition.rules : undefined;

  return {
    node,
    update(state) {
      setText(turnoutLine, turnoutText(state.turnout));
      if (state.tally === undefined) {
        replace(chartBox, definition.sealed && state.live ? h('p', null, t('tally.sealed')) : null);
        setText(note, '');
        announce(turnoutText(state.turnout));
        return;
      }
      const figures = figuresOf(state.tally, shownOptions(definition.method, definition.options), scale);
      const caption = state.live ? t('tally.captionProvisional', { caption: chartCaption(figures.unit) }) : chartCaption(figures.unit);
      replace(chartBox, barChart(figures, caption, !state.live));
      let noteText = '';
      if (isLiveTally(state.tally) && state.tally.result !== undefined && state.tally.resultSeq !== undefined && state.tally.resultSeq > 0) {
        const winners = state.tally.result.winners.map((id) => definition.options.find((o) => o.id === id)?.label ?? id);
        noteText = t('tally.rankedRecount', { n: state.tally.resultSeq, winners: winners.length === 0 ? t('tally.nobody') : winners.join(', ') });
      } else if (state.live) {
        noteText = t('tally.liveNote');
      }
      setText(note, noteText);
      announce(summaryText(figures, state.turnout));
    },
    setConnected(connected) {
      connection.hidden = connected;
    },
  };
}
