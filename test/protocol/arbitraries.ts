/** fast-check generators of protocol values, valid by construction. */
import fc from 'fast-check';
import type { Choice } from '../../shared/counting/types';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import type { Ballot } from '../../shared/protocol/types';

export const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
export const bytesArb = (size: number) => fc.uint8Array({ minLength: size, maxLength: size }).map(encodeBase64Url);
export const timestampArb = fc
  .date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

export const choiceArb: fc.Arbitrary<Choice> = fc.oneof(
  idArb.map((pick) => ({ pick })),
  fc.array(idArb, { maxLength: 6 }).map((approve) => ({ approve })),
  fc.constantFrom('yes' as const, 'no' as const, 'abstain' as const).map((answer) => ({ answer })),
  fc.dictionary(idArb, fc.maxSafeInteger(), { maxKeys: 6 }).map((scores) => ({ scores })),
  fc.dictionary(idArb, fc.nat(), { maxKeys: 6 }).map((points) => ({ points })),
  fc.uniqueArray(idArb, { maxLength: 6 }).map((ranking) => ({ ranking })),
);

export const ballotArb: fc.Arbitrary<Ballot> = fc.record({
  instance: idArb,
  round: idArb,
  definition: bytesArb(32),
  key: bytesArb(32),
  choice: choiceArb,
  nonce: bytesArb(16),
  castAt: timestampArb,
});
