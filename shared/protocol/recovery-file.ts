/**
 * The recovery file of a device key: what a member saves to move their key to
 * another device or to get it back after clearing the browser, and what
 * `stemkring cast --device FILE` keeps. It holds the key's 32-byte seed; the
 * public key is derived again on reading and must match, so a damaged file is
 * noticed. The seed is also where a secret round's round key and credential
 * request come from (round-key.ts), so the file brings those back too.
 */
import { decodeBase64Url, encodeBase64Url } from './encoding';
import { keyPairFromSeed, type KeyPair } from './signing';
import { err, ok, type Result } from '../result';

export const RECOVERY_KIND = 'stemkring-device-key';

export interface RecoveryFile {
  readonly kind: typeof RECOVERY_KIND;
  readonly version: 1;
  readonly memberId: string;
  readonly email: string;
  readonly publicKey: string;
  readonly seed: string;
  readonly createdAt: string;
}

export type RecoveryProblem = 'not_json' | 'not_a_key_file' | 'damaged' | 'other_member';

export function recoveryFile(memberId: string, email: string, keys: KeyPair, createdAt: string): RecoveryFile {
  return {
    kind: RECOVERY_KIND,
    version: 1,
    memberId,
    email,
    publicKey: encodeBase64Url(keys.publicKey),
    seed: encodeBase64Url(keys.secretKey.slice(0, 32)),
    createdAt,
  };
}

export function readRecoveryFile(text: string, memberId: string): Result<{ file: RecoveryFile; keys: KeyPair; seed: Uint8Array }, RecoveryProblem> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err('not_json');
  }
  const f = parsed as Partial<RecoveryFile> | null;
  if (typeof f !== 'object' || f === null || f.kind !== RECOVERY_KIND || f.version !== 1) return err('not_a_key_file');
  if (typeof f.seed !== 'string' || typeof f.publicKey !== 'string' || typeof f.memberId !== 'string') return err('damaged');
  const seed = decodeBase64Url(f.seed, 32);
  if (!seed.ok) return err('damaged');
  const keys = keyPairFromSeed(seed.value);
  if (encodeBase64Url(keys.publicKey) !== f.publicKey) return err('damaged');
  if (f.memberId !== memberId) return err('other_member');
  return ok({ file: f as RecoveryFile, keys, seed: seed.value });
}
