/** Hour lists for the download summary (sizes, rates and counts are core's format.ts). */
import { compareHours, hourToMs, type HourKey } from '@ghlake/core';

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
