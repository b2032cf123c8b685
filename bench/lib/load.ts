import autocannon from 'autocannon';

export interface LoadResult {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time this process (the load generator) spent, per request, in µs. */
  readonly clientCpuUsPerRequest: number;
}

/**
 * Sends each prepared request once, over `connections` kept-alive
 * connections, as fast as the server answers (autocannon).
 */
export async function sendAll(
  url: string,
  path: string,
  bodies: readonly { body: string; token?: string }[],
  connections = 64,
): Promise<LoadResult> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  // autocannon notices that `amount` is reached on its one-second tick, so its end time is rounded up to
  // a whole second; the rate is taken up to the last response instead.
  let lastResponse = started;
  const run = autocannon({
    url,
    connections,
    amount: bodies.length,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req) => {
          const item = bodies[next % bodies.length];
          next += 1;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (item?.token !== undefined) headers['authorization'] = `Bearer ${item.token}`;
          return { ...req, body: item?.body ?? '{}', headers };
        },
        onResponse: () => {
          lastResponse = process.hrtime.bigint();
        },
      },
    ],
  });
  const result = await run;
  const seconds = Number(lastResponse - started) / 1e9;
  const ok = result['2xx'];
  const used = process.cpuUsage(cpu);
  return {
    requests: result.requests.total,
    ok,
    failed: result.requests.total - ok,
    seconds,
    perSecond: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    clientCpuUsPerRequest: (used.user + used.system) / Math.max(1, result.requests.total),
  };
}
