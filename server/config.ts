import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CRYPTO_WORKERS } from '../node/tuning';

/** Limits that protect login and registration from guessing and floods, each per window. */
export interface RateLimits {
  readonly windowMs: number;
  /** Sign-in attempts from one address, right or wrong. */
  readonly loginPerAddress: number;
  /** Wrong passwords for one account from one address. */
  readonly loginPerAddressAndAccount: number;
  /** Wrong passwords for one account from all addresses together. */
  readonly loginPerAccount: number;
  readonly registerPerAddress: number;
}

/**
 * Express's `trust proxy`: which hops in front of the server may say, in
 * X-Forwarded-For, whom they forward for. `false` (the default) trusts none,
 * so the limits see the connecting address; a number trusts that many hops;
 * a list names the proxies (addresses, CIDR ranges, or `loopback`,
 * `linklocal`, `uniquelocal`).
 */
export type TrustProxy = false | number | readonly string[];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** "email:password" of an admin to make sure of at start. */
  readonly bootstrapAdmin: { readonly email: string; readonly password: string } | null;
  readonly communityName: string;
  readonly loadDemoData: boolean;
  /**
   * With the demo data: its four question rounds opened as secret rounds, voted by demo
   * participants through the credential protocol, closed and published, once. On with
   * STEMKRING_DEMO=1; most tests leave it off, for it adds an issuing key per round to a start.
   */
  readonly demoVotes: boolean;
  readonly logLevel: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly rateLimits: RateLimits;
  readonly trustProxy: TrustProxy;
  /** Where the built browser client lives; served when present. */
  readonly clientDir: string;
  /** Worker threads that verify ballot signatures and sign receipts; 0 = do it on the main thread. */
  readonly cryptoWorkers: number;
}

/**
 * One crypto worker beside the main thread when there is a second core: the
 * main thread parses requests while the worker verifies signatures. With one
 * core a worker only adds the cost of crossing threads.
 */
export function defaultCryptoWorkers(cores: number): number {
  return cores > 1 ? CRYPTO_WORKERS : 0;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  windowMs: 15 * 60 * 1000,
  loginPerAddress: 100,
  loginPerAddressAndAccount: 10,
  loginPerAccount: 100,
  registerPerAddress: 30,
};

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One entry of a trust-proxy list: a name, an address, or an address range in CIDR notation. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const trustProxy = z
  .string()
  .trim()
  .transform((text, ctx): TrustProxy => {
    if (text === '') return false;
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops <= 20) return hops === 0 ? false : hops;
    } else {
      const entries = text.split(',').map((e) => e.trim());
      const bad = entries.find((e) => !isProxyEntry(e));
      if (bad === undefined) return entries;
    }
    ctx.addIssue({
      code: 'custom',
      message: `must be a hop count (0 to 20) or a comma-separated list of proxy addresses, CIDR ranges, loopback, linklocal or uniquelocal; got "${text}"`,
    });
    return z.NEVER;
  });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  STEMKRING_DATA: z.string().min(1).default('data'),
  STEMKRING_BOOTSTRAP_ADMIN: z
    .string()
    .regex(/^[^:]+@[^:]+:.{8,}$/, 'must be "email:password" with a password of at least 8 characters')
    .optional(),
  STEMKRING_NAME: z.string().min(1).max(200).default('De Werkvereniging'),
  STEMKRING_DEMO: z.enum(['0', '1']).default('1'),
  STEMKRING_CRYPTO_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  STEMKRING_TRUST_PROXY: trustProxy.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

export function configFromEnv(env: NodeJS.ProcessEnv, cwd: string): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}` };
  }
  const e = parsed.data;
  let bootstrapAdmin: Config['bootstrapAdmin'] = null;
  if (e.STEMKRING_BOOTSTRAP_ADMIN !== undefined) {
    const at = e.STEMKRING_BOOTSTRAP_ADMIN.indexOf(':');
    bootstrapAdmin = {
      email: e.STEMKRING_BOOTSTRAP_ADMIN.slice(0, at),
      password: e.STEMKRING_BOOTSTRAP_ADMIN.slice(at + 1),
    };
  }
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      dataDir: path.resolve(cwd, e.STEMKRING_DATA),
      bootstrapAdmin,
      communityName: e.STEMKRING_NAME,
      loadDemoData: e.STEMKRING_DEMO === '1',
      demoVotes: e.STEMKRING_DEMO === '1',
      logLevel: e.LOG_LEVEL,
      accessTokenTtlSeconds: 15 * 60,
      refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
      rateLimits: DEFAULT_RATE_LIMITS,
      trustProxy: e.STEMKRING_TRUST_PROXY,
      clientDir: path.resolve(cwd, 'dist/client'),
      cryptoWorkers: e.STEMKRING_CRYPTO_WORKERS ?? defaultCryptoWorkers(availableParallelism()),
    },
  };
}
