/**
 * A map from numeric keys (GitHub ids: integers; any number but NaN works) to numbers, in two flat
 * typed arrays with linear probing. The transform keeps one entry per event id and per entity of an hour — up to
 * hundreds of thousands, all alive until the hour ends — and a Map keyed by ids beyond 2^31
 * boxes every key: here an entry is 16 bytes and no object.
 */
export class IntMap {
  /** [key, value] pairs side by side (a lookup touches one cache line); NaN key = empty slot. */
  private slots = new Float64Array(0);
  private mask = 0;
  private used = 0;

  constructor(capacity = 1 << 12) {
    this.allocate(capacityFor(capacity));
  }

  get size(): number {
    return this.used;
  }

  get(key: number): number | undefined {
    const slots = this.slots;
    for (let i = slot(key) & this.mask; ; i = (i + 1) & this.mask) {
      const at = slots[2 * i]!;
      if (at === key) return slots[2 * i + 1];
      if (at !== at) return undefined; // NaN: an empty slot
    }
  }

  /** The value stored for `key`; stores `value` and returns undefined when there is none. */
  getOrSet(key: number, value: number): number | undefined {
    if (this.used * 2 >= this.mask + 1) this.grow();
    const slots = this.slots;
    for (let i = slot(key) & this.mask; ; i = (i + 1) & this.mask) {
      const at = slots[2 * i]!;
      if (at === key) return slots[2 * i + 1];
      if (at !== at) {
        slots[2 * i] = key;
        slots[2 * i + 1] = value;
        this.used++;
        return undefined;
      }
    }
  }

  private allocate(capacity: number): void {
    this.slots = new Float64Array(2 * capacity).fill(Number.NaN);
    this.mask = capacity - 1;
  }

  private grow(): void {
    const old = this.slots;
    this.allocate(old.length);
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] === old[i]) this.getOrSet(old[i]!, old[i + 1]!);
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
