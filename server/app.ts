import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express from 'express';
import helmet from 'helmet';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { Server as SocketServer } from 'socket.io';
import { auditRoutes } from './audit/routes';
import { AccessTokens } from './auth/tokens';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { CryptoPool } from '../node/crypto/pool';
import { inlineSignatures, pooledSignatures } from './crypto/signatures';
import { openStore, type OpenedStore } from './store/open';
import { authenticate, memberResolver } from './http/auth';
import { errorHandler, notFoundHandler, writeHealthLog } from './http/errors';
import { headersSetBy, requestIdOf } from './http/headers';
import { healthRoute } from './http/health';
import { jsonBody } from './http/json';
import { LoginThrottle, RateLimiter } from './http/rate-limit';
import { HTTP_TIMEOUTS, serverTimeoutOptions, type HttpTimeouts } from './http/timeouts';
import { loadOrCreateInstance, type Instance } from './instance/instance';
import { privateFilesIn, privateFolder } from './instance/private-files';
import { LiveTallies } from './live/tallies';
import { IntakeActivity } from './live/intake-activity';
import { OpenRounds } from './live/open-rounds';
import { attachLive, type LiveServer, type SocketData } from './live/sockets';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from '../shared/api/socket';
import { normalizeEmail } from './members/member';
import { memberRoutes } from './members/routes';
import { MemberService } from './members/service';
import { demoSessionOf, loadSeedOnce } from './seed/demo';
import { voteDemoRoundsOnce } from './seed/demo-votes';
import { Pseudonyms } from './rounds/pseudonym';
import { ballotEndpoint } from './rounds/ballot-endpoint';
import { roundRoutes } from './rounds/routes';
import { RoundService } from './rounds/service';
import { sessionRoutes } from './sessions/routes';
import { SessionService } from './sessions/service';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root, whether running from sources (server/) or from the build (dist/server/). */
export const ROOT = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
export const DEMO_SEED = path.join(ROOT, 'server/seed/demo-session.json');

function madeUpByPinoHttp(error: Error, status: number): boolean {
  return error.message === `failed with status code ${status}`;
}

export interface AppDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How long the server waits for slow clients (default HTTP_TIMEOUTS; tests shorten them). */
  readonly httpTimeouts?: HttpTimeouts;
}

