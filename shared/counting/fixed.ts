/**
 * Fixed-point decimals as scaled integers: a value v with p places is held as
 * the integer v * 10^p, either as a bigint or as a JS number that is an
 * integer below 2^53 (exact). Every result is the exact integer the rule
 * asks for: products that could pass 2^53 go through bigint or through the
 * split multiplication below, whose float division is only a first guess that
 * is corrected to the exact quotient.
 */

/**
 * Formats a scaled integer as a decimal string with exactly `places`
 * decimals: formatFixed(130000000, 5) === "1300.00000".
 */
export function formatFixed(scaled: number | bigint, places: number): string {
  let v = BigInt(scaled);
  const negative = v < 0n;
  if (negative) v = -v;
  const digits = v.toString().padStart(places + 1, '0');
  const cut = digits.length - places;
  const text = places === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

/** floor(a * b / d) for non-negative integers; the product may be of any size, the result must be below 2^53. */
export function mulDivFloor(a: number, b: number, d: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(d));
}

/** ceil(a * b / d) for non-negative integers; the product may be of any size, the result must be below 2^53. */
export function mulDivCeil(a: number, b: number, d: number): number {
  const p = BigInt(a) * BigInt(b);
  const bd = BigInt(d);
  const q = p / bd;
  return Number(p % bd === 0n ? q : q + 1n);
}

const HALF = 32768; // 2^15

/** Floor of x / d for non-negative integers below 2^53, d > 0: the float quotient corrected to the exact one. */
export function floorDiv(x: number, d: number): number {
  let q = Math.floor(x / d);
  let r = x - q * d;
  while (r < 0) {
    q -= 1;
    r += d;
  }
  while (r >= d) {
    q += 1;
    r -= d;
  }
  return q;
}

/**
 * ceil(a * b / d) for integers 0 <= a, b, d < 2^30 without bigint: the hot
 * loop of Meek multiplies a ballot weight by a keep factor (both at most
 * 10^9) and would otherwise need 60-bit products. b is split into 15-bit
 * halves so every intermediate stays an exact integer below 2^53.
 */
export function mulDivCeilSmall(a: number, b: number, d: number): number {
  const bh = Math.floor(b / HALF);
  const bl = b - bh * HALF;
  const x = a * bh; // < 2^45
  const qx = floorDiv(x, d);
  const rx = x - qx * d; // < d < 2^30
  const y = rx * HALF + a * bl; // < 2^46
  const qy = floorDiv(y, d);
  const ry = y - qy * d;
  return qx * HALF + qy + (ry > 0 ? 1 : 0);
}

/**
 * ceil(a * b / d) for integers 0 <= a, b <= d <= 2^30: a times the fraction
 * b / d, rounded up, as Meek's ballots take their keep factors. No bigint and
 * no split: the float quotient of the rounded product is within 2^-22 of
 * a * b / d (at most 2^30), so its floor q is the exact quotient or one off
 * it; the remainder a * b - q * d then lies in [-d, 2d), inside the int32
 * range, so it is exact from the low 32 bits of both products (Math.imul),
 * and settles q.
 */
export function mulDivCeilFraction(a: number, b: number, d: number): number {
  let q = Math.floor((a * b) / d);
  let r = (Math.imul(a, b) - Math.imul(q, d)) | 0;
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  return r > 0 ? q + 1 : q;
}
