/**
 * "Controleer mijn stem": the receipts kept on this device (or a receipt
 * file) checked against the round's board, in the browser. Once the round is
 * published, the whole bundle can be checked too, with the receipt.
 */
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import type { AnyBoardEntry } from '../../shared/protocol/types';
import { call } from '../core/api';
import { auth } from '../core/auth';
import { h, replace, uid } from '../core/dom';
import { formatDateTime, t, type MessageKey } from '../core/i18n';
import { instanceInfo } from '../core/instance';
import { receiptsOf } from '../core/keystore';
import type { RouteContext, View } from '../core/router';
import { allHold, checkReceipt, type ReceiptToCheck, type StepId, type StepState } from '../domain/receipt-check';
import type { RoundView } from '../domain/types';
import { heading, link, notice, problemView } from '../components/ui';
import { bundleFor, verifierPanel } from './outcome';

const STEP_KEYS = {
  'receipt-signature': 'check.step.receiptSignature',
  'on-board': 'check.step.onBoard',
  'ballot-mine': 'check.step.ballotMine',
  leaf: 'check.step.leaf',
  chain: 'check.step.chain',
  counts: 'check.step.counts',
} as const satisfies Record<StepId, MessageKey>;

const STATE_KEYS = {
  ok: 'check.state.ok',
  failed: 'check.state.failed',
  skipped: 'check.state.skipped',
  replaced: 'check.state.replaced',
} as const satisfies Record<StepState, MessageKey>;

const MARKS: Readonly<Record<StepState, string>> = { ok: '✓', failed: '✗', skipped: '–', replaced: '↻' };

async function boardOf(v: RoundView): Promise<{ board: AnyBoardEntry[] | null; why: MessageKey | null }> {
  if (v.round.status === 'published') {
    const bundle = await bundleFor(v.round.id);
    if (bundle !== null) return { board: [...bundle.board], why: null };
  }
  const res = await call('roundBoard', { params: { id: v.round.id } });
  if (res.ok) return { board: [...res.value.board], why: null };
  if (res.error.code === 'not_visible') return { board: null, why: 'check.sealed' };
  if (res.error.code === 'unauthenticated') return { board: null, why: 'check.signInForBoard' };
  return { board: null, why: 'check.noBoard' };
}

function parseReceiptFile(text: string): ReceiptToCheck | null {
  try {
    const f = JSON.parse(text) as Partial<ReceiptToCheck>;
    if (typeof f.receipt !== 'object' || f.receipt === null || typeof f.receiptSig !== 'string') return null;
    return f as ReceiptToCheck;
  } catch {
    return null;
  }
}

export async function checkView(ctx: RouteContext): Promise<View> {
  const id = ctx.params['id'] ?? '';
  const res = await call('round', { params: { id } });
  if (!res.ok) return problemView(res.error);
  const v = res.value;
  const title = t('check.title');
  const info = await instanceInfo();
  if (info === null || v.definitionHash === undefined || v.definition === undefined) {
    return { title, node: h('div', { class: 'page' }, heading(title), notice('info', t('check.notOpenYet'))) };
  }
  const member = auth()?.member ?? null;
  let stored: ReceiptToCheck[] = [];
  try {
    stored = (await receiptsOf(id)).filter((r) => member === null || r.memberId === member.id);
  } catch {
    stored = [];
  }
  const results = h('div', { class: 'check-results' });
  const definitionHash = v.definitionHash;
  const revote = v.definition.revote;

  async function runChecks(list: readonly ReceiptToCheck[]): Promise<void> {
    replace(results, h('p', { attrs: { role: 'status' } }, t('check.running')));
    const { board, why } = await boardOf(v);
    const blocks = list.map((r) => {
      const steps = checkReceipt(r, { instanceKey: info?.publicKey ?? '', definitionHash, revote, board }, portableCrypto);
      const good = allHold(steps) && board !== null;
      return h(
        'section',
        { class: ['panel', 'receipt-check'] },
        h('h2', null, t('check.receipt', { seq: r.receipt.seq })),
        notice(good ? 'success' : board === null && !steps.some((s) => s.state === 'failed') ? 'info' : 'error', h('p', { class: 'verdict' }, good ? t('check.verdict.ok') : steps.some((s) => s.state === 'failed') ? t('check.verdict.failed') : t('check.verdict.partial'))),
        h(
          'ul',
          { class: 'checks' },
          ...steps.map((s) =>
            h('li', { class: s.state }, h('span', { class: 'mark', attrs: { 'aria-hidden': 'true' } }, MARKS[s.state]), h('span', null, t(STEP_KEYS[s.id]), ': ', h('strong', null, t(STATE_KEYS[s.state])))),
          ),
        ),
        v.round.status === 'published' ? h('div', null, h('h3', null, t('check.bundleTitle')), verifierPanel(id, { receipt: r.receipt, receiptSig: r.receiptSig })) : null,
      );
    });
    replace(results, why === null ? null : notice('info', t(why)), ...blocks);
  }

  const fileId = uid('receipt-file');
  const fileInput = h('input', { class: 'file-input', attrs: { id: fileId, type: 'file', accept: 'application/json,.json' } });
  const fileStatus = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file === undefined) return;
    void file.text().then((text) => {
      const parsed = parseReceiptFile(text);
      if (parsed === null || parsed.receipt.round !== id) {
        replace(fileStatus, notice('error', t('check.fileInvalid')));
        return;
      }
      replace(fileStatus);
      void runChecks([parsed]);
    });
  });

  const node = h(
    'div',
    { class: 'page' },
    heading(title),
    h('p', { class: 'lead' }, t('check.lead', { round: v.round.title })),
    h('p', null, t('check.explain')),
    stored.length === 0 ? notice('info', t('check.noReceipts')) : h('p', null, t('check.stored', { n: stored.length, at: formatDateTime((stored[stored.length - 1] as { savedAt?: string } | undefined)?.savedAt) })),
    results,
    h('details', null, h('summary', null, t('check.fromFile')), h('div', { class: 'field' }, h('label', { attrs: { for: fileId } }, t('check.fileLabel')), fileInput), fileStatus),
    h('p', null, link(`/rounds/${id}`, t('check.toRound'))),
  );
  if (stored.length > 0) void runChecks(stored);
  return { title, node };
}
