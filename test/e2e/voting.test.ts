/**
 * Voting in a real browser: a member proposes (a proposal full of HTML runs
 * nothing), a moderator makes and opens a round for the question, the member
 * makes a device key and votes with the maximum enforced and a review before
 * signing, watches the tally move when another member votes, checks the
 * receipt against the board, and fills in every other kind of ballot, ranking
 * with the keyboard alone and by dragging. Each test makes its own members,
 * session and rounds through the API and uses its own browsers.
 */
import { describe, expect, it } from 'vitest';
import { t, tn } from '../../client/core/i18n';
import { axe, shoot, shootBoth } from './checks';
import { ADMIN, chromiumPresent, DESKTOP, type Watched } from './harness';
import { castAs, issuerOf } from './cast';
import { makeKey, POLL, reviewAndSend, TEST_TIMEOUT, useScene, useStage, type Scene } from './scene';
import { memberOnPhone, QUESTION, questionRound, XSS_BODY, XSS_TITLE } from './setups';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

const opts = (labels: string[]) => labels.map((label) => ({ label }));

/** On the round's page: makes this browser's key there, approves the first two options, and sends. */
async function approveFirstTwo(s: Scene, w: Watched, roundId: string): Promise<void> {
  const { page } = w;
  await s.go(w, `/rounds/${roundId}`);
  await page.getByRole('button', { name: t('key.create') }).click();
  await page.getByRole('group', { name: t('ballot.approval.legend') }).waitFor();
  const boxes = page.getByRole('checkbox');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await reviewAndSend(w);
}

