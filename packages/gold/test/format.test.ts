import { describe, expect, it } from 'vitest';
import { MAX_CELL_WIDTH, csvHeader, csvRows, formatTable, jsonKeys, jsonRow } from '../src/format.js';

const columns = [
  { name: 'repo_name', type: 'VARCHAR' },
  { name: 'total_events', type: 'BIGINT' },
  { name: 'event_share', type: 'DOUBLE' },
];

describe('query output formats', () => {
  it('table: header, rule, numbers right-aligned, NULL spelled out, row count', () => {
    expect(
      formatTable(columns, [
        ['acme/app', 5, 0.5],
        [null, 12, null],
      ]),
    ).toBe(
      [
        'repo_name  total_events  event_share',
        '---------  ------------  -----------',
        'acme/app              5          0.5',
        'NULL                 12         NULL',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('table: says how many rows were not shown, and keeps each cell on one short line', () => {
    const long = 'x'.repeat(200);
    const text = formatTable([{ name: 'payload', type: 'VARCHAR' }], [[`a\nb`], [long]], 1500);
    const lines = text.split('\n');
    expect(lines[2]).toBe('a\\nb');
    expect(lines[3]).toHaveLength(MAX_CELL_WIDTH);
    expect(lines[3]!.endsWith('…')).toBe(true);
    expect(lines[4]).toBe('(2 of 1500 rows shown; raise --max-rows or use --format csv)');
  });

  it('csv: RFC 4180 quoting, NULL as an empty field', () => {
    expect(
      csvHeader(columns) +
        csvRows([
          ['a,"b"', 1, null],
          ['line\nbreak', null, 0.25],
        ]),
    ).toBe('repo_name,total_events,event_share\n"a,""b""",1,\n"line\nbreak",,0.25\n');
  });

  it('json: row objects keyed by column name, repeated names made unique', () => {
    const keys = jsonKeys([
      { name: 'n', type: 'BIGINT' },
      { name: 'n', type: 'BIGINT' },
      { name: 'tags', type: 'VARCHAR[]' },
    ]);
    expect(keys).toEqual(['n', 'n_2', 'tags']);
    expect(JSON.parse(jsonRow(keys, [1, null, ['a', 'b']]))).toEqual({ n: 1, n_2: null, tags: ['a', 'b'] });
  });
});