export interface App {
  readonly config: Config;
  readonly store: OpenedStore;
  readonly instance: Instance;
  readonly io: LiveServer;
  readonly logger: Logger;
  readonly server: http.Server;
  readonly rounds: RoundService;
  /** The ballot requests in progress (tally pushes give way to them). */
  readonly intake: IntakeActivity;
  /** Listens on config.port (0 for any free port); answers the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const instance = loadOrCreateInstance(config.dataDir);
  const store = await openStore(config.dataDir, {
    onBoardThreadFailure: (e) => logger.error({ err: e }, 'board writer thread failed; writing ballots on the main thread from now on'),
    onWriteHealth: writeHealthLog(logger),
  });

  const tokens = new AccessTokens(instance.secret, instance.id, config.accessTokenTtlSeconds);
  let recounted: (roundId: string) => void = () => undefined;
  const tallies = new LiveTallies(store, logger, (roundId) => recounted(roundId), clock);
  const signatures =
    config.cryptoWorkers > 0
      ? pooledSignatures(new CryptoPool(config.cryptoWorkers, instance.privateKey), instance.privateKey, (e) =>
          logger.error({ err: e }, 'crypto worker failed; verifying and signing on the main thread from now on'),
        )
      : inlineSignatures(instance.privateKey);
  const bundleDir = path.join(config.dataDir, 'bundles');
  // Bundles an earlier version wrote readable by others are tightened too (see private-files.ts).
  privateFolder(bundleDir);
  privateFilesIn(bundleDir);
  const rounds = new RoundService(store, instance, clock, new Pseudonyms(instance.secret), logger, bundleDir, tallies, signatures);
  // Subscribed before start: the rounds found open at start are announced to them too.
  const openRounds = new OpenRounds();
  rounds.on(tallies.listener);
  rounds.on(openRounds.listener);
  const members = new MemberService(store, tokens, clock, config.refreshTokenTtlSeconds, rounds);
  const sessions = new SessionService(store, (questionIds) => rounds.list({ questionIds }));
  const limits = config.rateLimits;

  const startCtx = { actorId: null, requestId: null, at: clock.now().toISOString() };
  if (config.bootstrapAdmin !== null) {
    const email = normalizeEmail(config.bootstrapAdmin.email);
    const bootstrap = await members.ensureAdmin(startCtx, email, config.bootstrapAdmin.password);
    if (!bootstrap.ok) {
      await signatures.close();
      await store.close();
      throw new Error(
        `the account ${email} is suspended; STEMKRING_BOOTSTRAP_ADMIN does not reactivate it. ` +
          'Have an admin reinstate it in the app, or name another email in STEMKRING_BOOTSTRAP_ADMIN.',
      );
    }
  }
  if (config.loadDemoData) await loadSeedOnce(store, DEMO_SEED, startCtx);
  // Open rounds come back with their boards; a round whose closing time passed while we were down closes now.
  await rounds.start();
  // After start: the demo rounds are opened, voted, closed and published through the running rounds service.
  if (config.loadDemoData && config.demoVotes) await voteDemoRoundsOnce(store, rounds, await demoSessionOf(DEMO_SEED), startCtx, () => clock.now());

  const app = express();
  app.disable('x-powered-by');
  // Which proxies may name the client (req.ip, which the sign-in limits count by); none unless configured.
  app.set('trust proxy', config.trustProxy);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = requestIdOf(req.headers);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // A 503 is the store refusing writes, whose cause the write health logs once; one error line per request would bury it.
      customLogLevel: (_req, res, e) => (e !== undefined || (res.statusCode >= 500 && res.statusCode !== 503) ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // For an answer of 500 or more pino-http makes up an Error ("failed with status code …") and logs its stack,
      // which says nothing: the cause is logged where it is known (errorHandler, the store's write health).
      customErrorObject: (_req, res, error, val: Record<string, unknown>) => (madeUpByPinoHttp(error, res.statusCode) ? { ...val, err: undefined } : val),
      customErrorMessage: (_req, res, error) => (madeUpByPinoHttp(error, res.statusCode) ? 'request completed' : 'request errored'),
      serializers: {
        req: (req: { id: unknown; method: unknown; url: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: unknown }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  const security = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'style-src': ["'self'"],
        // Not behind TLS on a LAN address, upgrading would break every request.
        'upgrade-insecure-requests': null,
      },
    },
  });
  app.use(security);
  app.use(jsonBody('64kb'));

  app.get('/.well-known/stemkring.json', (_req, res) => {
    res.json({ protocol: 1, instance: instance.id, name: config.communityName, publicKey: instance.publicKeyB64 });
  });

  const api = express.Router();
  api.get('/health', healthRoute(store.writes, instance.id, clock));
  const resolveMember = memberResolver(tokens, store);
  api.use(authenticate(resolveMember, clock));
  api.use(
    memberRoutes(members, clock, {
      loginByAddress: new RateLimiter(limits.loginPerAddress, limits.windowMs, clock),
      loginFailures: new LoginThrottle(
        new RateLimiter(limits.loginPerAddressAndAccount, limits.windowMs, clock),
        new RateLimiter(limits.loginPerAccount, limits.windowMs, clock),
      ),
      registerByAddress: new RateLimiter(limits.registerPerAddress, limits.windowMs, clock),
    }),
  );
  api.use(sessionRoutes(sessions, clock));
  api.use(roundRoutes(rounds, clock));
  api.use(auditRoutes(store));
  api.use(notFoundHandler);
  app.use('/api', api);

  if (fs.existsSync(config.clientDir)) {
    // Compressed for phones on slow networks; only the client's files, never the API's hot paths.
    app.use(compression());
    const noCache = (res: express.Response) => res.setHeader('Cache-Control', 'no-cache');
    app.use(
      express.static(config.clientDir, {
        index: 'index.html',
        maxAge: '1h',
        setHeaders: (res, file) => {
          if (file.endsWith('.html')) noCache(res);
        },
      }),
    );
    app.get(/^\/(?!api\/|\.well-known\/|socket\.io\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      noCache(res);
      res.sendFile(path.join(config.clientDir, 'index.html'));
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler(logger, store.writes));

  // Ballots are taken in front of Express (see ballot-endpoint.ts), with the headers helmet sets on every answer.
  const intake = new IntakeActivity();
  const ballots = ballotEndpoint({ rounds, resolveMember, clock, logger, headers: headersSetBy(security), intake, writes: store.writes });
  const server = http.createServer(serverTimeoutOptions(deps.httpTimeouts ?? HTTP_TIMEOUTS), (req, res) => {
    if (!ballots(req, res)) app(req, res);
  });
  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(server, {
    serveClient: false,
    // A client that drops for a moment gets its rooms and missed events back.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
  });
  const live = attachLive(io, { rounds, openRounds, tallies, resolveMember, clock, logger, intake });
  recounted = (roundId) => live.schedule(roundId);
  members.onAccessLost((lost) => {
    switch (lost.kind) {
      case 'member':
        return live.disconnectMember(lost.memberId);
      case 'login':
        return live.disconnectLogin(lost.loginId);
    }
  });

  return {
    config,
    store,
    instance,
    io,
    logger,
    server,
    rounds,
    intake,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          resolve(`http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`);
        });
      }),
    stop: async () => {
      live.stop();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
      server.closeAllConnections();
      await rounds.stop();
      await signatures.close();
      await store.close();
    },
  };
}
