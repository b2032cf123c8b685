/**
 * The offline verifier of protocol.md ("Outcome and bundle", and "Protocol
 * 2: secret rounds"): everything a published bundle claims, checked without
 * the server, then recounted. Pure: no I/O, crypto injected. A bundle of
 * either protocol is accepted; `protocol` picks the pass (verify-v1.ts,
 * verify-v2.ts). `verifyBundle` runs in one go; `verifyBundleAsync` hands
 * ballot signatures and credentials to injected batch verifiers (worker
 * threads in the command line) while the sequential checks go on here.
 */
import { portableCredentialCrypto, type CredentialCrypto } from './credential';
import { BundleOutlineSchema, parseWith } from './schemas';
import { BundleV2OutlineSchema } from './schemas-v2';
import type { ProtocolCrypto } from './signing';
import { schemaReport, type AsyncVerifyOptions, type BoardPass, type CredentialTask, type SignatureTask, type VerifyOptions } from './verify-common';
import type { VerifyReport } from './verify-report';
import { BoardPassV1 } from './verify-v1';
import { BoardPassV2 } from './verify-v2';

export { CHECKS, checksOf, type CheckId, type VerifyCheck, type VerifyReport } from './verify-report';
export type { AsyncVerifyOptions, CredentialTask, SignatureTask, VerifyOptions } from './verify-common';

/** Entries whose signatures the one-thread verifier checks together. */
const SYNC_BATCH = 256;

/** Checks a bundle and recounts it. Never throws for anything in the bundle. */
export function verifyBundle(bundle: unknown, crypto: ProtocolCrypto, opts: VerifyOptions = {}): VerifyReport {
  const run = startRun(bundle, crypto, opts, true);
  if (!run.ok) return run.report;
  const { pass } = run;
  const credentials = opts.credentials ?? portableCredentialCrypto;
  // A batch of entries is prepared (its signed bytes in one reused arena), then its signatures verified back to back.
  const tasks: SignatureTask[] = [];
  for (let start = 0; start < pass.total; start += SYNC_BATCH) {
    const end = Math.min(start + SYNC_BATCH, pass.total);
    tasks.length = 0;
    for (let i = start; i < end; i += 1) tasks.push(pass.entry(i));
    tasks.forEach((task, k) => pass.signature(start + k, crypto.verify(task.signature, task.message, task.publicKey)));
    checkCredentialsHere(pass, credentials);
    pass.releaseBuffers();
  }
  return pass.finish();
}

/**
 * The same checks with ballot signatures verified in batches by
 * `opts.verifyBatch` (for instance in worker threads), while the sequential
 * checks (leaves, chain, nonces, …) go on in the caller's thread. Without
 * `verifyBatch` it verifies with `crypto`, yielding to the event loop
 * between batches.
 */
export async function verifyBundleAsync(bundle: unknown, crypto: ProtocolCrypto, opts: AsyncVerifyOptions = {}): Promise<VerifyReport> {
  const run = startRun(bundle, crypto, opts, false);
  if (!run.ok) return run.report;
  const { pass } = run;
  const batchSize = Math.max(1, opts.batchSize ?? 2048);
  const inFlight = Math.max(1, opts.inFlight ?? 8);
  const verifyBatch =
    opts.verifyBatch ??
    (async (tasks: readonly SignatureTask[]) => {
      // A macrotask, not just a microtask, so a server verifying in-process keeps answering between batches.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      return tasks.map((t) => crypto.verify(t.signature, t.message, t.publicKey));
    });
  const credentials = opts.credentials ?? portableCredentialCrypto;
  const verifyCredentials =
    opts.verifyCredentials ??
    (async (issuingKey: string, tasks: readonly CredentialTask[]) => {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      return tasks.map((t) => credentials.verify(issuingKey, t.message, t.signature));
    });
  interface Pending {
    readonly start: number;
    readonly verdicts: Promise<ArrayLike<boolean | number>>;
    readonly credentials: { readonly first: number; readonly count: number; readonly verdicts: Promise<ArrayLike<boolean | number>> } | undefined;
  }
  const pending: Pending[] = [];
  const settle = async (): Promise<void> => {
    const batch = pending.shift();
    if (batch === undefined) return;
    const verdicts = await batch.verdicts;
    const end = Math.min(batch.start + batchSize, pass.total);
    for (let i = batch.start; i < end; i += 1) pass.signature(i, Boolean(verdicts[i - batch.start]));
    if (batch.credentials !== undefined) {
      const { first, count } = batch.credentials;
      const found = await batch.credentials.verdicts;
      for (let k = 0; k < count; k += 1) pass.credential(first + k, Boolean(found[k]));
    }
  };
  for (let start = 0; start < pass.total; start += batchSize) {
    const tasks: SignatureTask[] = [];
    const end = Math.min(start + batchSize, pass.total);
    for (let i = start; i < end; i += 1) tasks.push(pass.entry(i));
    const verdicts = verifyBatch(tasks);
    // Settled in order later; a failure of a later batch must not go unhandled meanwhile.
    verdicts.catch(() => undefined);
    const found = pass.takeCredentials();
    let credentialBatch: Pending['credentials'];
    if (found.tasks.length > 0 && pass.issuingKey !== undefined) {
      const credentialVerdicts = verifyCredentials(pass.issuingKey, found.tasks);
      credentialVerdicts.catch(() => undefined);
      credentialBatch = { first: found.first, count: found.tasks.length, verdicts: credentialVerdicts };
    }
    pending.push({ start, verdicts, credentials: credentialBatch });
    if (pending.length >= inFlight) await settle();
  }
  while (pending.length > 0) await settle();
  return pass.finish();
}

// ---------------------------------------------------------------------------

type Run = { ok: true; pass: BoardPass } | { ok: false; report: VerifyReport };

function isProtocol2(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && (raw as { protocol?: unknown }).protocol === 2;
}

/** With `reuseBuffers`, signature tasks are only valid until `releaseBuffers`. */
function startRun(raw: unknown, crypto: ProtocolCrypto, opts: VerifyOptions, reuseBuffers: boolean): Run {
  // The entries are checked for form in the board pass itself (see BoardPass.entry).
  if (isProtocol2(raw)) {
    const parsed = parseWith(BundleV2OutlineSchema, raw);
    if (!parsed.ok) return { ok: false, report: schemaReport(parsed.error) };
    return { ok: true, pass: new BoardPassV2(parsed.value, crypto, opts, reuseBuffers) };
  }
  // Anything else is read as protocol 1, so a bundle naming no protocol or another one is reported as today.
  const parsed = parseWith(BundleOutlineSchema, raw);
  if (!parsed.ok) return { ok: false, report: schemaReport(parsed.error) };
  return { ok: true, pass: new BoardPassV1(parsed.value, crypto, opts, reuseBuffers) };
}

/** The credentials the pass has gathered, checked in this thread. */
function checkCredentialsHere(pass: BoardPass, credentials: CredentialCrypto): void {
  const { first, tasks } = pass.takeCredentials();
  const { issuingKey } = pass;
  if (issuingKey === undefined) return;
  tasks.forEach((task, k) => pass.credential(first + k, credentials.verify(issuingKey, task.message, task.signature)));
}
