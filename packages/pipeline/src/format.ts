/** Lists for the terminal (counts, sizes, rates and durations are core's format.ts and duration.ts). */

/** `a, b, c and 12 more` */
export function listSome(items: readonly string[], max = 8): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
