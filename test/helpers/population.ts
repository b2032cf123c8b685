import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { AccessTokens } from '../../server/auth/tokens';
import type { Store } from '../../server/store/store';
import type { Instance } from '../../server/instance/instance';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { signedBytes } from '../../shared/protocol/signing';

export interface SeededMember {
  readonly id: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  readonly token: string;
}

/**
 * Many active members with device keys, written straight into the store, and
 * access tokens minted with the instance secret: registering thousands through
 * the API would spend the time on scrypt, which is not what is being tested.
 */
function loginOf(memberId: string): string {
  return `login-${memberId}`;
}

export async function seedMembers(store: Store, instance: Instance, count: number, prefix = 'seed'): Promise<SeededMember[]> {
  const at = new Date().toISOString();
  const tokens = new AccessTokens(instance.secret, instance.id, 3_600);
  const members: SeededMember[] = [];
  for (let i = 0; i < count; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const id = `${prefix}${i}`;
    members.push({ id, publicKey: encodeBase64Url(new Uint8Array(raw)), privateKey, token: await tokens.issue(id, loginOf(id), new Date()) });
  }
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < members.length; i += 2_000) {
      const chunk = members.slice(i, i + 2_000);
      await trx
        .insertInto('members')
        .values(
          chunk.map((m) => ({
            id: m.id,
            email: `${m.id}@seed.test`,
            name: m.id,
            password_hash: 'scrypt$1$1$1$none$none',
            role: 'member' as const,
            status: 'active' as const,
            created_at: at,
            approved_at: at,
            approved_by: null,
          })),
        )
        .execute();
      await trx.insertInto('device_keys').values(chunk.map((m) => ({ public_key: m.publicKey, member_id: m.id, created_at: at, revoked_at: null }))).execute();
      // The login each token belongs to: an access token works while its login's refresh chain is not revoked.
      await trx
        .insertInto('refresh_tokens')
        .values(chunk.map((m) => ({ token_hash: `seeded-${m.id}`, family_id: loginOf(m.id), member_id: m.id, created_at: at, expires_at: '9999-12-31T00:00:00.000Z', used_at: null, revoked_at: null })))
        .execute();
    }
  });
  return members;
}

export interface BallotTarget {
  readonly instance: string;
  readonly round: string;
  readonly definitionHash: string;
}

let nonceCounter = 0n;

/** A ballot as the browser makes it (purpose-prefixed JCS, Ed25519), signed with node:crypto for speed. */
export function signedBallot(target: BallotTarget, member: Pick<SeededMember, 'publicKey' | 'privateKey'>, choice: unknown): { ballot: unknown; sig: string } {
  nonceCounter += 1n;
  const nonce = new Uint8Array(16);
  const random = generateNonceSeed();
  nonce.set(random.subarray(0, 8));
  new DataView(nonce.buffer).setBigUint64(8, nonceCounter);
  const ballot = {
    instance: target.instance,
    round: target.round,
    definition: target.definitionHash,
    key: member.publicKey,
    choice,
    nonce: encodeBase64Url(nonce),
    castAt: new Date().toISOString(),
  };
  return { ballot, sig: encodeBase64Url(new Uint8Array(sign(null, signedBytes('ballot', ballot), member.privateKey))) };
}

function generateNonceSeed(): Uint8Array {
  return Uint8Array.from({ length: 8 }, () => Math.floor(Math.random() * 256));
}
