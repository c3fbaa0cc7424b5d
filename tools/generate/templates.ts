/**
 * Real events as templates for generated hours: each archive line is cut into its top-level
 * `"key":value` members, kept as the exact bytes of the line, so a generated event reuses a real
 * payload byte for byte and only the identity members (id, actor, repo, org, created_at) change.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface EventTemplate {
  /** Source file name, e.g. `2021-07-21-6.head-200.json.gz`. */
  source: string;
  /** Era weight group: the year of the source hour. */
  era: string;
  type: string;
  /** Top-level members in line order: key and the exact JSON text of its value. */
  members: Array<[key: string, valueText: string]>;
  /** Line length in bytes (newline included). */
  bytes: number;
  /**
   * The payload cut around its first `"push_id":N` / `"id":N` (the push or the issue, pull request,
   * comment... it is about), so each generated event can carry a fresh number there: real payloads
   * are distinct, and reusing a template's payload verbatim would make them repeat. Undefined when
   * the payload has no such number (e.g. a WatchEvent's `{"action":"started"}`: those repeat for real).
   */
  payloadId?: { before: string; key: string; after: string };
  actor?: { id: number; login: string; gravatar_id?: string };
  repo?: { id: number; name: string };
  org?: { id: number; login: string };
}

/** Split a one-line JSON object into its top-level members (exact value texts). */
export function topLevelMembers(line: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = line.indexOf('{') + 1;
  const n = line.length;
  const skipSpace = () => {
    while (i < n && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (i < n && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
    i++; // closing quote
  };
  while (i < n) {
    skipSpace();
    if (line[i] === '}') break;
    if (line[i] === ',') {
      i++;
      continue;
    }
    const keyStart = i;
    skipString();
    const key = JSON.parse(line.slice(keyStart, i)) as string;
    skipSpace();
    i++; // colon
    skipSpace();
    const valueStart = i;
    let depth = 0;
    while (i < n) {
      const ch = line[i]!;
      if (ch === '"') {
        skipString();
        if (depth === 0) break;
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) break; // end of the enclosing object
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && ch === ',') break;
      i++;
    }
    out.push([key, line.slice(valueStart, i).trimEnd()]);
  }
  return out;
}

const loaded = new Map<string, EventTemplate[]>();

/** The first push id or object id in a payload. */
export const PAYLOAD_ID = /"(push_id|id)":(\d+)/;

/**
 * Read every line of the given `.json.gz`/`.jsonl` files as templates (Events API era lines only).
 * Memoized per file list: parsing ~50 MB of real events takes a while and templates never change.
 */
export function loadTemplates(files: readonly string[]): EventTemplate[] {
  const key = files.join('\n');
  let templates = loaded.get(key);
  if (!templates) {
    templates = readTemplates(files);
    loaded.set(key, templates);
  }
  return templates;
}

function readTemplates(files: readonly string[]): EventTemplate[] {
  const templates: EventTemplate[] = [];
  for (const file of files) {
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    const source = path.basename(file);
    const era = /^(\d{4})-/.exec(source)?.[1] ?? 'other';
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const ev = JSON.parse(line) as {
        id?: unknown;
        type?: unknown;
        created_at?: unknown;
        actor?: EventTemplate['actor'];
        repo?: EventTemplate['repo'];
        org?: EventTemplate['org'];
      };
      if (typeof ev.id !== 'string' || typeof ev.type !== 'string' || typeof ev.actor !== 'object' || typeof ev.repo !== 'object') continue;
      const members = topLevelMembers(line);
      const payload = members.find(([k]) => k === 'payload')?.[1];
      const idMatch = payload === undefined ? null : PAYLOAD_ID.exec(payload);
      templates.push({
        source,
        era,
        type: ev.type,
        members,
        bytes: Buffer.byteLength(line) + 1,
        ...(idMatch && payload !== undefined
          ? { payloadId: { before: payload.slice(0, idMatch.index), key: idMatch[1]!, after: payload.slice(idMatch.index + idMatch[0].length) } }
          : {}),
        actor: ev.actor,
        repo: ev.repo,
        ...(ev.org ? { org: ev.org } : {}),
      });
    }
  }
  return templates;
}
