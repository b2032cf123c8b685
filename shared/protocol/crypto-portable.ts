/**
 * `ProtocolCrypto` in plain JavaScript (tweetnacl + @noble/hashes) for the
 * browser and for any verifier without node:crypto. Slow for signatures
 * (milliseconds each) but exact.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import nacl from 'tweetnacl';
import type { ProtocolCrypto } from './signing';

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const ORDER = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/**
 * RFC 8032 requires S < L. tweetnacl does not check it and OpenSSL does, so
 * without this a signature with S + L would be valid in the booth and invalid
 * on the server; every implementation must give the same verdict.
 */
function scalarIsCanonical(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i -= 1) {
    const s = signature[32 + i] ?? 0;
    const l = ORDER[i] ?? 0;
    if (s !== l) return s < l;
  }
  return false;
}

export const portableCrypto: ProtocolCrypto = {
  sha256(data) {
    return sha256(data);
  },
  verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    if (!scalarIsCanonical(signature)) return false;
    return nacl.sign.detached.verify(message, signature, publicKey);
  },
};
