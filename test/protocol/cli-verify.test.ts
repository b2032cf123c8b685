import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratch, stemkring as command } from '../helpers/stemkring-command';
import type { VerifyReport } from '../../shared/protocol/verify';
import { buildBundle } from './bundle-fixture';
import { tamperedHostileBundle } from './hostile-fixture';
import { withValue } from './mutate';

const files = scratch('stemkring-verify-');
afterAll(() => files.remove());
const { dir } = files;
const write = (name: string, value: unknown): string => files.write(name, value);
const stemkring = (...args: string[]) => command(args);

const { bundle, receipts } = buildBundle();

describe('stemkring verify', () => {
  it('exits 0 for a valid bundle and prints each check and the recount by label', async () => {
    const { code, stdout } = await stemkring('verify', write('bundle.json', bundle), '--receipt', write('receipt.json', receipts[0]));
    expect(code).toBe(0);
    expect(stdout).toContain('✓ Ballot signatures: 6 signatures valid');
    expect(stdout).toContain('✓ Receipt matches its entry on the board');
    expect(stdout).toContain('1. Een gezamenlijke ledenraad (opt-a)');
    expect(stdout).toContain('OK: all 19 checks hold.');
    expect(stdout).not.toContain('✗');
  });

  it('exits 1 for a tampered bundle and says what does not hold', async () => {
    const tampered = withValue(bundle, ['board', 2, 'ballot', 'choice', 'approve', 0], 'opt-d');
    const { code, stdout } = await stemkring('verify', write('tampered.json', tampered));
    expect(code).toBe(1);
    expect(stdout).toContain('✗ Ballot signatures: 1 signature invalid');
    expect(stdout).toContain('entry 3: the signature does not verify under ballot.key');
    expect(stdout).toMatch(/FAILED: \d+ of 17 checks do not hold/);
  });

  it('prints the report as JSON, with signatures checked on a worker thread', async () => {
    const { code, stdout } = await stemkring('verify', write('bundle2.json', bundle), '--json', '--workers', '1');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.ok).toBe(true);
    expect(report.figures?.counted).toBe(5);
  });

  it('exits 1 with a report, not a stack trace, for a tampered bundle whose option ids are Object.prototype names', async () => {
    const file = path.join(dir, 'hostile.json');
    writeFileSync(file, tamperedHostileBundle());
    const { code, stdout, stderr } = await stemkring('verify', file);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('✗ Recount matches the published result: the recount differs from the published result');
    expect(stdout).toContain('result.approvals.constructor: recount 2, published (missing)');
    expect(stdout).toMatch(/FAILED: \d+ of 17 checks do not hold/);
  });

  it('exits 2 for usage errors and unreadable files', async () => {
    expect((await stemkring('verify')).code).toBe(2);
    const missing = await stemkring('verify', path.join(dir, 'nowhere.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read bundle');
    writeFileSync(path.join(dir, 'broken.json'), '{"protocol": 1,');
    const broken = await stemkring('verify', path.join(dir, 'broken.json'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not JSON');
    expect((await stemkring('verify', path.join(dir, 'bundle.json'), '--bogus')).code).toBe(2);
  });
});
