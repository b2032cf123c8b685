/**
 * How a browser test stands on its own. A test file shares only what no test
 * changes: the built client, one server, one Chromium. Each test gets a scene:
 * its own browser contexts, its own members, sessions and rounds made through
 * the API, closed when the test ends, so one failure is one failure and never
 * the next test's. When a test fails, every page it had open is photographed
 * and every context's trace saved under test-artifacts/failed/, to be read
 * with `npx playwright-core show-trace` (or trace.playwright.dev).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { t } from '../../client/core/i18n';
import { ApiClient, type LoginBody, type MemberBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';
import { writeAxeReport } from './checks';
import { ADMIN, ARTIFACTS, buildClient, launch, openPage, startApp, type RunningApp, type Watched } from './harness';

/**
 * How long a test waits for a state (an element, a URL, a value) before it
 * gives up. Generous, because the tests must pass on two cores with a load
 * average of 10; a state that never comes still fails, only later.
 */
export const WAIT = 60_000;
/** The same for expect.poll, whose own default (one second) is far too short under load. */
export const POLL = { timeout: WAIT, interval: 100 } as const;
/** A whole test: its set-up through the API, the browser work and the checks. */
export const TEST_TIMEOUT = 300_000;

/** What a test file shares: nothing a test changes. */
export class Stage {
  private parts: { server: RunningApp; clientDir: string; api: ApiClient; admin: LoginBody; browser: Browser } | undefined;

  constructor(
    /** Names the file's artifacts. */
    readonly name: string,
    private readonly options: { accessTokenTtlSeconds?: number } = {},
  ) {}

  async start(): Promise<void> {
    const clientDir = buildClient();
    const server = await startApp(clientDir, this.options);
    const api = new ApiClient(server.url);
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const browser = await launch();
    this.parts = { server, clientDir, api, admin, browser };
  }

  async stop(): Promise<void> {
    writeAxeReport(this.name);
    const parts = this.parts;
    this.parts = undefined;
    if (parts === undefined) return;
    await parts.browser.close();
    await parts.server.stop();
    fs.rmSync(parts.clientDir, { recursive: true, force: true });
  }

  private get started(): NonNullable<Stage['parts']> {
    if (this.parts === undefined) throw new Error('the stage has not started');
    return this.parts;
  }
  get url(): string {
    return this.started.server.url;
  }
  get api(): ApiClient {
    return this.started.api;
  }
  /** The bootstrap admin's tokens, for set-up through the API. */
  get admin(): LoginBody {
    return this.started.admin;
  }
  get browser(): Browser {
    return this.started.browser;
  }
}

/** Someone with an account, as the browser signs in with it. */
export interface Person {
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly member: MemberBody;
}

interface Opened {
  readonly name: string;
  readonly context: BrowserContext;
  readonly watched: Watched;
}

let serial = 0;

/** One test's world. Everything it makes has a name no other test uses. */
export class Scene {
  private readonly opened: Opened[] = [];
  private readonly tag = randomUUID().slice(0, 8);

  constructor(
    readonly stage: Stage,
    /** The test's name, for its artifacts. */
    readonly title: string,
  ) {}

  get api(): ApiClient {
    return this.stage.api;
  }
  get adminToken(): string {
    return this.stage.admin.accessToken;
  }

  /** A name no other test in this run has: `prefix-<n>-<random>`. */
  unique(prefix: string): string {
    serial += 1;
    return `${prefix}-${serial}-${this.tag}`;
  }

  /** A fresh browser (context) with one page, traced so that a failure can be read afterwards. */
  async open(name: string, options: BrowserContextOptions = {}): Promise<Watched> {
    const context = await this.stage.browser.newContext({ acceptDownloads: true, ...options });
    context.setDefaultTimeout(WAIT);
    context.setDefaultNavigationTimeout(WAIT);
    await context.tracing.start({ name, title: `${this.title} — ${name}`, snapshots: true, screenshots: false });
    const watched = await openPage(context);
    this.opened.push({ name, context, watched });
    return watched;
  }

  /** Goes to a page of the app and waits until the view has drawn its heading. */
  async go(w: Watched, pathname: string): Promise<void> {
    await w.page.goto(this.stage.url + pathname);
    await w.page.locator('main h1').first().waitFor();
  }

  /** Signs in through the login form and waits for the account page. */
  async signIn(w: Watched, who: { email: string; password: string }): Promise<void> {
    await this.go(w, '/login');
    await w.page.getByLabel(t('auth.email')).fill(who.email);
    await w.page.getByLabel(t('auth.password')).fill(who.password);
    await w.page.getByRole('button', { name: t('auth.login.submit') }).click();
    await w.page.waitForURL('**/account');
    await w.page.getByRole('heading', { name: t('account.title'), level: 1 }).waitFor();
  }

  /** Registers through the API; pending until a moderator approves. */
  async pendingMember(name: string): Promise<Person> {
    const email = `${this.unique('lid')}@stemkring.test`;
    const password = `${this.tag}-wachtwoord-1`;
    const reg = await this.api.post<{ member: MemberBody }>('/api/auth/register', { email, name, password });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    return { name, email, password, member: reg.body.member };
  }

