/**
 * Benchmark inputs for the Parquet writers: real rows of our three widest/busiest tables
 * (bronze.events with its big `payload` text, silver.events, silver.payload_details), built
 * from the real hour 2015-01-01-15 (11,351 events).
 *
 * This is NOT the hour transform (packages/bronze and packages/silver own that): it only
 * produces column arrays with realistic values, sizes and cardinalities so that writers are
 * compared on the data they will really get. For the big case the hour is repeated; every
 * copy gets fresh ids, hashes and payload texts so no writer is flattered by duplicates
 * (a dictionary over 22 identical payload copies would be a fake win).
 */
import { valueAt } from '../src/parquet/columns.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { bronzeEvents, silverEvents, silverPayloadDetails, type ColumnarBatch, type TableDecl } from '../src/index.js';
import { GHARCHIVE_FIXTURES } from '../test/fixtures/gharchive.js';

export type DatasetName = 'bronze_events' | 'bronze_events_bytes' | 'silver_events' | 'payload_details';
export const DATASETS: Record<DatasetName, TableDecl> = {
  bronze_events: bronzeEvents,
  /** bronze.events with its JSON columns handed as UTF-8 bytes (Uint8Array), as a transform could slice them from the line. */
  bronze_events_bytes: bronzeEvents,
  silver_events: silverEvents,
  payload_details: silverPayloadDetails,
};

interface RawEvent {
  line: string;
  lineNo: number;
  payloadText: string | null;
  ev: {
    id: string;
    type: string;
    created_at: string;
    actor?: { id: number; login: string };
    repo?: { id: number; name: string };
    org?: { id: number; login: string };
    public?: boolean;
    payload?: Record<string, any>;
  };
}

const HOUR_MS = 3_600_000;
const WRITTEN_AT = Date.UTC(2024, 5, 3, 16, 5, 7, 123);
const BOT = /\[bot\]$|(^|[-_.])(bot|robot)$|^(bot|robot)[-_.]/i;

/**
 * The payload as compact JSON text. The archive's lines are compact JSON too, so this is the
 * payload's text up to escape spelling (`\u00e9` vs `é`) — what a writer bench needs.
 */
function payloadText(ev: RawEvent['ev']): string | null {
  return ev.payload === undefined ? null : JSON.stringify(ev.payload);
}

export function readFixtureEvents(file = GHARCHIVE_FIXTURES.hour2015_01_01_15): RawEvent[] {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const out: RawEvent[] = [];
  lines.forEach((line, i) => {
    if (line.length === 0) return;
    const ev = JSON.parse(line) as RawEvent['ev'];
    out.push({ line, lineNo: i + 1, ev, payloadText: payloadText(ev) });
  });
  return out;
}

