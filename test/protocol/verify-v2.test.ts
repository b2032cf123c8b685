import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateIssuerSync, nodeCredentialCrypto } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { CryptoPool } from '../../node/crypto/pool';
import { ISSUING_KEY_BYTES } from '../../shared/protocol/credential';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { bytesToInteger, integerToBytes } from '../../shared/protocol/blind-rsa';
import { decodeBase64Url, encodeBase64Url, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { registerV2Jcs } from '../../shared/protocol/signing';
import type { BundleV2 } from '../../shared/protocol/types';
import { checksOf, verifyBundle, verifyBundleAsync, type CheckId, type VerifyReport } from '../../shared/protocol/verify';
import { buildBundle, viaJson } from './bundle-fixture';
import { buildBundleV2, credentialFor, pseudonymOf, resignedV2, type V2Fixture } from './bundle-v2-fixture';
import { seedOf } from './bundle-fixture';
import { allPaths, getAt, otherValue, withValue } from './mutate';

const fixture = buildBundleV2();
const { bundle, receipts } = fixture;

function failed(report: VerifyReport): CheckId[] {
  return report.checks.filter((c) => !c.ok).map((c) => c.id);
}

function verify(value: unknown, receipt?: unknown): VerifyReport {
  return verifyBundle(viaJson(value), nodeCrypto, { credentials: nodeCredentialCrypto, ...(receipt === undefined ? {} : { receipt: viaJson(receipt) }) });
}

/** The register changed, its root and counts in the outcome following, everything signed again: a dishonest server. */
function withRegister(source: V2Fixture, change: (register: BundleV2['register']) => BundleV2['register']): BundleV2 {
  return resignedV2(source, (b) => {
    const register = change(b.register);
    const root = encodeBase64Url(portableCrypto.sha256(utf8(jcs(register))));
    return { ...b, register, outcome: { ...b.outcome, register: { count: register.electorate.length, issued: register.issued.length, root } } };
  });
}

describe('verifying a protocol-2 (secret round) bundle', () => {
  it('passes every check with node:crypto and with the portable crypto, in one go and in batches', async () => {
    const reports = [
      verify(bundle),
      verifyBundle(viaJson(bundle), portableCrypto),
      await verifyBundleAsync(viaJson(bundle), nodeCrypto, { credentials: nodeCredentialCrypto, batchSize: 2 }),
      await verifyBundleAsync(viaJson(bundle), portableCrypto, { batchSize: 4 }),
    ];
    for (const report of reports) {
      expect(failed(report)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });

  it('passes with credentials and signatures checked on worker threads', async () => {
    const pool = new CryptoPool(2);
    try {
      const report = await verifyBundleAsync(viaJson(bundle), nodeCrypto, {
        credentials: nodeCredentialCrypto,
        verifyBatch: (tasks) => pool.verifyBatch(tasks),
        verifyCredentials: (key, tasks) => pool.verifyCredentials(key, tasks),
        batchSize: 2,
      });
      expect(failed(report)).toEqual([]);
      const forged = await verifyBundleAsync(viaJson(withValue(bundle, ['board', 4, 'ballot', 'credential'], encodeBase64Url(new Uint8Array(ISSUING_KEY_BYTES).fill(7)))), nodeCrypto, {
        verifyBatch: (tasks) => pool.verifyBatch(tasks),
        verifyCredentials: (key, tasks) => pool.verifyCredentials(key, tasks),
      });
      expect(failed(forged)).toContain('ballot-credentials');
    } finally {
      await pool.close();
    }
  });

  it('names the same entries in one go and in batches of any size, a revoted credential once', async () => {
    const forged = buildBundleV2({ credentialOf: (member, device) => (member === 0 || member === 4 ? (fixture.devices.get(1)?.credential ?? '') : device.credential) });
    const expected = [
      'entry 1 (and 1 later entry with it): the credential does not verify under definition.issuer for (round, ballot.key)',
      'entry 6: the credential does not verify under definition.issuer for (round, ballot.key)',
    ];
    const problems = (report: VerifyReport) => report.checks.find((c) => c.id === 'ballot-credentials')?.problems;
    expect(problems(verify(forged.bundle))).toEqual(expected);
    for (const batchSize of [1, 2, 3, 5]) {
      const report = await verifyBundleAsync(viaJson(forged.bundle), nodeCrypto, { credentials: nodeCredentialCrypto, batchSize, inFlight: 2 });
      expect(problems(report), `batches of ${batchSize}`).toEqual(expected);
      expect(failed(report)).toEqual(['ballot-credentials']);
    }
  });

  it("reports protocol 2's checks in order (no key register, credentials instead) and its figures", () => {
    const report = verify(bundle, receipts[3]);
    expect(report.checks.map((c) => c.id)).toEqual(checksOf(2));
    expect(report.checks.map((c) => c.id)).not.toContain('ballot-keys');
    expect(report.figures).toMatchObject({ electorate: 6, issued: 5, entries: 6, counted: 5, finalHead: bundle.outcome.board.head });
    expect(report.recount).toEqual(bundle.outcome.result);
    expect(report.checks.find((c) => c.id === 'credentials-issued')?.detail).toBe('5 distinct credentials used ≤ 5 issued ≤ 6 in the electorate');
  });

  it('checks each distinct credential once: a revote repeats the credential, not the RSA check', () => {
    let calls = 0;
    const counting = { verify: (key: string, m: Uint8Array, s: Uint8Array) => ((calls += 1), nodeCredentialCrypto.verify(key, m, s)) };
    expect(verifyBundle(viaJson(bundle), nodeCrypto, { credentials: counting }).ok).toBe(true);
    expect(calls).toBe(5);
  });

  it('fails credentials-issued for one credential more than the register lists as issued', () => {
    // Member 5 got a real credential from the issuer, but the register lists only members 0 to 3 as issued.
    const over = buildBundleV2({ issued: [0, 1, 2, 3], ballots: [0, 1, 2, 3, 5].map((member) => ({ member, choice: { approve: ['opt-a'] } })) });
    const report = verify(over.bundle);
    expect(failed(report)).toEqual(['credentials-issued']);
    expect(report.checks.find((c) => c.id === 'credentials-issued')?.detail).toBe('the board holds 5 distinct credentials, but only 4 were issued');
  });

  it("fails ballot-credentials for a credential of another round's issuer, or for another round", () => {
    const other = generateIssuerSync();
    const foreign = buildBundleV2({
      credentialOf: (member, device) => (member === 2 ? credentialFor(seedOf(`member ${member} device`), 'round-1', other).credential : device.credential),
    });
    expect(failed(verify(foreign.bundle))).toEqual(['ballot-credentials']);
    const elsewhere = buildBundleV2({
      credentialOf: (member, device) => (member === 1 ? credentialFor(seedOf(`member ${member} device`), 'round-2', fixture.issuer).credential : device.credential),
    });
    expect(failed(verify(elsewhere.bundle))).toEqual(['ballot-credentials']);
    // Another member's credential carried with one's own round key: the credential is for the other key.
    const swapped = buildBundleV2({ credentialOf: (member, device) => (member === 4 ? (fixture.devices.get(3)?.credential ?? '') : device.credential) });
    const report = verify(swapped.bundle);
    expect(failed(report)).toEqual(['ballot-credentials']);
    expect(report.checks.find((c) => c.id === 'ballot-credentials')?.problems).toEqual(['entry 6: the credential does not verify under definition.issuer for (round, ballot.key)']);
  });

  it('fails ballot-credentials for a credential s + n and for random 256-byte values', () => {
    // s + n is the same residue mod n but not the credential's one encoding; it fits 256 bytes only when s < 2^2048 - n,
    // so the member is the first whose credential does (about one in six for this key).
    const n = decodeBase64Url(fixture.issuer.issuingKey, ISSUING_KEY_BYTES);
    if (!n.ok) throw new Error('bad fixture');
    const member = Array.from({ length: 64 }, (_, m) => m).find((m) => {
      const s = decodeBase64Url(credentialFor(seedOf(`member ${m} device`), 'round-1', fixture.issuer).credential, ISSUING_KEY_BYTES);
      return s.ok && bytesToInteger(s.value) + bytesToInteger(n.value) < 2n ** 2048n;
    });
    if (member === undefined) throw new Error('no credential below 2^2048 - n among 64 members');
    const shifted = buildBundleV2({
      electorate: member + 1,
      issued: [member],
      ballots: [{ member, choice: { approve: ['opt-a'] } }],
      credentialOf: (_, d) => {
        const s = decodeBase64Url(d.credential, ISSUING_KEY_BYTES);
        if (!s.ok) throw new Error('bad credential');
        return encodeBase64Url(integerToBytes(bytesToInteger(s.value) + bytesToInteger(n.value), ISSUING_KEY_BYTES));
      },
    });
    expect(failed(verify(shifted.bundle))).toEqual(['ballot-credentials']);
    expect(failed(verifyBundle(viaJson(shifted.bundle), portableCrypto))).toEqual(['ballot-credentials']);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: ISSUING_KEY_BYTES, maxLength: ISSUING_KEY_BYTES }), (random) => {
        const changed = withValue(bundle, ['board', 1, 'ballot', 'credential'], encodeBase64Url(random));
        // The ballot's signature covers its credential, so that check fails too; the credential check must say so on its own.
        expect(failed(verify(changed))).toContain('ballot-credentials');
      }),
      { numRuns: 20 },
    );
  });

  it('refuses an entry that names a voter: a secret board names nobody', () => {
    const named = withValue(bundle, ['board', 2, 'voter'], pseudonymOf(2));
    const report = verify(named);
    expect(failed(report)).toEqual(['bundle-schema']);
    expect(report.checks[0]?.problems.join('\n')).toContain('board[2]');
  });

  it('fails revote for two ballots under one credential when revoting is off', () => {
    const once = buildBundleV2({ definition: { revote: false } });
    const report = verify(once.bundle);
    expect(failed(report)).toEqual(['revote']);
    expect(report.checks.find((c) => c.id === 'revote')?.problems[0]).toMatch(/^entry 4: credential .{16}… already has a ballot and revoting is off$/);
    const single = buildBundleV2({ definition: { revote: false }, ballots: [0, 1, 2].map((member) => ({ member, choice: { approve: ['opt-b'] } })) });
    expect(verify(single.bundle).ok).toBe(true);
  });

  it('fails the register when a pseudonym issued a credential is not in the electorate, or the counts disagree', () => {
    const outsider = withRegister(fixture, (r) => ({ ...r, issued: [...r.issued, 'zz-not-a-member'].sort() }));
    const refused = verify(outsider);
    expect(failed(refused)).toEqual(['bundle-schema']);
    expect(refused.checks[0]?.problems).toContain('register.issued[5]: pseudonym zz-not-a-member received a credential but is not in the electorate');
    const fewer = withRegister(fixture, (r) => ({ ...r, electorate: r.electorate.slice(1), issued: r.issued.filter((p) => p !== r.electorate[0]) }));
    expect(failed(verify(fewer))).toContain('register');
    const moreIssued = resignedV2(fixture, (b) => ({ ...b, outcome: { ...b.outcome, register: { ...b.outcome.register, issued: 6 } } }));
    expect(failed(verify(moreIssued))).toEqual(['register']);
  });

  it('computes the register root over JCS of {electorate, issued}', () => {
    expect(registerV2Jcs(bundle.register)).toBe(jcs(bundle.register));
    expect(registerV2Jcs({ electorate: [], issued: [] })).toBe(jcs({ electorate: [], issued: [] }));
  });

  it('still verifies protocol-1 bundles as before', () => {
    const v1 = buildBundle();
    const report = verifyBundle(viaJson(v1.bundle), nodeCrypto, { credentials: nodeCredentialCrypto });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(checksOf(1).filter((id) => !id.startsWith('receipt')));
    expect(report.figures).not.toHaveProperty('issued');
  });
});

