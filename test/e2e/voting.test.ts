/**
 * The web client in a real browser (Debian's Chromium through playwright-core)
 * against the real app: a member registers and waits, a moderator approves
 * them in a second browser, the member makes a device key and votes, watches
 * the tally move when a third member votes, checks the receipt; the moderator
 * closes and publishes; the public outcome page shows the winners and its
 * bundle downloads and verifies. Along the way: every ballot type, keyboard
 * ranking, server errors next to their fields, a proposal full of HTML that
 * runs nothing, the language switch, axe-core on the main pages, and
 * screenshots at phone and desktop width in test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t, tn } from '../../client/core/i18n';
import { nodeCrypto } from '../../server/crypto/node-crypto';
import { verifyBundle } from '../../shared/protocol/verify';
import { ApiClient, type LoginBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';
import { ADMIN, artifact, buildClient, chromiumPresent, DESKTOP, launch, openPage, PHONE, startApp, type RunningApp, type Watched } from './harness';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

const MEMBER = { name: 'Sanne de Vries', email: 'sanne@stemkring.test', password: 'sanne-wachtwoord-1' };
const XSS_TITLE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

const axeSource = fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');

let server: RunningApp;
let clientDir: string;
let browser: Browser;
let memberCtx: BrowserContext;
let modCtx: BrowserContext;
let publicCtx: BrowserContext;
let member: Watched;
let mod: Watched;
let visitor: Watched;
let api: ApiClient;
let admin: LoginBody;
let third: Voter;
let sessionId = '';
let roundId = '';
/** Rounds the member voted in through every kind of ballot, by method. */
const votedRounds = new Map<string, string>();
const axeReports: { page: string; violations: { id: string; impact: string | null; help: string; nodes: number }[] }[] = [];

async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  const width = size === null ? 'x' : size.width <= 400 ? 'phone' : 'desktop';
  await page.screenshot({ path: artifact(`${name}-${width}.png`), fullPage: true });
  // Nothing may stick out sideways: at 360 px the page must not scroll horizontally.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} is wider than the ${width} screen`).toBeLessThanOrEqual(0);
}

/** Screenshots of the page at both widths, then back to the width it had. */
async function shootBoth(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    await shoot(page, name);
  }
  if (before !== null) await page.setViewportSize(before);
}