const toBig = (v: unknown): bigint | null => (typeof v === 'number' ? BigInt(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A distinct copy of a payload text: same shape and size (+~10 bytes), different bytes. */
function copyPayload(text: string | null, copy: number): string | null {
  if (text === null || copy === 0) return text;
  return text === '{}' ? `{"_copy":${copy}}` : `{"_copy":${copy},${text.slice(1)}`;
}

type Values = Record<string, unknown>;

/** Every column value any of the three tables may declare, for one event of one copy. */
function eventValues(name: DatasetName, raw: RawEvent, copy: number, lineOffset: number): Values {
  const { line, lineNo, ev, payloadText } = raw;
  const id = BigInt(ev.id) + BigInt(copy) * 10_000_000_000n;
  const createdAt = Date.parse(ev.created_at);
  const hash = createHash('md5')
    .update(copy === 0 ? line : `${copy}\n${line}`)
    .digest('hex');
  const payload = copyPayload(payloadText, copy);
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  if (name === 'bronze_events' || name === 'bronze_events_bytes') {
    const text = (t: string | null) => (t === null || name === 'bronze_events' ? t : Buffer.from(t, 'utf8'));
    return {
      event_id: id,
      event_type: ev.type,
      created_at: createdAt,
      actor_id: toBig(ev.actor?.id),
      actor_login: str(ev.actor?.login),
      repo_id: toBig(ev.repo?.id),
      repo_name: str(ev.repo?.name),
      org_id: toBig(ev.org?.id),
      org_login: str(ev.org?.login),
      public: typeof ev.public === 'boolean' ? ev.public : null,
      payload: text(payload),
      other: null,
      actor: text(json(ev.actor)),
      repo: text(json(ev.repo)),
      org: text(json(ev.org)),
      event_hash: hash,
      source_file: '2015-01-01-15.json.gz',
      source_line: BigInt(lineOffset + lineNo),
      fragment: 0,
      ingested_at: WRITTEN_AT,
    };
  }
  if (name === 'silver_events') {
    return {
      event_id: id,
      event_hash: hash,
      event_type: ev.type,
      created_at: createdAt,
      actor_id: toBig(ev.actor?.id),
      repo_id: toBig(ev.repo?.id),
      org_id: toBig(ev.org?.id),
      is_bot: ev.actor ? BOT.test(ev.actor.login) : null,
      public: typeof ev.public === 'boolean' ? ev.public : null,
      hour_bucket: Math.floor(createdAt / HOUR_MS) * HOUR_MS,
      processed_at: WRITTEN_AT,
    };
  }
  const p = ev.payload ?? {};
  const push = ev.type === 'PushEvent';
  return {
    event_id: id,
    event_type: ev.type,
    payload_action: str(p.action),
    payload_issue_id: toBig(p.issue?.id),
    payload_pull_request_id: toBig(p.pull_request?.id),
    payload_comment_id: toBig(p.comment?.id),
    payload_push_size: push ? toBig(p.size) : null,
    payload_ref: str(p.ref),
    payload_ref_type: str(p.ref_type),
    payload_head: str(p.head),
    payload_before: str(p.before),
    payload_size: payload === null ? null : BigInt(Buffer.byteLength(payload)),
    payload_distinct_size: push ? toBig(p.distinct_size) : null,
    payload_pull_request_merged: typeof p.pull_request?.merged === 'boolean' ? p.pull_request.merged : null,
    created_at: createdAt,
  };
}

/**
 * Build `copies` copies of the fixture hour as one columnar batch of `name`'s table. Follows the
 * table's current declaration; a declared column this builder cannot fill is an error (schema drift).
 */
export function buildDataset(name: DatasetName, copies: number, events = readFixtureEvents()): ColumnarBatch {
  const table = DATASETS[name];
  const n = events.length * copies;
  const names = table.columns.map((c) => c.name);
  const arrays = names.map(() => new Array<unknown>(n));
  let r = 0;
  for (let copy = 0; copy < copies; copy++) {
    for (const raw of events) {
      const values = eventValues(name, raw, copy, copy * events.length);
      for (let c = 0; c < names.length; c++) {
        const v = values[names[c]!];
        if (v === undefined) throw new Error(`bench data: no value for ${table.layer}.${table.name}.${names[c]} — teach bench/bench-data.ts the new column`);
        arrays[c]![r] = v;
      }
      r++;
    }
  }
  return { rowCount: n, columns: Object.fromEntries(names.map((nm, c) => [nm, arrays[c]!])) };
}

/**
 * Bytes of input the writer is handed, counted the way the data would sit in Arrow:
 * UTF-8 bytes for text, 8 for BIGINT/TIMESTAMP/DOUBLE, 4 for INTEGER/DATE, 1 for BOOLEAN.
 */
export function inputBytes(table: TableDecl, batch: ColumnarBatch): number {
  let total = 0;
  for (const c of table.columns) {
    const values = batch.columns[c.name]!;
    for (let i = 0; i < batch.rowCount; i++) {
      const v = valueAt(values, i);
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') total += Buffer.byteLength(v);
      else if (v instanceof Uint8Array) total += v.byteLength;
      else if (typeof v === 'boolean') total += 1;
      else total += c.type === 'INTEGER' || c.type === 'DATE' ? 4 : 8;
    }
  }
  return total;
}
