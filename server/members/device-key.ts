import { ed25519 } from '@noble/curves/ed25519.js';

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/**
 * A device key must be a 32-byte Ed25519 public key in base64url without
 * padding, and a real point of prime order: a small-order or malformed key
 * would let signatures mean nothing.
 */
export function checkDevicePublicKey(text: string): string | null {
  if (!B64URL_32.test(text)) return 'must be 32 bytes in base64url without padding';
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== text) return 'must be 32 bytes in base64url without padding';
  try {
    const point = ed25519.Point.fromBytes(new Uint8Array(bytes));
    if (point.is0() || point.isSmallOrder() || !point.isTorsionFree()) return 'is not a usable Ed25519 public key';
  } catch {
    return 'is not an Ed25519 public key';
  }
  return null;
}