async function axe(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  axeReports.push({ page: name, violations: result });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${name}: ${JSON.stringify(serious)}`).toEqual([]);
}

async function go(w: Watched, pathname: string): Promise<void> {
  await w.page.goto(server.url + pathname);
  await w.page.locator('main h1').first().waitFor();
}

async function roundInfo(id: string): Promise<RoundInfo> {
  const res = await api.get<RoundInfo>(`/api/rounds/${id}`, admin.accessToken);
  return res.body;
}

async function createOpenRound(body: Record<string, unknown>): Promise<string> {
  const created = await api.post<{ round: { id: string } }>('/api/rounds', body, admin.accessToken);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const opened = await api.post(`/api/rounds/${created.body.round.id}/open`, {}, admin.accessToken);
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  return created.body.round.id;
}

/** Signs and sends whatever the ballot on the page holds, and waits for the receipt. */
async function reviewAndSend(page: Page): Promise<void> {
  await page.getByRole('button', { name: t('vote.review') }).click();
  await page.getByRole('heading', { name: t('review.title') }).waitFor();
  await page.getByRole('button', { name: t('review.send') }).click();
  await page.getByRole('heading', { name: t('done.title') }).waitFor();
}

describe.skipIf(!present)('the web client in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    clientDir = buildClient();
    server = await startApp(clientDir);
    api = new ApiClient(server.url);
    admin = await api.login(ADMIN.email, ADMIN.password);
    const sessions = await api.get<{ sessions: { id: string }[] }>('/api/sessions');
    sessionId = sessions.body.sessions[0]?.id ?? '';
    browser = await launch();
    memberCtx = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
    modCtx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    publicCtx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    for (const c of [memberCtx, modCtx, publicCtx]) c.setDefaultTimeout(8_000);
    member = await openPage(memberCtx);
    mod = await openPage(modCtx);
    visitor = await openPage(publicCtx);
  }, 120_000);

  afterAll(async () => {
    if (axeReports.length > 0) fs.writeFileSync(artifact('axe-report.json'), `${JSON.stringify(axeReports, null, 2)}\n`);
    await browser?.close();
    await server?.stop();
    if (clientDir !== undefined) fs.rmSync(clientDir, { recursive: true, force: true });
  });

  it('shows the public pages in Dutch, with no axe violations that matter', async () => {
    await go(visitor, '/');
    await expect.poll(() => visitor.page.locator('main h1').textContent()).toBe(t('home.title'));
    expect(await visitor.page.getAttribute('html', 'lang')).toBe('nl');
    // The first Tab reaches the skip link, visibly; Enter moves focus to the content.
    await visitor.page.keyboard.press('Tab');
    const focused = await visitor.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { cls: el?.className ?? '', outline: el === null ? 'none' : getComputedStyle(el).outlineStyle };
    });
    expect(focused).toEqual({ cls: 'skip', outline: 'solid' });
    await visitor.page.keyboard.press('Enter');
    expect(await visitor.page.evaluate(() => document.activeElement?.id)).toBe('main');
    await axe(visitor.page, 'home');
    await shootBoth(visitor.page, 'home');
    await go(visitor, `/sessions/${sessionId}`);
    await visitor.page.locator('.question').first().waitFor();
    await axe(visitor.page, 'session');
    await shootBoth(visitor.page, 'session');
    await go(visitor, '/login');
    await axe(visitor.page, 'login');
    await go(visitor, '/register');
    await axe(visitor.page, 'register');
    await shootBoth(visitor.page, 'register');
  });

  it('registers a member; a server error appears next to its field and nothing typed is lost', async () => {
    const { page } = member;
    await go(member, '/register');
    await page.getByLabel(t('auth.name')).fill(MEMBER.name);
    await page.getByLabel(t('auth.email')).fill(ADMIN.email);
    await page.getByLabel(t('auth.password'), { exact: true }).fill(MEMBER.password);
    await page.getByRole('button', { name: t('auth.register.submit') }).click();
    const emailError = page.locator('[data-field="email"] .field-error');
    await expect.poll(() => emailError.textContent()).toBe(t('error.email_taken'));
    expect(await page.getByLabel(t('auth.email')).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel(t('auth.name')).inputValue()).toBe(MEMBER.name);
    await shoot(page, 'register-error');
    await page.getByLabel(t('auth.email')).fill(MEMBER.email);
    await page.getByLabel(t('auth.password'), { exact: true }).fill(MEMBER.password);
    await page.getByRole('button', { name: t('auth.register.submit') }).click();
    await page.getByText(t('account.pending.title')).waitFor();
    expect(page.url()).toContain('/account');
    await axe(page, 'account-pending');
    await shootBoth(page, 'account-pending');
  });

  it('lets a moderator in a second browser approve the member', async () => {
    const { page } = mod;
    await go(mod, '/login');
    await page.getByLabel(t('auth.email')).fill(ADMIN.email);
    await page.getByLabel(t('auth.password')).fill(ADMIN.password);
    await page.getByRole('button', { name: t('auth.login.submit') }).click();
    await page.waitForURL('**/account');
    await page.getByRole('link', { name: t('nav.moderate') }).click();
    await page.getByRole('heading', { name: t('moderate.title'), level: 1 }).waitFor();
    await axe(page, 'moderate');
    await shootBoth(page, 'moderate');
    await page.getByRole('button', { name: t('moderate.members.approve', { name: MEMBER.name }) }).click();
    await page.getByText(t('moderate.members.approved', { name: MEMBER.name })).waitFor();
    // A third member, active before the round opens, votes through the API later.
    third = await Voter.create(api, admin.accessToken, 'derde@stemkring.test');
  });

  it('lets the approved member propose; a proposal full of HTML shows its characters and runs nothing', async () => {
    const { page } = member;
    await page.getByRole('button', { name: t('account.pending.check') }).click();
    await page.getByText(t('key.explain.what')).waitFor();
    await go(member, `/sessions/${sessionId}`);
    const first = page.locator('.question').first();
    await first.getByText(t('proposal.new.open')).click();
    await first.getByLabel(t('proposal.new.title')).fill(XSS_TITLE);
    await first.getByLabel(t('proposal.new.body')).fill('<b>vet</b> & <a href="javascript:alert(1)">klik</a>');
    await first.getByRole('button', { name: t('proposal.new.submit') }).click();
    await first.getByText(t('proposal.new.done')).waitFor();
    await page.reload();
    await page.locator('.question').first().getByText(XSS_TITLE, { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img, main script, main a[href^="javascript"]').count()).toBe(0);
    expect(member.problems).toEqual([]);
  });

  it('lets the moderator create a round for the question in the browser and open it', async () => {
    const { page } = mod;
    await go(mod, `/sessions/${sessionId}`);
    await page.locator('.question').first().getByRole('link', { name: t('session.newRound') }).click();
    await page.getByRole('heading', { name: t('moderate.round.newForQuestion') }).waitFor();
    await axe(page, 'round-form');
    await shootBoth(page, 'round-form');
    expect(await page.getByLabel(t('moderate.round.fieldSeats')).inputValue()).toBe('3');
    await page.getByRole('button', { name: t('moderate.round.create') }).click();
    await page.getByText(t('moderate.round.made')).waitFor();
    roundId = new URL(page.url()).pathname.split('/')[2] ?? '';
    await axe(page, 'round-draft');
    await shootBoth(page, 'round-draft');
    await page.getByRole('button', { name: t('moderate.round.open') }).click();
    await page.getByText(t('moderate.round.opened')).first().waitFor();
    expect(mod.problems).toEqual([]);
  });

  it('lets the member make a device key and vote, with the maximum enforced and a review before signing', async () => {
    const { page } = member;
    await go(member, '/');
    await page.getByRole('link', { name: /Top 3/ }).first().click();
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
    for (let i = 0; i < 4; i += 1) await boxes.nth(i).check({ force: i === 3 }).catch(() => undefined);
    expect(await boxes.nth(3).isChecked()).toBe(false);
    await page.getByText(t('ballot.approval.refused', { max: 3 })).waitFor();
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

  it('moves the tally on the member’s screen when a third member votes', async () => {
    const { page } = member;
    const values = () => page.locator('.tally .bar-value').allTextContents();
    await expect.poll(values).toEqual(['1', '1', '0', '0']);
    const info = await roundInfo(roundId);
    const firstOption = info.definition.options[0]?.id ?? '';
    const cast = await third.cast(info, { approve: [firstOption] });
    expect(cast.status, JSON.stringify(cast.body)).toBe(201);
    await expect.poll(values, { timeout: 5_000 }).toEqual(['2', '1', '0', '0']);
    await expect.poll(() => page.locator('.tally .turnout').textContent()).toContain('2');
    await axe(page, 'round-open');
    await shootBoth(page, 'round-open');
  });

  it('checks the receipt against the board in the browser', async () => {
    const { page } = member;
    await page.getByRole('link', { name: t('check.action') }).first().click();
    await page.getByText(t('check.verdict.ok')).waitFor({ timeout: 10_000 });
    expect(await page.locator('.checks li.failed').count()).toBe(0);
    await axe(page, 'check');
    await shootBoth(page, 'check');
  });

  it('lets the moderator close and publish the round', async () => {
    const { page } = mod;
    await go(mod, `/rounds/${roundId}`);
    await page.getByRole('button', { name: t('moderate.round.close') }).click();
    await page.getByText(t('moderate.round.closed')).first().waitFor();
    await page.getByRole('button', { name: t('moderate.round.publish') }).click();
    await page.getByText(t('moderate.round.published')).first().waitFor();
    expect(mod.problems).toEqual([]);
  });

  it('shows the outcome publicly; the bundle downloads, verifies offline and in the browser', async () => {
    const { page } = visitor;
    await go(visitor, `/rounds/${roundId}/outcome`);
    const info = await roundInfo(roundId);
    const [a, b] = info.definition.options;
    const winners = page.locator('ol.winners li .winner-label');
    await expect.poll(() => winners.allTextContents()).toEqual([a?.label, b?.label]);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: t('outcome.download.bundle') }).click();
    const file = await (await download).path();
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    const report = verifyBundle(bundle, nodeCrypto);
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: t('outcome.download.csv') }).click();
    const csv = fs.readFileSync(await (await csvDownload).path(), 'utf8');
    expect(csv.split('\r\n')[0]).toContain(t('csv.counts'));
    // The HTML label is defused in the CSV as well: no formula, quoted as text.
    expect(csv.split('\r\n').length).toBe(4);
    await page.getByRole('button', { name: t('verify.run') }).click();
    await page.getByText(t('verify.allOk')).waitFor({ timeout: 20_000 });
    await axe(page, 'outcome');
    await shootBoth(page, 'outcome');
    await go(visitor, '/outcomes');
    await page.getByRole('link', { name: /Top 3/ }).first().waitFor();
    await axe(page, 'outcomes');
    expect(visitor.problems).toEqual([]);
  });

  it('shows the session outcome like the published article: per question, the chosen three with their numbers', async () => {
    const { page } = visitor;
    await go(visitor, `/sessions/${sessionId}/outcome`);
    const firstQuestion = page.locator('.article-question').first();
    await expect.poll(() => firstQuestion.locator('.article-winners > li').count()).toBe(2);
    await firstQuestion.getByText(t('sessionOutcome.share', { n: 2, of: 2 })).waitFor();
    await axe(page, 'session-outcome');
    await shootBoth(page, 'session-outcome');
  });

  it('fills in and sends every other kind of ballot, ranking with the keyboard alone and by dragging', async () => {
    const { page } = member;
    const opts = (labels: string[]) => labels.map((label) => ({ label }));
    // Plurality.
    const plurality = await createOpenRound({ title: 'Welke dag?', method: 'plurality', options: opts(['Maandag', 'Dinsdag', 'Woensdag']) });
    votedRounds.set('plurality', plurality);
    await go(member, `/rounds/${plurality}`);
    await page.getByLabel('Dinsdag').check();
    await reviewAndSend(page);
    // Yes/no with a quorum.
    const yesno = await createOpenRound({ title: 'Afspraak: we stemmen rechtstreeks', method: 'yesno', rules: { quorum: { kind: 'share', numerator: 1, denominator: 2 } } });
    votedRounds.set('yesno', yesno);
    await go(member, `/rounds/${yesno}`);
    await page.getByLabel(t('ballot.yesno.yes'), { exact: true }).check();
    await reviewAndSend(page);
    // Score, with "no opinion" left on one option.
    const score = await createOpenRound({ title: 'Meetlat: transparantie', method: 'score', options: opts(['Platform A', 'Platform B']), rules: { min: 1, max: 5 } });
    votedRounds.set('score', score);
    await go(member, `/rounds/${score}`);
    await page.getByRole('group', { name: 'Platform A' }).getByLabel('4', { exact: true }).check();
    await shoot(page, 'ballot-score');
    await reviewAndSend(page);
    // Cumulative: the budget is shown and cannot be exceeded.
    const cumulative = await createOpenRound({ title: 'Verdeel het budget', method: 'cumulative', options: opts(['Lobby', 'Juridisch advies', 'Events']), rules: { budget: 5 } });
    votedRounds.set('cumulative', cumulative);
    await go(member, `/rounds/${cumulative}`);
    await page.getByLabel('Lobby', { exact: true }).fill('4');
    await page.getByLabel('Events', { exact: true }).fill('9');
    expect(await page.getByLabel('Events', { exact: true }).inputValue()).toBe('1');
    await page.getByText(tn('ballot.cumulative.remaining', 0, { budget: 5 })).waitFor();
    await shoot(page, 'ballot-cumulative');
    await reviewAndSend(page);
    // A sealed round shows turnout only, before and after the member votes.
    const sealed = await createOpenRound({ title: 'Geheime peiling', method: 'plurality', sealed: true, options: opts(['Ja', 'Nee']) });
    await go(member, `/rounds/${sealed}`);
    await page.locator('.tally').getByText(t('tally.sealed')).waitFor();
    await page.getByLabel('Nee', { exact: true }).check();
    await reviewAndSend(page);
    await expect.poll(() => page.locator('.tally .turnout').textContent()).toContain('1');
    expect(await page.locator('.tally .bar-row').count()).toBe(0);
    await shoot(page, 'round-sealed');
    // Ranked (instant runoff), with the keyboard only: add C, then A, then move A up.
    const irv = await createOpenRound({ title: 'Voorzitter', method: 'irv', options: opts(['Anna', 'Bram', 'Cem']) });
    votedRounds.set('irv', irv);
    await go(member, `/rounds/${irv}`);
    const add = (name: string) => page.getByRole('button', { name: `${t('ballot.ranked.add')}: ${name}` });
    await add('Cem').focus();
    await page.keyboard.press('Enter');
    await add('Anna').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: t('ballot.ranked.handle', { option: 'Anna', place: 2 }) }).focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.locator('ol.ranking .rank-label').allTextContents()).toEqual(['Anna', 'Cem']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(t('ballot.ranked.handle', { option: 'Anna', place: 1 }));
    await axe(page, 'ballot-ranked');
    await shootBoth(page, 'ballot-ranked');
    // And by dragging: Bram joins at the bottom and is dragged to the top.
    await add('Bram').click();
    const handle = page.getByRole('button', { name: t('ballot.ranked.handle', { option: 'Bram', place: 3 }) });
    const from = await handle.boundingBox();
    const top = await page.locator('ol.ranking .rank-item').first().boundingBox();
    if (from === null || top === null) throw new Error('the ranking is on screen');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, top.y + 4, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.locator('ol.ranking .rank-label').allTextContents()).toEqual(['Bram', 'Anna', 'Cem']);
    await reviewAndSend(page);
    const board = await api.get<{ board: { ballot: { choice: unknown } }[] }>(`/api/rounds/${irv}/board`, admin.accessToken);
    const info = await roundInfo(irv);
    const id = (label: string) => info.definition.options.find((o) => o.label === label)?.id;
    expect(board.body.board[0]?.ballot.choice).toEqual({ ranking: [id('Bram'), id('Anna'), id('Cem')] });
    expect(member.problems).toEqual([]);
  });

  it('shows the figures behind every method’s outcome: stages, pairwise table, quorum and threshold', async () => {
    const { page } = visitor;
    const opts = (labels: string[]) => labels.map((label) => ({ label }));
    // Voters must be active when a round opens: two more through the API, before the rounds.
    const voters = [third, ...(await Promise.all([0, 1].map((i) => Voter.create(api, admin.accessToken, `rang${i}@stemkring.test`))))];
    const ranked = async (body: Record<string, unknown>, rankings: string[][]) => {
      const id = await createOpenRound(body);
      const info = await roundInfo(id);
      const idOf = (label: string) => info.definition.options.find((o) => o.label === label)?.id ?? label;
      return { id, voters, idOf, rankings };
    };
    const stv = await ranked({ title: 'Bestuur (2 zetels)', method: 'stv', seats: 2, options: opts(['Anna', 'Bram', 'Cem', 'Dewi']) }, [['Anna', 'Bram'], ['Anna', 'Cem'], ['Dewi', 'Cem', 'Bram']]);
    const schulze = await ranked({ title: 'Volgorde van de werkgroepen', method: 'schulze', options: opts(['Lobby', 'Onderzoek', 'Events']) }, [['Lobby', 'Onderzoek'], ['Onderzoek', 'Events', 'Lobby'], ['Lobby', 'Events']]);
    for (const r of [stv, schulze]) {
      const info = await roundInfo(r.id);
      for (const [i, voter] of r.voters.entries()) {
        const res = await voter.cast(info, { ranking: (r.rankings[i] ?? []).map(r.idOf) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
    }
    const all = [...votedRounds.entries(), ['stv', stv.id] as const, ['schulze', schulze.id] as const];
    for (const [, id] of all) {
      expect((await api.post(`/api/rounds/${id}/close`, {}, admin.accessToken)).status).toBe(200);
      expect((await api.post(`/api/rounds/${id}/publish`, {}, admin.accessToken)).status).toBe(200);
    }
    const tables: Record<string, string> = {
      yesno: t('result.yesno.table'),
      irv: t('result.irv.table'),
      stv: t('result.stv.table'),
      schulze: t('result.schulze.table'),
      score: t('result.table.score', { min: 1, max: 5 }),
      cumulative: t('result.table.points'),
      plurality: t('result.table.votes'),
    };
    for (const [method, id] of all) {
      await go(visitor, `/rounds/${id}/outcome`);
      await page.locator('caption', { hasText: tables[method] ?? '' }).first().waitFor();
      if (method !== 'plurality' && method !== 'cumulative') {
        await axe(page, `outcome-${method}`);
        await shootBoth(page, `outcome-${method}`);
      }
    }
    await go(visitor, `/rounds/${votedRounds.get('yesno') ?? ''}/outcome`);
    await page.locator('.verdict', { hasText: t('result.yesno.rejected') }).first().waitFor();
    await go(visitor, `/rounds/${stv.id}/outcome`);
    await expect.poll(() => page.locator('ol.winners .winner-label').allTextContents()).toEqual(['Anna', 'Dewi']);
    await page.getByRole('button', { name: t('verify.run') }).click();
    await page.getByText(t('verify.allOk')).waitFor({ timeout: 20_000 });
    expect(visitor.problems).toEqual([]);
  });

  it('lets a moderator make invites, hide and merge proposals, and read the audit log', async () => {
    const { page } = mod;
    await go(mod, '/moderate');
    await page.getByRole('button', { name: t('moderate.invites.submit') }).click();
    const code = (await page.locator('.codes code').first().textContent()) ?? '';
    expect(code.length).toBeGreaterThan(4);
    // A newcomer with an invite is active at once.
    const newcomerCtx = await browser.newContext({ viewport: PHONE });
    newcomerCtx.setDefaultTimeout(8_000);
    const newcomer = await openPage(newcomerCtx);
    await go(newcomer, `/register?invite=${encodeURIComponent(code)}`);
    expect(await newcomer.page.getByLabel(t('auth.inviteCode')).inputValue()).toBe(code);
    await newcomer.page.getByLabel(t('auth.name')).fill('Nieuwe Deelnemer');
    await newcomer.page.getByLabel(t('auth.email')).fill('nieuw@stemkring.test');
    await newcomer.page.getByLabel(t('auth.password'), { exact: true }).fill('nieuw-wachtwoord-1');
    await newcomer.page.getByRole('button', { name: t('auth.register.submit') }).click();
    await newcomer.page.getByText(t('account.welcome')).waitFor();
    expect(await newcomer.page.getByText(t('member.status.active'), { exact: true }).count()).toBe(1);
    expect(newcomer.problems).toEqual([]);
    await newcomerCtx.close();
    // Hide the HTML proposal with a reason: gone for the public.
    await go(mod, `/sessions/${sessionId}`);
    const card = page.locator('.question').first().locator('.proposal').filter({ has: page.getByRole('heading', { name: XSS_TITLE, exact: true }) });
    await card.getByText(t('proposal.moderate', { title: XSS_TITLE })).click();
    await card.getByLabel(t('proposal.hide.reason')).fill('Geen voorstel maar een test');
    await axe(page, 'session-moderator');
    await shoot(page, 'session-moderator');
    await card.getByRole('button', { name: t('proposal.hide.submit') }).click();
    await page.getByText(t('proposal.hide.done', { title: XSS_TITLE })).waitFor();
    await go(visitor, `/sessions/${sessionId}`);
    expect(await visitor.page.getByText(XSS_TITLE).count()).toBe(0);
    // Merge the third proposal of the second question into the first.
    const detail = await api.get<{ session: { questions: { proposals: { title: string }[] }[] } }>(`/api/sessions/${sessionId}`);
    const [keep, , dup] = detail.body.session.questions[1]?.proposals ?? [];
    if (keep === undefined || dup === undefined) throw new Error('the demo question has three proposals');
    await go(mod, `/sessions/${sessionId}`);
    const dupCard = page.locator('.question').nth(1).locator('.proposal').filter({ has: page.getByRole('heading', { name: dup.title, exact: true }) });
    await dupCard.getByText(t('proposal.moderate', { title: dup.title })).click();
    await dupCard.getByLabel(t('proposal.merge.into')).selectOption({ label: keep.title });
    await dupCard.getByRole('button', { name: t('proposal.merge.submit') }).click();
    await page.getByText(t('proposal.merge.done', { title: dup.title })).waitFor();
    await go(visitor, `/sessions/${sessionId}`);
    await visitor.page.getByText(tn('proposal.mergedFrom', 1, { titles: `“${dup.title}”` })).waitFor();
    // Everyone, with their state.
    await go(mod, '/moderate/members');
    await page.getByText(`${MEMBER.name} · ${MEMBER.email}`).waitFor();
    await axe(page, 'members');
    // The audit log has all of it.
    await go(mod, '/moderate/audit');
    for (const key of ['audit.action.proposalMerge', 'audit.action.proposalHide', 'audit.action.roundPublish', 'audit.action.memberApprove'] as const) {
      await page.locator('.audit').getByText(t(key), { exact: true }).first().waitFor();
    }
    await axe(page, 'audit');
    await shootBoth(page, 'audit');
    expect(mod.problems).toEqual([]);
  });

  it('saves the device key to a recovery file and restores it on a second device', async () => {
    const { page } = member;
    await go(member, '/account');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: t('key.export') }).click();
    const file = await (await download).path();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind: string; publicKey: string };
    expect(saved.kind).toBe('stemkring-device-key');
    const secondCtx = await browser.newContext({ viewport: PHONE });
    secondCtx.setDefaultTimeout(8_000);
    const second = await openPage(secondCtx);
    await go(second, '/login');
    await second.page.getByLabel(t('auth.email')).fill(MEMBER.email);
    await second.page.getByLabel(t('auth.password')).fill(MEMBER.password);
    await second.page.getByRole('button', { name: t('auth.login.submit') }).click();
    await second.page.getByText(t('key.elsewhere')).waitFor();
    await second.page.getByText(t('key.import.summary')).click();
    await second.page.getByLabel(t('key.import.label')).setInputFiles(file);
    await second.page.getByText(t('key.imported')).waitFor();
    await second.page.getByText(t('key.ready')).waitFor();
    expect(await second.page.locator('code.key').textContent()).toBe(saved.publicKey);
    expect(second.problems).toEqual([]);
    await secondCtx.close();
  });

  it('lets a moderator create a session and add a question', async () => {
    const { page } = mod;
    await go(mod, '/moderate');
    await page.getByLabel(t('moderate.session.title')).fill('Jouw Stem: flexwerk');
    await page.getByLabel(t('moderate.session.date')).fill('2026-12-01');
    await page.getByLabel(t('moderate.session.description')).fill('Een korte peiling.\n\nTweede alinea.');
    await page.getByRole('button', { name: t('moderate.session.submit') }).click();
    await page.getByText(t('moderate.session.made')).waitFor();
    await page.getByRole('heading', { name: 'Jouw Stem: flexwerk', level: 1 }).waitFor();
    await page.locator('summary', { hasText: t('session.addQuestion.title') }).click();
    await page.getByLabel(t('session.addQuestion.text')).fill('Wat moet er anders aan flexwerk?');
    await page.getByRole('button', { name: t('session.addQuestion.submit') }).click();
    await page.getByText(t('session.addQuestion.done')).waitFor();
    await page.getByRole('heading', { name: /Wat moet er anders aan flexwerk\?/ }).waitFor();
    expect(mod.problems).toEqual([]);
  });

  it('switches to English and remembers it', async () => {
    const { page } = member;
    await go(member, '/');
    await page.getByRole('button', { name: t('lang.switchTo', { language: 'English' }, 'en') }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(t('home.title', undefined, 'en'));
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(t('home.title', undefined, 'en'));
    await shoot(page, 'home-english');
    await page.getByRole('button', { name: t('lang.switchTo', { language: 'Nederlands' }, 'nl') }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(t('home.title'));
  });
});

describe.skipIf(!present)('an expired access token in the browser', { timeout: 60_000 }, () => {
  let app: RunningApp;
  let dir: string;
  let b: Browser;

  beforeAll(async () => {
    dir = buildClient();
    app = await startApp(dir, { accessTokenTtlSeconds: 2 });
    b = await launch();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await app?.stop();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is refreshed once, quietly, and the page loads as if nothing happened', async () => {
    const ctx = await b.newContext({ viewport: PHONE });
    ctx.setDefaultTimeout(8_000);
    const w = await openPage(ctx);
    await w.page.goto(`${app.url}/login`);
    await w.page.getByLabel(t('auth.email')).fill(ADMIN.email);
    await w.page.getByLabel(t('auth.password')).fill(ADMIN.password);
    await w.page.getByRole('button', { name: t('auth.login.submit') }).click();
    await w.page.getByRole('heading', { name: t('account.title') }).waitFor();
    const stored = () => w.page.evaluate(() => JSON.parse(localStorage.getItem('stemkring.auth') ?? '{}') as { accessToken?: string; refreshToken?: string });
    const before = await stored();
    await w.page.waitForTimeout(2_500);
    await w.page.getByRole('link', { name: t('nav.moderate') }).click();
    await w.page.getByRole('heading', { name: t('moderate.title'), level: 1 }).waitFor();
    const after = await stored();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(w.problems).toEqual([]);
    await ctx.close();
  });
});
