import { createHmac } from 'node:crypto';

/**
 * Voters appear on the register and board under a pseudonym: stable within a
 * round, different across rounds, and revealing nothing about the member
 * without the instance secret (an HMAC of round and member ids).
 */
export class Pseudonyms {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    this.key = createHmac('sha256', secret).update('stemkring:pseudonym:v1').digest();
  }

  of(roundId: string, memberId: string): string {
    return createHmac('sha256', this.key).update(`${roundId}\n${memberId}`).digest().subarray(0, 16).toString('base64url');
  }
}
