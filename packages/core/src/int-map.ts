/**
 * A map from numeric keys (GitHub ids: integers; any number but NaN works) to numbers, in two flat
 * typed arrays with linear probing. The transform keeps one entry per event id and per entity of an hour — up to
 * hundreds of thousands, all alive until the hour ends — and a Map keyed by ids beyond 2^31
 * boxes every key: here an entry is 16 bytes and no object.
 */
export class IntMap {
  private keys = new Float64Array(0);
  private values = new Float64Array(0);
  private mask = 0;
  private used = 0;

  constructor(capacity = 1 << 12) {
    this.allocate(capacityFor(capacity));
  }

  get size(): number {
    return this.used;
  }

  get(key: number): number | undefined {
    const keys = this.keys;
    for (let i = slot(key) & this.mask; ; i = (i + 1) & this.mask) {
      const at = keys[i]!;
      if (at === key) return this.values[i];
      if (at !== at) return undefined; // NaN: an empty slot
    }
  }

  /** The value stored for `key`; stores `value` and returns undefined when there is none. */
  getOrSet(key: number, value: number): number | undefined {
    if (this.used * 2 >= this.keys.length) this.grow();
    const keys = this.keys;
    for (let i = slot(key) & this.mask; ; i = (i + 1) & this.mask) {
      const at = keys[i]!;
      if (at === key) return this.values[i];
      if (at !== at) {
        keys[i] = key;
        this.values[i] = value;
        this.used++;
        return undefined;
      }
    }
  }

  private allocate(capacity: number): void {
    this.keys = new Float64Array(capacity).fill(Number.NaN);
    this.values = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  private grow(): void {
    const { keys, values } = this;
    this.allocate(keys.length * 2);
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] === keys[i]) this.getOrSet(keys[i]!, values[i]!);
  }
}

function capacityFor(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

/** A well-mixed 32-bit hash of a key (an integer below 2^53 hashes both its halves). */
function slot(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
}
