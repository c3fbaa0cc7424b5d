/** docs/transform.md documents every column the transform writes, with its declared type. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BRONZE_TABLES, SILVER_OBSERVATION_TABLES, silverEvents, silverPayloadDetails } from '@ghlake/core';
import { QUARANTINE_REASONS } from '@ghlake/bronze';

const doc = readFileSync(path.join(import.meta.dirname, '../../../docs/transform.md'), 'utf8');

describe('docs/transform.md', () => {
  it('has a row for every column of every table the transform writes', () => {
    const missing = [...BRONZE_TABLES, silverEvents, silverPayloadDetails, ...SILVER_OBSERVATION_TABLES].flatMap((t) =>
      t.columns
        .filter((c) => !doc.includes(`| \`${c.name}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${c.doc.replace(/\|/g, '\\|')} |`))
        .map((c) => `${t.layer}.${t.name}.${c.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('explains every quarantine reason', () => {
    expect(QUARANTINE_REASONS.filter((r) => !doc.includes(`\`${r}\``))).toEqual([]);
  });
});
