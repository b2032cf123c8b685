/**
 * How long the HTTP server waits for a client. Node's defaults (a minute for
 * the headers, five for the whole request) let a few hundred slow clients
 * hold every connection for minutes; a request to this server is a few kB of
 * headers and at most 64 kB of JSON, which even a phone on a poor mobile
 * connection sends in a few seconds.
 */
export interface HttpTimeouts {
  /** From the connection (or the previous request) to the end of the headers; then 408 and close. */
  readonly headersMs: number;
  /** From the start of a request to the end of its body; then 408 and close. At least headersMs. */
  readonly requestMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveMs: number;
  /**
   * How often Node looks for connections past the two timeouts above: a
   * timeout fires up to this much late. A walk over the open connections;
   * cheap at this rate.
   */
  readonly checkEveryMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  // Node's own default; a reverse proxy in front should keep its idle connections for less.
  keepAliveMs: 5_000,
  checkEveryMs: 1_000,
};

/** The options of http.createServer for these timeouts. */
export function serverTimeoutOptions(t: HttpTimeouts): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return { headersTimeout: t.headersMs, requestTimeout: Math.max(t.requestMs, t.headersMs), keepAliveTimeout: t.keepAliveMs, connectionsCheckingInterval: t.checkEveryMs };
}
