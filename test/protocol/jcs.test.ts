import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jcs } from '../../shared/protocol/jcs';
import { ballotJcs, registerJcs } from '../../shared/protocol/signing';
import { ballotArb, bytesArb, idArb } from './arbitraries';

/** An IEEE 754 double from its 64 bits in hex, as RFC 8785 lists them. */
function double(hex: string): number {
  return new DataView(Uint8Array.from(Buffer.from(hex, 'hex')).buffer).getFloat64(0);
}

describe('jcs (RFC 8785)', () => {
  it('serialises the example of RFC 8785 §3.2.2', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(jcs(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders keys by UTF-16 code units, as RFC 8785 §3.2.3', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const values = Object.values(JSON.parse(jcs(input)) as Record<string, string>);
    expect(jcs(input).startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
    // Parsing puts "1" first again (an integer-like key), so check the text order instead of the object's.
    expect(values).toContain('Emoji: Grinning Face');
    const order = ['Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh'];
    const text = jcs(input);
    const positions = order.map((v) => text.indexOf(v));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('formats numbers as RFC 8785 Appendix B', () => {
    const vectors: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of vectors) expect(jcs(double(bits)), bits).toBe(text);
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => jcs(Number.NaN)).toThrow();
    expect(() => jcs(Number.POSITIVE_INFINITY)).toThrow();
    expect(() => jcs(undefined)).toThrow();
  });

  it('drops undefined members and keeps nested order canonical', () => {
    expect(jcs({ b: [3, { z: 1, a: 2 }], a: undefined, c: 'x' })).toBe('{"b":[3,{"a":2,"z":1}],"c":"x"}');
  });

  it('the ballot fast path equals the generic serialiser for any valid ballot', () => {
    fc.assert(
      fc.property(ballotArb, (ballot) => {
        expect(ballotJcs(ballot)).toBe(jcs(ballot));
      }),
      { numRuns: 300 },
    );
  });

  it('the register fast path equals the generic serialiser for any valid register', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ voter: idArb, keys: fc.array(bytesArb(32), { maxLength: 3 }) }), { maxLength: 5 }), (register) => {
        expect(registerJcs(register)).toBe(jcs(register));
      }),
      { numRuns: 200 },
    );
  });
});
