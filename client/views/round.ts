/**
 * A round: what is being decided and how, the ballot (when open and the
 * member may vote), the live tally, the receipts of ballots cast on this
 * device, and, for moderators, opening, closing and publishing.
 *
 * Before signing, the booth checks the round's definition against its hash
 * and the instance's signature: a member signs only for the round that was
 * frozen when it opened.
 *
 * A secret round (its signed definition names an issuing key) adds the
 * credential step (components/credential-panel.ts) as soon as the device key
 * is ready, signs with the round key instead of the device key, and sends the
 * ballot without the member's token.
 */
import { definitionHash } from '../../shared/protocol/board';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { roundKeyPair } from '../../shared/protocol/round-key';
import { verifyStatement } from '../../shared/protocol/signing';
import { isSecretDefinition, type Receipt } from '../../shared/protocol/types';
import type { Choice } from '../../shared/counting/types';
import { call } from '../core/api';
import { auth } from '../core/auth';
import { measureClock, serverNow } from '../core/clock';
import { h, replace, uid } from '../core/dom';
import { downloadText } from '../core/download';
import { flash } from '../core/flash';
import { problemText } from '../core/forms';
import { formatDateTime, formatNumber, t, type MessageKey } from '../core/i18n';
import { instanceInfo } from '../core/instance';
import { receiptsOf, saveReceipt, type StoredReceipt } from '../core/keystore';
import { watchRound } from '../core/live';
import type { RouteContext, View } from '../core/router';
import { checkedChoice, emptyDraft, isBlank, type Draft } from '../domain/ballot-logic';
import { boothClosed, signedBallot, votedState, type Signer, type VotedState } from '../domain/booth-state';
import { deviceSeedOf } from '../domain/credential-step';
import { isModeratorRole, type RoundStatus, type RoundView } from '../domain/types';
import { ballotFor } from '../components/ballot';
import { describeChoice } from '../components/choice-review';
import { credentialPanel } from '../components/credential-panel';
import { keyPanel } from '../components/key-panel';
import { methodExplanation, rulesLines } from '../components/rules';
import { pseudonymNote, secrecyBadge, secrecyPromise } from '../components/secret-promise';
import { tallyPanel } from '../components/tally';
import { button, buttonLink, facts, heading, link, methodName, notice, problemView, roundStatusText, statusBadge } from '../components/ui';

/** What each member is choosing, per round: kept while they move around the site. */
const drafts = new Map<string, Draft>();

const POLL_MS = 5000;

function receiptFileName(r: Receipt): string {
  return `stemkring-${t('receipt.fileWord')}-${r.round}-${r.seq}.json`;
}

function receiptItem(r: StoredReceipt): HTMLElement {
  return h(
    'li',
    null,
    t('receipt.item', { seq: r.receipt.seq, at: formatDateTime(r.savedAt) }),
    ' ',
    button(t('receipt.download'), () => downloadText(receiptFileName(r.receipt), `${JSON.stringify({ receipt: r.receipt, receiptSig: r.receiptSig, ballot: r.ballot, sig: r.sig }, null, 2)}\n`), 'link'),
  );
}

async function definitionTrusted(v: RoundView): Promise<boolean> {
  const info = await instanceInfo();
  if (info === null || v.definition === undefined || v.definitionHash === undefined || v.definitionSig === undefined) return false;
  try {
    return definitionHash(v.definition, portableCrypto) === v.definitionHash && verifyStatement(portableCrypto, 'definition', v.definition, v.definitionSig, info.publicKey);
  } catch {
    return false;
  }
}

