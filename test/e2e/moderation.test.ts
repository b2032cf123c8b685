/**
 * Moderation in a real browser: invites that let a newcomer in at once,
 * hiding and merging proposals, the members list, the audit log, and making a
 * session with a question. Each test makes its own members, sessions and
 * rounds through the API and uses its own browsers.
 */
import { describe, expect, it } from 'vitest';
import { t, tn } from '../../client/core/i18n';
import { axe, shoot, shootBoth } from './checks';
import { ADMIN, chromiumPresent, DESKTOP, PHONE } from './harness';
import { TEST_TIMEOUT, useScene, useStage } from './scene';
import { QUESTION, XSS_BODY, XSS_TITLE } from './setups';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

const SECOND_QUESTION = {
  text: 'Waar beginnen we mee in een greenfield?',
  proposals: [
    { title: 'Basiszekerheden die met de werkenden meebewegen' },
    { title: 'Een adviserende en faciliterende overheid' },
    { title: 'Basiszekerheden die meebewegen met de werkende' },
  ],
};

describe.skipIf(!present)('moderation in Chromium', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('moderation');
  const scene = useScene(stage);

  it('lets a moderator make invites, hide and merge proposals, and read the audit log', async () => {
    const s = scene();
    const author = await s.activeMember(`Sanne ${s.unique('de Vries')}`);
    const authorToken = (await s.api.login(author.email, author.password)).accessToken;
    const session = await s.session('Moderatie', [{ text: QUESTION.text, proposals: [...QUESTION.proposals, { title: XSS_TITLE, body: XSS_BODY }] }, SECOND_QUESTION], authorToken);
    // A published round, so that the audit log has one to show.
    const round = await s.openRound({ title: 'Welke dag?', method: 'plurality', options: [{ label: 'Maandag' }, { label: 'Dinsdag' }] });
    await s.closeAndPublish(round);
    const mod = await s.open('moderator', { viewport: DESKTOP });
    const visitor = await s.open('visitor', { viewport: DESKTOP });
    const { page } = mod;
    await s.signIn(mod, ADMIN);
    await s.go(mod, '/moderate');
    await page.getByRole('button', { name: t('moderate.invites.submit') }).click();
    const code = (await page.locator('.codes code').first().textContent()) ?? '';
    expect(code.length).toBeGreaterThan(4);
    // A newcomer with an invite is active at once.
    const newcomer = await s.open('newcomer', { viewport: PHONE });
    await s.go(newcomer, `/register?invite=${encodeURIComponent(code)}`);
    expect(await newcomer.page.getByLabel(t('auth.inviteCode')).inputValue()).toBe(code);
    await newcomer.page.getByLabel(t('auth.name')).fill('Nieuwe Deelnemer');
    await newcomer.page.getByLabel(t('auth.email')).fill(`${s.unique('nieuw')}@stemkring.test`);
    await newcomer.page.getByLabel(t('auth.password'), { exact: true }).fill('nieuw-wachtwoord-1');
    await newcomer.page.getByRole('button', { name: t('auth.register.submit') }).click();
    await newcomer.page.getByText(t('account.welcome')).waitFor();
    expect(await newcomer.page.getByText(t('member.status.active'), { exact: true }).count()).toBe(1);
    expect(newcomer.problems).toEqual([]);
    // Hide the HTML proposal with a reason: gone for the public.
    await s.go(mod, `/sessions/${session.id}`);
    const card = page.locator('.question').first().locator('.proposal').filter({ has: page.getByRole('heading', { name: XSS_TITLE, exact: true }) });
    await card.getByText(t('proposal.moderate', { title: XSS_TITLE })).click();
    await card.getByLabel(t('proposal.hide.reason')).fill('Geen voorstel maar een test');
    await axe(page, 'session-moderator');
    await shoot(page, 'session-moderator');
    await card.getByRole('button', { name: t('proposal.hide.submit') }).click();
    await page.getByText(t('proposal.hide.done', { title: XSS_TITLE })).waitFor();
    await s.go(visitor, `/sessions/${session.id}`);
    await visitor.page.getByText(QUESTION.proposals[0].title).first().waitFor();
    expect(await visitor.page.getByText(XSS_TITLE).count()).toBe(0);
    // Merge the third proposal of the second question into the first.
    const [keep, , dup] = SECOND_QUESTION.proposals;
    if (keep === undefined || dup === undefined) throw new Error('the second question has three proposals');
    await s.go(mod, `/sessions/${session.id}`);
    const dupCard = page.locator('.question').nth(1).locator('.proposal').filter({ has: page.getByRole('heading', { name: dup.title, exact: true }) });
    await dupCard.getByText(t('proposal.moderate', { title: dup.title })).click();
    await dupCard.getByLabel(t('proposal.merge.into')).selectOption({ label: keep.title });
    await dupCard.getByRole('button', { name: t('proposal.merge.submit') }).click();
    await page.getByText(t('proposal.merge.done', { title: dup.title })).waitFor();
    await s.go(visitor, `/sessions/${session.id}`);
    await visitor.page.getByText(tn('proposal.mergedFrom', 1, { titles: `“${dup.title}”` })).waitFor();
    // Everyone, with their state.
    await s.go(mod, '/moderate/members');
    await page.getByText(`${author.name} · ${author.email}`).waitFor();
    await axe(page, 'members');
    // The audit log has all of it.
    await s.go(mod, '/moderate/audit');
    for (const key of ['audit.action.proposalMerge', 'audit.action.proposalHide', 'audit.action.roundPublish', 'audit.action.memberApprove'] as const) {
      await page.locator('.audit').getByText(t(key), { exact: true }).first().waitFor();
    }
    await axe(page, 'audit');
    await shootBoth(page, 'audit');
    expect(mod.problems).toEqual([]);
    expect(visitor.problems).toEqual([]);
  });

  it('lets a moderator create a session and add a question', async () => {
    const s = scene();
    const mod = await s.open('moderator', { viewport: DESKTOP });
    const { page } = mod;
    const title = `Jouw Stem: flexwerk ${s.unique('sessie')}`;
    await s.signIn(mod, ADMIN);
    await s.go(mod, '/moderate');
    await page.getByLabel(t('moderate.session.title')).fill(title);
    await page.getByLabel(t('moderate.session.date')).fill('2026-12-01');
    await page.getByLabel(t('moderate.session.description')).fill('Een korte peiling.\n\nTweede alinea.');
    await page.getByRole('button', { name: t('moderate.session.submit') }).click();
    await page.getByText(t('moderate.session.made')).waitFor();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    await page.locator('summary', { hasText: t('session.addQuestion.title') }).click();
    await page.getByLabel(t('session.addQuestion.text')).fill('Wat moet er anders aan flexwerk?');
    await page.getByRole('button', { name: t('session.addQuestion.submit') }).click();
    await page.getByText(t('session.addQuestion.done')).waitFor();
    await page.getByRole('heading', { name: /Wat moet er anders aan flexwerk\?/ }).waitFor();
    expect(mod.problems).toEqual([]);
  });
});
