/**
 * The figures behind a result, per method: the stage-by-stage table of IRV
 * and STV, Schulze's pairwise table, yes/no's quorum and threshold, score
 * means and medians. Tables scroll sideways on a phone, inside a focusable
 * region so a keyboard can scroll them too.
 */
import type { CountResult, StvAction, TieRecord } from '../../shared/counting/index';
import type { RoundOption } from '../../shared/protocol/types';
import { h, uid, type Child } from '../core/dom';
import { formatDecimal, formatNumber, formatPercent, t, tn } from '../core/i18n';

type Label = (id: string) => string;

function scrollTable(caption: string, head: readonly Child[], rows: readonly (readonly Child[])[], rowHeaders = true): HTMLElement {
  const id = uid('table');
  return h(
    'div',
    { class: 'table-scroll', attrs: { role: 'region', tabindex: 0, 'aria-labelledby': id } },
    h(
      'table',
      null,
      h('caption', { id }, caption),
      h('thead', null, h('tr', null, ...head.map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
      h(
        'tbody',
        null,
        ...rows.map((cells) => h('tr', null, ...cells.map((c, i) => (i === 0 && rowHeaders ? h('th', { attrs: { scope: 'row' } }, c) : h('td', null, c))))),
      ),
    ),
  );
}

function stvAction(action: StvAction, label: Label): string {
  switch (action.kind) {
    case 'first-preferences':
      return t('result.stv.firstPreferences');
    case 'surplus':
      return t('result.stv.surplus', { option: label(action.option), surplus: formatDecimal(action.surplus, 2) });
    case 'exclusion':
      return t('result.stv.exclusion', { option: label(action.option) });
    case 'elect':
      return t('result.stv.elect', { option: label(action.option) });
    case 'defeat':
      return t('result.stv.defeat', { option: label(action.option) });
    case 'elect-remaining':
      return t('result.stv.electRemaining', { option: label(action.option) });
    case 'defeat-remaining':
      return t('result.stv.defeatRemaining', { option: label(action.option) });
  }
}

function tiesList(ties: readonly TieRecord[], label: Label): HTMLElement | null {
  if (ties.length === 0) return null;
  return h(
    'section',
    null,
    h('h3', null, t('result.ties.title')),
    h(
      'ul',
      null,
      ...ties.map((tie) =>
        h(
          'li',
          null,
          t(tie.by === 'lot' ? 'result.ties.lot' : 'result.ties.lookback', {
            tied: tie.tied.map(label).join(', '),
            chosen: label(tie.chosen),
          }),
          tie.stage === undefined ? null : ` (${t('result.stage', { n: tie.stage })})`,
        ),
      ),
    ),
    h('p', { class: 'hint' }, t('result.ties.explain')),
  );
}

function simpleTable(caption: string, unit: string, options: readonly RoundOption[], value: (id: string) => string, winners: readonly string[]): HTMLElement {
  return scrollTable(
    caption,
    [t('result.option'), unit],
    options.map((o) => [winners.includes(o.id) ? h('span', null, o.label, ' ', h('span', { class: 'badge' }, t('result.chosen'))) : o.label, value(o.id)]),
  );
}

export function resultDetails(result: CountResult, options: readonly RoundOption[], electorate: number): HTMLElement {
  const labels = new Map(options.map((o) => [o.id, o.label]));
  const label: Label = (id) => labels.get(id) ?? id;
  const parts: Child[] = [];
  switch (result.method) {
    case 'plurality':
      parts.push(simpleTable(t('result.table.votes'), t('tally.unit.votes'), options, (id) => formatNumber(result.votes[id] ?? 0), result.winners));
      break;
    case 'approval':
      parts.push(
        simpleTable(t('result.table.approvals'), t('tally.unit.approvals'), options, (id) => formatNumber(result.approvals[id] ?? 0), result.winners),
        h('p', { class: 'hint' }, tn('result.blankBallots', result.blank)),
      );
      break;
    case 'cumulative':
      parts.push(simpleTable(t('result.table.points'), t('tally.unit.points'), options, (id) => formatNumber(result.points[id] ?? 0), result.winners));
      break;
    case 'borda':
      parts.push(simpleTable(t('result.table.borda'), t('tally.unit.bordaPoints'), options, (id) => formatNumber(result.points[id] ?? 0), result.winners));
      break;
    case 'score':
      parts.push(
        scrollTable(
          t('result.table.score', { min: result.scale.min, max: result.scale.max }),
          [t('result.option'), t('result.score.mean'), t('result.score.median'), t('result.score.scorers')],
          options.map((o) => {
            const x = result.options[o.id];
            return [o.label, formatDecimal(x?.mean, 2), formatDecimal(x?.median, 1), formatNumber(x?.scorers ?? 0)];
          }),
        ),
      );
      break;
    case 'yesno': {
      const q = result.quorum;
      const th = result.threshold;
      const why = result.passed
        ? t('result.yesno.why.passed')
        : !q.met
          ? t('result.yesno.why.quorum', { turnout: result.turnout, required: q.required })
          : t('result.yesno.why.threshold');
      parts.push(
        h('p', null, why),
        scrollTable(
          t('result.yesno.table'),
          [t('result.yesno.rule'), t('result.yesno.needed'), t('result.yesno.actual'), t('result.yesno.met')],
          [
            [
              t('result.yesno.quorum'),
              q.rule === null ? t('result.yesno.noQuorum') : tn('result.yesno.voters', q.required),
              tn('result.yesno.voters', result.turnout),
              q.met ? t('common.yes') : t('common.no'),
            ],
            [
              t('result.yesno.threshold'),
              th.rule.kind === 'simple' ? t('result.yesno.simpleNeeded') : t('result.yesno.qualifiedNeeded', { n: th.rule.numerator, d: th.rule.denominator }),
              th.yesShare === null ? '–' : formatPercent(Number(th.yesShare), 1),
              th.met ? t('common.yes') : t('common.no'),
            ],
          ],
        ),
        scrollTable(
          t('result.yesno.answers'),
          [t('result.yesno.answer'), t('tally.unit.votes')],
          [
            [t('answer.yes'), formatNumber(result.yes)],
            [t('answer.no'), formatNumber(result.no)],
            [t('answer.abstain'), formatNumber(result.abstain)],
          ],
        ),
      );
      break;
    }
    case 'irv':
      parts.push(
        scrollTable(
          t('result.irv.table'),
          [t('result.option'), ...result.rounds.map((rd) => t('result.round', { n: rd.round }))],
          [
            ...options.map((o) => [o.label, ...result.rounds.map((rd) => formatNumber(rd.votes[o.id] ?? 0))]),
            [t('result.exhausted'), ...result.rounds.map((rd) => formatNumber(rd.exhausted))],
          ],
        ),
        h(
          'ol',
          { class: 'stages' },
          ...result.rounds.map((rd) =>
            h(
              'li',
              null,
              rd.elected !== null
                ? t('result.irv.elected', { option: label(rd.elected), n: rd.round })
                : rd.eliminated !== null
                  ? t('result.irv.eliminated', { option: label(rd.eliminated), n: rd.round })
                  : t('result.round', { n: rd.round }),
            ),
          ),
        ),
      );
      break;
    case 'stv':
      parts.push(
        h('p', null, t('result.stv.quota', { quota: formatDecimal(result.quota, 2), valid: result.valid, seats: result.seats })),
        scrollTable(
          t('result.stv.table'),
          [t('result.option'), ...result.stages.map((st) => h('span', null, t('result.stage', { n: st.stage }), h('br'), h('span', { class: 'stage-action' }, stvAction(st.action, label))))],
          [
            ...options.map((o) => [o.label, ...result.stages.map((st) => formatDecimal(st.votes[o.id], 2))]),
            [t('result.nonTransferable'), ...result.stages.map((st) => formatDecimal(st.nonTransferable, 2))],
          ],
        ),
      );
      break;
    case 'schulze': {
      const ids = result.options;
      parts.push(
        scrollTable(
          t('result.schulze.table'),
          [t('result.schulze.corner'), ...ids.map(label)],
          ids.map((rowId, i) => [
            label(rowId),
            ...ids.map((_, j) => {
              if (i === j) return '–';
              const mine = result.pairwise[i]?.[j] ?? 0;
              const theirs = result.pairwise[j]?.[i] ?? 0;
              return h('span', { class: mine > theirs ? 'wins' : mine < theirs ? 'loses' : 'draw' }, formatNumber(mine));
            }),
          ]),
        ),
        h('p', { class: 'hint' }, t('result.schulze.explain')),
        h('p', null, t('result.schulze.ranking', { list: result.ranking.map(label).join(' › ') })),
      );
      break;
    }
  }
  parts.push(tiesList(result.ties, label));
  return h('div', { class: 'result-details' }, h('p', { class: 'hint' }, tn('result.electorate', electorate)), ...parts);
}
