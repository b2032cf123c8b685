/**
 * The server's time as seen from here. A ballot's castAt must be within a few
 * minutes of the server's clock, and phones are not always right: the booth
 * stamps ballots with its own clock corrected by the offset measured here.
 */
import { call } from './api';

let offsetMs = 0;
let measured: Promise<void> | null = null;

export function measureClock(): Promise<void> {
  if (measured !== null) return measured;
  measured = (async () => {
    const before = Date.now();
    const res = await call('health', { anonymous: true });
    const after = Date.now();
    if (!res.ok) {
      measured = null;
      return;
    }
    const server = Date.parse(res.value.time);
    if (Number.isFinite(server)) offsetMs = server - (before + after) / 2;
  })();
  return measured;
}

/** Now, on the server's clock, as protocol.md's timestamp (UTC, milliseconds). */
export function serverNow(): string {
  return new Date(Date.now() + offsetMs).toISOString();
}
