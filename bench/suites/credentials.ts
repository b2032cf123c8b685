/**
 * Round credentials (issue 15). Two targets against baselines measured in
 * the same run, one core, in turns (this shared machine drifts by more over
 * a minute than the differences measured), medians of the turn-by-turn
 * ratios:
 * - issuance: `blindSign` as the server runs it (strict base64url decoding
 *   of the request, size and range checks, RSASP1, the RSAVP1 check, the
 *   answer encoded) against the raw node:crypto RSA private-key operation on
 *   the same requests, already decoded (target ≥ 0.8);
 * - verification: `checkCredential` with node:crypto as `stemkring verify`
 *   will run it for every protocol-2 ballot, against raw Ed25519 verify of
 *   the ballot signatures, keys ready (no target yet: the issue's target is
 *   on the whole verifier, measured when ballots carry credentials).
 * The device's side (prepare and finish in BigInt, as the browser runs them)
 * is reported for scale.
 */
import { constants, createPublicKey, privateDecrypt, randomBytes, verify } from 'node:crypto';
import { blindSign, generateIssuerSync, nodeCredentialCrypto } from '../../node/crypto/blind-rsa';
import { ed25519PrivateKey, nodeSign } from '../../node/crypto/node-crypto';
import { checkCredential, credentialMessage, finishCredential, portableCredentialCrypto, prepareCredential, type PreparedCredential } from '../../shared/protocol/credential';
import { fmt, median, table } from '../lib/stats';

const REQUESTS = Number(process.env['BENCH_CREDENTIAL_REQUESTS'] ?? 1_000);
const TURNS = 5;
/** Passes over the requests per timed side, so a side lasts about a second. */
const ISSUE_PASSES = 2;
const VERIFY_PASSES = 10;
const PORTABLE_SAMPLE = 100;

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`unexpected failure: ${String(result.error)}`);
  return result.value;
}

function main(): void {
  const issuer = generateIssuerSync();

  process.stderr.write(`credentials: preparing ${fmt(REQUESTS)} requests (BigInt, as the browser does)…\n`);
  let t0 = performance.now();
  const prepared: PreparedCredential[] = [];
  for (let i = 0; i < REQUESTS; i += 1) prepared.push(unwrap(prepareCredential(randomBytes(32), `r${String(i % 7)}`, issuer.issuingKey)));
  const prepareMs = (performance.now() - t0) / REQUESTS;
  const requests = prepared.map((p) => p.blindedMessage);
  const decoded = requests.map((r) => Buffer.from(r, 'base64url'));

  // Issuance against the raw private-key operation, in turns.
  const raws: number[] = [];
  const issues: number[] = [];
  const answers: string[] = [];
  for (let turn = 0; turn < TURNS; turn += 1) {
    t0 = performance.now();
    for (let pass = 0; pass < ISSUE_PASSES; pass += 1) {
      for (const m of decoded) privateDecrypt({ key: issuer.privateKey, padding: constants.RSA_NO_PADDING }, m);
    }
    raws.push(performance.now() - t0);
    t0 = performance.now();
    for (let pass = 0; pass < ISSUE_PASSES; pass += 1) {
      for (let i = 0; i < requests.length; i += 1) answers[i] = unwrap(blindSign(issuer, requests[i] ?? ''));
    }
    issues.push(performance.now() - t0);
  }
  const issueRatios = raws.map((r, i) => r / (issues[i] ?? Infinity));
  const issueRatio = median(issueRatios);
  const perSecond = (ms: number, count: number) => (count * 1000) / ms;

  t0 = performance.now();
  const credentials = prepared.map((p, i) => unwrap(finishCredential(p, answers[i] ?? '')));
  const finishMs = (performance.now() - t0) / REQUESTS;

  // What a protocol-2 ballot will carry: the round key's signature over something, next to the credential.
  const ballots = prepared.map((p, i) => {
    const message = credentialMessage(p.round, p.roundKey) ?? new Uint8Array();
    return {
      input: { round: p.round, issuingKey: issuer.issuingKey, roundKey: p.roundKey, credential: credentials[i] ?? '' },
      message,
      sig: nodeSign(message, ed25519PrivateKey(p.roundKeys.secretKey)),
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: p.roundKey }, format: 'jwk' }),
    };
  });
  const edRaws: number[] = [];
  const checks: number[] = [];
  for (let turn = 0; turn < TURNS; turn += 1) {
    t0 = performance.now();
    for (let pass = 0; pass < VERIFY_PASSES; pass += 1) {
      for (const b of ballots) if (!verify(null, b.message, b.key, b.sig)) throw new Error('bad Ed25519 signature');
    }
    edRaws.push(performance.now() - t0);
    t0 = performance.now();
    for (let pass = 0; pass < VERIFY_PASSES; pass += 1) {
      for (const b of ballots) if (!checkCredential(nodeCredentialCrypto, b.input).ok) throw new Error('credential refused');
    }
    checks.push(performance.now() - t0);
  }
  const verifyRatios = edRaws.map((r, i) => r / (checks[i] ?? Infinity));
  const verifyRatio = median(verifyRatios);

  t0 = performance.now();
  for (const b of ballots.slice(0, PORTABLE_SAMPLE)) if (!checkCredential(portableCredentialCrypto, b.input).ok) throw new Error('credential refused');
  const portableMs = (performance.now() - t0) / Math.min(PORTABLE_SAMPLE, ballots.length);

  const issued = REQUESTS * ISSUE_PASSES;
  const checked = REQUESTS * VERIFY_PASSES;
  const runs = (ratios: readonly number[]) => ratios.map((r) => fmt(r, 2)).join(', ');
  process.stdout.write(
    `## Credentials\n\nRound credentials (RFC 9474 RSABSSA-SHA384-PSS-Deterministic, 2048-bit issuing key): ${fmt(REQUESTS)} requests made by the device code, ` +
      `issued and checked on one core, in ${TURNS} turns against baselines of the same run: medians, and the median of the turn-by-turn ratios.\n\n` +
      table(
        ['measure', 'per second', 'vs baseline'],
        [
          ['raw node:crypto RSA-2048 private-key operation (RSA_NO_PADDING), decoded input (baseline)', fmt(perSecond(median(raws), issued)), '1.00'],
          [
            'credential issuance: `blindSign` on the wire request (decode, checks, RSASP1, RSAVP1 check, encode)',
            fmt(perSecond(median(issues), issued)),
            `${fmt(issueRatio, 2)} (target ≥ 0.8: ${issueRatio >= 0.8 ? 'PASS' : 'FAIL'}; runs ${runs(issueRatios)})`,
          ],
          ['raw node:crypto Ed25519 verify, keys ready (baseline)', fmt(perSecond(median(edRaws), checked)), '1.00'],
          ['credential check: `checkCredential` with node:crypto (message, decode, RSA-PSS verify)', fmt(perSecond(median(checks), checked)), `${fmt(verifyRatio, 2)} (runs ${runs(verifyRatios)})`],
          ['credential check in BigInt (the browser\'s verifier), first 100', fmt(1000 / portableMs), fmt(median(edRaws) / checked / portableMs, 2)],
          ['device: prepare a request (derive round key, blind), BigInt', fmt(1000 / prepareMs), `${fmt(prepareMs, 2)} ms each`],
          ['device: finish (unblind, verify), BigInt', fmt(1000 / finishMs), `${fmt(finishMs, 2)} ms each`],
        ],
      ) +
      '\n',
  );
}

main();