describe.skipIf(!present)('voting in Chromium', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('voting');
  const scene = useScene(stage);

  it('lets an active member propose; a proposal full of HTML shows its characters and runs nothing', async () => {
    const s = scene();
    const { w: member, token } = await memberOnPhone(s, 'Indiener');
    const session = await s.session('Voorstellen', [{ text: QUESTION.text, proposals: [...QUESTION.proposals] }], token);
    const { page } = member;
    await s.go(member, `/sessions/${session.id}`);
    const first = page.locator('.question').first();
    await first.getByText(t('proposal.new.open')).click();
    await first.getByLabel(t('proposal.new.title')).fill(XSS_TITLE);
    await first.getByLabel(t('proposal.new.body')).fill(XSS_BODY);
    await first.getByRole('button', { name: t('proposal.new.submit') }).click();
    await first.getByText(t('proposal.new.done')).waitFor();
    await page.reload();
    await page.locator('.question').first().getByText(XSS_TITLE, { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img, main script, main a[href^="javascript"]').count()).toBe(0);
    expect(member.problems).toEqual([]);
  });

  it('lets the moderator create a round for the question in the browser and open it', async () => {
    const s = scene();
    const author = await s.activeMember('Indiener');
    const session = await s.session('Ronde maken', [{ text: QUESTION.text, proposals: [...QUESTION.proposals] }], (await s.api.login(author.email, author.password)).accessToken);
    const mod = await s.open('moderator', { viewport: DESKTOP });
    const { page } = mod;
    await s.signIn(mod, ADMIN);
    await s.go(mod, `/sessions/${session.id}`);
    await page.locator('.question').first().getByRole('link', { name: t('session.newRound') }).click();
    await page.getByRole('heading', { name: t('moderate.round.newForQuestion') }).waitFor();
    await axe(page, 'round-form');
    await shootBoth(page, 'round-form');
    expect(await page.getByLabel(t('moderate.round.fieldSeats')).inputValue()).toBe('3');
    // Secret unless the moderator says otherwise.
    expect(await page.getByLabel(t('moderate.round.fieldSecret')).isChecked()).toBe(true);
    await page.getByRole('button', { name: t('moderate.round.create') }).click();
    await page.getByText(t('moderate.round.made')).waitFor();
    const roundId = new URL(page.url()).pathname.split('/')[2] ?? '';
    await axe(page, 'round-draft');
    await shootBoth(page, 'round-draft');
    await page.getByRole('button', { name: t('moderate.round.open') }).click();
    await page.getByText(t('moderate.round.opened')).first().waitFor();
    const opened = await s.roundInfo(roundId);
    expect(opened.round.status).toBe('open');
    expect(issuerOf(opened)).toBeDefined();
    expect(mod.problems).toEqual([]);
  });

  it('lets the member make a device key and vote, with the maximum enforced and a review before signing', async () => {
    const s = scene();
    const { w: member, token } = await memberOnPhone(s, 'Kiezer');
    const round = await questionRound(s, token);
    const { page } = member;
    await s.go(member, '/');
    await page.locator(`main a[href="/rounds/${round.roundId}"]`).filter({ hasText: /Top 3/ }).click();
    await page.getByRole('button', { name: t('key.create') }).click();
    await page.getByRole('group', { name: t('ballot.approval.legend') }).waitFor();
    const key = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const req = indexedDB.open('stemkring');
          req.onsuccess = () => {
            const get = req.result.transaction('keys').objectStore('keys').getAll();
            get.onsuccess = () => resolve((get.result as { secretKey: Uint8Array }[])[0]?.secretKey.length ?? 0);
          };
        }),
    );
    expect(key).toBe(64);
    // The HTML proposal is an option: shown as text on the ballot.
    await page.locator('.ballot').getByText(XSS_TITLE, { exact: true }).waitFor();
    const boxes = page.getByRole('checkbox');
    expect(await boxes.count()).toBe(4);
    for (let i = 0; i < 3; i += 1) await boxes.nth(i).check();
    // The fourth is refused: the click lands, the box stays empty and the page says why.
    await boxes.nth(3).click({ force: true });
    await page.getByText(t('ballot.approval.refused', { max: 3 })).waitFor();
    expect(await boxes.nth(3).isChecked()).toBe(false);
    await boxes.nth(2).uncheck();
    await axe(page, 'ballot-approval');
    await shootBoth(page, 'ballot-approval');
    await page.getByRole('button', { name: t('vote.review') }).click();
    await page.getByRole('heading', { name: t('review.title') }).waitFor();
    await shoot(page, 'review');
    await page.getByRole('button', { name: t('review.send') }).click();
    await page.getByRole('heading', { name: t('done.title') }).waitFor();
    await page.getByText(t('done.received', { seq: 1 })).waitFor();
    await shootBoth(page, 'receipt');
    expect(member.problems).toEqual([]);
  });

  it('moves the tally on the member’s screen when another member votes', async () => {
    const s = scene();
    const { w: member, token } = await memberOnPhone(s, 'Kijker');
    const other = await s.voter();
    const round = await questionRound(s, token);
    await approveFirstTwo(s, member, round.roundId);
    const { page } = member;
    const values = () => page.locator('.tally .bar-value').allTextContents();
    await expect.poll(values, POLL).toEqual(['1', '1', '0', '0']);
    const info = await s.roundInfo(round.roundId);
    const firstOption = info.definition.options[0]?.id ?? '';
    const cast = await castAs(other, info, { approve: [firstOption] });
    expect(cast.status, JSON.stringify(cast.body)).toBe(201);
    await expect.poll(values, POLL).toEqual(['2', '1', '0', '0']);
    await expect.poll(() => page.locator('.tally .turnout').textContent(), POLL).toContain('2');
    await axe(page, 'round-open');
    await shootBoth(page, 'round-open');
    expect(member.problems).toEqual([]);
  });

  it('checks the receipt against the board in the browser', async () => {
    const s = scene();
    const { w: member, token } = await memberOnPhone(s, 'Controleur');
    const other = await s.voter();
    const round = await questionRound(s, token);
    await approveFirstTwo(s, member, round.roundId);
    // A second ballot after this one, so the check proves inclusion in a board that has grown.
    const info = await s.roundInfo(round.roundId);
    expect((await castAs(other, info, { approve: [info.definition.options[0]?.id ?? ''] })).status).toBe(201);
    const { page } = member;
    await page.getByRole('link', { name: t('check.action') }).first().click();
    await page.getByText(t('check.verdict.ok')).waitFor();
    expect(await page.locator('.checks li.failed').count()).toBe(0);
    await axe(page, 'check');
    await shootBoth(page, 'check');
    expect(member.problems).toEqual([]);
  });

  it('fills in and sends every other kind of ballot, ranking with the keyboard alone and by dragging', async () => {
    const s = scene();
    const { w: member } = await memberOnPhone(s, 'Alleskiezer');
    await makeKey(s, member);
    const { page } = member;
    // Plurality.
    const plurality = await s.openRound({ title: 'Welke dag?', method: 'plurality', options: opts(['Maandag', 'Dinsdag', 'Woensdag']) });
    await s.go(member, `/rounds/${plurality}`);
    await page.getByLabel('Dinsdag').check();
    await reviewAndSend(member);
    // Yes/no with a quorum.
    const yesno = await s.openRound({ title: 'Afspraak: we stemmen rechtstreeks', method: 'yesno', rules: { quorum: { kind: 'share', numerator: 1, denominator: 2 } } });
    await s.go(member, `/rounds/${yesno}`);
    await page.getByLabel(t('ballot.yesno.yes'), { exact: true }).check();
    await reviewAndSend(member);
    // Score, with "no opinion" left on one option.
    const score = await s.openRound({ title: 'Meetlat: transparantie', method: 'score', options: opts(['Platform A', 'Platform B']), rules: { min: 1, max: 5 } });
    await s.go(member, `/rounds/${score}`);
    await page.getByRole('group', { name: 'Platform A' }).getByLabel('4', { exact: true }).check();
    await shoot(page, 'ballot-score');
    await reviewAndSend(member);
    // Cumulative: the budget is shown and cannot be exceeded.
    const cumulative = await s.openRound({ title: 'Verdeel het budget', method: 'cumulative', options: opts(['Lobby', 'Juridisch advies', 'Events']), rules: { budget: 5 } });
    await s.go(member, `/rounds/${cumulative}`);
    await page.getByLabel('Lobby', { exact: true }).fill('4');
    await page.getByLabel('Events', { exact: true }).fill('9');
    expect(await page.getByLabel('Events', { exact: true }).inputValue()).toBe('1');
    await page.getByText(tn('ballot.cumulative.remaining', 0, { budget: 5 })).waitFor();
    await shoot(page, 'ballot-cumulative');
    await reviewAndSend(member);
    // A sealed round shows turnout only, before and after the member votes.
    const sealed = await s.openRound({ title: 'Geheime peiling', method: 'plurality', sealed: true, options: opts(['Ja', 'Nee']) });
    await s.go(member, `/rounds/${sealed}`);
    await page.locator('.tally').getByText(t('tally.sealed')).waitFor();
    await page.getByLabel('Nee', { exact: true }).check();
    await reviewAndSend(member);
    await expect.poll(() => page.locator('.tally .turnout').textContent(), POLL).toContain('1');
    expect(await page.locator('.tally .bar-row').count()).toBe(0);
    await shoot(page, 'round-sealed');
    // Ranked (instant runoff), with the keyboard only: add C, then A, then move A up.
    const irv = await s.openRound({ title: 'Voorzitter', method: 'irv', options: opts(['Anna', 'Bram', 'Cem']) });
    await s.go(member, `/rounds/${irv}`);
    const add = (name: string) => page.getByRole('button', { name: `${t('ballot.ranked.add')}: ${name}` });
    await add('Cem').focus();
    await page.keyboard.press('Enter');
    await add('Anna').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: t('ballot.ranked.handle', { option: 'Anna', place: 2 }) }).focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.locator('ol.ranking .rank-label').allTextContents(), POLL).toEqual(['Anna', 'Cem']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(t('ballot.ranked.handle', { option: 'Anna', place: 1 }));
    await axe(page, 'ballot-ranked');
    await shootBoth(page, 'ballot-ranked');
    // And by dragging: Bram joins at the bottom and is dragged to the top.
    await add('Bram').click();
    const handle = page.getByRole('button', { name: t('ballot.ranked.handle', { option: 'Bram', place: 3 }) });
    await handle.waitFor();
    const from = await handle.boundingBox();
    const top = await page.locator('ol.ranking .rank-item').first().boundingBox();
    if (from === null || top === null) throw new Error('the ranking is on screen');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, top.y + 4, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.locator('ol.ranking .rank-label').allTextContents(), POLL).toEqual(['Bram', 'Anna', 'Cem']);
    await reviewAndSend(member);
    const board = await s.api.get<{ board: { ballot: { choice: unknown } }[] }>(`/api/rounds/${irv}/board`, s.adminToken);
    const info = await s.roundInfo(irv);
    const id = (label: string) => info.definition.options.find((o) => o.label === label)?.id;
    expect(board.body.board[0]?.ballot.choice).toEqual({ ranking: [id('Bram'), id('Anna'), id('Cem')] });
    expect(member.problems).toEqual([]);
  });
});
