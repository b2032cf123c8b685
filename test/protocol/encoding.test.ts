import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  compareBytes,
  concatBytes,
  decodeBase64Url,
  decodeBase64UrlInto,
  encodeBase64Url,
  equalsBase64Url,
  fromHex,
  fromUtf8,
  isBase64Url,
  toHex,
  utf8,
} from '../../shared/protocol/encoding';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('base64url', () => {
  it('encodes the RFC 4648 test vectors without padding, in the URL alphabet', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, encoded] of vectors) {
      expect(encodeBase64Url(utf8(text))).toBe(encoded);
      expect(decodeBase64Url(encoded)).toEqual({ ok: true, value: utf8(text) });
    }
    expect(encodeBase64Url(bytes(0xfb, 0xff, 0xbf))).toBe('-_-_');
  });

  it('agrees with Buffer for any bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        const text = Buffer.from(data).toString('base64url');
        expect(encodeBase64Url(data)).toBe(text);
        expect(decodeBase64Url(text)).toEqual({ ok: true, value: data });
        expect(isBase64Url(text, data.length)).toBe(true);
        expect(equalsBase64Url(data, text)).toBe(true);
      }),
    );
  });

  it('refuses padding, whitespace, the standard alphabet and impossible lengths', () => {
    for (const text of ['Zg==', 'Zm9v\n', ' Zm9v', 'Zm+v', 'Zm/v', 'Z', 'Zm9vY', 'Zm9v!']) {
      expect(decodeBase64Url(text).ok, text).toBe(false);
      expect(isBase64Url(text), text).toBe(false);
    }
    expect(decodeBase64Url('Zm9vé')).toEqual({ ok: false, error: 'invalid_length' });
    expect(decodeBase64Url('Zm9é')).toEqual({ ok: false, error: 'invalid_character' });
  });

  it('accepts one text per byte string: unused low bits must be zero', () => {
    // "Zg" is "f"; "Zh" … "Zv" carry the same byte with stray low bits.
    expect(decodeBase64Url('Zh')).toEqual({ ok: false, error: 'non_canonical' });
    expect(decodeBase64Url('Zm8')).toEqual({ ok: true, value: utf8('fo') });
    expect(decodeBase64Url('Zm9')).toEqual({ ok: false, error: 'non_canonical' });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((d) => d.length % 3 !== 0), fc.nat(), (data, pick) => {
        const text = encodeBase64Url(data);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const other = alphabet[(alphabet.indexOf(text.at(-1) ?? 'A') + 1 + (pick % 63)) % 64] ?? 'A';
        const changed = text.slice(0, -1) + other;
        const decoded = decodeBase64Url(changed);
        // A changed last character either decodes to other bytes or is refused; never to the same bytes.
        expect(decoded.ok && bytesEqual(decoded.value, data)).toBe(false);
      }),
    );
  });

  it('checks the decoded size when asked', () => {
    const key = new Uint8Array(32).fill(7);
    const text = encodeBase64Url(key);
    expect(text).toHaveLength(43);
    expect(decodeBase64Url(text, 32).ok).toBe(true);
    expect(decodeBase64Url(text, 31)).toEqual({ ok: false, error: 'wrong_size' });
    expect(isBase64Url(text, 32)).toBe(true);
    expect(isBase64Url(text, 64)).toBe(false);
    expect(isBase64Url(encodeBase64Url(new Uint8Array(64)), 64)).toBe(true);
    expect(isBase64Url(encodeBase64Url(new Uint8Array(16)), 16)).toBe(true);
  });

  it('decodes into a buffer at an offset', () => {
    const out = new Uint8Array(8);
    expect(decodeBase64UrlInto('Zm9v', out, 2)).toEqual({ ok: true, value: 3 });
    expect([...out]).toEqual([0, 0, 0x66, 0x6f, 0x6f, 0, 0, 0]);
    expect(decodeBase64UrlInto('Zm9vYmFy', out, 4)).toEqual({ ok: false, error: 'wrong_size' });
  });

  it('compares bytes with a text without decoding', () => {
    expect(equalsBase64Url(utf8('foo'), 'Zm9v')).toBe(true);
    expect(equalsBase64Url(utf8('foo'), 'Zm9w')).toBe(false);
    expect(equalsBase64Url(utf8('fo'), 'Zm8')).toBe(true);
    expect(equalsBase64Url(utf8('fo'), 'Zm9')).toBe(false);
    expect(equalsBase64Url(utf8('fo'), 'Zm8A')).toBe(false);
    expect(equalsBase64Url(new Uint8Array(0), '')).toBe(true);
  });
});

describe('bytes and text', () => {
  it('encodes UTF-8 and refuses malformed UTF-8', () => {
    expect([...utf8('€')]).toEqual([0xe2, 0x82, 0xac]);
    expect(fromUtf8(utf8('Jouw Stem €'))).toEqual({ ok: true, value: 'Jouw Stem €' });
    expect(fromUtf8(bytes(0xc3, 0x28))).toEqual({ ok: false, error: 'invalid_utf8' });
  });

  it('concatenates, compares and orders bytes', () => {
    expect([...concatBytes(bytes(1, 2), bytes(), bytes(3))]).toEqual([1, 2, 3]);
    expect(bytesEqual(bytes(1, 2), bytes(1, 2))).toBe(true);
    expect(bytesEqual(bytes(1, 2), bytes(1, 3))).toBe(false);
    expect(bytesEqual(bytes(1, 2), bytes(1, 2, 0))).toBe(false);
    expect(compareBytes(bytes(1, 2), bytes(1, 3))).toBeLessThan(0);
    expect(compareBytes(bytes(2), bytes(1, 255))).toBeGreaterThan(0);
    expect(compareBytes(bytes(1), bytes(1, 0))).toBeLessThan(0);
    expect(compareBytes(bytes(0xff), bytes(0x01))).toBeGreaterThan(0);
  });

  it('reads and writes hex', () => {
    expect(toHex(bytes(0, 15, 255))).toBe('000fff');
    expect(fromHex('000fFF')).toEqual({ ok: true, value: bytes(0, 15, 255) });
    expect(fromHex('abc').ok).toBe(false);
    expect(fromHex('zz').ok).toBe(false);
  });
});
