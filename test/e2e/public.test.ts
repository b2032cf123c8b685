/**
 * What anyone sees without signing in, in a real browser: the public pages in
 * Dutch with a working skip link and no axe violations that matter, and the
 * language switch that is remembered.
 */
import { describe, expect, it } from 'vitest';
import { t } from '../../client/core/i18n';
import { axe, shoot, shootBoth } from './checks';
import { chromiumPresent, DESKTOP, PHONE } from './harness';
import { POLL, TEST_TIMEOUT, useScene, useStage } from './scene';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

describe.skipIf(!present)('the public pages in Chromium', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('public');
  const scene = useScene(stage);

  it('shows the public pages in Dutch, with no axe violations that matter', async () => {
    const s = scene();
    const visitor = await s.open('visitor', { viewport: DESKTOP });
    const { page } = visitor;
    // The demo session, which no test changes.
    const sessions = await s.api.get<{ sessions: { id: string }[] }>('/api/sessions');
    const sessionId = sessions.body.sessions[0]?.id ?? '';
    await s.go(visitor, '/');
    await expect.poll(() => page.locator('main h1').textContent(), POLL).toBe(t('home.title'));
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    // The first Tab reaches the skip link, visibly; Enter moves focus to the content.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { cls: el?.className ?? '', outline: el === null ? 'none' : getComputedStyle(el).outlineStyle };
    });
    expect(focused).toEqual({ cls: 'skip', outline: 'solid' });
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await axe(page, 'home');
    await shootBoth(page, 'home');
    await s.go(visitor, `/sessions/${sessionId}`);
    await page.locator('.question').first().waitFor();
    await axe(page, 'session');
    await shootBoth(page, 'session');
    await s.go(visitor, '/login');
    await axe(page, 'login');
    await s.go(visitor, '/register');
    await axe(page, 'register');
    await shootBoth(page, 'register');
    expect(visitor.problems).toEqual([]);
  });

  it('switches to English and remembers it', async () => {
    const s = scene();
    const w = await s.open('phone', { viewport: PHONE, hasTouch: true, isMobile: true });
    const { page } = w;
    await s.go(w, '/');
    await page.getByRole('button', { name: t('lang.switchTo', { language: 'English' }, 'en') }).click();
    await expect.poll(() => page.locator('main h1').textContent(), POLL).toBe(t('home.title', undefined, 'en'));
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.locator('main h1').textContent(), POLL).toBe(t('home.title', undefined, 'en'));
    await shoot(page, 'home-english');
    await page.getByRole('button', { name: t('lang.switchTo', { language: 'Nederlands' }, 'nl') }).click();
    await expect.poll(() => page.locator('main h1').textContent(), POLL).toBe(t('home.title'));
    expect(w.problems).toEqual([]);
  });
});
