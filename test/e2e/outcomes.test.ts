/**
 * Outcomes in a real browser: a moderator closes and publishes a round; the
 * public outcome page shows the winners, its bundle downloads and verifies
 * offline and in the browser, the CSV is defused; the session outcome reads
 * like the published article; and every method's outcome shows the figures
 * behind it. Each test makes its own members, sessions and rounds through the
 * API and uses its own browsers.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { t, tn } from '../../client/core/i18n';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { verifyBundle } from '../../shared/protocol/verify';
import type { Voter } from '../helpers/voter';
import { axe, shootBoth } from './checks';
import { ADMIN, chromiumPresent, DESKTOP } from './harness';
import { POLL, TEST_TIMEOUT, useScene, useStage, type Scene } from './scene';
import { castAs } from './cast';
import { questionRound, type QuestionRound } from './setups';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

const opts = (labels: string[]) => labels.map((label) => ({ label }));

/** The question's round with two ballots, the first approving the first two options and the second the first. */
async function votedQuestionRound(s: Scene): Promise<QuestionRound> {
  const [a, b] = [await s.voter(), await s.voter()] as [Voter, Voter];
  const round = await questionRound(s, a.login.accessToken);
  const info = await s.roundInfo(round.roundId);
  const [first, second] = info.definition.options;
  expect((await castAs(a, info, { approve: [first?.id, second?.id] })).status).toBe(201);
  expect((await castAs(b, info, { approve: [first?.id] })).status).toBe(201);
  return round;
}

