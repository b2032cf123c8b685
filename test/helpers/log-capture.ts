import pino from 'pino';

/** A logger at info that keeps every line it writes, for tests that read what the server logs. */
export function capturedLogger(): { readonly logger: pino.Logger; readonly lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}