function moderatorPanel(v: RoundView, ctx: RouteContext, secret: boolean): HTMLElement {
  const r = v.round;
  const status = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const act = (route: 'openRound' | 'closeRound' | 'publishRound', done: string) => (b: HTMLButtonElement) => {
    b.disabled = true;
    void call(route, { params: { id: r.id } }).then((res) => {
      b.disabled = false;
      if (!res.ok) {
        replace(status, notice('error', problemText(res.error)));
        return;
      }
      flash(done);
      ctx.refresh();
    });
  };
  const actions: HTMLElement[] = [];
  switch (r.status) {
    case 'draft':
      actions.push(h('p', { class: 'hint' }, t('moderate.round.openHint')), button(t('moderate.round.open'), act('openRound', t('moderate.round.opened')), 'primary'));
      break;
    case 'open':
      actions.push(h('p', { class: 'hint' }, t('moderate.round.closeHint')), button(t('moderate.round.close'), act('closeRound', t('moderate.round.closed')), 'primary'));
      break;
    case 'closed':
      actions.push(h('p', { class: 'hint' }, t('moderate.round.publishHint')), button(t('moderate.round.publish'), act('publishRound', t('moderate.round.published')), 'primary'));
      break;
    case 'published':
      actions.push(buttonLink(`/rounds/${r.id}/outcome`, t('round.outcomeLink')));
      break;
  }
  const titleId = uid('mod');
  return h(
    'section',
    { class: ['panel', 'moderation'], attrs: { 'aria-labelledby': titleId } },
    h('h2', { id: titleId }, t('moderate.round.title')),
    facts([
      [t('moderate.round.status'), roundStatusText(r.status)],
      [t('moderate.round.electorate'), r.electorate === null ? t('moderate.round.electorateLater') : formatNumber(r.electorate)],
      [t('moderate.round.secret'), secrecyBadge(secret)],
      [t('moderate.round.sealed'), r.sealed ? t('common.yes') : t('common.no')],
      [t('moderate.round.revote'), r.revote ? t('common.yes') : t('common.no')],
      [t('moderate.round.created'), formatDateTime(r.createdAt)],
      [t('moderate.round.openedAt'), formatDateTime(r.openedAt)],
      [t('moderate.round.closedAt'), formatDateTime(r.closedAt)],
      [t('moderate.round.publishedAt'), formatDateTime(r.publishedAt)],
    ]),
    r.status === 'draft'
      ? [h('h3', null, t('moderate.round.options')), r.options.length === 0 ? notice('warning', t('moderate.round.noOptions')) : h('ol', null, ...r.options.map((o) => h('li', null, o.label)))]
      : null,
    h('div', { class: 'actions' }, ...actions),
    status,
  );
}

