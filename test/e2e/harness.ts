/**
 * What the browser tests stand on: the client built into a temporary folder
 * (never dist/, which other tests may be running from), the real app on
 * port 0 with a fresh data folder serving it, and Debian's Chromium driven by
 * playwright-core (never a downloaded browser).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type App } from '../../server/app';
import { testConfig } from '../helpers/app';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const ADMIN = { email: 'moderator@stemkring.test', password: 'moderator-password-1' };

export const PHONE = { width: 360, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

export function chromiumPresent(): boolean {
  return fs.existsSync(CHROMIUM);
}

/** Builds the client with the project's own build script into a fresh folder. */
export function buildClient(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-client-'));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--client-out', out], { cwd: ROOT, stdio: 'pipe' });
  return out;
}

export interface RunningApp {
  readonly app: App;
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startApp(clientDir: string, options: { accessTokenTtlSeconds?: number } = {}): Promise<RunningApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-e2e-'));
  const config = testConfig(dataDir, { bootstrapAdmin: ADMIN, clientDir, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 15 * 60 });
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) });
  const url = await app.start();
  return {
    app,
    url,
    dataDir,
    stop: async () => {
      await app.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export interface Watched {
  readonly page: Page;
  /** Script errors, CSP violations and dialogs seen on the page. */
  readonly problems: string[];
}

/** A page that records console errors, page errors, CSP reports and dialogs (none should ever happen). */
export async function openPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // An API answer the page handles (409 email taken, …) is logged by Chromium too; that is not a problem.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
