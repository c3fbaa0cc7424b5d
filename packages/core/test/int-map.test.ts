/**
 * IntMap against a Map on the same keys: GitHub-sized ids (beyond 2^31), ids that differ only in
 * their high or low halves, negatives and zero, through several growths of the table.
 */
import { describe, expect, it } from 'vitest';
import { IntMap } from '../src/index.js';

describe('IntMap', () => {
  it('answers like a Map: getOrSet keeps the first value, get finds it, size counts keys', () => {
    const keys = [
      ...Array.from({ length: 100_000 }, (_, i) => 12_660_541_189 + i),
      ...Array.from({ length: 20_000 }, (_, i) => (i + 1) * 4_294_967_296),
      ...Array.from({ length: 20_000 }, (_, i) => i * 65_536),
      -1,
      -4_294_967_297,
      2 ** 53 - 1,
    ];
    const ours = new IntMap(4);
    const map = new Map<number, number>();
    const firstPass = { ours: [] as (number | undefined)[], map: [] as (number | undefined)[] };
    keys.forEach((k, i) => {
      firstPass.ours.push(ours.getOrSet(k, i));
      firstPass.map.push(map.get(k));
      if (!map.has(k)) map.set(k, i);
    });
    expect(firstPass.ours).toEqual(firstPass.map);
    // every key again, with another value: the first one stays
    expect(keys.map((k) => ours.getOrSet(k, -7))).toEqual(keys.map((k) => map.get(k)));
    expect(ours.size).toBe(map.size);
    expect([...map.keys()].map((k) => ours.get(k))).toEqual([...map.values()]);
    expect(ours.get(12_660_541_188)).toBeUndefined();
    expect(ours.get(3 * 65_536 + 1)).toBeUndefined();
    expect(ours.get(-0)).toBe(map.get(0)); // -0 and 0 are one key, as in a Map
  });
});
