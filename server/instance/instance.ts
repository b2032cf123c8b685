import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { idSchema } from '../../shared/protocol/ids';
import { privateFile, privateFolder, writePrivateFile } from './private-files';

/**
 * The instance identity of protocol.md: an id and an Ed25519 key pair made on
 * first start and kept in the data folder (mode 0600, the folder 0700). The secret key never
 * leaves this folder. A second secret (also 0600) keys the JWTs and the voters'
 * pseudonyms, kept apart from the signing key so each has one purpose.
 */
export interface Instance {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly publicKeyB64: string;
  readonly privateKey: KeyObject;
  readonly publicKeyObject: KeyObject;
  readonly secret: Uint8Array;
}

const fileSchema = z.object({
  instance: idSchema(),
  secretKeyPkcs8: z.string().min(1),
  secret: z.string().min(43),
});

const FILE = 'instance.json';

export function loadOrCreateInstance(dataDir: string): Instance {
  privateFolder(dataDir);
  const file = path.join(dataDir, FILE);
  let stored: z.infer<typeof fileSchema>;
  if (fs.existsSync(file)) {
    const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is damaged: ${parsed.error.message}`);
    stored = parsed.data;
    privateFile(file, false);
  } else {
    const { privateKey } = generateKeyPairSync('ed25519');
    stored = {
      instance: randomBytes(12).toString('base64url'),
      secretKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
      secret: randomBytes(32).toString('base64url'),
    };
    // All or nothing, so a crash never leaves half a key.
    writePrivateFile(file, JSON.stringify(stored, null, 2));
  }
  const privateKey = createPrivateKey({ key: Buffer.from(stored.secretKeyPkcs8, 'base64url'), format: 'der', type: 'pkcs8' });
  const publicKeyObject = createPublicKey(privateKey);
  const spki = publicKeyObject.export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return {
    id: stored.instance,
    publicKey,
    publicKeyB64: Buffer.from(publicKey).toString('base64url'),
    privateKey,
    publicKeyObject,
    secret: new Uint8Array(Buffer.from(stored.secret, 'base64url')),
  };
}
