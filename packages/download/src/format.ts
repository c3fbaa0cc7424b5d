/** Human figures for progress lines and the summary: decimal units, like the network speaks. */
import { compareHours, hourToMs, type HourKey } from '@ghlake/core';

export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1_000;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2015-01-01-1 … 2015-01-01-14, 2015-01-02-3`: consecutive hours folded into ranges. */
export function formatHourList(hours: readonly HourKey[]): string {
  const sorted = [...hours].sort(compareHours);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && hourToMs(sorted[j + 1]!) === hourToMs(sorted[j]!) + 3_600_000) j++;
    parts.push(j === i ? sorted[i]! : j === i + 1 ? `${sorted[i]}, ${sorted[j]}` : `${sorted[i]} … ${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