describe('a protocol-2 bundle changed in any one place', () => {
  const text = JSON.stringify(bundle);
  const parsed = JSON.parse(text) as unknown;
  const paths = allPaths(parsed);

  it('is rejected whichever field changed', () => {
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.nat(), (p, pick) => {
        const path = paths[p] ?? [];
        const changed = withValue(parsed, path, otherValue(getAt(parsed, path), pick));
        expect(JSON.stringify(changed)).not.toBe(text);
        expect(verify(changed).ok, `${path.join('.')} → ${JSON.stringify(getAt(changed, path))}`).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('is rejected whichever byte of its JSON text is altered (when the text is still JSON)', () => {
    const alphabet = 'AZaz09-_"{}[],:.1 ';
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.nat(alphabet.length - 1), (at, c) => {
        const replacement = alphabet.charAt(c) === text.charAt(at) ? 'Q' : alphabet.charAt(c);
        const altered = text.slice(0, at) + replacement + text.slice(at + 1);
        let value: unknown;
        try {
          value = JSON.parse(altered);
        } catch {
          return; // not JSON: no verifier gets as far as reading it
        }
        // A change JSON does not see (say, inside insignificant space) is no change of the bundle.
        if (JSON.stringify(value) === text) return;
        expect(verifyBundle(value, nodeCrypto, { credentials: nodeCredentialCrypto }).ok, `byte ${at} → ${replacement}`).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});

