/**
 * The public page of a published round: the winners, the figures behind
 * them, the downloads (bundle, ballots as CSV and BLT, the signed outcome),
 * and a check of the whole bundle right here in the browser with the
 * project's own verifier.
 */
import type { CountResult } from '../../shared/counting/index';
import { isRanked } from '../../shared/counting/types';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { verifyBundleAsync, type CheckId } from '../../shared/protocol/verify';
import { isSecretDefinition, type AnyBundle } from '../../shared/protocol/types';
import { call } from '../core/api';
import { h, replace } from '../core/dom';
import { downloadText } from '../core/download';
import { formatDateTime, t, tn, type MessageKey } from '../core/i18n';
import type { RouteContext, View } from '../core/router';
import { ballotsBlt, ballotsCsv, outcomeJson } from '../domain/exports';
import { figuresOf } from '../domain/figures';
import { resultDetails } from '../components/result-tables';
import { secrecyBadge } from '../components/secret-promise';
import { barChart, chartCaption, figureWithUnit } from '../components/tally';
import { button, buttonLink, heading, link, methodName, notice, problemView, shownOptions } from '../components/ui';

const CHECK_KEYS = {
  'bundle-schema': 'verify.check.bundleSchema',
  'definition-signature': 'verify.check.definitionSignature',
  'definition-hash': 'verify.check.definitionHash',
  'round-identity': 'verify.check.roundIdentity',
  register: 'verify.check.register',
  'board-sequence': 'verify.check.boardSequence',
  'ballot-fields': 'verify.check.ballotFields',
  'ballot-keys': 'verify.check.ballotKeys',
  'ballot-credentials': 'verify.check.ballotCredentials',
  'credentials-issued': 'verify.check.credentialsIssued',
  'ballot-choices': 'verify.check.ballotChoices',
  'ballot-nonces': 'verify.check.ballotNonces',
  revote: 'verify.check.revote',
  'ballot-signatures': 'verify.check.ballotSignatures',
  'board-chain': 'verify.check.boardChain',
  'board-final': 'verify.check.boardFinal',
  'outcome-signature': 'verify.check.outcomeSignature',
  counted: 'verify.check.counted',
  recount: 'verify.check.recount',
  'receipt-signature': 'verify.check.receiptSignature',
  'receipt-on-board': 'verify.check.receiptOnBoard',
} as const satisfies Record<CheckId, MessageKey>;

function checkTitle(id: CheckId): string {
  return t(CHECK_KEYS[id]);
}

let bundles = new Map<string, Promise<AnyBundle | null>>();

function loadBundle(roundId: string): Promise<AnyBundle | null> {
  let p = bundles.get(roundId);
  if (p === undefined) {
    p = call('roundBundle', { params: { id: roundId } }).then((r) => (r.ok ? r.value : null));
    bundles.set(roundId, p);
    void p.then((b) => {
      if (b === null) bundles = new Map([...bundles].filter(([k]) => k !== roundId));
    });
  }
  return p;
}

/** Runs the offline verifier on a bundle and lists every check. */
export function verifierPanel(roundId: string, receipt?: unknown): HTMLElement {
  const result = h('div', { attrs: { 'aria-live': 'polite' } });
  const progress = h('progress', { attrs: { max: 100, value: 0, hidden: true, 'aria-label': t('verify.progress') } });
  const run = button(t('verify.run'), (b) => {
    b.disabled = true;
    progress.hidden = false;
    replace(result, h('p', { attrs: { role: 'status' } }, t('verify.running')));
    void (async () => {
      const bundle = await loadBundle(roundId);
      if (bundle === null) {
        replace(result, notice('error', t('verify.noBundle')));
        b.disabled = false;
        return;
      }
      const report = await verifyBundleAsync(bundle, portableCrypto, {
        ...(receipt === undefined ? {} : { receipt }),
        batchSize: 64,
        onProgress: (done, total) => {
          progress.value = total === 0 ? 100 : Math.round((done / total) * 100);
        },
      });
      progress.hidden = true;
      b.disabled = false;
      replace(
        result,
        notice(report.ok ? 'success' : 'error', h('p', { class: 'verdict' }, report.ok ? t('verify.allOk') : t('verify.failed'))),
        h(
          'ul',
          { class: 'checks' },
          ...report.checks.map((c) =>
            h('li', { class: c.ok ? 'ok' : 'failed' }, h('span', { class: 'mark', attrs: { 'aria-hidden': 'true' } }, c.ok ? '✓' : '✗'), h('span', null, checkTitle(c.id), ': ', h('strong', null, c.ok ? t('verify.ok') : t('verify.notOk')))),
          ),
        ),
      );
    })();
  }, 'primary');
  return h('div', { class: 'verifier' }, h('p', null, t('verify.explain')), h('div', { class: 'actions' }, run), progress, result);
}

