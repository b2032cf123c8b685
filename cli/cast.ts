/**
 * `stemkring cast`: vote from a script or a terminal, doing what the browser
 * does. Signs in (the password comes from STEMKRING_PASSWORD, never from the
 * command line, where other users of the machine could read it), makes or
 * loads the device secret kept in FILE in the recovery-file format, and then:
 *
 * - in a secret round (protocol 2): derives the round key and the blinded
 *   request from the device secret, asks for the credential signed in, and
 *   casts the ballot signed with the round key WITHOUT the access token, so
 *   the ballot request says nothing about who sends it;
 * - in a named round (protocol 1): registers the device key if it is not yet,
 *   and casts the ballot signed with it, signed in.
 *
 * Prints `{receipt, receiptSig}` as JSON. A second call with the same FILE
 * votes again under the same credential: the request derives from the device
 * secret, so the server answers it with the same credential.
 *
 * Exit status: 0 cast, 1 refused (by the server, or a device file that does
 * not fit), 2 usage.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiErrorBodySchema } from '../shared/api/errors';
import { pathOf, ROUTES, type RouteAnswer, type RouteBody, type RouteDef, type RouteParams } from '../shared/api/routes';
import { ChoiceSchema } from '../shared/protocol/schemas';
import { finishCredential, prepareCredential } from '../shared/protocol/credential';
import { encodeBase64Url } from '../shared/protocol/encoding';
import { readRecoveryFile, recoveryFile, type RecoveryProblem } from '../shared/protocol/recovery-file';
import { signedBallot } from '../shared/protocol/signed-ballot';
import { keyPairFromSeed, type KeyPair } from '../shared/protocol/signing';
import { isSecretDefinition, type Ballot, type SignedReceipt } from '../shared/protocol/types';
import { readArgs } from './args';

export const CAST_USAGE = `usage: STEMKRING_PASSWORD=… stemkring cast --server URL --email E --device FILE --round ID --choice JSON

  --server  the Stemkring server, e.g. https://stem.example.org
  --email   your account's email address (the password is read from STEMKRING_PASSWORD)
  --device  your device file (the recovery-file format of the web client); made when it does not exist
  --round   the round id
  --choice  the choice as JSON, e.g. '{"pick":"o1"}', '{"approve":["p1","p3"]}', '{"answer":"yes"}'
            or '{"ranking":["p2","p1"]}' (docs/protocol.md, "Ballot")

prints {receipt, receiptSig} as JSON; run it again to change your vote where the round allows it
`;

interface CastArgs {
  readonly server: string;
  readonly email: string;
  readonly device: string;
  readonly round: string;
  readonly choice: unknown;
}

type Parsed = { ok: true; args: CastArgs } | { ok: false; message: string } | { ok: false; help: true };

const REQUIRED = ['server', 'email', 'device', 'round', 'choice'] as const;

function parseCastArgs(argv: readonly string[]): Parsed {
  const read = readArgs(argv, REQUIRED, []);
  if (!read.ok) return read;
  if (read.positionals.length > 0) return { ok: false, message: `unexpected argument '${read.positionals[0] ?? ''}'` };
  const missing = REQUIRED.filter((name) => read.values[name] === undefined);
  if (missing.length > 0) return { ok: false, message: `missing ${missing.map((m) => `--${m}`).join(', ')}` };
  const { server = '', email = '', device = '', round = '', choice = '' } = read.values;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return { ok: false, message: `--server must be a URL such as http://localhost:3000 (got ${server})` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: '--server must be an http or https URL' };
  let parsedChoice: unknown;
  try {
    parsedChoice = JSON.parse(choice);
  } catch {
    return { ok: false, message: `--choice must be JSON, e.g. '{"pick":"o1"}' (got ${choice})` };
  }
  const shape = ChoiceSchema.safeParse(parsedChoice);
  if (!shape.success) return { ok: false, message: `--choice: ${shape.error.issues[0]?.message ?? 'not a choice'}` };
  return { ok: true, args: { server: url.origin, email, device, round, choice: parsedChoice } };
}

/** Why a cast did not happen, as the command says it. */
class Stop extends Error {}

/**
 * One call of the contract; a refusal stops the command with the server's
 * code and message. Signed-in calls go over fetch's kept-alive connections;
 * an anonymous one (a secret round's ballot) over a connection of its own,
 * opened for it and closed after, so it does not travel on a connection that
 * carried the member's signed-in requests.
 */
async function call<R extends RouteDef>(
  server: string,
  def: R,
  params: RouteParams<R>,
  body: RouteBody<R> | undefined,
  token: string | undefined,
): Promise<RouteAnswer<R>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const url = `${server}${pathOf(def, params)}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let res: { status: number; text: string };
  try {
    res = token === undefined ? await onFreshConnection(url, def.method, headers, payload) : await overFetch(url, def.method, headers, payload);
  } catch (error) {
    throw new Stop(`cannot reach ${server}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(res.text);
  } catch {
    throw new Stop(`${def.method} ${def.path} answered ${res.status} with something that is not JSON`);
  }
  if (res.status !== def.status) {
    const problem = ApiErrorBodySchema.safeParse(value);
    throw new Stop(problem.success ? `${problem.data.error.code}: ${problem.data.error.message}` : `${def.method} ${def.path} answered ${res.status}`);
  }
  return value as RouteAnswer<R>;
}

