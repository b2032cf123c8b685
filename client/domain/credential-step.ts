/**
 * The credential step of a secret round (protocol 2, docs/credentials.md):
 * when an eligible member opens the round, the device derives its round key
 * from the device seed, asks once, signed in, for a blind signature on it,
 * unblinds and checks the answer, and keeps the credential. Here are the
 * step's states, the work itself with its storage and request injected (so
 * node tests run it with the real cryptography), and what each refusal means
 * to the member. No DOM, no IndexedDB, no fetch.
 *
 * Why on opening and not on voting: the server sees when a credential is
 * asked for and when a ballot arrives; asking at the moment of voting would
 * let it pair the two by time. Asking when the page opens separates them.
 */
import { finishCredential, prepareCredential, type FinishError, type PrepareError } from '../../shared/protocol/credential';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { roundKeyPair } from '../../shared/protocol/round-key';
import type { RoundPass } from '../../shared/protocol/signed-ballot';
import { assertNever, err, ok, type Result } from '../../shared/result';

/** What a round's credential is on this device: public values only (the round key's secret is derived again when voting). */
export type { RoundPass } from '../../shared/protocol/signed-ballot';

/** Why a device has no credential, in the member's terms; each has its own message. */
export const CREDENTIAL_PROBLEMS = [
  'already_issued',
  'not_eligible',
  'pending',
  'signed_out',
  'suspended',
  'round_not_open',
  'not_secret',
  'not_found',
  'bad_issuer',
  'bad_answer',
  'unreachable',
  'refused',
] as const;
export type CredentialProblem = (typeof CREDENTIAL_PROBLEMS)[number];

/**
 * An API refusal of `requestCredential` (its codes in shared/api/routes.ts,
 * the token's codes, the transport's own) as the member's problem.
 */
export function problemOfCode(code: string): CredentialProblem {
  switch (code) {
    case 'credential_already_issued':
      return 'already_issued';
    case 'not_in_electorate':
      return 'not_eligible';
    case 'account_pending':
      return 'pending';
    case 'unauthenticated':
    case 'invalid_token':
    case 'token_expired':
    case 'session_ended':
      return 'signed_out';
    case 'account_suspended':
      return 'suspended';
    case 'round_not_open':
      return 'round_not_open';
    case 'round_not_secret':
      return 'not_secret';
    case 'not_found':
      return 'not_found';
    case 'network_error':
    case 'internal_error':
    case 'store_unavailable':
    case 'too_many_requests':
      return 'unreachable';
    default:
      // invalid_input and anything else: the request was refused as malformed, which a retry will not mend.
      return 'refused';
  }
}

/** Whether trying again could help: the server was unreachable or busy. The rest need the member to do something else. */
export function retryable(problem: CredentialProblem): boolean {
  return problem === 'unreachable';
}

function prepareProblem(_error: PrepareError): CredentialProblem {
  // The issuing key or round id of the signed definition could not be used: not the member's doing, nor mended by a retry.
  return 'bad_issuer';
}

function finishProblem(_error: FinishError): CredentialProblem {
  // The server's answer is not a signature under the round's issuing key: a credential that no verifier would accept.
  return 'bad_answer';
}

// ------------------------------------------------------------ the states

export type CredentialState =
  | { readonly step: 'waiting-for-key' }
  | { readonly step: 'asking' }
  | { readonly step: 'ready'; readonly pass: RoundPass; readonly fetched: boolean }
  | { readonly step: 'failed'; readonly problem: CredentialProblem };

export type CredentialEvent =
  | { readonly type: 'key-ready' }
  | { readonly type: 'obtained'; readonly pass: RoundPass; readonly fetched: boolean }
  | { readonly type: 'failed'; readonly problem: CredentialProblem }
  | { readonly type: 'retry' };

export const INITIAL_CREDENTIAL_STATE: CredentialState = { step: 'waiting-for-key' };

/**
 * The step's transitions. An event that does not fit the state returns the
 * same state (the caller then does nothing): a key reported ready twice, or a
 * second click on "try again" while asking, never sends a second request.
 */
export function nextCredentialState(state: CredentialState, event: CredentialEvent): CredentialState {
  switch (event.type) {
    case 'key-ready':
      return state.step === 'waiting-for-key' ? { step: 'asking' } : state;
    case 'obtained':
      return state.step === 'asking' ? { step: 'ready', pass: event.pass, fetched: event.fetched } : state;
    case 'failed':
      return state.step === 'asking' ? { step: 'failed', problem: event.problem } : state;
    case 'retry':
      return state.step === 'failed' && retryable(state.problem) ? { step: 'asking' } : state;
    default:
      return assertNever(event);
  }
}

// ------------------------------------------------------------ the work

/** A kept credential, as the keystore holds it. */
export interface KeptCredential extends RoundPass {
  readonly issuingKey: string;
}

export interface CredentialDeps {
  /** The credential kept on this device for (member, round), if any; may throw when storage is blocked. */
  readonly load: () => Promise<KeptCredential | undefined>;
  /** Keeps it; may throw. */
  readonly save: (kept: KeptCredential) => Promise<void>;
  /** `requestCredential`, signed in: the blind signature, or the refusal's code. */
  readonly request: (blindedMessage: string) => Promise<Result<{ blindSignature: string }, { code: string }>>;
}

export interface Obtained {
  readonly pass: RoundPass;
  /** Whether the server was asked (false: it was kept on this device). */
  readonly fetched: boolean;
  /** Whether it is kept on this device now (storage may be blocked; it is then asked for again next time, with the same request). */
  readonly kept: boolean;
}

/**
 * The round's credential for this device: the one kept here when it belongs
 * to this device seed's round key under this issuing key, otherwise asked
 * for. The request is derived, not drawn (round-key.ts), so a retry, or a
 * device restored from the recovery file, sends the same bytes and the server
 * answers it again instead of refusing it as a second request.
 */
export async function obtainCredential(
  input: { readonly round: string; readonly issuingKey: string; readonly deviceSeed: Uint8Array },
  deps: CredentialDeps,
): Promise<Result<Obtained, CredentialProblem>> {
  const roundKey = encodeBase64Url(roundKeyPair(input.deviceSeed, input.round).publicKey);
  let kept: KeptCredential | undefined;
  try {
    kept = await deps.load();
  } catch {
    kept = undefined;
  }
  // A credential kept for another device key (a recovery file imported since) or another issuing key is not this one's.
  if (kept !== undefined && kept.roundKey === roundKey && kept.issuingKey === input.issuingKey) {
    return ok({ pass: { roundKey, credential: kept.credential }, fetched: false, kept: true });
  }
  const prepared = prepareCredential(input.deviceSeed, input.round, input.issuingKey);
  if (!prepared.ok) return err(prepareProblem(prepared.error));
  const answer = await deps.request(prepared.value.blindedMessage);
  if (!answer.ok) return err(problemOfCode(answer.error.code));
  const credential = finishCredential(prepared.value, answer.value.blindSignature);
  if (!credential.ok) return err(finishProblem(credential.error));
  const pass = { roundKey: prepared.value.roundKey, credential: credential.value };
  let saved = true;
  try {
    await deps.save({ ...pass, issuingKey: input.issuingKey });
  } catch {
    saved = false;
  }
  return ok({ pass, fetched: true, kept: saved });
}

/** tweetnacl's 64-byte secret key is seed || public key: the device seed is its first half. */
export function deviceSeedOf(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 64) throw new Error('deviceSeedOf: a tweetnacl secret key has 64 bytes');
  return secretKey.slice(0, 32);
}
