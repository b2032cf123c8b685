import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, TestClock, freshDataDir, startTestApp, type TestApp } from '../helpers/app';
import { configFromEnv } from '../../server/config';
import type { ApiClient, ErrorBody, LoginBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';
import { CHOICE_FIELD } from '../../shared/counting/choice';
import { METHODS, type Method } from '../../shared/counting/types';

let t: TestApp;
let admin: LoginBody;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

describe('health and identity', () => {
  it('answers health and the instance identity of protocol.md', async () => {
    const health = await t.api.get<{ status: string }>('/api/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const wk = await t.api.get<{ protocol: number; instance: string; name: string; publicKey: string }>('/.well-known/stemkring.json');
    expect(wk.body).toEqual({ protocol: 1, instance: t.app.instance.id, name: 'Testkring', publicKey: t.app.instance.publicKeyB64 });
    expect(Buffer.from(wk.body.publicKey, 'base64url')).toHaveLength(32);
    expect(wk.body.instance).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('keeps the instance key in the data folder, readable by the owner only', () => {
    const stat = fs.statSync(path.join(t.dataDir, 'instance.json'));
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('sends a Content-Security-Policy without inline script, and a request id', async () => {
    const res = await t.api.get('/api/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await t.api.request('GET', '/api/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
  });
});

describe('errors as api.md says', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    for (const raw of ['{"email":', '{email: 1}', "{'a':1}", '\u0000']) {
      const res = await t.api.request<ErrorBody>('POST', '/api/auth/login', { rawBody: raw });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
    }
  });

  it('answers a body of another type with 415', async () => {
    const res = await t.api.request<ErrorBody>('POST', '/api/auth/login', { rawBody: 'email=a', contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    for (const p of ['/api/nothing', '/api/sessions/x/y/z', '/nothing']) {
      const res = await t.api.get<ErrorBody>(p);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await t.api.request('PATCH', '/api/sessions', { body: {} })).status).toBe(404);
  });

  it('answers oversized bodies with 413', async () => {
    const res = await t.api.post<ErrorBody>('/api/auth/register', { email: 'big@example.org', name: 'x'.repeat(100_000), password: 'long-enough' });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers ids that cannot exist with 404', async () => {
    for (const id of ["'%20OR%201=1--", '..%2F..%2Fetc', 'x'.repeat(65), '%F0%9F%98%80', '%E0%A4%A']) {
      const res = await t.api.get<ErrorBody>(`/api/sessions/${id}`);
      expect([400, 404], id).toContain(res.status);
      expect(res.body.error).toBeDefined();
    }
  });

  it('refuses deeply nested JSON and wrong types without a 500', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const nested = await t.api.request<ErrorBody>('POST', '/api/auth/login', { rawBody: deep });
    expect(nested.status).toBe(400);
    const obj = `{"email":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)},"password":"x"}`;
    expect((await t.api.request('POST', '/api/auth/login', { rawBody: obj })).status).toBe(400);
    for (const body of [null, [], 'text', 42, true, { email: ['a'], password: {} }]) {
      const res = await t.api.request<ErrorBody>('POST', '/api/auth/login', { rawBody: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });

  it('never answers 500 to any JSON a client can send (property)', async () => {
    const routes = [
      ['POST', '/api/auth/register'],
      ['POST', '/api/auth/login'],
      ['POST', '/api/auth/refresh'],
      ['POST', '/api/sessions'],
      ['POST', '/api/me/keys'],
      ['POST', '/api/invites'],
      ['POST', '/api/members/abc/role'],
      ['POST', '/api/proposals/abc/merge'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async ([method, route], body, withToken) => {
        const res = await t.api.request(method, route, { body, ...(withToken ? { token: admin.accessToken } : {}) });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(res.body).toHaveProperty('error.code');
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 500 to any round a moderator can create, nor on its way through open, ballots, close, publish and its reads (property)', async () => {
    const voter = await Voter.create(t.api, admin.accessToken, 'property-voter@example.org');
    const sessions = await t.api.get<{ sessions: { id: string }[] }>('/api/sessions');
    const session = await t.api.get<{ session: { questions: { id: string }[] } }>(`/api/sessions/${sessions.body.sessions[0]?.id ?? ''}`);
    const questionIds = session.body.session.questions.map((q) => q.id);
    const oddIds = ['o1', 'o2', 'o3', 'a', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(64), 'x'.repeat(65), '', 'é'];
    const option = fc.record(
      { id: fc.constantFrom(...oddIds), label: fc.oneof(fc.constant('A'), fc.constant('B'), fc.string({ maxLength: 4 }), fc.constant(' ')) },
      { requiredKeys: ['label'] },
    );
    const fraction = { numerator: fc.integer({ min: -1, max: 3 }), denominator: fc.integer({ min: 0, max: 3 }) };
    const rules = fc.oneof(
      fc.constant({}),
      fc.record({ budget: fc.integer({ min: -1, max: 20 }) }),
      fc.record({ min: fc.integer({ min: -5, max: 5 }), max: fc.integer({ min: -5, max: 10 }) }, { requiredKeys: [] }),
      fc.record({ variant: fc.constantFrom('scottish', 'meek', 'irish') }),
      fc.record({ maxApprovals: fc.integer({ min: 0, max: 5 }) }),
      fc.record(
        {
          quorum: fc.oneof(fc.record({ kind: fc.constant('share'), ...fraction }), fc.record({ kind: fc.constant('absolute'), count: fc.integer({ min: 0, max: 3 }) })),
          threshold: fc.oneof(fc.record({ kind: fc.constant('simple') }), fc.record({ kind: fc.constant('qualified'), ...fraction })),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    /** Rules that fit the method, mostly; any of the odd ones above now and then. */
    const rulesFor = (method: Method) => {
      switch (method) {
        case 'cumulative':
          return fc.record({ budget: fc.integer({ min: 1, max: 20 }) });
        case 'score':
          return fc.constantFrom({}, { min: 0, max: 5 }, { min: -2, max: 2 });
        case 'stv':
          return fc.constantFrom({}, { variant: 'meek' });
        case 'yesno':
          return fc.constantFrom({}, { quorum: { kind: 'absolute', count: 1 } }, { threshold: { kind: 'qualified', numerator: 2, denominator: 3 } });
        case 'approval':
          return fc.constantFrom({}, { maxApprovals: 2 });
        case 'plurality':
        case 'borda':
        case 'irv':
        case 'schulze':
          return fc.constant({});
      }
    };
    const nearValid = fc.constantFrom(...METHODS).chain((method) =>
      fc.record(
        {
          title: fc.oneof({ arbitrary: fc.constant('Ronde'), weight: 4 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }),
          method: fc.oneof({ arbitrary: fc.constant<string>(method), weight: 8 }, { arbitrary: fc.constant('dictator'), weight: 1 }),
          seats: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 }, { arbitrary: fc.constantFrom(-1, 0, 6, 100, 1.5), weight: 1 }),
          rules: fc.oneof({ arbitrary: rulesFor(method), weight: 4 }, { arbitrary: rules, weight: 1 }),
          revote: fc.boolean(),
          sealed: fc.boolean(),
          // Both kinds of round; mostly named, since each secret round's open makes an RSA key (tens to hundreds of ms).
          secret: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
          closesAt: fc.oneof(
            { arbitrary: fc.constantFrom(null, '2099-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'), weight: 4 },
            { arbitrary: fc.constantFrom('2020-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'soon'), weight: 1 },
          ),
          from: fc.oneof(
            { arbitrary: fc.record({ options: fc.array(fc.oneof({ arbitrary: fc.record({ label: fc.constantFrom('A', 'B', 'C') }), weight: 6 }, { arbitrary: option, weight: 1 }), { minLength: 1, maxLength: 5 }) }), weight: 4 },
            { arbitrary: fc.record({ questionId: fc.constantFrom(...questionIds, 'nosuchquestion') }), weight: 2 },
            { arbitrary: fc.record({ questionId: fc.constantFrom(...questionIds), options: fc.array(option, { maxLength: 3 }) }, { requiredKeys: [] }), weight: 1 },
          ),
        },
        { requiredKeys: ['title', 'method', 'from', 'secret'] },
      ).map(({ from, ...rest }) => ({ ...rest, ...from })),
    );
    // What a voter picks, by position among the round's options, turned into each method's choice (or sent as is).
    const ballot = fc.record({ positions: fc.array(fc.nat(6), { maxLength: 5 }), values: fc.array(fc.integer({ min: -3, max: 12 }), { maxLength: 5 }), raw: fc.option(fc.jsonValue({ maxDepth: 2 })) });
    const published = { count: 0 };

    const check = (what: string, res: { status: number; body: unknown }) => {
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
      if (res.status >= 400) expect(res.body, what).toHaveProperty('error.code');
    };
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: nearValid, weight: 4 }, { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 }), ballot, async (body, pick) => {
        const created = await t.api.post<{ round: { id: string } }>('/api/rounds', body, admin.accessToken);
        check('create', created);
        if (created.status !== 201) return;
        const id = created.body.round.id;
        check('open', await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken));
        const info = await t.api.get<RoundInfo & { definition?: { method: Method } }>(`/api/rounds/${id}`, admin.accessToken);
        check('view', info);
        if (info.body.round.status === 'open' && info.body.definition !== undefined) {
          const ids = info.body.definition.options.map((o) => o.id);
          const at = (p: number) => ids[p % Math.max(ids.length, 1)] ?? 'none';
          const field = CHOICE_FIELD[info.body.definition.method];
          const value = (() => {
            switch (field) {
              case 'pick':
                return at(pick.positions[0] ?? 0);
              case 'approve':
              case 'ranking':
                return pick.positions.map(at);
              case 'answer':
                return ['yes', 'no', 'abstain', 'maybe'][(pick.positions[0] ?? 0) % 4];
              case 'scores':
              case 'points':
                return Object.fromEntries(pick.positions.map((p, i) => [at(p), pick.values[i] ?? 0]));
            }
          })();
          check('ballot', await voter.cast(info.body, pick.raw ?? { [field]: value }));
          check('board while open', await t.api.get(`/api/rounds/${id}/board`, voter.login.accessToken));
          check('register', await t.api.get(`/api/rounds/${id}/register`, voter.login.accessToken));
        }
        check('close', await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken));
        check('closed view', await t.api.get(`/api/rounds/${id}`));
        check('closed board', await t.api.get(`/api/rounds/${id}/board`));
        const publish = await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken);
        check('publish', publish);
        if (publish.status === 200) published.count += 1;
        check('published view', await t.api.get(`/api/rounds/${id}`));
        check('published board', await t.api.get(`/api/rounds/${id}/board`));
        check('bundle', await t.api.get(`/api/rounds/${id}/bundle`));
      }),
      { numRuns: 120 },
    );
    // The near-valid bodies do reach the end: the property is not only about refusals.
    expect(published.count).toBeGreaterThan(5);
  });
});

describe('rate limits', () => {
  const wrong = (api: ApiClient, email: string, from: string) =>
    api.request<ErrorBody>('POST', '/api/auth/login', { body: { email, password: 'wrong-password' }, headers: { 'x-forwarded-for': from } });
  const right = (api: ApiClient, email: string, from: string) =>
    api.request<ErrorBody>('POST', '/api/auth/login', { body: { email, password: 'member-password-1' }, headers: { 'x-forwarded-for': from } });

  it('slows a stranger guessing a password without locking the member out', async () => {
    const clock = new TestClock();
    const limited = await startTestApp({
      clock,
      loadDemoData: false,
      cryptoWorkers: 0,
      trustProxy: ['loopback'],
      rateLimits: { loginPerAddressAndAccount: 3, loginPerAccount: 8, loginPerAddress: 50 },
    });
    try {
      const boss = await limited.api.login(ADMIN.email, ADMIN.password);
      await limited.api.activeMember(boss.accessToken, 'victim@example.org');
      // Eleven wrong passwords from one address: the first three are refused as wrong, the rest wait.
      const answers = [];
      for (let i = 0; i < 11; i++) answers.push((await wrong(limited.api, 'victim@example.org', '203.0.113.66')).status);
      expect(answers).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429, 429]);
      const blocked = await wrong(limited.api, 'victim@example.org', '203.0.113.66');
      expect(blocked.body.error.code).toBe('too_many_requests');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // The member, from their own address, signs in with the right password, again and again: successes do not count.
      for (let i = 0; i < 5; i++) expect((await right(limited.api, 'victim@example.org', '198.51.100.7')).status).toBe(200);
      // The member's own slip is a wrong password like any other; their next success clears their address's count.
      expect((await wrong(limited.api, 'victim@example.org', '198.51.100.7')).status).toBe(401);
      expect((await right(limited.api, 'victim@example.org', '198.51.100.7')).status).toBe(200);

      // Guesses from many addresses meet the account's ceiling (8 wrong passwords in all): then everyone waits.
      for (let i = 1; i <= 4; i++) expect((await wrong(limited.api, 'victim@example.org', `203.0.113.${i}`)).status).toBe(401);
      const ceiling = await right(limited.api, 'victim@example.org', '198.51.100.7');
      expect(ceiling.status).toBe(429);
      // Other accounts are not touched.
      expect((await limited.api.post('/api/auth/login', ADMIN)).status).toBe(200);

      clock.advance(16 * 60 * 1000);
      expect((await right(limited.api, 'victim@example.org', '198.51.100.7')).status).toBe(200);
      expect((await wrong(limited.api, 'victim@example.org', '203.0.113.66')).status).toBe(401);
    } finally {
      await limited.stop();
    }
  });

  it('limits sign-in and registration per address with 429 and Retry-After', async () => {
    const clock = new TestClock();
    const limited = await startTestApp({ clock, loadDemoData: false, cryptoWorkers: 0, rateLimits: { loginPerAddress: 5, registerPerAddress: 2 } });
    try {
      const attempt = (email: string) => limited.api.post<ErrorBody>('/api/auth/login', { email, password: 'wrong-password' });
      for (let i = 0; i < 5; i++) expect((await attempt(`someone${i}@example.org`)).status).toBe(401);
      const blocked = await attempt('other@example.org');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);

      for (let i = 0; i < 2; i++) {
        expect((await limited.api.post('/api/auth/register', { email: `r${i}@example.org`, name: 'R', password: 'long-enough' })).status).toBe(201);
      }
      expect((await limited.api.post('/api/auth/register', { email: 'r9@example.org', name: 'R', password: 'long-enough' })).status).toBe(429);

      clock.advance(16 * 60 * 1000);
      expect((await attempt('other@example.org')).status).toBe(401);
    } finally {
      await limited.stop();
    }
  });

  it('sees the client behind a trusted proxy (STEMKRING_TRUST_PROXY), and ignores X-Forwarded-For otherwise', async () => {
    const limits = { loginPerAddress: 2 };
    const behindProxy = await startTestApp({ loadDemoData: false, cryptoWorkers: 0, trustProxy: ['loopback'], rateLimits: limits });
    try {
      for (let i = 0; i < 2; i++) expect((await wrong(behindProxy.api, `a${i}@example.org`, '203.0.113.10')).status).toBe(401);
      expect((await wrong(behindProxy.api, 'a9@example.org', '203.0.113.10')).status).toBe(429);
      expect((await wrong(behindProxy.api, 'a9@example.org', '203.0.113.11')).status).toBe(401);
    } finally {
      await behindProxy.stop();
    }
    const direct = await startTestApp({ loadDemoData: false, cryptoWorkers: 0, rateLimits: limits });
    try {
      for (let i = 0; i < 2; i++) expect((await wrong(direct.api, `a${i}@example.org`, `203.0.113.${i}`)).status).toBe(401);
      // Anyone can write the header: without a trusted proxy it does not make a new client.
      expect((await wrong(direct.api, 'a9@example.org', '203.0.113.99')).status).toBe(429);
    } finally {
      await direct.stop();
    }
  });

  it('reads STEMKRING_TRUST_PROXY as a hop count or a list of addresses, ranges and names; off by default', () => {
    const trustOf = (value: string | undefined) => {
      const loaded = configFromEnv(value === undefined ? {} : { STEMKRING_TRUST_PROXY: value }, '/srv');
      return loaded.ok ? loaded.config.trustProxy : loaded.message;
    };
    expect(trustOf(undefined)).toBe(false);
    expect(trustOf('')).toBe(false);
    expect(trustOf('0')).toBe(false);
    expect(trustOf('1')).toBe(1);
    expect(trustOf('loopback')).toEqual(['loopback']);
    expect(trustOf(' loopback, 10.0.0.0/8 ,192.168.1.4, fd00::/8')).toEqual(['loopback', '10.0.0.0/8', '192.168.1.4', 'fd00::/8']);
    for (const bad of ['true', 'yes', '10.0.0.0/33', '300.1.1.1', 'loopback,', '-1', 'proxy.example.org']) {
      expect(trustOf(bad), bad).toMatch(/^STEMKRING_TRUST_PROXY: /);
    }
  });
});

describe('start and stop', () => {
  it('loads the demo session once, however often it starts, and closes the database cleanly', async () => {
    const dataDir = freshDataDir();
    const first = await startTestApp({ dataDir });
    const sessions = await first.api.get<{ sessions: { id: string; title: string; date: string; questionCount: number }[] }>('/api/sessions');
    expect(sessions.body.sessions).toEqual([
      expect.objectContaining({ title: 'Platform Vernieuwen Doen We Samen', date: '2022-11-25', questionCount: 4 }),
    ]);
    const detail = await first.api.get<{ session: { questions: { text: string; proposals: { body: string }[] }[] } }>(
      `/api/sessions/${sessions.body.sessions[0]?.id ?? ''}`,
    );
    expect(detail.body.session.questions.map((q) => q.proposals.length)).toEqual([3, 3, 3, 3]);
    expect(detail.body.session.questions[3]?.proposals[0]?.body).toContain('rechtstreeks kunnen stemmen');
    await first.stop();
    // A clean close checkpoints the write-ahead log away.
    expect(fs.existsSync(path.join(dataDir, 'stemkring.sqlite-wal'))).toBe(false);

    const second = await startTestApp({ dataDir });
    const again = await second.api.get<{ sessions: unknown[] }>('/api/sessions');
    expect(again.body.sessions).toHaveLength(1);
    const wk = await second.api.get<{ instance: string }>('/.well-known/stemkring.json');
    expect(wk.body.instance).toBe(first.app.instance.id);
    await second.stop();
  });
});