describe.skipIf(!present)('outcomes in Chromium', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('outcomes');
  const scene = useScene(stage);

  it('lets the moderator close and publish the round', async () => {
    const s = scene();
    const round = await votedQuestionRound(s);
    const mod = await s.open('moderator', { viewport: DESKTOP });
    const { page } = mod;
    await s.signIn(mod, ADMIN);
    await s.go(mod, `/rounds/${round.roundId}`);
    await page.getByRole('button', { name: t('moderate.round.close') }).click();
    await page.getByText(t('moderate.round.closed')).first().waitFor();
    await page.getByRole('button', { name: t('moderate.round.publish') }).click();
    await page.getByText(t('moderate.round.published')).first().waitFor();
    expect((await s.roundInfo(round.roundId)).round.status).toBe('published');
    expect(mod.problems).toEqual([]);
  });

  it('shows the outcome publicly; the bundle downloads, verifies offline and in the browser', async () => {
    const s = scene();
    const round = await votedQuestionRound(s);
    await s.closeAndPublish(round.roundId);
    const visitor = await s.open('visitor', { viewport: DESKTOP });
    const { page } = visitor;
    await s.go(visitor, `/rounds/${round.roundId}/outcome`);
    const info = await s.roundInfo(round.roundId);
    const [a, b] = info.definition.options;
    const winners = page.locator('ol.winners li .winner-label');
    await expect.poll(() => winners.allTextContents(), POLL).toEqual([a?.label, b?.label]);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: t('outcome.download.bundle') }).click();
    const file = await (await download).path();
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    // Secret by default: a protocol-2 bundle, verified by the same command as ever.
    expect((bundle as { protocol?: unknown }).protocol).toBe(2);
    const report = verifyBundle(bundle, nodeCrypto);
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: t('outcome.download.csv') }).click();
    const csv = fs.readFileSync(await (await csvDownload).path(), 'utf8');
    expect(csv.split('\r\n')[0]).toContain(t('csv.counts'));
    // No voter column in a secret round: the round key stands in.
    expect(csv.split('\r\n')[0]).toContain(t('csv.roundKey'));
    await page.locator('main .badge.secret', { hasText: t('secret.badge.secret') }).first().waitFor();
    await page.getByText(tn('outcome.issued', 2)).waitFor();
    // The HTML label is defused in the CSV as well: no formula, quoted as text.
    expect(csv.split('\r\n').length).toBe(4);
    await page.getByRole('button', { name: t('verify.run') }).click();
    await page.getByText(t('verify.allOk')).waitFor();
    await axe(page, 'outcome');
    await shootBoth(page, 'outcome');
    await s.go(visitor, '/outcomes');
    await page.locator(`main a[href="/rounds/${round.roundId}/outcome"]`).filter({ hasText: /Top 3/ }).waitFor();
    await axe(page, 'outcomes');
    expect(visitor.problems).toEqual([]);
  });

  it('shows the session outcome like the published article: per question, the chosen three with their numbers', async () => {
    const s = scene();
    const round = await votedQuestionRound(s);
    await s.closeAndPublish(round.roundId);
    const visitor = await s.open('visitor', { viewport: DESKTOP });
    const { page } = visitor;
    await s.go(visitor, `/sessions/${round.sessionId}/outcome`);
    const firstQuestion = page.locator('.article-question').first();
    await expect.poll(() => firstQuestion.locator('.article-winners > li').count(), POLL).toBe(2);
    await firstQuestion.getByText(t('sessionOutcome.share', { n: 2, of: 2 })).waitFor();
    await axe(page, 'session-outcome');
    await shootBoth(page, 'session-outcome');
    expect(visitor.problems).toEqual([]);
  });

  it('shows the figures behind every method’s outcome: stages, pairwise table, quorum and threshold', async () => {
    const s = scene();
    // Voters must be active when a round opens.
    const voters = [await s.voter(), await s.voter(), await s.voter()] as const;
    const [first] = voters;
    const idOf = async (id: string) => {
      const info = await s.roundInfo(id);
      return { info, idOf: (label: string) => info.definition.options.find((o) => o.label === label)?.id ?? label };
    };
    // One ballot in each of these, as a member fills them in (see voting.test.ts).
    const single = {
      plurality: { round: { title: 'Welke dag?', method: 'plurality', options: opts(['Maandag', 'Dinsdag', 'Woensdag']) }, choice: (o: (l: string) => string) => ({ pick: o('Dinsdag') }) },
      yesno: { round: { title: 'Afspraak: we stemmen rechtstreeks', method: 'yesno', rules: { quorum: { kind: 'share', numerator: 1, denominator: 2 } } }, choice: () => ({ answer: 'yes' }) },
      score: { round: { title: 'Meetlat: transparantie', method: 'score', options: opts(['Platform A', 'Platform B']), rules: { min: 1, max: 5 } }, choice: (o: (l: string) => string) => ({ scores: { [o('Platform A')]: 4 } }) },
      cumulative: { round: { title: 'Verdeel het budget', method: 'cumulative', options: opts(['Lobby', 'Juridisch advies', 'Events']), rules: { budget: 5 } }, choice: (o: (l: string) => string) => ({ points: { [o('Lobby')]: 4, [o('Events')]: 1 } }) },
      irv: { round: { title: 'Voorzitter', method: 'irv', options: opts(['Anna', 'Bram', 'Cem']) }, choice: (o: (l: string) => string) => ({ ranking: [o('Bram'), o('Anna'), o('Cem')] }) },
    } as const;
    const all: [string, string][] = [];
    for (const [method, { round, choice }] of Object.entries(single)) {
      const id = await s.openRound(round);
      const { info, idOf: o } = await idOf(id);
      const res = await castAs(first, info, choice(o));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      all.push([method, id]);
    }
    const ranked: [string, Record<string, unknown>, string[][]][] = [
      ['stv', { title: 'Bestuur (2 zetels)', method: 'stv', seats: 2, options: opts(['Anna', 'Bram', 'Cem', 'Dewi']) }, [['Anna', 'Bram'], ['Anna', 'Cem'], ['Dewi', 'Cem', 'Bram']]],
      ['schulze', { title: 'Volgorde van de werkgroepen', method: 'schulze', options: opts(['Lobby', 'Onderzoek', 'Events']) }, [['Lobby', 'Onderzoek'], ['Onderzoek', 'Events', 'Lobby'], ['Lobby', 'Events']]],
    ];
    for (const [method, body, rankings] of ranked) {
      const id = await s.openRound(body);
      const { info, idOf: o } = await idOf(id);
      for (const [i, voter] of voters.entries()) {
        const res = await castAs(voter, info, { ranking: (rankings[i] ?? []).map(o) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      all.push([method, id]);
    }
    for (const [, id] of all) await s.closeAndPublish(id);
    const tables: Record<string, string> = {
      yesno: t('result.yesno.table'),
      irv: t('result.irv.table'),
      stv: t('result.stv.table'),
      schulze: t('result.schulze.table'),
      score: t('result.table.score', { min: 1, max: 5 }),
      cumulative: t('result.table.points'),
      plurality: t('result.table.votes'),
    };
    const visitor = await s.open('visitor', { viewport: DESKTOP });
    const { page } = visitor;
    for (const [method, id] of all) {
      await s.go(visitor, `/rounds/${id}/outcome`);
      await page.locator('caption', { hasText: tables[method] ?? '' }).first().waitFor();
      if (method !== 'plurality' && method !== 'cumulative') {
        await axe(page, `outcome-${method}`);
        await shootBoth(page, `outcome-${method}`);
      }
    }
    const byMethod = new Map(all);
    await s.go(visitor, `/rounds/${byMethod.get('yesno') ?? ''}/outcome`);
    await page.locator('.verdict', { hasText: t('result.yesno.rejected') }).first().waitFor();
    await s.go(visitor, `/rounds/${byMethod.get('stv') ?? ''}/outcome`);
    await expect.poll(() => page.locator('ol.winners .winner-label').allTextContents(), POLL).toEqual(['Anna', 'Dewi']);
    await page.getByRole('button', { name: t('verify.run') }).click();
    await page.getByText(t('verify.allOk')).waitFor();
    expect(visitor.problems).toEqual([]);
  });
});
