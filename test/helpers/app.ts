import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp, type App } from '../../server/app';
import type { Clock } from '../../server/clock';
import { DEFAULT_RATE_LIMITS, type Config, type RateLimits, type TrustProxy } from '../../server/config';
import { ApiClient } from './client';

export const ADMIN = { email: 'admin@stemkring.test', password: 'admin-password-1' };

export interface TestApp {
  readonly app: App;
  readonly url: string;
  readonly dataDir: string;
  readonly api: ApiClient;
  stop(): Promise<void>;
}

/** A clock the test can move. */
export class TestClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestAppOptions {
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly rateLimits?: Partial<RateLimits>;
  readonly loadDemoData?: boolean;
  /** The demo's rounds voted and published at start (off unless asked: it makes four issuing keys). */
  readonly demoVotes?: boolean;
  /** Defaults to one worker, as on the two-core machines the product runs on. */
  readonly cryptoWorkers?: number;
  readonly trustProxy?: TrustProxy;
  /** The app's logger (silent by default); a test that reads the log lines passes one writing to its own stream. */
  readonly logger?: pino.Logger;
}

export function freshDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-test-'));
}

const TEST_RATE_LIMITS = { ...DEFAULT_RATE_LIMITS, loginPerAddress: 10_000, loginPerAddressAndAccount: 1_000, loginPerAccount: 1_000, registerPerAddress: 10_000 };

/** The configuration tests run the app with: port 0, the test admin, silent logs, generous sign-in limits, no client. */
export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    bootstrapAdmin: ADMIN,
    communityName: 'Testkring',
    loadDemoData: true,
    demoVotes: false,
    logLevel: 'silent',
    accessTokenTtlSeconds: 15 * 60,
    refreshTokenTtlSeconds: 30 * 86_400,
    rateLimits: TEST_RATE_LIMITS,
    trustProxy: false,
    clientDir: path.join(dataDir, 'no-client'),
    // One worker, as on the two-core machines the product runs on.
    cryptoWorkers: 1,
    ...overrides,
  };
}

/** The real app on port 0 against a fresh data folder (or the given one). */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? freshDataDir();
  const config = testConfig(dataDir, {
    loadDemoData: options.loadDemoData ?? true,
    demoVotes: options.demoVotes ?? false,
    rateLimits: { ...TEST_RATE_LIMITS, ...options.rateLimits },
    cryptoWorkers: options.cryptoWorkers ?? 1,
    trustProxy: options.trustProxy ?? false,
  });
  const app = await buildApp(config, { logger: options.logger ?? pino({ level: 'silent' }), ...(options.clock ? { clock: options.clock } : {}) });
  const url = await app.start();
  return { app, url, dataDir, api: new ApiClient(url), stop: () => app.stop() };
}
