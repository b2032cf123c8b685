/** The member's own page: account state (waiting for approval?), device key, receipts, language, signing out. */
import { auth } from '../core/auth';
import { h, replace } from '../core/dom';
import { problemText } from '../core/forms';
import { formatDateTime, t } from '../core/i18n';
import { allReceipts } from '../core/keystore';
import { loadMe, signOut } from '../core/me';
import type { RouteContext, View } from '../core/router';
import { keyPanel } from '../components/key-panel';
import { button, facts, heading, link, memberStatusText, notice, roleText } from '../components/ui';

type Navigate = (to: string, options?: { replace?: boolean }) => void;

export function accountView(navigate: Navigate) {
  return async (ctx: RouteContext): Promise<View> => {
    if (auth() === null) {
      navigate(`/login?next=${encodeURIComponent('/account')}`, { replace: true });
      return { title: t('auth.login.title'), node: h('div') };
    }
    const meRes = await loadMe();
    const title = t('account.title');
    if (meRes === null || !meRes.ok) {
      return { title, node: h('div', { class: 'page' }, heading(title), notice('error', meRes === null ? t('error.unauthenticated') : problemText(meRes.error))) };
    }
    const me = meRes.value;
    const m = me.member;
    const statusArea = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
    const receiptsList = h('div');
    if (m.status === 'pending') {
      replace(
        statusArea,
        notice(
          'warning',
          h('p', null, h('strong', null, t('account.pending.title'))),
          h('p', null, t('account.pending.body')),
          button(t('account.pending.check'), () => ctx.refresh()),
        ),
      );
    } else if (ctx.query.get('welcome') === '1') {
      replace(statusArea, notice('success', t('account.welcome')));
    }
    void allReceipts()
      .then((list) => {
        const mine = list.filter((r) => r.memberId === m.id);
        replace(
          receiptsList,
          mine.length === 0
            ? h('p', null, t('account.receipts.none'))
            : h(
                'ul',
                { class: 'plain-list' },
                ...mine.map((r) =>
                  h(
                    'li',
                    null,
                    link(`/rounds/${r.roundId}`, t('account.receipts.item', { seq: r.receipt.seq, at: formatDateTime(r.savedAt) })),
                    ' · ',
                    link(`/rounds/${r.roundId}/check`, t('check.action')),
                  ),
                ),
              ),
        );
      })
      .catch(() => replace(receiptsList, notice('error', t('key.storageBlocked'))));
    const node = h(
      'div',
      { class: 'page' },
      heading(title),
      statusArea,
      facts([
        [t('auth.name'), m.name],
        [t('auth.email'), m.email],
        [t('account.status'), memberStatusText(m.status)],
        [t('account.role'), roleText(m.role)],
      ]),
      m.status === 'suspended' ? null : keyPanel(),
      h('section', { class: 'panel' }, h('h2', null, t('account.receipts.title')), receiptsList),
      h(
        'div',
        { class: 'actions' },
        button(t('account.signOut'), () => {
          void signOut().finally(() => navigate('/'));
        }),
      ),
    );
    return { title, node };
  };
}
