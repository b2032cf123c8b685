/** Path patterns like `/rounds/:id/outcome`; pure, so it is tested in node. */
import { isId } from '../../shared/protocol/ids';

export type RouteParams = Readonly<Record<string, string>>;

/** The params of `path` under `pattern`, or null. Params are ids (1–64 of A–Z a–z 0–9 _ -). */
export function matchRoute(pattern: string, path: string): RouteParams | null {
  const want = pattern.split('/').filter((p) => p.length > 0);
  const have = path.split('/').filter((p) => p.length > 0);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i] ?? '';
    const v = have[i] ?? '';
    if (w.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(v);
      } catch {
        return null;
      }
      if (!isId(decoded)) return null;
      params[w.slice(1)] = decoded;
    } else if (w !== v) {
      return null;
    }
  }
  return params;
}

/** Same-origin paths only: what `navigate` and `?next=` accept. */
export function safeLocalPath(candidate: string | null | undefined, fallback = '/'): string {
  if (candidate === null || candidate === undefined) return fallback;
  return /^\/(?![/\\])[^\s]*$/.test(candidate) ? candidate : fallback;
}
