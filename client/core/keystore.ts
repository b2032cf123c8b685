/**
 * The device's own storage (IndexedDB): the member's device key, whose secret
 * half never leaves this device except in a recovery file the member saves
 * themselves, the receipts of the ballots cast here, so "controleer mijn
 * stem" works later too, and the credentials of secret rounds.
 */
import type { AnyBallot, SignedReceipt } from '../../shared/protocol/types';

const DB_NAME = 'stemkring';
/** 2: the credentials store (secret rounds). The upgrade only adds stores: keys and receipts stay as they are. */
const DB_VERSION = 2;
const KEYS = 'keys';
const RECEIPTS = 'receipts';
const CREDENTIALS = 'credentials';

export interface StoredKey {
  readonly memberId: string;
  readonly publicKey: string;
  /** tweetnacl's 64-byte secret key (seed || public key). */
  readonly secretKey: Uint8Array;
  readonly createdAt: string;
}

export interface StoredReceipt extends SignedReceipt {
  /** `${round}:${seq}` */
  readonly id: string;
  readonly memberId: string;
  readonly roundId: string;
  readonly ballot: AnyBallot;
  readonly sig: string;
  readonly savedAt: string;
}

/**
 * A secret round's credential, kept per (member, round). Only public values:
 * the round key's secret half is derived again from the device key when the
 * member votes, so it is never stored twice. Kept so that opening the round
 * again asks the server nothing (and tells it nothing).
 */
export interface StoredCredential {
  /** `${memberId}:${roundId}` */
  readonly id: string;
  readonly memberId: string;
  readonly roundId: string;
  readonly issuingKey: string;
  /** The round key the credential signs; a different device key derives a different one. */
  readonly roundKey: string;
  readonly credential: string;
  readonly savedAt: string;
}

export function credentialId(memberId: string, roundId: string): string {
  return `${memberId}:${roundId}`;
}

/**
 * The database could not be upgraded because another tab still holds the
 * older version open (a tab opened before this version of Stemkring, which
 * does not let go by itself): closing that tab mends it.
 */
export class StorageHeldByOtherTab extends Error {
  constructor() {
    super('StorageHeldByOtherTab');
  }
}

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (opening !== null) return opening;
  opening = new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS, { keyPath: 'memberId' });
      if (!db.objectStoreNames.contains(RECEIPTS)) db.createObjectStore(RECEIPTS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(CREDENTIALS)) db.createObjectStore(CREDENTIALS, { keyPath: 'id' });
    };
    req.onsuccess = () => {
      const db = req.result;
      // A newer version opened in another tab waits for this one to let go; let go, and open again on the next use.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error('indexedDB open failed'));
    // Without this the page would wait, silently, until that tab is closed.
    req.onblocked = () => reject(new StorageHeldByOtherTab());
  });
  opening.catch(() => {
    opening = null;
  });
  return opening;
}

function run<T>(store: string, mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(store, mode);
        const req = work(tx.objectStore(store));
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(tx.error ?? new Error('indexedDB failed'));
        tx.onabort = () => reject(tx.error ?? new Error('indexedDB aborted'));
      }),
  );
}

export async function loadKey(memberId: string): Promise<StoredKey | undefined> {
  const found = await run<unknown>(KEYS, 'readonly', (s) => s.get(memberId));
  if (typeof found !== 'object' || found === null) return undefined;
  const k = found as StoredKey;
  return k.secretKey instanceof Uint8Array && k.secretKey.length === 64 ? k : undefined;
}

export async function saveKey(key: StoredKey): Promise<void> {
  await run(KEYS, 'readwrite', (s) => s.put(key));
}

export async function saveReceipt(receipt: StoredReceipt): Promise<void> {
  await run(RECEIPTS, 'readwrite', (s) => s.put(receipt));
}

export async function receiptsOf(roundId: string): Promise<StoredReceipt[]> {
  const all = await run<unknown[]>(RECEIPTS, 'readonly', (s) => s.getAll());
  return (all as StoredReceipt[]).filter((r) => r.roundId === roundId).sort((a, b) => a.receipt.seq - b.receipt.seq);
}

export async function allReceipts(): Promise<StoredReceipt[]> {
  const all = await run<unknown[]>(RECEIPTS, 'readonly', (s) => s.getAll());
  return (all as StoredReceipt[]).sort((a, b) => (a.savedAt < b.savedAt ? 1 : -1));
}

export async function loadCredential(memberId: string, roundId: string): Promise<StoredCredential | undefined> {
  const found = await run<unknown>(CREDENTIALS, 'readonly', (s) => s.get(credentialId(memberId, roundId)));
  if (typeof found !== 'object' || found === null) return undefined;
  const c = found as Partial<StoredCredential>;
  return typeof c.credential === 'string' && typeof c.roundKey === 'string' && typeof c.issuingKey === 'string' ? (c as StoredCredential) : undefined;
}

export async function saveCredential(credential: StoredCredential): Promise<void> {
  await run(CREDENTIALS, 'readwrite', (s) => s.put(credential));
}
