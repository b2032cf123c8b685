/**
 * Accounts in a real browser: registering (with a server error shown next to
 * its field), a moderator approving a waiting member from a second browser,
 * the device key saved to a recovery file and restored on a second device,
 * and an expired access token refreshed without the member noticing.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { t } from '../../client/core/i18n';
import { axe, shoot, shootBoth } from './checks';
import { ADMIN, chromiumPresent, DESKTOP, PHONE } from './harness';
import { makeKey, POLL, TEST_TIMEOUT, useScene, useStage } from './scene';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

describe.skipIf(!present)('accounts in Chromium', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('accounts');
  const scene = useScene(stage);

  it('registers a member; a server error appears next to its field and nothing typed is lost', async () => {
    const s = scene();
    const member = await s.open('member', { viewport: PHONE, hasTouch: true, isMobile: true });
    const { page } = member;
    const who = { name: 'Sanne de Vries', email: `${s.unique('sanne')}@stemkring.test`, password: 'sanne-wachtwoord-1' };
    await s.go(member, '/register');
    await page.getByLabel(t('auth.name')).fill(who.name);
    await page.getByLabel(t('auth.email')).fill(ADMIN.email);
    await page.getByLabel(t('auth.password'), { exact: true }).fill(who.password);
    await page.getByRole('button', { name: t('auth.register.submit') }).click();
    const emailError = page.locator('[data-field="email"] .field-error');
    await expect.poll(() => emailError.textContent(), POLL).toBe(t('error.email_taken'));
    expect(await page.getByLabel(t('auth.email')).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel(t('auth.name')).inputValue()).toBe(who.name);
    await shoot(page, 'register-error');
    await page.getByLabel(t('auth.email')).fill(who.email);
    await page.getByLabel(t('auth.password'), { exact: true }).fill(who.password);
    await page.getByRole('button', { name: t('auth.register.submit') }).click();
    await page.getByText(t('account.pending.title')).waitFor();
    expect(page.url()).toContain('/account');
    await axe(page, 'account-pending');
    await shootBoth(page, 'account-pending');
    expect(member.problems).toEqual([]);
  });

  it('lets a moderator in a second browser approve a waiting member, who then sees the key panel', async () => {
    const s = scene();
    const waiting = await s.pendingMember(`Wachtende ${s.unique('lid')}`);
    const member = await s.open('member', { viewport: PHONE, hasTouch: true, isMobile: true });
    await s.signIn(member, waiting);
    await member.page.getByText(t('account.pending.title')).waitFor();
    const mod = await s.open('moderator', { viewport: DESKTOP });
    const { page } = mod;
    await s.signIn(mod, ADMIN);
    await page.getByRole('link', { name: t('nav.moderate') }).click();
    await page.getByRole('heading', { name: t('moderate.title'), level: 1 }).waitFor();
    await axe(page, 'moderate');
    await shootBoth(page, 'moderate');
    await page.getByRole('button', { name: t('moderate.members.approve', { name: waiting.name }) }).click();
    await page.getByText(t('moderate.members.approved', { name: waiting.name })).waitFor();
    // The member, still on the waiting page, asks again and may now make a key.
    await member.page.getByRole('button', { name: t('account.pending.check') }).click();
    await member.page.getByText(t('key.explain.what')).waitFor();
    expect(mod.problems).toEqual([]);
    expect(member.problems).toEqual([]);
  });

  it('saves the device key to a recovery file and restores it on a second device', async () => {
    const s = scene();
    const who = await s.activeMember('Sleutelhouder');
    const member = await s.open('first-device', { viewport: PHONE, hasTouch: true, isMobile: true });
    const { page } = member;
    await s.signIn(member, who);
    await makeKey(s, member);
    await s.go(member, '/account');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: t('key.export') }).click();
    const file = await (await download).path();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind: string; publicKey: string };
    expect(saved.kind).toBe('stemkring-device-key');
    const second = await s.open('second-device', { viewport: PHONE });
    await s.go(second, '/login');
    await second.page.getByLabel(t('auth.email')).fill(who.email);
    await second.page.getByLabel(t('auth.password')).fill(who.password);
    await second.page.getByRole('button', { name: t('auth.login.submit') }).click();
    await second.page.getByText(t('key.elsewhere')).waitFor();
    await second.page.getByText(t('key.import.summary')).click();
    await second.page.getByLabel(t('key.import.label')).setInputFiles(file);
    await second.page.getByText(t('key.imported')).waitFor();
    await second.page.getByText(t('key.ready')).waitFor();
    expect(await second.page.locator('code.key').textContent()).toBe(saved.publicKey);
    expect(member.problems).toEqual([]);
    expect(second.problems).toEqual([]);
  });
});

describe.skipIf(!present)('an expired access token in the browser', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('accounts-expiry', { accessTokenTtlSeconds: 2 });
  const scene = useScene(stage);

  it('is refreshed once, quietly, and the page loads as if nothing happened', async () => {
    const s = scene();
    const w = await s.open('admin', { viewport: PHONE });
    await s.signIn(w, ADMIN);
    const stored = () => w.page.evaluate(() => JSON.parse(localStorage.getItem('stemkring.auth') ?? '{}') as { accessToken?: string; refreshToken?: string });
    const before = await stored();
    // Wait for the state that matters, the stored access token having expired, rather than for a time.
    await w.page.waitForFunction(() => {
      const token = (JSON.parse(localStorage.getItem('stemkring.auth') ?? '{}') as { accessToken?: string }).accessToken ?? '';
      const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp: number };
      return Date.now() / 1000 > payload.exp;
    }, undefined, { polling: 100 });
    await w.page.getByRole('link', { name: t('nav.moderate') }).click();
    await w.page.getByRole('heading', { name: t('moderate.title'), level: 1 }).waitFor();
    const after = await stored();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(w.problems).toEqual([]);
  });
});
