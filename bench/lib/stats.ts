/** Small statistics for benchmark figures. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  return percentileSorted([...xs].sort((a, b) => a - b), p);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A seeded generator (mulberry32): the same seed gives the same numbers in [0, 1), run after run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function medianOf(values: Float64Array): number {
  values.sort();
  return percentileSorted(values, 50);
}

function percentileSorted(s: Float64Array | readonly number[], p: number): number {
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}

/** Two samples taken side by side, such as one ABBA pair's idle and watching turns. */
export interface PairedSamples {
  readonly a: readonly number[];
  readonly b: readonly number[];
}

/**
 * A percentile bootstrap interval (default 90%) for p50(all b) / p50(all a):
 * the pairs, not the single values, are resampled, since values within a
 * turn move together with the machine's speed at that moment.
 */
export function pairedMedianRatioInterval(pairs: readonly PairedSamples[], level = 0.9, resamples = 1_000): { low: number; high: number } {
  // Seeded, so that the same data give the same interval.
  const random = mulberry32(pairs.length * 7919 + 17);
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const picked = Array.from({ length: pairs.length }, () => pairs[Math.floor(random() * pairs.length)] as PairedSamples);
    const a = new Float64Array(picked.reduce((n, p) => n + p.a.length, 0));
    const b = new Float64Array(picked.reduce((n, p) => n + p.b.length, 0));
    let i = 0;
    let j = 0;
    for (const p of picked) {
      a.set(p.a, i);
      i += p.a.length;
      b.set(p.b, j);
      j += p.b.length;
    }
    ratios.push(medianOf(b) / Math.max(medianOf(a), Number.EPSILON));
  }
  ratios.sort((x, y) => x - y);
  return { low: percentileSorted(ratios, ((1 - level) / 2) * 100), high: percentileSorted(ratios, ((1 + level) / 2) * 100) };
}
