/**
 * Seeded randomness for the benchmark generator: the same seed gives the same hours, byte for byte.
 */

/** sfc32: small, fast, good-quality 32-bit PRNG (PractRand-clean); returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let c = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35);
  let d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next(); // warm up: mix the seed into all four words
  return next;
}

/** Draw indexes 0..n-1 with the given (unnormalized, non-negative) weights. */
export function weightedSampler(weights: ArrayLike<number>): (random: () => number) => number {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]!;
    cumulative[i] = total;
  }
  if (!(total > 0)) throw new Error('weightedSampler: weights must have a positive sum');
  return (random) => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Zipf(s) over ranks 0..n-1: rank k drawn with weight 1/(k+1)^s (a few very active, a long tail). */
export function zipfSampler(n: number, s: number): (random: () => number) => number {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 1 / (k + 1) ** s;
  return weightedSampler(w);
}
