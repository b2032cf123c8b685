/**
 * Ids that are also names of Object.prototype's members are valid ids. Code
 * that reads parsed input by such a name (`obj[id]`, `id in obj`) finds the
 * inherited member when the own one is missing; the verifier must report,
 * never throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import type { Method } from '../../shared/counting/types';
import { jcs } from '../../shared/protocol/jcs';
import type { Bundle } from '../../shared/protocol/types';
import { verifyBundle, type VerifyReport } from '../../shared/protocol/verify';
import { viaJson } from './bundle-fixture';
import { HOSTILE_IDS, HOSTILE_METHODS, hostileBundle, tamperedHostileBundle } from './hostile-fixture';
import { leafPaths, withValue } from './mutate';

const METHODS = HOSTILE_METHODS;
const TEXTS = new Map(METHODS.map((method) => [method, hostileBundle(method)]));

/** Where the hostile ids stand in a bundle's text: the bytes a tamperer is most likely to hit something with. */
function idPositions(text: string): number[] {
  const out: number[] = [];
  for (const id of HOSTILE_IDS) {
    for (let at = text.indexOf(`"${id}"`); at >= 0; at = text.indexOf(`"${id}"`, at + 1)) {
      for (let i = 0; i < id.length + 2; i += 1) out.push(at + i);
    }
  }
  return out;
}

/** Verifies, and fails the test with the exception (not as a crash of the property) when the verifier throws. */
function report(value: unknown): VerifyReport {
  try {
    return verifyBundle(value, nodeCrypto);
  } catch (error) {
    throw new Error(`the verifier threw instead of reporting: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function textOf(method: Method): string {
  const text = TEXTS.get(method);
  if (text === undefined) throw new Error(`no bundle for ${method}`);
  return text;
}

describe('a bundle whose option ids are names of Object.prototype members', () => {
  it('verifies for every method', () => {
    for (const method of METHODS) {
      const result = report(JSON.parse(textOf(method)));
      expect(result.checks.filter((c) => !c.ok).map((c) => c.id), method).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it('is reported, not thrown, when the recount lacks an option the published result names', () => {
    const result = report(JSON.parse(tamperedHostileBundle()));
    expect(result.ok).toBe(false);
    const recount = result.checks.find((c) => c.id === 'recount');
    expect(recount?.ok).toBe(false);
    expect(recount?.problems[0]).toMatch(/^result\.approvals\.constructor: recount 2, published \(missing\)$/);
  });

  it('gives a report for any single-byte change, every method', () => {
    const bytes = fc.constantFrom(...'aZ09_-"{}[],:. x\\'.split(''));
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), fc.nat(), fc.boolean(), bytes, (method, pick, nearId, byte) => {
        const text = textOf(method);
        const near = idPositions(text);
        const at = nearId ? (near[pick % near.length] ?? 0) : pick % text.length;
        const tampered = text.slice(0, at) + byte + text.slice(at + 1);
        if (tampered === text) return;
        let value: unknown;
        try {
          value = JSON.parse(tampered);
        } catch {
          return; // not JSON: the command line refuses it before the verifier (exit 2)
        }
        expect(report(value).ok, `${method}: byte ${at} → ${byte}`).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it('gives a report for any JSON value put anywhere in it', () => {
    const text = textOf('score');
    const parsed = JSON.parse(text) as Bundle;
    const paths = leafPaths(parsed);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.jsonValue(), (p, value) => {
        const path = paths[p] ?? [];
        const changed = withValue(parsed, path, value);
        const result = report(changed);
        if (JSON.stringify(changed) !== text) expect(result.ok, path.join('.')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a report for any JSON at all', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(report(viaJson(value)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('jcs of objects keyed by such names', () => {
  it('serialises own members only, in code-unit order, an own "__proto__" included', () => {
    const parsed = JSON.parse('{"toString":1,"constructor":2,"__proto__":{"hasOwnProperty":3},"toJSON":4}') as unknown;
    expect(jcs(parsed)).toBe('{"__proto__":{"hasOwnProperty":3},"constructor":2,"toJSON":4,"toString":1}');
    expect(jcs(JSON.parse('{}') as unknown)).toBe('{}');
    expect(jcs(Object.fromEntries(HOSTILE_IDS.map((id, i) => [id, i])))).toBe('{"__proto__":2,"constructor":0,"hasOwnProperty":3,"toString":1}');
  });
});
