/** Human and JSON renderings of an upload summary (the CLI prints them; the runner never does). */
import { formatBytes, formatDuration } from '@ghlake/core';
import { keyPrefix, s3Url } from './keys.js';
import type { UploadSummary } from './runner.js';

function goldLine(s: UploadSummary): string {
  const g = s.gold;
  switch (g.status) {
    case 'none':
      return 'no gold in the lake (pointer untouched)';
    case 'held':
      return `version ${g.version} NOT published: ${s.interrupted ? 'the run was interrupted' : 'a gold object failed'}; readers keep the previous version`;
    case 'unchanged':
      return `version ${g.version} already current${g.removedObjects ? `, ${g.removedObjects} obsolete objects removed` : ''}`;
    case 'published':
      return `published version ${g.version}${g.previousVersion ? ` (was ${g.previousVersion})` : ''} -> ${g.pointerKey}${g.removedObjects ? `, ${g.removedObjects} obsolete objects removed` : ''}`;
  }
}

/** The summary block printed at the end of `ghlake upload`. */
export function formatUploadSummary(s: UploadSummary): string {
  const lines = [
    `upload ${s3Url(s.bucket, keyPrefix(s.prefix))} from ${s.lake}`,
    s.mode === 'incremental'
      ? `  mode       incremental: ${s.hours} hour${s.hours === 1 ? '' : 's'} written by silver commits since the last upload, keyed tables, gold (head ${s.silverHead})`
      : `  mode       full: ${s.fullReason ?? 'every file checked'}`,
    `  files      ${s.files} (${formatBytes(s.bytes)})`,
    `  uploaded   ${s.uploaded} (${formatBytes(s.uploadedBytes)}${s.multipart ? `, ${s.multipart} multipart` : ''}${s.retried ? `, ${s.retried} after retries` : ''})`,
    `  unchanged  ${s.skippedUnchanged} skipped (${formatBytes(s.skippedBytes)})`,
    `  failed     ${s.failed.length}`,
    ...(s.deleted ? [`  deleted    ${s.deleted} (files that left their table at an earlier upload)`] : []),
    ...(s.notStarted ? [`  not started ${s.notStarted} (interrupted; rerun to finish)`] : []),
    `  gold       ${goldLine(s)}`,
    ...(s.staleMultipartUploads.aborted ? [`  aborted ${s.staleMultipartUploads.aborted} stale multipart uploads of an earlier run`] : []),
    ...s.failed.map((f) => `  FAILED ${s3Url(s.bucket, f.key)}: ${f.code}: ${f.message}${f.hint ? `\n    hint: ${f.hint}` : ''}`),
    ...s.warnings.map((w) => `  warning: ${w}`),
  ];
  if (s.interrupted) lines.push('interrupted: rerun ghlake upload to finish (objects already uploaded are skipped)');
  else if (s.failed.length > 0) lines.push(`${s.failed.length} object(s) failed: rerun ghlake upload to retry them (the others are skipped)`);
  else if (s.files === 0 && s.mode === 'full')
    lines.push(`nothing to upload: ${s.lake} has no data files yet (run ghlake download / ghlake run first, or check --lake)`);
  else if (s.files === 0) lines.push('nothing to upload: nothing changed since the last upload');
  else if (s.uploaded === 0 && s.gold.status !== 'published') lines.push(`nothing to upload: all ${s.skippedUnchanged} objects are unchanged`);
  lines.push(`took ${formatDuration(s.durationMs)}`);
  return lines.join('\n');
}

export function uploadSummaryJson(s: UploadSummary): string {
  return JSON.stringify(s, null, 2);
}