  /** Registers and approves through the API: an active member with no device key yet. */
  async activeMember(name: string): Promise<Person> {
    const person = await this.pendingMember(name);
    const ok = await this.api.post(`/api/members/${person.member.id}/approve`, undefined, this.adminToken);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    return person;
  }

  /** An active member with a device key, voting through the API as the browser would. */
  voter(): Promise<Voter> {
    return Voter.create(this.api, this.adminToken, `${this.unique('kiezer')}@stemkring.test`);
  }

  /** A session of its own with questions, and proposals by the given author (any active member's token). */
  async session(title: string, questions: { text: string; proposals: { title: string; body?: string }[] }[], authorToken: string): Promise<{ id: string; questions: { id: string; proposals: string[] }[] }> {
    const made = await this.api.post<{ session: { id: string } }>('/api/sessions', { title: `${title} (${this.tag})` }, this.adminToken);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const out: { id: string; proposals: string[] }[] = [];
    for (const q of questions) {
      const question = await this.api.post<{ question: { id: string } }>(`/api/sessions/${made.body.session.id}/questions`, { text: q.text }, this.adminToken);
      expect(question.status, JSON.stringify(question.body)).toBe(201);
      const proposals: string[] = [];
      for (const p of q.proposals) {
        const proposal = await this.api.post<{ proposal: { id: string } }>(`/api/questions/${question.body.question.id}/proposals`, p, authorToken);
        expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
        proposals.push(proposal.body.proposal.id);
      }
      out.push({ id: question.body.question.id, proposals });
    }
    return { id: made.body.session.id, questions: out };
  }

  /** Creates a round through the API and opens it; the electorate is whoever is active now. */
  async openRound(body: Record<string, unknown>): Promise<string> {
    const created = await this.api.post<{ round: { id: string } }>('/api/rounds', body, this.adminToken);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const opened = await this.api.post(`/api/rounds/${created.body.round.id}/open`, {}, this.adminToken);
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    return created.body.round.id;
  }

  async closeAndPublish(id: string): Promise<void> {
    const closed = await this.api.post(`/api/rounds/${id}/close`, {}, this.adminToken);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const published = await this.api.post(`/api/rounds/${id}/publish`, {}, this.adminToken);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
  }

  async roundInfo(id: string): Promise<RoundInfo> {
    const res = await this.api.get<RoundInfo>(`/api/rounds/${id}`, this.adminToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  /** Closes every context; after a failure, first keeps what shows what went wrong. */
  async finish(failed: boolean): Promise<void> {
    const opened = this.opened.splice(0);
    if (failed) await this.keepEvidence(opened);
    await Promise.all(opened.map((o) => o.context.close().catch(() => undefined)));
  }

  private async keepEvidence(opened: Opened[]): Promise<void> {
    const dir = path.join(ARTIFACTS, 'failed', this.stage.name, this.title.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 80).replace(/^-|-$/g, ''));
    fs.mkdirSync(dir, { recursive: true });
    const notes: string[] = [];
    for (const o of opened) {
      const { page, problems } = o.watched;
      notes.push(`${o.name}: ${page.isClosed() ? '(closed)' : page.url()}`, ...problems.map((p) => `  ${p}`));
      // Each step is bounded: evidence of a stuck page must not hang the run.
      if (!page.isClosed()) await page.screenshot({ path: path.join(dir, `${o.name}.png`), fullPage: true, timeout: 20_000 }).catch((e: unknown) => notes.push(`  screenshot failed: ${String(e)}`));
      await o.context.tracing.stop({ path: path.join(dir, `${o.name}-trace.zip`) }).catch((e: unknown) => notes.push(`  trace failed: ${String(e)}`));
    }
    fs.writeFileSync(path.join(dir, 'pages.txt'), `${notes.join('\n')}\n`);
  }
}

/** Starts the file's stage before its tests and stops it after them. */
export function useStage(name: string, options: { accessTokenTtlSeconds?: number } = {}): Stage {
  const stage = new Stage(name, options);
  beforeAll(() => stage.start(), 180_000);
  afterAll(() => stage.stop(), 60_000);
  return stage;
}

/** A fresh scene for each test; afterwards its contexts are closed, and kept as evidence if it failed. */
export function useScene(stage: Stage): () => Scene {
  let current: Scene | undefined;
  beforeEach((ctx) => {
    current = new Scene(stage, ctx.task.name);
  });
  afterEach(async (ctx) => {
    const scene = current;
    current = undefined;
    await scene?.finish(ctx.task.result?.state === 'fail');
  }, 120_000);
  return () => {
    if (current === undefined) throw new Error('no scene outside a test');
    return current;
  };
}

/** Signs, sends whatever the ballot on the page holds, and waits for the receipt. */
export async function reviewAndSend(w: Watched): Promise<void> {
  const { page } = w;
  await page.getByRole('button', { name: t('vote.review') }).click();
  await page.getByRole('heading', { name: t('review.title') }).waitFor();
  await page.getByRole('button', { name: t('review.send') }).click();
  await page.getByRole('heading', { name: t('done.title') }).waitFor();
}

/** Makes this browser's device key on the account page. */
export async function makeKey(scene: Scene, w: Watched): Promise<void> {
  await scene.go(w, '/account');
  await w.page.getByRole('button', { name: t('key.create') }).click();
  await w.page.getByText(t('key.created')).waitFor();
}
