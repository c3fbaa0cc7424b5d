/**
 * Figures for people: counts, sizes and rates in progress lines and summaries, the same in every
 * command. Sizes are decimal (kB, MB: the units networks and disks are sold in) with three
 * significant digits; durations are in duration.ts.
 */

const COUNT = new Intl.NumberFormat('en-US');

/** `1,234,567` */
export function formatCount(n: number): string {
  return COUNT.format(Math.round(n));
}

/** `950 B`, `2.62 MB`, `12.3 MB`, `148 MB`, `1.20 GB` */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1_000;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** `4.12 MB/s` */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(Math.max(0, bytesPerSecond)))}/s`;
}

/** A rate of things other than bytes: `850 events/s`, `12.3k events/s`, `1.20M events/s`; `– events/s` before there is one. */
export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return `– ${unit}/s`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M ${unit}/s`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k ${unit}/s`;
  return `${perSecond.toFixed(perSecond >= 100 ? 0 : 1)} ${unit}/s`;
}

/** `1 hour`, `3 hours` */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