export async function roundView(ctx: RouteContext): Promise<View> {
  const id = ctx.params['id'] ?? '';
  const res = await call('round', { params: { id } });
  if (!res.ok) return problemView(res.error);
  const v = res.value;
  const r = v.round;
  const def = v.definition;
  const member = auth()?.member ?? null;
  const moderator = member !== null && member.status === 'active' && isModeratorRole(member.role);
  const disposers: (() => void)[] = [];

  // The signed definition says whether the round is secret once it is open; a draft has only the round's word for it.
  const secret = def !== undefined ? isSecretDefinition(def) : r.secret;
  const pseudonym = v.me?.voter ?? null;
  const ruleLines = rulesLines(def ?? r);
  const header = [
    heading(r.title),
    h(
      'p',
      { class: 'meta' },
      statusBadge(r.status),
      ' ',
      secrecyBadge(secret),
      ' ',
      methodName(r.method),
      r.closesAt !== null && r.status === 'open' ? ` · ${t('round.closesAt', { at: formatDateTime(r.closesAt) })}` : null,
    ),
    secrecyPromise(secret),
    h('p', null, methodExplanation(r.method)),
    ruleLines.length > 0 ? h('ul', { class: 'rules' }, ...ruleLines.map((l) => h('li', null, l))) : null,
    def !== undefined && def.sealed ? notice('info', t('round.sealedExplain')) : null,
    secret && r.status !== 'draft' && pseudonym !== null ? pseudonymNote(pseudonym) : null,
  ];

  // ---------------------------------------------------------------- voting
  const mine = async (): Promise<StoredReceipt[] | null> => {
    if (member === null) return [];
    try {
      return (await receiptsOf(id)).filter((x) => x.memberId === member.id);
    } catch {
      return null;
    }
  };
  // In a secret round only this device's receipts can say that the member voted (votedState).
  let voted: VotedState = votedState({ secret, me: v.me, receiptsHere: (await mine())?.length ?? 0 });
  const voteBox = h('section', { class: ['panel', 'vote'], attrs: { 'aria-labelledby': 'vote-title' } });
  const receiptsBox = h('div');
  const drawReceipts = async () => {
    const list = await mine();
    if (list === null) return;
    replace(
      receiptsBox,
      list.length === 0
        ? null
        : h(
            'section',
            { class: 'panel', attrs: { 'aria-labelledby': 'receipts-title' } },
            h('h2', { id: 'receipts-title' }, t('receipt.title')),
            h('p', null, t('receipt.explain')),
            h('ul', { class: 'plain-list' }, ...list.map(receiptItem)),
            h('p', null, buttonLink(`/rounds/${id}/check`, t('check.action'), true)),
          ),
    );
  };

  function votedNotice(revote: boolean): HTMLElement | null {
    const keys: Record<VotedState, readonly MessageKey[]> = {
      voted: [revote ? 'vote.votedRevote' : 'vote.voted'],
      'voted-here': [revote ? 'vote.votedHereRevote' : 'vote.votedHere'],
      unknown: revote ? ['vote.unknownElsewhere'] : ['vote.unknownElsewhere', 'vote.unknownNoRevote'],
      'not-voted': [],
    };
    const lines = keys[voted];
    return lines.length === 0 ? null : notice('info', ...lines.map((k) => h('p', null, t(k))));
  }

  function chooseStep(signer: Signer, problem?: string): void {
    if (def === undefined) return;
    const draft = drafts.get(id) ?? emptyDraft(def.method);
    const ballot = ballotFor(def, draft, (d) => drafts.set(id, d));
    const error = h('div', { attrs: { role: 'alert' } }, problem === undefined ? null : notice('error', problem));
    const f = h('form', { attrs: { novalidate: true, 'aria-labelledby': 'vote-title' } }, ballot.node, error, h('div', { class: 'actions' }, h('button', { class: ['button', 'primary'], attrs: { type: 'submit' } }, t('vote.review'))));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const checked = checkedChoice(def, drafts.get(id) ?? draft);
      if (!checked.ok) {
        replace(error, notice('error', checked.reason === 'incomplete' ? t('vote.incomplete') : t('error.invalid_choice')));
        return;
      }
      reviewStep(signer, checked.choice);
    });
    replace(
      voteBox,
      h('h2', { id: 'vote-title' }, t('vote.title')),
      votedNotice(def.revote),
      h('p', { class: 'hint' }, t(signer.kind === 'round' ? 'vote.roundKeyReady' : 'vote.keyReady')),
      f,
    );
  }

  function reviewStep(signer: Signer, choice: Choice, problem?: string): void {
    if (def === undefined) return;
    const title = h('h2', { id: 'vote-title', attrs: { tabindex: -1 } }, t('review.title'));
    const send = button(t('review.send'), (b) => {
      b.disabled = true;
      void cast(signer, choice).finally(() => (b.disabled = false));
    }, 'primary');
    replace(
      voteBox,
      title,
      problem === undefined ? null : notice('error', problem),
      h('p', null, t('review.intro')),
      h('div', { class: 'review' }, describeChoice(def, choice)),
      isBlank(choice) ? notice('warning', t('review.blankWarning')) : null,
      h('p', { class: 'hint' }, t('review.signExplain')),
      h('div', { class: 'actions' }, send, button(t('review.back'), () => chooseStep(signer))),
    );
    title.focus();
  }

  async function cast(signer: Signer, choice: Choice): Promise<void> {
    if (def === undefined || v.definitionHash === undefined) return;
    if (!(await definitionTrusted(v))) {
      reviewStep(signer, choice, t('vote.definitionMismatch'));
      return;
    }
    await measureClock();
    const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    const { ballot, sig } = signedBallot({ definition: def, definitionHash: v.definitionHash, choice, nonce, castAt: serverNow(), signer });
    // A secret round's ballot goes WITHOUT the member's access token: the
    // token names the member, and sent along it would hand the server the
    // very link (member ↔ round key ↔ choice) the credential exists to
    // avoid. The credential alone shows the ballot may count.
    const answer = await call('castBallot', { params: { id }, body: { ballot, sig }, anonymous: signer.kind === 'round' });
    if (!answer.ok) {
      reviewStep(signer, choice, problemText(answer.error));
      return;
    }
    const stored: StoredReceipt = {
      id: `${id}:${answer.value.receipt.seq}`,
      memberId: member?.id ?? '',
      roundId: id,
      receipt: answer.value.receipt,
      receiptSig: answer.value.receiptSig,
      ballot,
      sig,
      savedAt: new Date().toISOString(),
    };
    let saved = true;
    try {
      await saveReceipt(stored);
    } catch {
      saved = false;
    }
    voted = secret ? (saved ? 'voted-here' : voted) : 'voted';
    doneStep(signer, stored, saved);
    void drawReceipts();
  }

  function doneStep(signer: Signer, stored: StoredReceipt, saved: boolean): void {
    if (def === undefined) return;
    const title = h('h2', { id: 'vote-title', attrs: { tabindex: -1 } }, t('done.title'));
    replace(
      voteBox,
      title,
      notice('success', h('p', null, t('done.received', { seq: stored.receipt.seq }))),
      h('p', null, t('done.receiptExplain')),
      saved ? null : notice('warning', t('done.notSaved')),
      h(
        'div',
        { class: 'actions' },
        buttonLink(`/rounds/${id}/check`, t('check.action'), true),
        button(t('receipt.download'), () => downloadText(receiptFileName(stored.receipt), `${JSON.stringify({ receipt: stored.receipt, receiptSig: stored.receiptSig, ballot: stored.ballot, sig: stored.sig }, null, 2)}\n`)),
        def.revote ? button(t('done.change'), () => chooseStep(signer)) : null,
      ),
    );
    title.focus();
  }

  let showVote = false;
  if (r.status === 'open' && def !== undefined) {
    showVote = true;
    const voteTitle = () => h('h2', { id: 'vote-title' }, t('vote.title'));
    if (member === null) {
      replace(voteBox, voteTitle(), h('p', null, link(`/login?next=${encodeURIComponent(`/rounds/${id}`)}`, t('vote.signIn'))));
    } else if (member.status !== 'active') {
      replace(voteBox, voteTitle(), notice('warning', t('account.pending.body')));
    } else if (v.me?.eligible !== true) {
      replace(voteBox, voteTitle(), notice('info', t('vote.notEligible')));
    } else if (boothClosed(voted, def.revote)) {
      replace(voteBox, voteTitle(), votedNotice(def.revote));
    } else if (isSecretDefinition(def)) {
      // Secret: the credential is asked for now, on opening the page, not when the member votes (credential-step.ts says why).
      const round = def.round;
      const pass = credentialPanel({
        memberId: member.id,
        roundId: round,
        issuingKey: def.issuer,
        onReady: (ready, key) => chooseStep({ kind: 'round', pass: ready, roundKeys: roundKeyPair(deviceSeedOf(key.secretKey), round) }),
        onKeyReplaced: () => ctx.refresh(),
      });
      replace(voteBox, voteTitle(), keyPanel({ compact: true, onReady: (key) => pass.keyReady(key) }), pass.node);
    } else {
      let started = false;
      replace(
        voteBox,
        voteTitle(),
        keyPanel({
          compact: true,
          onReady: (key) => {
            if (started) return;
            started = true;
            chooseStep({ kind: 'device', publicKey: key.publicKey, secretKey: key.secretKey });
          },
        }),
      );
    }
  }
  void drawReceipts();

  // ---------------------------------------------------------------- tally
  let tallyNode: HTMLElement | null = null;
  if (def !== undefined && r.status !== 'draft') {
    const panel = tallyPanel(def);
    tallyNode = panel.node;
    const live = (status: RoundStatus) => status === 'open';
    panel.update({ turnout: v.turnout, ...(v.tally === undefined ? {} : { tally: v.tally }), live: live(r.status) });
    if (r.status === 'open' || r.status === 'closed') {
      let timer: number | null = null;
      const poll = () => {
        timer = window.setTimeout(() => {
          void call('round', { params: { id } }).then((again) => {
            if (ctx.signal.aborted) return;
            if (again.ok) {
              if (again.value.round.status !== r.status) {
                ctx.refresh();
                return;
              }
              panel.update({ turnout: again.value.turnout, ...(again.value.tally === undefined ? {} : { tally: again.value.tally }), live: live(again.value.round.status) });
            }
            poll();
          });
        }, POLL_MS);
      };
      const stop = watchRound(id, {
        onTally: (push) => panel.update({ turnout: push.turnout, ...(push.tally === undefined ? {} : { tally: push.tally }), live: live(push.status) }),
        onStatus: (status) => {
          if (status === r.status) return;
          flash(t('round.statusChanged', { status: roundStatusText(status) }), 'info');
          ctx.refresh();
        },
        onProblem: (code) => {
          // Signed out visitors may not follow an open round live; they get the public view every few seconds.
          if ((code === 'unauthenticated' || code === 'forbidden') && timer === null) poll();
        },
        onConnection: (connected) => panel.setConnected(connected),
      });
      disposers.push(stop, () => {
        if (timer !== null) window.clearTimeout(timer);
      });
    }
  }

  const node = h(
    'div',
    { class: 'page' },
    ...header,
    moderator ? moderatorPanel(v, ctx, secret) : null,
    showVote ? voteBox : null,
    r.status === 'published' ? notice('success', h('p', null, t('round.publishedNote'), ' ', link(`/rounds/${id}/outcome`, t('round.outcomeLink')))) : null,
    tallyNode,
    receiptsBox,
  );
  return { title: r.title, node, dispose: () => disposers.forEach((d) => d()) };
}
