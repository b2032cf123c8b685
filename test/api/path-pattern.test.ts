/** The ballot route is served in front of Express from its contract path: it must match URLs as Express would. */
import { describe, expect, it } from 'vitest';
import { pathPattern, ROUTES } from '../../shared/api/routes';

describe('pathPattern', () => {
  const ballots = pathPattern(ROUTES.castBallot);

  it('matches the route as Express does: any case, an optional trailing slash, any query', () => {
    expect(ballots.exec('/api/rounds/abc/ballots')?.[1]).toBe('abc');
    expect(ballots.exec('/API/Rounds/abc/ballots/')?.[1]).toBe('abc');
    expect(ballots.exec('/api/rounds/a%20b/ballots?x=1')?.[1]).toBe('a%20b');
  });

  it('matches nothing else', () => {
    for (const url of ['/api/rounds/abc/ballotsx', '/api/rounds/a/b/ballots', '/api/rounds/abc', '/x/api/rounds/abc/ballots']) {
      expect(ballots.exec(url)).toBeNull();
    }
  });

  it('takes the dots and other pattern characters of a path literally', () => {
    const def = { ...ROUTES.castBallot, path: '/.well-known/a+b/:id' } as const;
    expect(pathPattern(def).exec('/.well-known/a+b/7')?.[1]).toBe('7');
    expect(pathPattern(def).exec('/Xwell-known/aab/7')).toBeNull();
  });
});
