/**
 * How batches of signature work cross to a worker thread: as a few
 * transferred buffers (messages back to back, signatures, keys) rather than as
 * objects, which structured cloning would copy field by field.
 */
import type { CredentialTask, SignatureTask } from '../../shared/protocol/verify';
import { ISSUING_KEY_BYTES } from '../../shared/protocol/credential';

export interface Messages {
  readonly count: number;
  /** Every message back to back; message i is messages[offsets[i]..offsets[i+1]). */
  readonly messages: Uint8Array<ArrayBuffer>;
  readonly offsets: Uint32Array<ArrayBuffer>;
}

export interface VerifyPack extends Messages {
  /** 64 bytes per task. */
  readonly signatures: Uint8Array<ArrayBuffer>;
  /** 32 bytes per task. */
  readonly keys: Uint8Array<ArrayBuffer>;
  /** 1 where the task had a 64-byte signature and a 32-byte key; a malformed task never verifies. */
  readonly wellFormed: Uint8Array<ArrayBuffer>;
}

/** Credentials (protocol 2) to check under one issuing key: messages back to back, 256-byte signatures. */
export interface CredentialPack extends Messages {
  /** The issuing key's wire form (base64url of n): one per batch, imported once per worker. */
  readonly issuingKey: string;
  readonly signatures: Uint8Array<ArrayBuffer>;
}

export interface CryptoBatch {
  readonly verify?: VerifyPack | undefined;
  readonly sign?: Messages | undefined;
  readonly credentials?: CredentialPack | undefined;
}

export interface CryptoReply {
  /** 1 where the signature is valid, 0 where not. */
  readonly verdicts?: Uint8Array<ArrayBuffer> | undefined;
  /** 64 bytes per signed message, in order. */
  readonly signatures?: Uint8Array<ArrayBuffer> | undefined;
  /** 1 where the credential is valid, 0 where not. */
  readonly credentialVerdicts?: Uint8Array<ArrayBuffer> | undefined;
}

export function packMessages(messages: readonly Uint8Array[]): Messages {
  let total = 0;
  for (const m of messages) total += m.length;
  const packed = new Uint8Array(total);
  const offsets = new Uint32Array(messages.length + 1);
  let offset = 0;
  messages.forEach((m, i) => {
    packed.set(m, offset);
    offset += m.length;
    offsets[i + 1] = offset;
  });
  return { count: messages.length, messages: packed, offsets };
}

export function packSignatures(tasks: readonly SignatureTask[]): VerifyPack {
  const signatures = new Uint8Array(tasks.length * 64);
  const keys = new Uint8Array(tasks.length * 32);
  const wellFormed = new Uint8Array(tasks.length);
  tasks.forEach((task, i) => {
    // Not left as zeros to be verified: OpenSSL accepts some all-zero signatures under the all-zero (small-order) key.
    if (task.signature.length !== 64 || task.publicKey.length !== 32) return;
    signatures.set(task.signature, i * 64);
    keys.set(task.publicKey, i * 32);
    wellFormed[i] = 1;
  });
  return { ...packMessages(tasks.map((t) => t.message)), signatures, keys, wellFormed };
}

export function unpackSignatures(
  pack: VerifyPack,
  verify: (message: Uint8Array, signature: Uint8Array, key: Uint8Array) => boolean,
): Uint8Array<ArrayBuffer> {
  const verdicts = new Uint8Array(pack.count);
  for (let i = 0; i < pack.count; i += 1) {
    if (pack.wellFormed[i] !== 1) continue;
    const message = pack.messages.subarray(pack.offsets[i] ?? 0, pack.offsets[i + 1] ?? 0);
    verdicts[i] = verify(message, pack.signatures.subarray(i * 64, i * 64 + 64), pack.keys.subarray(i * 32, i * 32 + 32)) ? 1 : 0;
  }
  return verdicts;
}

export function packCredentials(issuingKey: string, tasks: readonly CredentialTask[]): CredentialPack {
  const signatures = new Uint8Array(tasks.length * ISSUING_KEY_BYTES);
  // A task of another length is left as zeros: zero is never a valid PSS signature (RSAVP1 gives 0, whose encoding fails).
  tasks.forEach((task, i) => {
    if (task.signature.length === ISSUING_KEY_BYTES) signatures.set(task.signature, i * ISSUING_KEY_BYTES);
  });
  return { ...packMessages(tasks.map((t) => t.message)), issuingKey, signatures };
}

export function unpackCredentials(pack: CredentialPack, verify: (issuingKey: string, message: Uint8Array, signature: Uint8Array) => boolean): Uint8Array<ArrayBuffer> {
  const verdicts = new Uint8Array(pack.count);
  for (let i = 0; i < pack.count; i += 1) {
    const message = pack.messages.subarray(pack.offsets[i] ?? 0, pack.offsets[i + 1] ?? 0);
    verdicts[i] = verify(pack.issuingKey, message, pack.signatures.subarray(i * ISSUING_KEY_BYTES, (i + 1) * ISSUING_KEY_BYTES)) ? 1 : 0;
  }
  return verdicts;
}

export function transferables(batch: CryptoBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const part of [batch.verify, batch.sign, batch.credentials]) if (part !== undefined) out.push(part.messages.buffer, part.offsets.buffer);
  if (batch.verify !== undefined) out.push(batch.verify.signatures.buffer, batch.verify.keys.buffer, batch.verify.wellFormed.buffer);
  if (batch.credentials !== undefined) out.push(batch.credentials.signatures.buffer);
  return out;
}