async function overFetch(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method, headers, body: body ?? null });
  return { status: res.status, text: await res.text() };
}

function onFreshConnection(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // agent: false: a new connection, closed once answered.
    const req = send(target, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const DEVICE_PROBLEMS: Readonly<Record<RecoveryProblem, string>> = {
  not_json: 'is not JSON',
  not_a_key_file: 'is not a Stemkring device file',
  damaged: 'is damaged: its seed does not give its public key',
  other_member: 'belongs to another account',
};

/** The device file's key pair and seed; a new one is written when FILE does not exist (never over an existing file). */
async function deviceOf(path: string, memberId: string, email: string): Promise<{ keys: KeyPair; seed: Uint8Array }> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Stop(`cannot read the device file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text !== undefined) {
    const read = readRecoveryFile(text, memberId);
    if (!read.ok) throw new Stop(`the device file ${path} ${DEVICE_PROBLEMS[read.error]}`);
    return { keys: read.value.keys, seed: read.value.seed };
  }
  const seed = new Uint8Array(randomBytes(32));
  const keys = keyPairFromSeed(seed);
  const file = recoveryFile(memberId, email, keys, new Date().toISOString());
  try {
    // 'wx': never over a file that appeared meanwhile; 0600: the seed is the member's vote in every round.
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    throw new Stop(`cannot write the device file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return { keys, seed };
}

function nonce(): string {
  return encodeBase64Url(new Uint8Array(randomBytes(16)));
}

async function cast(args: CastArgs, password: string): Promise<SignedReceipt> {
  const { server } = args;
  const tokens = await call(server, ROUTES.login, {}, { email: args.email, password }, undefined);
  const token = tokens.accessToken;
  const device = await deviceOf(args.device, tokens.member.id, args.email);
  const view = await call(server, ROUTES.round, { id: args.round }, undefined, token);
  const { definition, definitionHash } = view;
  if (view.round.status !== 'open' || definition === undefined || definitionHash === undefined) throw new Stop(`round ${args.round} is not open for voting (it is ${view.round.status})`);
  const choice = args.choice as Ballot['choice'];
  const castAt = new Date().toISOString();

  if (isSecretDefinition(definition)) {
    const prepared = prepareCredential(device.seed, definition.round, definition.issuer);
    if (!prepared.ok) throw new Stop(`the round's issuing key cannot be used (${prepared.error})`);
    const answer = await call(server, ROUTES.requestCredential, { id: args.round }, { blindedMessage: prepared.value.blindedMessage }, token);
    const credential = finishCredential(prepared.value, answer.blindSignature);
    if (!credential.ok) throw new Stop(`the server's credential does not verify under the round's issuing key (${credential.error})`);
    const pass = { roundKey: prepared.value.roundKey, credential: credential.value };
    const body = signedBallot({ definition, definitionHash, choice, nonce: nonce(), castAt, signer: { kind: 'round', pass, roundKeys: prepared.value.roundKeys } });
    // No token: the ballot request must not say whose ballot it is.
    return call(server, ROUTES.castBallot, { id: args.round }, body, undefined);
  }

  const publicKey = encodeBase64Url(device.keys.publicKey);
  const me = await call(server, ROUTES.me, {}, undefined, token);
  if (!me.keys.some((k) => k.publicKey === publicKey && k.revokedAt === null)) {
    await call(server, ROUTES.addKey, {}, { publicKey }, token);
  }
  const body = signedBallot({ definition, definitionHash, choice, nonce: nonce(), castAt, signer: { kind: 'device', publicKey, secretKey: device.keys.secretKey } });
  return call(server, ROUTES.castBallot, { id: args.round }, body, token);
}

export interface CastIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function runCast(argv: readonly string[], io: CastIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const parsed = parseCastArgs(argv);
  if (!parsed.ok) {
    if ('help' in parsed) {
      io.stdout.write(CAST_USAGE);
      return 0;
    }
    io.stderr.write(`stemkring cast: ${parsed.message}\n\n${CAST_USAGE}`);
    return 2;
  }
  const password = io.env['STEMKRING_PASSWORD'];
  if (password === undefined || password === '') {
    io.stderr.write(`stemkring cast: set STEMKRING_PASSWORD to your password\n\n${CAST_USAGE}`);
    return 2;
  }
  try {
    const receipt = await cast(parsed.args, password);
    io.stdout.write(`${JSON.stringify(receipt)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    io.stderr.write(`stemkring cast: ${error.message}\n`);
    return 1;
  }
}
