/** Small pieces every suite uses. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Wall-clock time in ms with a fraction: latencies are a few ms, Date.now()
 * would round them; and the helper processes (watchers, readers) stamp times
 * the same way, so times from both can be compared.
 */
export const now = (): number => performance.timeOrigin + performance.now();

export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
