/**
 * Secret rounds in a real browser (issue 15): the credential is fetched when
 * the member opens the round, before any vote and signed in; the ballot goes
 * without the access token, names a round key no member registered, and its
 * receipt is shown and checked. A second device of the same member is told
 * which device or recovery file to use, and once it loads that file, says
 * honestly that it cannot show a vote cast elsewhere. A moderator can still
 * make a named round, and its page says so.
 *
 * These need the server side of issue 15 (the credential route, secret
 * rounds by default, ballots without a token): they cannot pass against a
 * server without it.
 */
import type { Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { t } from '../../client/core/i18n';
import { castAs, issuerOf } from './cast';
import { axe, shoot, shootBoth } from './checks';
import { ADMIN, chromiumPresent, DESKTOP } from './harness';
import { makeKey, reviewAndSend, TEST_TIMEOUT, useScene, useStage } from './scene';
import { memberOnPhone, questionRound } from './setups';

const present = chromiumPresent();
if (!present) console.warn('Browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

const described = (req: Request) => `${req.method()} ${new URL(req.url()).pathname}`;

describe.skipIf(!present)('secret rounds in Chromium', { timeout: TEST_TIMEOUT }, () => {
  const stage = useStage('secret');
  const scene = useScene(stage);

  it('fetches the credential when the round opens, sends the ballot without a token, and checks the receipt', async () => {
    const s = scene();
    const { w: member, token } = await memberOnPhone(s, 'Geheimhouder');
    // A key on this device already: the credential is asked for as the page opens, with no click at all.
    await makeKey(s, member);
    const other = await s.voter();
    const round = await questionRound(s, token);
    const info = await s.roundInfo(round.roundId);
    expect(issuerOf(info), 'rounds are secret by default').toBeDefined();
    const credentialRoute = `POST /api/rounds/${round.roundId}/credential`;
    const ballotRoute = `POST /api/rounds/${round.roundId}/ballots`;
    const { page } = member;
    const sent: string[] = [];
    page.on('request', (req) => sent.push(described(req)));

    const credentialAnswer = page.waitForResponse((res) => described(res.request()) === credentialRoute);
    await s.go(member, `/rounds/${round.roundId}`);
    const answered = await credentialAnswer;
    expect(answered.status()).toBe(200);
    // Asked signed in (one credential per member), and before any ballot.
    expect((await answered.request().allHeaders())['authorization']).toMatch(/^Bearer /);
    await page.getByRole('group', { name: t('ballot.approval.legend') }).waitFor();
    expect(sent.filter((r) => r === ballotRoute)).toEqual([]);

    // The page says what kind of round this is, what it promises, and the member's pseudonym.
    await page.locator('main .badge.secret', { hasText: t('secret.badge.secret') }).first().waitFor();
    await page.getByText(t('secret.promise.secret')).waitFor();
    const view = await s.api.get<{ round: { revote: boolean }; me: { voter: string } }>(`/api/rounds/${round.roundId}`, token);
    await page.getByText(t('secret.pseudonym', { voter: view.body.me.voter })).waitFor();
    await axe(page, 'round-secret');
    await shootBoth(page, 'round-secret');

    const boxes = page.getByRole('checkbox');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    const ballotRequest = page.waitForRequest((req) => described(req) === ballotRoute);
    await reviewAndSend(member);
    const ballot = await ballotRequest;
    // No token: nothing on the ballot's request names the member.
    expect((await ballot.allHeaders())['authorization']).toBeUndefined();
    const body = JSON.parse(ballot.postData() ?? '{}') as { ballot: { key: string; credential?: string } };
    expect(typeof body.ballot.credential).toBe('string');
    const me = await s.api.get<{ keys: { publicKey: string }[] }>('/api/me', token);
    expect(me.body.keys.map((k) => k.publicKey)).not.toContain(body.ballot.key);
    expect(sent.indexOf(credentialRoute)).toBeLessThan(sent.indexOf(ballotRoute));
    await page.getByText(t('done.received', { seq: 1 })).waitFor();
    await shoot(page, 'receipt-secret');

    // Another ballot after this one, so the check proves inclusion in a board that has grown.
    expect((await castAs(other, info, { approve: [info.definition.options[0]?.id ?? ''] })).status).toBe(201);
    // Opening the round again asks the server nothing: the credential is kept on this device, and the vote is known here.
    await s.go(member, `/rounds/${round.roundId}`);
    await page.getByText(view.body.round.revote ? t('vote.votedHereRevote') : t('vote.votedHere')).first().waitFor();
    expect(sent.filter((r) => r === credentialRoute)).toHaveLength(1);

    await page.getByRole('link', { name: t('check.action') }).first().click();
    await page.getByText(t('check.verdict.ok')).waitFor();
    expect(await page.locator('.checks li.failed').count()).toBe(0);
    await axe(page, 'check-secret');
    expect(member.problems).toEqual([]);
  });

  it('tells a second device which key to use, and after its recovery file is loaded cannot show the vote cast elsewhere', async () => {
    const s = scene();
    const { person, w: first, token } = await memberOnPhone(s, 'Tweetoestel');
    const round = await questionRound(s, token);
    await s.go(first, `/rounds/${round.roundId}`);
    await first.page.getByRole('button', { name: t('key.create') }).click();
    await first.page.getByRole('group', { name: t('ballot.approval.legend') }).waitFor();
    await first.page.getByRole('checkbox').nth(0).check();
    await reviewAndSend(first);
    await s.go(first, '/account');
    const download = first.page.waitForEvent('download');
    await first.page.getByRole('button', { name: t('key.export') }).click();
    const recoveryFile = await (await download).path();

    const second = await s.open('second-device', { viewport: DESKTOP });
    await s.signIn(second, person);
    await s.go(second, `/rounds/${round.roundId}`);
    await second.page.getByRole('button', { name: t('key.create') }).click();
    // The server gave this member's credential to the first device's round key: this new key gets none.
    await second.page.getByText(t('credential.problem.already_issued')).waitFor();
    expect(await second.page.getByRole('group', { name: t('ballot.approval.legend') }).count()).toBe(0);
    await axe(second.page, 'credential-elsewhere');
    await shoot(second.page, 'credential-elsewhere');
    await second.page.getByLabel(t('credential.import.label')).setInputFiles(recoveryFile);
    // The same key derives the same request: the same credential, and a booth that cannot know of the first device's vote.
    await second.page.getByText(t('vote.unknownElsewhere')).waitFor();
    await second.page.getByRole('group', { name: t('ballot.approval.legend') }).waitFor();
    expect(first.problems).toEqual([]);
    expect(second.problems).toEqual([]);
  });

  it('lets a moderator make a named round, whose page says so and whose ballot is sent signed in', async () => {
    const s = scene();
    const { w: member } = await memberOnPhone(s, 'Handopsteker');
    await makeKey(s, member);
    const mod = await s.open('moderator', { viewport: DESKTOP });
    await s.signIn(mod, ADMIN);
    await s.go(mod, '/moderate/rounds/new');
    await mod.page.getByLabel(t('moderate.round.fieldTitle')).fill(s.unique('Handopsteken'));
    await mod.page.getByLabel(t('moderate.round.fieldMethod')).selectOption('plurality');
    await mod.page.getByLabel(t('moderate.round.fieldOptions')).fill('Ja\nNee');
    await mod.page.getByLabel(t('moderate.round.fieldSecret')).uncheck();
    await mod.page.getByRole('button', { name: t('moderate.round.create') }).click();
    await mod.page.getByText(t('moderate.round.made')).waitFor();
    const roundId = new URL(mod.page.url()).pathname.split('/')[2] ?? '';
    await mod.page.getByRole('button', { name: t('moderate.round.open') }).click();
    await mod.page.getByText(t('moderate.round.opened')).first().waitFor();
    const info = await s.roundInfo(roundId);
    expect(issuerOf(info)).toBeUndefined();

    const { page } = member;
    const sent: string[] = [];
    page.on('request', (req) => sent.push(described(req)));
    await s.go(member, `/rounds/${roundId}`);
    await page.locator('main .badge.named', { hasText: t('secret.badge.named') }).first().waitFor();
    await page.getByText(t('secret.promise.named')).waitFor();
    await page.getByLabel('Nee', { exact: true }).check();
    const ballotRequest = page.waitForRequest((req) => described(req) === `POST /api/rounds/${roundId}/ballots`);
    await reviewAndSend(member);
    expect((await (await ballotRequest).allHeaders())['authorization']).toMatch(/^Bearer /);
    expect(sent.filter((r) => r.endsWith('/credential'))).toEqual([]);
    expect(member.problems).toEqual([]);
    expect(mod.problems).toEqual([]);
  });
});