function downloads(roundId: string, method: string, status: HTMLElement): HTMLElement {
  const withBundle = (work: (b: AnyBundle) => void) => () => {
    void loadBundle(roundId).then((b) => {
      if (b === null) {
        replace(status, notice('error', t('verify.noBundle')));
        return;
      }
      work(b);
    });
  };
  const csv = button(
    t('outcome.download.csv'),
    withBundle((b) =>
      downloadText(
        `stemkring-${roundId}-${t('outcome.file.ballots')}.csv`,
        ballotsCsv(b, {
          seq: t('csv.seq'),
          voter: t('csv.voter'),
          roundKey: t('csv.roundKey'),
          castAt: t('csv.castAt'),
          counts: t('csv.counts'),
          answer: t('csv.answer'),
          yes: t('common.yes'),
          no: t('common.no'),
        }),
        'text/csv',
      ),
    ),
  );
  const blt = isRanked(method)
    ? button(
        t('outcome.download.blt'),
        withBundle((b) => {
          const text = ballotsBlt(b);
          if (text.ok) downloadText(`stemkring-${roundId}.blt`, text.value, 'text/plain');
          else replace(status, notice('error', t('outcome.download.bltFailed')));
        }),
      )
    : null;
  const outcome = button(t('outcome.download.outcome'), withBundle((b) => downloadText(`stemkring-${roundId}-${t('outcome.file.outcome')}.json`, outcomeJson(b))));
  return h(
    'div',
    { class: ['actions', 'downloads'] },
    h('a', { class: ['button', 'secondary'], attrs: { href: `/api/rounds/${roundId}/bundle?download=1`, download: `stemkring-${roundId}-bundle.json` } }, t('outcome.download.bundle')),
    csv,
    blt,
    outcome,
  );
}

export async function outcomeView(ctx: RouteContext): Promise<View> {
  const id = ctx.params['id'] ?? '';
  const res = await call('round', { params: { id } });
  if (!res.ok) return problemView(res.error);
  const v = res.value;
  const r = v.round;
  const title = t('outcome.title', { round: r.title });
  if (r.status !== 'published' || v.outcome === undefined || v.definition === undefined) {
    return { title, node: h('div', { class: 'page' }, heading(title), notice('info', t('outcome.notYet')), h('p', null, link(`/rounds/${id}`, t('outcome.toRound')))) };
  }
  const def = v.definition;
  const result = v.outcome.result as unknown as CountResult;
  const options = shownOptions(def.method, def.options);
  const labels = new Map(options.map((o) => [o.id, o.label]));
  const figures = figuresOf(result, options, def.method === 'score' ? def.rules : undefined);
  const figureOf = (optionId: string) => {
    const bar = figures.bars.find((b) => b.id === optionId);
    return bar === undefined ? '' : figureWithUnit(figures.unit, bar.exact, bar.value, bar.scorers);
  };
  const winners =
    result.method === 'yesno'
      ? h('p', { class: ['verdict', result.passed ? 'passed' : 'rejected'] }, result.passed ? t('result.yesno.passed') : t('result.yesno.rejected'))
      : result.winners.length === 0
        ? h('p', null, t('outcome.noWinners'))
        : h('ol', { class: 'winners' }, ...result.winners.map((w) => h('li', null, h('span', { class: 'winner-label' }, labels.get(w) ?? w), h('span', { class: 'winner-figure' }, figureOf(w)))));
  const status = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const node = h(
    'div',
    { class: 'page' },
    heading(title),
    h('p', { class: 'meta' }, secrecyBadge(isSecretDefinition(def)), ' ', methodName(r.method), ' · ', t('outcome.publishedAt', { at: formatDateTime(v.outcome.publishedAt) })),
    h('p', null, tn('outcome.turnout', v.outcome.counted, { electorate: v.outcome.register.count })),
    // A secret round's register also says how many credentials went out: the verifier holds the board to that number.
    'issued' in v.outcome.register ? h('p', null, tn('outcome.issued', v.outcome.register.issued)) : null,
    h('section', { class: 'panel', attrs: { 'aria-labelledby': 'winners-title' } }, h('h2', { id: 'winners-title' }, result.method === 'yesno' ? t('outcome.verdict') : tn('outcome.winners', result.winners.length)), winners),
    h('section', { class: 'panel', attrs: { 'aria-labelledby': 'figures-title' } }, h('h2', { id: 'figures-title' }, t('outcome.figures')), barChart(figures, chartCaption(figures.unit), true), resultDetails(result, options, v.outcome.register.count)),
    h('section', { class: 'panel', attrs: { 'aria-labelledby': 'downloads-title' } }, h('h2', { id: 'downloads-title' }, t('outcome.downloads')), h('p', null, t('outcome.downloadsExplain')), downloads(id, def.method, status), status),
    h('section', { class: 'panel', attrs: { 'aria-labelledby': 'verify-title' } }, h('h2', { id: 'verify-title' }, t('verify.title')), verifierPanel(id)),
    h('p', null, buttonLink(`/rounds/${id}/check`, t('check.action')), ' ', link(`/rounds/${id}`, t('outcome.toRound'))),
  );
  return { title, node };
}

export function bundleFor(roundId: string): Promise<AnyBundle | null> {
  return loadBundle(roundId);
}
