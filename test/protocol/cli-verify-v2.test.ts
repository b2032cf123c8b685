import { afterAll, describe, expect, it } from 'vitest';
import { scratch, stemkring as command } from '../helpers/stemkring-command';
import type { VerifyReport } from '../../shared/protocol/verify';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { buildBundleV2 } from './bundle-v2-fixture';
import { withValue } from './mutate';

const files = scratch('stemkring-verify-v2-');
afterAll(() => files.remove());
const write = (name: string, value: unknown): string => files.write(name, value);
const stemkring = (...args: string[]) => command(args);

const { bundle, receipts } = buildBundleV2();

describe('stemkring verify on a protocol-2 (secret round) bundle', () => {
  it('exits 0 and says how many credentials were used and issued', async () => {
    const { code, stdout } = await stemkring('verify', write('bundle.json', bundle), '--receipt', write('receipt.json', receipts[2]));
    expect(code).toBe(0);
    expect(stdout).toContain("✓ Every ballot's credential signed by the round's issuing key for its round key: 5 credentials on the board");
    expect(stdout).toContain('✓ No more credentials used than issued, no more issued than eligible: 5 distinct credentials used ≤ 5 issued ≤ 6 in the electorate');
    expect(stdout).toContain('Electorate 6, credentials issued 5, entries on the board 6, voters counted 5');
    expect(stdout).not.toContain('Ballot keys');
    expect(stdout).toContain('OK: all 20 checks hold.');
  });

  it('checks credentials on worker threads too, and fails a forged one', async () => {
    const valid = await stemkring('verify', write('bundle2.json', bundle), '--json', '--workers', '2');
    expect(valid.code).toBe(0);
    expect((JSON.parse(valid.stdout) as VerifyReport).ok).toBe(true);
    const forged = withValue(bundle, ['board', 1, 'ballot', 'credential'], encodeBase64Url(new Uint8Array(256).fill(3)));
    for (const workers of ['0', '2']) {
      const { code, stdout } = await stemkring('verify', write(`forged-${workers}.json`, forged), '--workers', workers);
      expect(code).toBe(1);
      expect(stdout).toContain("✗ Every ballot's credential signed by the round's issuing key for its round key: 1 credential not issued for the ballot's round key in this round");
      expect(stdout).toContain('entry 2: the credential does not verify under definition.issuer for (round, ballot.key)');
    }
  });
});
