import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { blindSign } from '../../node/crypto/blind-rsa';
import { checkCredential, finishCredential, portableCredentialCrypto, prepareCredential } from '../../shared/protocol/credential';
import { jcs } from '../../shared/protocol/jcs';
import { BallotV2Schema } from '../../shared/protocol/schemas-v2';
import { ballotJcs, signedBytes, signStatement } from '../../shared/protocol/signing';
import type { BallotV2 } from '../../shared/protocol/types';
import { ballotArb, idArb } from './arbitraries';
import { testIssuer } from './bundle-v2-fixture';

const issuer = testIssuer();

describe('a protocol-2 ballot made in the browser’s code path', () => {
  it('carries a credential the portable verifier accepts, and its signed bytes are JCS with the credential between choice and definition', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), idArb, ballotArb, (deviceSeed, round, base) => {
        // The device: round key and blinded request (tweetnacl, BigInt); the server: a blind signature (OpenSSL); the device again: unblind.
        const prepared = prepareCredential(deviceSeed, round, issuer.issuingKey);
        if (!prepared.ok) throw new Error(prepared.error);
        const answer = blindSign(issuer, prepared.value.blindedMessage);
        if (!answer.ok) throw new Error(answer.error);
        const credential = finishCredential(prepared.value, answer.value);
        if (!credential.ok) throw new Error(credential.error);
        const ballot: BallotV2 = { ...base, round, key: prepared.value.roundKey, credential: credential.value };

        expect(checkCredential(portableCredentialCrypto, { round, issuingKey: issuer.issuingKey, roundKey: ballot.key, credential: ballot.credential }).ok).toBe(true);
        expect(BallotV2Schema.safeParse(ballot).success).toBe(true);
        expect(ballotJcs(ballot)).toBe(jcs(ballot));
        expect(ballotJcs(ballot)).toMatch(/"choice":.*,"credential":"[A-Za-z0-9_-]{342}","definition":/);
        const sig = Buffer.from(signStatement('ballot', ballot, prepared.value.roundKeys.secretKey), 'base64url');
        expect(nacl.sign.detached.verify(signedBytes('ballot', ballot), sig, prepared.value.roundKeys.publicKey)).toBe(true);
      }),
      { numRuns: 8 },
    );
  });
});
