/**
 * One measured `uploadLake` in its own process, so peak RSS (getrusage maxrss) belongs to the
 * upload alone and not to the S3 server. Prints one JSON line.
 *
 *   tsx bench/upload-child.ts '<UploadConfigInput as JSON>'
 */
import { uploadLake } from '../src/index.js';

const raw = process.argv[2];
if (!raw) {
  process.stderr.write("usage: tsx bench/upload-child.ts '<config json>'\n");
  process.exit(2);
}
const started = performance.now();
const summary = await uploadLake(JSON.parse(raw));
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(performance.now() - started),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    uploaded: summary.uploaded,
    uploadedBytes: summary.uploadedBytes,
    skipped: summary.skippedUnchanged,
    multipart: summary.multipart,
    failed: summary.failed.length,
    gold: summary.gold.status,
    mode: summary.mode,
    deleted: summary.deleted,
  })}\n`,
);
